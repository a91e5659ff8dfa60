import PgBoss from 'pg-boss'
import { CompiledQuery } from 'kysely'
import type { Db, Executor } from '../db/index.js'
import { defaultPolicy, type DeadJob, type JobHandler, type Queue, type QueuePolicy, type WorkOptions } from './types.js'

const SCHEMA = 'pgboss'

/**
 * The PostgreSQL queue, on pg-boss: jobs are claimed with FOR UPDATE SKIP LOCKED, so any number of
 * `kando worker` processes share the work; a job whose worker died expires and is retried.
 * `send` runs pg-boss's own insert on the caller's transaction, so a job exists only if it commits.
 */
export class PgBossQueue implements Queue {
  readonly engine = 'pg-boss' as const
  private readonly boss: PgBoss
  private started?: Promise<void>
  private declared = new Map<string, QueuePolicy>()
  private workerIds: string[] = []

  constructor(
    private readonly db: Db,
    options: {
      /** How often expired jobs (held by a dead worker) are handed back; pg-boss's default is 120 s. */
      maintenanceIntervalSeconds?: number
    } = {},
  ) {
    // Maintenance (expiry of jobs held by dead workers, archiving) runs in every process; pg-boss
    // coordinates it through the database. (No monitorStateIntervalSeconds key at all: pg-boss
    // asserts on the key's presence, so even `undefined` makes the constructor throw.)
    this.boss = new PgBoss({
      connectionString: db.url,
      schema: SCHEMA,
      max: 4,
      ...(options.maintenanceIntervalSeconds !== undefined ? { maintenanceIntervalSeconds: options.maintenanceIntervalSeconds } : {}),
    })
    this.boss.on('error', () => {})
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
    const existing = await this.boss.getQueue(name)
    if (!existing) {
      try {
        await this.boss.createQueue(name, options)
      } catch (err) {
        // Another process created it at the same moment.
        if (!(await this.boss.getQueue(name))) throw err
      }
    } else {
      await this.boss.updateQueue(name, options)
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

  async work<T>(name: string, handler: JobHandler<T>, options: WorkOptions = {}): Promise<void> {
    await this.start()
    const batchSize = options.batchSize ?? 20
    for (let i = 0; i < (options.concurrency ?? 2); i++) {
      const workerId: string = await this.boss.work<T>(name, { batchSize, pollingIntervalSeconds: 0.5 }, async (jobs) => {
        // One failing job must not fail its batch-mates: fail it alone, let the rest complete.
        for (const job of jobs) {
          try {
            await handler({ id: job.id, name, data: job.data })
          } catch (err) {
            const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
            await this.boss.fail(name, job.id, { message })
          }
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
    this.started = undefined
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
    const dead = await this.deadJobs(name, 100_000)
    const byName = new Map<string, string[]>()
    for (const j of dead) byName.set(j.name, [...(byName.get(j.name) ?? []), j.id])
    for (const [queue, ids] of byName) await this.boss.retry(queue, ids)
    return dead.length
  }

  async counts() {
    await this.start()
    const res = await this.db.pool!.query(`select name, state::text as state, count(*)::int as count from ${SCHEMA}.job group by 1, 2`)
    return res.rows as Array<{ name: string; state: string; count: number }>
  }

  async drain(timeoutMs = 60_000): Promise<void> {
    await this.start()
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const res = await this.db.pool!.query(
        `select count(*)::int as n from ${SCHEMA}.job
         where (state in ('created', 'retry') and start_after <= now()) or state = 'active'`,
      )
      const n = res.rows[0].n as number
      if (n === 0) return
      if (Date.now() > deadline) throw new Error(`Queue not drained after ${timeoutMs} ms (${n} jobs pending)`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }
}
