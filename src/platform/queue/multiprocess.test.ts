import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import PgBoss from 'pg-boss'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { POSTGRES_ADMIN_URL, createTestDatabase, type TestDatabase } from '../../../test/databases.js'
import type { WorkerMessage } from '../../../test/fixtures/queue-worker.js'
import { migrateToLatest } from '../../migrations.js'
import { systemClock } from '../clock.js'
import { openDb, type Db, type DialectName } from '../db/index.js'
import { PgBossQueue } from './pgboss-queue.js'
import { SqliteQueue } from './sqlite-queue.js'
import type { Queue } from './types.js'

/**
 * Several worker processes on one database, and workers that die with SIGKILL in the middle of a
 * batch: every job's effect must happen exactly once and every job must end completed.
 * The workers are test/fixtures/queue-worker.ts.
 */

const WORKER_SCRIPT = fileURLToPath(new URL('../../../test/fixtures/queue-worker.ts', import.meta.url))
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
/** Generous: these tests start processes and move thousands of jobs, on machines of any speed. */
const TEST_TIMEOUT_MS = 120_000

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(50)
  }
}

interface WorkerProcess {
  child: ChildProcess
  pid: number
  ready: Promise<void>
  /** The job whose effect committed right before the worker killed itself. */
  dying: Promise<number>
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  stderr(): string
}

const children = new Set<ChildProcess>()

function startWorker(env: { url: string; queue: string; expireSeconds: number; dieAfter?: number; batchSize?: number }): WorkerProcess {
  const child = fork(WORKER_SCRIPT, [], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      WORKER_DB_URL: env.url,
      WORKER_QUEUE: env.queue,
      WORKER_EXPIRE_S: String(env.expireSeconds),
      WORKER_DIE_AFTER: String(env.dieAfter ?? 0),
      ...(env.batchSize ? { WORKER_BATCH: String(env.batchSize) } : {}),
    },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  })
  children.add(child)
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      children.delete(child)
      resolve({ code, signal })
    }),
  )
  const onMessage = <T>(pick: (m: WorkerMessage) => T | undefined) =>
    new Promise<T>((resolve, reject) => {
      child.on('message', (m: WorkerMessage) => {
        const value = pick(m)
        if (value !== undefined) resolve(value)
      })
      void exited.then(({ code, signal }) => reject(new Error(`worker ${child.pid} exited (code ${code}, signal ${signal}):\n${stderr}`)))
    })
  const ready = onMessage((m) => (m.type === 'ready' ? true : undefined)).then(() => undefined)
  const dying = onMessage((m) => (m.type === 'dying' ? m.jobId : undefined))
  // Only awaited where expected; the rejection on exit must not count as unhandled elsewhere.
  ready.catch(() => {})
  dying.catch(() => {})
  return { child, pid: child.pid!, ready, dying, exited, stderr: () => stderr }
}

async function stopWorker(worker: WorkerProcess): Promise<void> {
  worker.child.kill('SIGTERM')
  const { code } = await worker.exited
  expect(code, `worker ${worker.pid} did not stop cleanly:\n${worker.stderr()}`).toBe(0)
}

/** A fresh database with the platform schema plus the workers' effects and runs tables. */
async function setUp(dialect: DialectName): Promise<{ testDb: TestDatabase; db: Db }> {
  const testDb = await createTestDatabase(dialect)
  const db = openDb(testDb.url)
  await migrateToLatest(db)
  await sql`create table effects (id integer primary key)`.execute(db.kysely)
  await sql`create table runs (job_id integer not null, pid integer not null)`.execute(db.kysely)
  return { testDb, db }
}

/** Each test starts from empty effects and runs. */
async function clearEffects(db: Db): Promise<void> {
  await sql`delete from effects`.execute(db.kysely)
  await sql`delete from runs`.execute(db.kysely)
}

async function enqueue(db: Db, queue: Queue, name: string, n: number): Promise<void> {
  await clearEffects(db)
  // Two senders, committing 500 jobs at a time: the workers start on the first commits while
  // the rest are still being sent (sending is the slow part).
  const lanes = 2
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      for (let from = 1 + lane * 500; from <= n; from += lanes * 500) {
        await db.kysely.transaction().execute(async (trx) => {
          for (let id = from; id < Math.min(from + 500, n + 1); id++) await queue.send(trx, name, { id })
        })
      }
    }),
  )
}

async function states(queue: Queue, name: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (const row of await queue.counts()) if (row.name === name) out[row.state] = row.count
  return out
}

async function scalar(db: Db, query: ReturnType<typeof sql<{ n: number }>>): Promise<number> {
  const res = await query.execute(db.kysely)
  return Number(res.rows[0]!.n)
}

/** Effects exactly once per job 1..n; returns runs per pid. */
async function assertEffectsExactlyOnce(db: Db, n: number): Promise<Map<number, number>> {
  expect(await scalar(db, sql`select count(*) as n from effects`)).toBe(n)
  expect(await scalar(db, sql`select count(*) as n from effects where id between 1 and ${n}`)).toBe(n)
  // Every job ran (a run is recorded in the same transaction as the effect).
  expect(await scalar(db, sql`select count(distinct job_id) as n from runs`)).toBe(n)
  const perPid = await sql<{ pid: number; n: number }>`select pid, count(*) as n from runs group by pid`.execute(db.kysely)
  return new Map(perPid.rows.map((r) => [Number(r.pid), Number(r.n)]))
}

/**
 * After a worker was killed: jobs run more than once are exactly the ones the dead worker had
 * in hand (it ran each once, a survivor once more), and the job it died in is among them.
 */
async function assertOnlyTheKilledBatchRanTwice(db: Db, killed: WorkerProcess, dyingJob: number, maxRedone: number): Promise<void> {
  const repeated = await sql<{ job_id: number; n: number; by_killed: number }>`
    select job_id, count(*) as n, sum(case when pid = ${killed.pid} then 1 else 0 end) as by_killed
    from runs group by job_id having count(*) > 1`.execute(db.kysely)
  const rows = repeated.rows.map((r) => ({ job: Number(r.job_id), runs: Number(r.n), byKilled: Number(r.by_killed) }))
  for (const r of rows) expect(r, `job ${r.job} ran more often than the kill explains`).toEqual({ job: r.job, runs: 2, byKilled: 1 })
  expect(rows.map((r) => r.job)).toContain(dyingJob)
  expect(rows.length).toBeLessThanOrEqual(maxRedone)
}

afterEach(() => {
  // A failed test must not leave workers running. (So the tests of this file must not run concurrently.)
  for (const child of children) child.kill('SIGKILL')
})

if (!POSTGRES_ADMIN_URL) {
  console.warn(
    '\n!!! src/platform/queue/multiprocess.test.ts: the PostgreSQL (pg-boss) multi-process tests are SKIPPED: KANDO_TEST_POSTGRES_URL is not set !!!\n',
  )
}

describe.skipIf(!POSTGRES_ADMIN_URL)('postgres: several worker processes', () => {
  let testDb: TestDatabase
  let db: Db
  let queue: PgBossQueue

  beforeAll(async () => {
    ;({ testDb, db } = await setUp('postgres'))
    // This process only sends and observes; the workers run in their own processes.
    queue = new PgBossQueue(db)
  })

  afterAll(async () => {
    await queue?.stop()
    await db?.close()
    await testDb?.drop()
  })

  it('two processes share 10,000 jobs and handle each exactly once', async () => {
    const N = 10_000
    await queue.declare('mp-share', { expireInSeconds: 60 })
    const workers = [startWorker({ url: testDb.url, queue: 'mp-share', expireSeconds: 60 }), startWorker({ url: testDb.url, queue: 'mp-share', expireSeconds: 60 })]
    await Promise.all(workers.map((w) => w.ready))
    const started = Date.now()
    await clearEffects(db)
    // One bulk insert through pg-boss's own API (it applies the queue's policy, as send does):
    // 10,000 single sends would take this test most of its time. Queue.send is covered by the
    // kill test below and by queue.test.ts.
    const bulk = new PgBoss({ connectionString: testDb.url, schema: 'pgboss', supervise: false, schedule: false, migrate: false })
    bulk.on('error', () => {})
    await bulk.start()
    await bulk.insert(Array.from({ length: N }, (_, i) => ({ name: 'mp-share', data: { id: i + 1 } })))
    await bulk.stop({ graceful: false })
    const enqueued = Date.now() - started
    await waitFor('all jobs to complete', async () => (await states(queue, 'mp-share')).completed === N, 90_000)
    const elapsed = Date.now() - started

    expect(await states(queue, 'mp-share')).toEqual({ completed: N })
    const perPid = await assertEffectsExactlyOnce(db, N)
    expect(await scalar(db, sql`select count(*) as n from runs`)).toBe(N) // no job ran twice
    const shares = workers.map((w) => perPid.get(w.pid) ?? 0)
    console.info(`pg-boss: ${N} jobs enqueued in ${enqueued} ms, all done after ${elapsed} ms, split ${shares.join(' / ')}`)
    expect([...perPid.keys()].sort()).toEqual(workers.map((w) => w.pid).sort())
    for (const share of shares) expect(share).toBeGreaterThanOrEqual(N / 10)

    await Promise.all(workers.map(stopWorker))
  }, TEST_TIMEOUT_MS)

  it('a worker killed with SIGKILL mid-batch loses no job: its jobs expire and another worker finishes them', async () => {
    const N = 2_000
    const expireSeconds = 3
    await queue.declare('mp-kill', { expireInSeconds: expireSeconds })
    const doomed = startWorker({ url: testDb.url, queue: 'mp-kill', expireSeconds, dieAfter: 210, batchSize: 25 })
    const survivor = startWorker({ url: testDb.url, queue: 'mp-kill', expireSeconds })
    await Promise.all([doomed.ready, survivor.ready])
    await enqueue(db, queue, 'mp-kill', N)

    const dyingJob = await doomed.dying
    expect((await doomed.exited).signal).toBe('SIGKILL')

    await waitFor('all jobs to complete', async () => (await states(queue, 'mp-kill')).completed === N, 60_000)
    expect(await states(queue, 'mp-kill')).toEqual({ completed: N })
    const perPid = await assertEffectsExactlyOnce(db, N)
    expect(perPid.get(doomed.pid)).toBeGreaterThanOrEqual(210)
    // pg-boss completes a batch as a whole, after it ran: the dead worker's two fetch loops held two
    // batches, plus at most one finished batch whose completion (pg-boss does not await it) was in flight.
    await assertOnlyTheKilledBatchRanTwice(db, doomed, dyingJob, 3 * 25)
    await stopWorker(survivor)
  }, TEST_TIMEOUT_MS)
})

describe('sqlite: several worker processes on one file', () => {
  let testDb: TestDatabase
  let db: Db
  let queue: SqliteQueue

  beforeAll(async () => {
    ;({ testDb, db } = await setUp('sqlite'))
    queue = new SqliteQueue(db, systemClock)
  })

  afterAll(async () => {
    await db?.close()
    await testDb?.drop()
  })

  it('two processes share the jobs and never take the same one', async () => {
    const N = 3_000
    await queue.declare('mp-share', { expireInSeconds: 60 })
    const workers = [startWorker({ url: testDb.url, queue: 'mp-share', expireSeconds: 60 }), startWorker({ url: testDb.url, queue: 'mp-share', expireSeconds: 60 })]
    await Promise.all(workers.map((w) => w.ready))
    await enqueue(db, queue, 'mp-share', N)
    await waitFor('all jobs to complete', async () => (await states(queue, 'mp-share')).completed === N, 60_000)

    expect(await states(queue, 'mp-share')).toEqual({ completed: N })
    const perPid = await assertEffectsExactlyOnce(db, N)
    expect(await scalar(db, sql`select count(*) as n from runs`)).toBe(N)
    for (const w of workers) expect(perPid.get(w.pid) ?? 0).toBeGreaterThan(0)
    await Promise.all(workers.map(stopWorker))
  }, TEST_TIMEOUT_MS)

  it('a worker killed with SIGKILL mid-batch loses no job: a new process takes its jobs once their lock expires', async () => {
    const N = 2_000
    // expire_in_s is stored on each job when it is sent, so the sender's policy is the one that counts.
    await queue.declare('mp-kill', { expireInSeconds: 2 })
    await enqueue(db, queue, 'mp-kill', N)

    // Batches of 50: the 310th job is the 10th of the 7th batch, so 40 claimed jobs are left unrun.
    const doomed = startWorker({ url: testDb.url, queue: 'mp-kill', expireSeconds: 2, dieAfter: 310, batchSize: 50 })
    const dyingJob = await doomed.dying
    expect((await doomed.exited).signal).toBe('SIGKILL')

    const restarted = startWorker({ url: testDb.url, queue: 'mp-kill', expireSeconds: 2 })
    await waitFor('all jobs to complete', async () => (await states(queue, 'mp-kill')).completed === N, 60_000)
    expect(await states(queue, 'mp-kill')).toEqual({ completed: N })
    const perPid = await assertEffectsExactlyOnce(db, N)
    expect(perPid.get(doomed.pid)).toBe(310)
    // SQLite completes job by job: of its claimed batch, only the job it died in had run (effect
    // committed, job not completed); it and the 40 unrun ones were claimed again once the lock expired.
    await assertOnlyTheKilledBatchRanTwice(db, doomed, dyingJob, 1)
    const attempts = await sql<{ attempt: number; n: number }>`
      select attempt, count(*) as n from jobs where name = 'mp-kill' group by attempt order by attempt`.execute(db.kysely)
    expect(attempts.rows.map((r) => [Number(r.attempt), Number(r.n)])).toEqual([
      [1, N - 41],
      [2, 41],
    ])
    await stopWorker(restarted)
  }, TEST_TIMEOUT_MS)
})
