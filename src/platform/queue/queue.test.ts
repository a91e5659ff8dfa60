import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DIALECTS, createTestDatabase, type TestDatabase } from '../../../test/databases.js'
import { migrateToLatest } from '../../migrations.js'
import { systemClock } from '../clock.js'
import { openDb, type Db } from '../db/index.js'
import { PgBossQueue } from './pgboss-queue.js'
import type { Queue } from './types.js'
import { openQueue } from './index.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(20)
  }
}

/** `{ state: count }` of one queue, from Queue.counts(). */
async function statesOf(queue: Queue, name: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (const row of await queue.counts()) if (row.name === name) out[row.state] = row.count
  return out
}

for (const dialect of DIALECTS) {
  // The dialects run side by side (concurrent suites, each on its own database); within one
  // dialect the tests run in order: they share one queue, and drain() looks at all of it.
  describe(`${dialect}: queue`, { concurrent: true }, () => {
    let testDb: TestDatabase
    let db: Db
    let queue: Queue
    // Long enough for any worker to have fetched a job that was (wrongly) visible: pg-boss polls every 0.5 s.
    const settleMs = dialect === 'postgres' ? 1_200 : 300

    beforeAll(async () => {
      testDb = await createTestDatabase(dialect)
      db = openDb(testDb.url)
      await migrateToLatest(db)
      queue = openQueue(db, systemClock, { pollMs: 20 })
    })

    afterAll(async () => {
      await queue?.stop()
      await db?.close()
      await testDb?.drop()
    })

    it.sequential('runs a job only if the transaction that sent it commits, and then exactly once', async () => {
      const ran: string[] = []
      await queue.declare('tx-bound')
      await queue.work<{ tag: string }>('tx-bound', async (job) => {
        ran.push(job.data.tag)
      })

      await expect(
        db.kysely.transaction().execute(async (trx) => {
          await queue.send(trx, 'tx-bound', { tag: 'rolled-back' })
          throw new Error('abort the state change')
        }),
      ).rejects.toThrow('abort the state change')
      await db.kysely.transaction().execute(async (trx) => {
        await queue.send(trx, 'tx-bound', { tag: 'committed' })
      })

      await waitFor('the committed job', () => ran.length > 0)
      await queue.drain()
      await sleep(settleMs)
      expect(ran).toEqual(['committed'])
      // The rolled-back job was never stored at all.
      expect(await statesOf(queue, 'tx-bound')).toEqual({ completed: 1 })
    })

    it.sequential('does not run a delayed job before its startAfter', async () => {
      const ranAt: number[] = []
      await queue.declare('delayed')
      await queue.work('delayed', async () => {
        ranAt.push(Date.now())
      })
      const startAfter = new Date(Date.now() + 1_500)
      await queue.send(db.kysely, 'delayed', { remind: true }, { startAfter })

      // The workers poll all along (every 20 ms on SQLite, 0.5 s with pg-boss); the job runs once, when due.
      await waitFor('the delayed job', () => ranAt.length === 1, 10_000)
      expect(ranAt[0]).toBeGreaterThanOrEqual(startAfter.getTime())
      await queue.drain()
      await sleep(settleMs)
      expect(ranAt).toHaveLength(1)
    })

    it.sequential('retries a failing job with exponential backoff until it succeeds', async () => {
      const attempts: number[] = []
      await queue.declare('flaky', { retryLimit: 3, retryDelaySeconds: 1 })
      await queue.work('flaky', async () => {
        attempts.push(Date.now())
        if (attempts.length < 3) throw new Error(`carrier API down (attempt ${attempts.length})`)
      })
      await queue.send(db.kysely, 'flaky', { shipment: 'shp_1' })

      await waitFor('the third attempt', () => attempts.length === 3, 15_000)
      await queue.drain()
      const [a1, a2, a3] = attempts as [number, number, number]
      // First retry after ≥ retryDelay, the second after ≥ twice that (a little slack for timer granularity).
      expect(a2 - a1).toBeGreaterThanOrEqual(950)
      expect(a3 - a2).toBeGreaterThanOrEqual(1_950)
      expect(await statesOf(queue, 'flaky')).toEqual({ completed: 1 })
      expect(await queue.deadJobs('flaky')).toEqual([])
      await sleep(settleMs)
      expect(attempts).toHaveLength(3)
    })

    it.sequential('parks a job as dead after retryLimit retries; retryDead brings it back', async () => {
      const attempts: number[] = []
      let healthy = false
      await queue.declare('doomed', { retryLimit: 1, retryDelaySeconds: 1 })
      await queue.work<{ order: number }>('doomed', async (job) => {
        attempts.push(job.data.order)
        if (!healthy) throw new Error('label printer on fire')
      })
      await queue.send(db.kysely, 'doomed', { order: 42 })

      await waitFor('the job to die', async () => (await queue.deadJobs('doomed')).length === 1, 15_000)
      // One run plus retryLimit retries, then nothing more: a dead job is not pending.
      expect(attempts).toEqual([42, 42])
      await queue.drain(5_000)
      await sleep(settleMs)
      expect(attempts).toEqual([42, 42])

      const dead = await queue.deadJobs('doomed')
      expect(dead).toHaveLength(1)
      expect(dead[0]).toMatchObject({ name: 'doomed', data: { order: 42 } })
      expect(dead[0]!.error).toContain('label printer on fire')
      expect(Number.isNaN(Date.parse(dead[0]!.failedAt ?? ''))).toBe(false)
      expect(await queue.deadJobs()).toEqual(dead) // the only dead job in any queue
      expect(await queue.deadJobs('flaky')).toEqual([])
      expect(await statesOf(queue, 'doomed')).toEqual({ failed: 1 })

      healthy = true
      expect(await queue.retryDead('doomed')).toBe(1)
      await waitFor('the revived job', () => attempts.length === 3, 10_000)
      await queue.drain()
      expect(await queue.deadJobs('doomed')).toEqual([])
      expect(await statesOf(queue, 'doomed')).toEqual({ completed: 1 })
      expect(await queue.retryDead()).toBe(0)
    })

    it.sequential('never marks a job completed while a retry of it runs alongside its first batch', async () => {
      // A fails at once, its batch-mate B is slow: A's retry comes due while B's batch still runs
      // (on PostgreSQL another fetch loop takes it) and fails too. Finishing B's batch must not mark
      // A completed under that second run: A has to end dead, B completed.
      const runs: string[] = []
      // On PostgreSQL, B outlasts A's first retry delay (1–2 s) plus a poll (0.5 s). SQLite runs one
      // batch at a time, so there the test only checks that the outcome is right, quicker.
      const slowMs = dialect === 'postgres' ? 3_000 : 1_300
      await queue.declare('overlap', { retryLimit: 1, retryDelaySeconds: 1 })
      await queue.work<{ kind: 'always-fails' | 'slow' }>('overlap', async (job) => {
        runs.push(job.data.kind)
        if (job.data.kind === 'slow') {
          await sleep(slowMs)
          return
        }
        const attempt = runs.filter((k) => k === 'always-fails').length
        if (attempt === 2) await sleep(slowMs - 1_000)
        throw new Error(`attempt ${attempt} failed`)
      })
      await db.kysely.transaction().execute(async (trx) => {
        await queue.send(trx, 'overlap', { kind: 'always-fails' })
        await queue.send(trx, 'overlap', { kind: 'slow' })
      })
      await waitFor('both jobs to finish', async () => {
        const s = await statesOf(queue, 'overlap')
        return (s.completed ?? 0) + (s.failed ?? 0) === 2
      })
      expect(await statesOf(queue, 'overlap')).toEqual({ completed: 1, failed: 1 })
      const dead = await queue.deadJobs('overlap')
      expect(dead.map((d) => [d.data, d.error])).toEqual([[{ kind: 'always-fails' }, 'Error: attempt 2 failed']])
      expect(runs.sort()).toEqual(['always-fails', 'always-fails', 'slow'])
    })

    // pg-boss only (no skipped entry on SQLite, where nothing archives jobs).
    if (dialect === 'postgres') it.sequential('keeps a dead job listed and revivable weeks after it died (pg-boss maintenance)', async () => {
      // pg-boss maintenance archives failed jobs after 12 h by default, and archives waiting jobs
      // whose keep_until (start_after + 14 days) or completed_on (12 h) lies in the past.
      const maintainer = new PgBossQueue(db, { maintenanceIntervalSeconds: 1 })
      const maintenancePasses = async (n: number) => {
        for (let i = 0; i < n; i++) {
          const before = await db.pool!.query('select maintained_on from pgboss.version')
          await waitFor('a maintenance pass', async () => {
            const now = await db.pool!.query('select maintained_on from pgboss.version')
            return String(now.rows[0].maintained_on) !== String(before.rows[0].maintained_on)
          })
        }
      }
      const failing = new PgBossQueue(db)
      try {
        await failing.declare('aged', { retryLimit: 0 })
        await failing.work('aged', async () => {
          throw new Error('carrier rejected the label')
        })
        await queue.declare('aged', { retryLimit: 0 })
        await queue.send(db.kysely, 'aged', { order: 7 })
        await waitFor('the job to die', async () => (await queue.deadJobs('aged')).length === 1)
        await failing.stop()
        // Fifteen days pass.
        await db.pool!.query(
          `update pgboss.job set created_on = created_on - interval '15 days', start_after = start_after - interval '15 days',
             completed_on = completed_on - interval '15 days', keep_until = keep_until - interval '15 days' where name = 'aged'`,
        )
        await maintainer.declare('aged', { retryLimit: 0 }) // starts its maintenance; nothing works 'aged' now
        await maintenancePasses(2) // two passes: the first one ran to its end
        expect((await queue.deadJobs('aged')).map((d) => d.data)).toEqual([{ order: 7 }])

        expect(await queue.retryDead('aged')).toBe(1)
        await maintenancePasses(2)
        expect(await statesOf(queue, 'aged')).toEqual({ retry: 1 }) // still waiting, not archived away

        const ran: number[] = []
        await maintainer.work<{ order: number }>('aged', async (job) => void ran.push(job.data.order))
        await waitFor('the revived job', async () => (await statesOf(queue, 'aged')).completed === 1)
        expect(ran).toEqual([7])
      } finally {
        await failing.stop()
        await maintainer.stop()
      }
    })

    it.sequential('counts jobs by queue and state', async () => {
      await queue.declare('counted')
      await queue.send(db.kysely, 'counted', { n: 1 })
      await queue.send(db.kysely, 'counted', { n: 2 })
      await queue.send(db.kysely, 'counted', { n: 3 }, { startAfter: new Date(Date.now() + 3_600_000) })
      expect(await statesOf(queue, 'counted')).toEqual({ created: 3 })

      const seen: number[] = []
      await queue.work<{ n: number }>('counted', async (job) => {
        seen.push(job.data.n)
      })
      await queue.drain()
      expect(seen.sort()).toEqual([1, 2])
      expect(await statesOf(queue, 'counted')).toEqual({ completed: 2, created: 1 })
      for (const row of await queue.counts()) {
        expect(row).toEqual({ name: expect.any(String), state: expect.any(String), count: expect.any(Number) })
      }
    })

    it.sequential('drain waits for every due job, and times out when nothing works the queue', async () => {
      await queue.declare('orphan')
      await queue.send(db.kysely, 'orphan', {})
      await expect(queue.drain(300)).rejects.toThrow(/not drained/)

      await queue.declare('bulk')
      const handled = new Set<number>()
      await queue.work<{ i: number }>('bulk', async (job) => {
        await sleep(2)
        handled.add(job.data.i)
      })
      await queue.work('orphan', async () => {})
      await db.kysely.transaction().execute(async (trx) => {
        for (let i = 0; i < 120; i++) await queue.send(trx, 'bulk', { i })
      })
      await queue.drain()
      // Nothing was still running or waiting when drain resolved.
      expect(handled.size).toBe(120)
      expect(await statesOf(queue, 'bulk')).toEqual({ completed: 120 })
      expect(await statesOf(queue, 'orphan')).toEqual({ completed: 1 })
    })

    it.sequential('refuses to send to a queue that was not declared', async () => {
      await expect(queue.send(db.kysely, 'never-declared', {})).rejects.toThrow(/not declared/)
    })
  })
}
