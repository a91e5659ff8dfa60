import { sql, type Kysely } from 'kysely'
import type { Database } from '../../schema.js'
import type { Db, Executor } from '../db/index.js'
import type { Clock } from '../clock.js'
import { newId } from '../ids.js'
import { defaultPolicy, type DeadJob, type JobFailure, type JobHandler, type Queue, type QueuePolicy, type WorkOptions } from './types.js'

interface Worker {
  name: string
  handler: JobHandler
  batchSize: number
  parallel: number
}

/** Backoff before attempt n+1 after n failed attempts: delay·2^(n-1), capped at one hour. */
export function backoffMs(policy: QueuePolicy, failedAttempts: number): number {
  return Math.min(policy.retryDelaySeconds * 1000 * 2 ** Math.max(0, failedAttempts - 1), 3_600_000)
}

/**
 * The embedded queue: a `jobs` table in the same SQLite file, run in-process.
 * A claim is one UPDATE … RETURNING, atomic under SQLite's single writer, so even two
 * processes on one file never take the same job; a job whose worker died is taken again
 * once its lock expires.
 */
export class SqliteQueue implements Queue {
  readonly engine = 'sqlite' as const
  private policies = new Map<string, QueuePolicy>()
  private workers: Worker[] = []
  private running = false
  private loop?: Promise<void>
  private wake?: () => void
  private idleWaiters: Array<() => void> = []
  private wakeScheduled = false

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly options: { pollMs?: number; onError?: (err: unknown) => void; onJobFailed?: (f: JobFailure) => void; keepCompletedDays?: number } = {},
  ) {}

  async declare(name: string, policy: Partial<QueuePolicy> = {}): Promise<void> {
    this.policies.set(name, { ...defaultPolicy, ...policy })
  }

  private policy(name: string): QueuePolicy {
    const p = this.policies.get(name)
    if (!p) throw new Error(`Queue "${name}" was not declared`)
    return p
  }

  async send(tx: Executor, name: string, data: unknown, options: { startAfter?: Date } = {}): Promise<void> {
    await this.sendMany(tx, [{ name, data, startAfter: options.startAfter }])
  }

  async sendMany(tx: Executor, jobs: ReadonlyArray<{ name: string; data: unknown; startAfter?: Date }>): Promise<void> {
    if (jobs.length === 0) return
    const now = this.clock.now().getTime()
    const rows = jobs.map((j) => {
      const policy = this.policy(j.name)
      return {
        id: newId('job'), name: j.name, data: JSON.stringify(j.data ?? null), state: 'created' as const, attempt: 0,
        retry_limit: policy.retryLimit, retry_delay_s: policy.retryDelaySeconds, expire_in_s: policy.expireInSeconds,
        start_after: j.startAfter?.getTime() ?? now, locked_until: null, last_error: null, created_at: now, finished_at: null,
      }
    })
    // 14 parameters a row: stay well under SQLite's bound-parameter limit.
    for (let i = 0; i < rows.length; i += 1000) await tx.insertInto('jobs').values(rows.slice(i, i + 1000)).execute()
    if (!this.wakeScheduled) {
      this.wakeScheduled = true
      setImmediate(() => {
        this.wakeScheduled = false
        this.wake?.()
      })
    }
  }

  async work<T>(name: string, handler: JobHandler<T>, options: WorkOptions = {}): Promise<void> {
    this.policy(name)
    this.workers.push({ name, handler: handler as JobHandler, batchSize: options.batchSize ?? 50, parallel: Math.max(1, options.parallel ?? 1) })
    if (!this.running) {
      this.running = true
      this.loop = this.run()
    }
  }

  private async run(): Promise<void> {
    const pollMs = this.options.pollMs ?? 200
    while (this.running) {
      let didWork = false
      for (const worker of this.workers) {
        if (!this.running) break
        const n = await this.runBatch(worker).catch((err) => {
          this.options.onError?.(err)
          return 0
        })
        if (n > 0) didWork = true
      }
      if (!didWork) {
        for (const w of this.idleWaiters.splice(0)) w()
        await this.purgeCompleted().catch((err) => this.options.onError?.(err))
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs)
          this.wake = () => {
            clearTimeout(timer)
            resolve()
          }
        })
        this.wake = undefined
      }
    }
  }

  /** Claims and runs one batch of due jobs of one queue; returns how many ran. */
  private async runBatch(worker: Worker): Promise<number> {
    const now = this.clock.now().getTime()
    const claimed = await sql<{ id: string; data: string; attempt: number; expire_in_s: number }>`
      update jobs set state = 'active', attempt = attempt + 1, locked_until = ${now} + expire_in_s * 1000
      where id in (
        -- Two index ranges (name, state, …): an OR across states made SQLite walk every row of the
        -- queue, completed ones included (kept a week), which grew to milliseconds per claim.
        select id from (
          select id from jobs where name = ${worker.name} and state = 'created' and start_after <= ${now}
          order by start_after, id limit ${worker.batchSize})
        union all
        select id from (
          select id from jobs where name = ${worker.name} and state = 'active' and locked_until < ${now}
          limit ${worker.batchSize})
        limit ${worker.batchSize}
      )
      returning id, data, attempt, expire_in_s`.execute(this.db.kysely)
    const runOne = async (row: { id: string; data: string; attempt: number }) => {
      try {
        await worker.handler({ id: row.id, name: worker.name, data: JSON.parse(row.data) })
        const complete = (db: Kysely<Database>) => db
          .updateTable('jobs')
          .set({ state: 'completed', finished_at: this.clock.now().getTime(), locked_until: null })
          .where('id', '=', row.id)
          // Only while we still hold it: a lock that expired may have handed the job to another run.
          .where('state', '=', 'active')
          .where('attempt', '=', row.attempt)
          .execute()
        // In parallel, completions share group commits; one at a time, a plain statement is cheaper.
        if (worker.parallel > 1) await this.db.transaction((trx) => complete(trx))
        else await complete(this.db.kysely)
      } catch (err) {
        await this.fail(row.id, worker.name, row.attempt, err)
      }
    }
    if (worker.parallel === 1) {
      for (const row of claimed.rows) {
        await runOne(row)
        // better-sqlite3 answers synchronously, so awaits alone never yield: let HTTP requests in
        // between jobs, or a backlog would hold the event loop for the whole batch.
        await new Promise((resolve) => setImmediate(resolve))
      }
    } else {
      let next = 0
      const lane = async () => {
        while (next < claimed.rows.length) {
          await runOne(claimed.rows[next++]!)
          await new Promise((resolve) => setImmediate(resolve))
        }
      }
      await Promise.all(Array.from({ length: Math.min(worker.parallel, claimed.rows.length) }, lane))
    }
    return claimed.rows.length
  }

  private async fail(id: string, name: string, attempt: number, err: unknown): Promise<void> {
    const policy = this.policy(name)
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
    const now = this.clock.now().getTime()
    const dead = attempt > policy.retryLimit
    await this.db.kysely
      .updateTable('jobs')
      .set(
        dead
          ? { state: 'failed', last_error: message, locked_until: null, finished_at: now }
          : { state: 'created', last_error: message, locked_until: null, start_after: now + backoffMs(policy, attempt) },
      )
      .where('id', '=', id)
      .where('state', '=', 'active')
      .where('attempt', '=', attempt)
      .execute()
    this.options.onJobFailed?.({ queue: name, jobId: id, attempt, dead, error: message })
  }

  private lastPurge = 0

  /** Deletes completed jobs older than keepCompletedDays (7 by default), at most once a minute; dead jobs stay. */
  private async purgeCompleted(): Promise<void> {
    const now = this.clock.now().getTime()
    if (now - this.lastPurge < 60_000) return
    this.lastPurge = now
    const keepMs = (this.options.keepCompletedDays ?? 7) * 86_400_000
    await this.db.kysely.deleteFrom('jobs').where('state', '=', 'completed').where('finished_at', '<', now - keepMs).execute()
  }

  async stop(): Promise<void> {
    this.running = false
    this.wake?.()
    await this.loop
    this.loop = undefined
    this.workers = []
  }

  async deadJobs(name?: string, limit = 100): Promise<DeadJob[]> {
    let q = this.db.kysely.selectFrom('jobs').selectAll().where('state', '=', 'failed')
    if (name) q = q.where('name', '=', name)
    const rows = await q.orderBy('finished_at', 'desc').limit(limit).execute()
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      data: JSON.parse(r.data),
      error: r.last_error,
      failedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
    }))
  }

  async retryDead(name?: string): Promise<number> {
    let q = this.db.kysely
      .updateTable('jobs')
      .set({ state: 'created', attempt: 0, start_after: this.clock.now().getTime(), finished_at: null })
      .where('state', '=', 'failed')
    if (name) q = q.where('name', '=', name)
    const res = await q.executeTakeFirst()
    this.wake?.()
    return Number(res.numUpdatedRows)
  }

  async counts() {
    const rows = await this.db.kysely
      .selectFrom('jobs')
      .select(['name', 'state', (eb) => eb.fn.countAll<number>().as('count')])
      .groupBy(['name', 'state'])
      .execute()
    return rows.map((r) => ({ name: r.name, state: r.state, count: Number(r.count) }))
  }

  async drain(timeoutMs = 30_000, names?: string[]): Promise<void> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const now = this.clock.now().getTime()
      let query = this.db.kysely
        .selectFrom('jobs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where((eb) => eb.or([eb.and([eb('state', '=', 'created'), eb('start_after', '<=', now)]), eb('state', '=', 'active')]))
      if (names) query = query.where('name', 'in', names)
      const pending = await query.executeTakeFirstOrThrow()
      if (Number(pending.n) === 0) return
      if (Date.now() > deadline) throw new Error(`Queue not drained after ${timeoutMs} ms (${pending.n} jobs pending)`)
      this.wake?.()
      await new Promise((r) => setTimeout(r, 10))
    }
  }
}
