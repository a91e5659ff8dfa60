import PgBoss from 'pg-boss'
import { CompiledQuery } from 'kysely'
import type { Db, Executor } from '../db/index.js'
import { defaultPolicy, type DeadJob, type JobFailure, type JobHandler, type Queue, type QueuePolicy, type WorkOptions } from './types.js'

const SCHEMA = 'pgboss'
/** Ten years: in effect, dead jobs are kept until retried. */
const DEAD_JOBS_KEPT_SECONDS = 10 * 365 * 24 * 3600

/**
 * The PostgreSQL queue, on pg-boss: jobs are claimed with FOR UPDATE SKIP LOCKED, so any number of
 * `kando worker` processes share the work; a job whose worker died expires and is retried.
 * `send` runs pg-boss's own insert on the caller's transaction, so a job exists only if it commits.
 */
export class PgBossQueue implements Queue {
  readonly engine = 'pg-boss' as const
  private readonly onJobFailed?: (f: JobFailure) => void
  private readonly boss: PgBoss
  private started?: Promise<void>
  private declared = new Map<string, QueuePolicy>()
  private workerIds: string[] = []

  constructor(
    private readonly db: Db,
    options: {
      /** How often expired jobs (held by a dead worker) are handed back; pg-boss's default is 120 s. */
      maintenanceIntervalSeconds?: number
      onError?: (err: unknown) => void
      /** Told of each failed attempt (pg-boss decides about retries, so `dead` is not known here). */
      onJobFailed?: (f: JobFailure) => void
    } = {},
  ) {
    // Maintenance (expiry of jobs held by dead workers, archiving) runs in every process; pg-boss
    // coordinates it through the database. (No monitorStateIntervalSeconds key at all: pg-boss
    // asserts on the key's presence, so even `undefined` makes the constructor throw.)
    this.boss = new PgBoss({
      connectionString: db.url,
      schema: SCHEMA,
      max: 4,
      // Dead jobs stay listed (deadJobs) and revivable (retryDead) until someone acts, as on SQLite:
      // by default pg-boss moves failed jobs to its archive after 12 h and deletes them a week later.
      archiveFailedAfterSeconds: DEAD_JOBS_KEPT_SECONDS,
      ...(options.maintenanceIntervalSeconds !== undefined ? { maintenanceIntervalSeconds: options.maintenanceIntervalSeconds } : {}),
    })
    this.boss.on('error', (err) => options.onError?.(err))
    this.onJobFailed = options.onJobFailed
  }

  private start(): Promise<void> {
    this.started ??= this.boss.start().then(() => undefined)
    return this.started
  }

  async declare(name: string, policy: Partial<QueuePolicy> = {}): Promise<void> {
    const p = { ...defaultPolicy, ...policy }
    await this.start()
    const options: PgBoss.Queue = {
      name,
      retryLimit: p.retryLimit,
      retryDelay: p.retryDelaySeconds,
      retryBackoff: true,
      expireInSeconds: p.expireInSeconds,
    }
    // Processes starting together (`kando serve` and `kando worker`) declare the same queues at
    // once; pg-boss creates each as a partition of its job table, and two such creations can
    // deadlock. The loser tries again; a queue the other process made counts as made.
    for (let attempt = 1; ; attempt++) {
      try {
        if (await this.boss.getQueue(name)) await this.boss.updateQueue(name, options)
        else await this.boss.createQueue(name, options)
        break
      } catch (err) {
        if (attempt >= 6) throw err
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 200 * attempt))
      }
    }
    this.declared.set(name, p)
  }

  async send(tx: Executor, name: string, data: unknown, options: { startAfter?: Date } = {}): Promise<void> {
    if (!this.declared.has(name)) throw new Error(`Queue "${name}" was not declared`)
    const executor = {
      executeSql: async (text: string, values: unknown[]) => {
        const res = await tx.executeQuery(CompiledQuery.raw(text, values))
        return { rows: res.rows }
      },
    }
    await this.boss.send(name, (data ?? {}) as object, { startAfter: options.startAfter, db: executor } as PgBoss.SendOptions)
  }

  /** Many jobs in one statement (pg-boss `insert`: each takes its queue's policy), in the caller's transaction. */
  async sendMany(tx: Executor, jobs: ReadonlyArray<{ name: string; data: unknown; startAfter?: Date }>): Promise<void> {
    if (jobs.length === 0) return
    if (jobs.length === 1) return this.send(tx, jobs[0]!.name, jobs[0]!.data, { startAfter: jobs[0]!.startAfter })
    for (const j of jobs) if (!this.declared.has(j.name)) throw new Error(`Queue "${j.name}" was not declared`)
    const executor = {
      executeSql: async (text: string, values: unknown[]) => {
        const res = await tx.executeQuery(CompiledQuery.raw(text, values))
        return { rows: res.rows }
      },
    }
    await this.boss.insert(jobs.map((j) => ({ name: j.name, data: (j.data ?? {}) as object, ...(j.startAfter ? { startAfter: j.startAfter } : {}) })), { db: executor } as PgBoss.InsertOptions)
  }

  async work<T>(name: string, handler: JobHandler<T>, options: WorkOptions = {}): Promise<void> {
    await this.start()
    const batchSize = options.batchSize ?? 20
    for (let i = 0; i < (options.concurrency ?? 2); i++) {
      const workerId: string = await this.boss.work<T>(name, { batchSize, pollingIntervalSeconds: 0.5 }, async (jobs) => {
        // One failing job must not fail its batch-mates: fail it alone, let the rest complete.
        // The fails wait until the batch is done: pg-boss completes the whole batch (every job of it
        // still active) right after this callback, so a job failed early could come due, be fetched
        // by another loop and then be marked completed under that second run, losing its outcome.
        const failures: Array<{ id: string; message: string }> = []
        const runOne = async (job: PgBoss.Job<T>) => {
          try {
            await handler({ id: job.id, name, data: job.data })
          } catch (err) {
            failures.push({ id: job.id, message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) })
          }
        }
        let next = 0
        const lane = async () => {
          while (next < jobs.length) await runOne(jobs[next++]!)
        }
        await Promise.all(Array.from({ length: Math.min(Math.max(1, options.parallel ?? 1), jobs.length) }, lane))
        for (const f of failures) {
          await this.boss.fail(name, f.id, { message: f.message })
          this.onJobFailed?.({ queue: name, jobId: f.id, dead: false, error: f.message })
        }
        // A full batch means more may be waiting: fetch again at once instead of sleeping.
        if (jobs.length === batchSize) this.boss.notifyWorker(workerId)
      })
      this.workerIds.push(workerId)
    }
  }

  async stop(): Promise<void> {
    if (!this.started) return
    await this.started
    await this.boss.stop({ graceful: true, wait: true, timeout: 10_000 })
    // `started` stays set: a stopped queue is not started again (counts, deadJobs, send still work).
    // pg-boss does not restart cleanly: its maintenance timer would no longer be cleared on stop
    // (the process never exits) and would no longer expire anything.
  }

  async deadJobs(name?: string, limit = 100): Promise<DeadJob[]> {
    await this.start()
    const res = await this.db.pool!.query(
      `select id, name, data, output, completed_on from ${SCHEMA}.job
       where state = 'failed' and ($1::text is null or name = $1) order by completed_on desc limit $2`,
      [name ?? null, limit],
    )
    return res.rows.map((r) => ({
      id: r.id,
      name: r.name,
      data: r.data,
      error: r.output?.message ?? (r.output ? JSON.stringify(r.output) : null),
      failedAt: r.completed_on ? new Date(r.completed_on).toISOString() : null,
    }))
  }

  async retryDead(name?: string): Promise<number> {
    await this.start()
    // pg-boss's retry() (one more attempt), plus two resets it lacks: maintenance archives (takes out
    // of the queue) a waiting job whose keep_until (start_after + 14 days) has passed, and a job not
    // failed whose completed_on is older than 12 h; a job dead for a while would vanish, never run.
    const res = await this.db.pool!.query(
      `update ${SCHEMA}.job
       set state = 'retry', retry_limit = retry_limit + 1, completed_on = null,
         keep_until = greatest(keep_until, now() + interval '14 days')
       where state = 'failed' and ($1::text is null or name = $1)`,
      [name ?? null],
    )
    return res.rowCount ?? 0
  }

  async counts() {
    await this.start()
    const res = await this.db.pool!.query(`select name, state::text as state, count(*)::int as count from ${SCHEMA}.job group by 1, 2`)
    return res.rows as Array<{ name: string; state: string; count: number }>
  }

  async drain(timeoutMs = 60_000, names?: string[]): Promise<void> {
    await this.start()
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const res = await this.db.pool!.query(
        `select count(*)::int as n from ${SCHEMA}.job
         where ((state in ('created', 'retry') and start_after <= now()) or state = 'active')${names ? ' and name = any($1)' : ''}`,
        names ? [names] : [],
      )
      const n = res.rows[0].n as number
      if (n === 0) return
      if (Date.now() > deadline) throw new Error(`Queue not drained after ${timeoutMs} ms (${n} jobs pending)`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }
}
