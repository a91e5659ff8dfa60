import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DIALECTS, createTestDatabase, type TestDatabase } from '../../test/databases.js'
import { migrateToLatest } from '../migrations.js'
import { systemClock } from './clock.js'
import { openDb, type Db } from './db/index.js'
import { EventBus, type DomainEvent } from './events.js'
import { openQueue, type Queue } from './queue/index.js'
import { TenantDb } from './tenancy.js'

const TENANT = 'ten_events_test'
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(20)
  }
}

for (const dialect of DIALECTS) {
  // The dialects run side by side (concurrent suites, each on its own database); within one
  // dialect the tests run in order: they share one queue, and drain() looks at all of it.
  describe(`${dialect}: event bus`, { concurrent: true }, () => {
    let testDb: TestDatabase
    let db: Db
    let queue: Queue
    const settleMs = dialect === 'postgres' ? 1_200 : 300

    beforeAll(async () => {
      testDb = await createTestDatabase(dialect)
      db = openDb(testDb.url)
      await migrateToLatest(db)
      // Test-only tables a consumer writes to; deliberately without unique keys, so a second run would show.
      await sql`create table loyalty_points (tenant_id text not null, event_id text not null, points integer not null)`.execute(db.kysely)
      await sql`create table crm_writes (event_id text not null, attempt integer not null)`.execute(db.kysely)
      queue = openQueue(db, systemClock, { pollMs: 20 })
    })

    afterAll(async () => {
      await queue?.stop()
      await db?.close()
      await testDb?.drop()
    })

    /** Total jobs ever stored per queue, whatever their state now (so reading it never races a worker). */
    async function jobsPerQueue(): Promise<Record<string, number>> {
      const out: Record<string, number> = {}
      for (const row of await queue.counts()) out[row.name] = (out[row.name] ?? 0) + row.count
      return out
    }

    function append(bus: EventBus, type: string, subject: string, data: Record<string, unknown>) {
      return db.kysely.transaction().execute((trx) => bus.append(new TenantDb(TENANT, trx, db.dialect), type, subject, data))
    }

    async function receipts(consumer: string, eventId: string): Promise<number> {
      const row = await db.kysely
        .selectFrom('consumed_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('consumer', '=', consumer)
        .where('event_id', '=', eventId)
        .executeTakeFirstOrThrow()
      return Number(row.n)
    }

    it.sequential('append writes the event and one job per subscribed consumer, in the same transaction', async () => {
      const bus = new EventBus(db, queue, systemClock)
      const seen: Record<string, DomainEvent[]> = { shipping: [], audit: [], refunds: [] }
      bus.subscribe('fanout-shipping', ['order.shipped'], async (e) => void seen.shipping!.push(e))
      bus.subscribe('fanout-audit', ['*'], async (e) => void seen.audit!.push(e))
      bus.subscribe('fanout-refunds', ['order.refunded'], async (e) => void seen.refunds!.push(e))
      await bus.start({ work: true })

      const event = await append(bus, 'order.shipped', 'ord_1', { carrier: 'ups', parcels: 2 })
      expect(event).toMatchObject({ tenantId: TENANT, type: 'order.shipped', subject: 'ord_1', data: { carrier: 'ups', parcels: 2 } })

      const row = await db.kysely.selectFrom('events').selectAll().where('id', '=', event.id).executeTakeFirstOrThrow()
      expect(row).toMatchObject({ tenant_id: TENANT, type: 'order.shipped', subject: 'ord_1', occurred_at: event.occurredAt })
      expect(JSON.parse(row.data)).toEqual({ carrier: 'ups', parcels: 2 })
      const jobs = await jobsPerQueue()
      expect(jobs['event.fanout-shipping']).toBe(1)
      expect(jobs['event.fanout-audit']).toBe(1)
      expect(jobs['event.fanout-refunds']).toBeUndefined()

      await queue.drain()
      expect(seen.shipping).toEqual([event])
      expect(seen.audit).toEqual([event])
      expect(seen.refunds).toEqual([])
      expect(await receipts('fanout-shipping', event.id)).toBe(1)
      expect(await receipts('fanout-audit', event.id)).toBe(1)
    })

    it.sequential('a rolled-back append leaves neither the event nor any job', async () => {
      const bus = new EventBus(db, queue, systemClock)
      const seen: string[] = []
      bus.subscribe('rollback-watcher', ['order.cancelled'], async (e) => void seen.push(e.subject))
      await bus.start({ work: true })

      let appended: DomainEvent | undefined
      await expect(
        db.kysely.transaction().execute(async (trx) => {
          appended = await bus.append(new TenantDb(TENANT, trx, db.dialect), 'order.cancelled', 'ord_rolled_back', {})
          throw new Error('the state change failed')
        }),
      ).rejects.toThrow('the state change failed')
      expect(appended).toBeDefined()
      expect(await db.kysely.selectFrom('events').select('id').where('id', '=', appended!.id).execute()).toEqual([])
      expect((await jobsPerQueue())['event.rollback-watcher']).toBeUndefined()

      // The consumer is alive: a committed event after it is delivered, the rolled-back one never.
      await append(bus, 'order.cancelled', 'ord_committed', {})
      await waitFor('the committed event', () => seen.length > 0)
      await queue.drain()
      await sleep(settleMs)
      expect(seen).toEqual(['ord_committed'])
      expect((await jobsPerQueue())['event.rollback-watcher']).toBe(1)
    })

    it.sequential("a consumer's effect happens once even when its event is delivered again", async () => {
      const bus = new EventBus(db, queue, systemClock)
      let calls = 0
      bus.subscribe('loyalty', ['order.delivered'], async (event, tx) => {
        calls++
        await sql`insert into loyalty_points (tenant_id, event_id, points) values (${tx.tenantId}, ${event.id}, 10)`.execute(tx.db)
      })
      await bus.start({ work: true })

      const event = await db.kysely.transaction().execute(async (trx) => {
        const e = await bus.append(new TenantDb(TENANT, trx, db.dialect), 'order.delivered', 'ord_2', {})
        // A duplicate delivery committed together with the original: the two may run at the same moment.
        await queue.send(trx, 'event.loyalty', { eventId: e.id, tenantId: TENANT })
        return e
      })
      await waitFor('the first delivery', () => calls > 0)
      await queue.drain()
      // A redelivery long after the first was consumed.
      await queue.send(db.kysely, 'event.loyalty', { eventId: event.id, tenantId: TENANT })
      await queue.drain()
      await sleep(settleMs)

      const points = await sql<{ points: number }>`select points from loyalty_points where event_id = ${event.id}`.execute(db.kysely)
      expect(points.rows.map((r) => Number(r.points))).toEqual([10])
      expect(calls).toBe(1)
      expect(await receipts('loyalty', event.id)).toBe(1)
      // All three jobs ran to completion; two of them found the receipt and did nothing.
      const states = (await queue.counts()).filter((r) => r.name === 'event.loyalty')
      expect(states).toEqual([{ name: 'event.loyalty', state: 'completed', count: 3 }])
    })

    it.sequential('a consumer that throws is retried, and the writes of its failed attempt are rolled back', async () => {
      const bus = new EventBus(db, queue, systemClock)
      let attempts = 0
      bus.subscribe('crm-sync', ['customer.updated'], async (event, tx) => {
        attempts++
        await sql`insert into crm_writes (event_id, attempt) values (${event.id}, ${attempts})`.execute(tx.db)
        if (attempts === 1) throw new Error('CRM timed out')
      })
      await bus.start({ work: true })

      const event = await append(bus, 'customer.updated', 'cus_1', { email: 'a@example.com' })
      // EventBus retries after 2 s (SQLite) or 2–4 s (pg-boss, with jitter).
      await waitFor('the retry', () => attempts === 2, 20_000)
      await queue.drain()
      await sleep(settleMs)

      expect(attempts).toBe(2)
      const writes = await sql<{ attempt: number }>`select attempt from crm_writes where event_id = ${event.id}`.execute(db.kysely)
      expect(writes.rows.map((r) => Number(r.attempt))).toEqual([2])
      expect(await receipts('crm-sync', event.id)).toBe(1)
      expect(await queue.deadJobs('event.crm-sync')).toEqual([])
      expect((await queue.counts()).filter((r) => r.name === 'event.crm-sync')).toEqual([{ name: 'event.crm-sync', state: 'completed', count: 1 }])
    })

    it.sequential('a consumer registered twice under one name is refused', () => {
      const bus = new EventBus(db, queue, systemClock)
      bus.subscribe('twice', ['x'], async () => {})
      expect(() => bus.subscribe('twice', ['y'], async () => {})).toThrow(/registered twice/)
    })
  })
}
