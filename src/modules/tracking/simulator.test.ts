import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pino from 'pino'
import { createKando, type Kando } from '../../kando.js'
import { DIALECTS, createTestDatabase, type TestDatabase } from '../../../test/databases.js'
import { sampleOrder, testConfig } from '../../../test/harness.js'
import { mapCarrierStatus } from './carriers/index.js'
import { CarrierSimulator, planTimeline, seededRng, SIMULATED_CARRIERS } from './simulator.js'
import { STATUS_RANK } from './status.js'

const PREFS = ['13', 'JP-01', '27', '47', '40', '04', '11', null]

function plans() {
  const out = []
  for (const carrier of SIMULATED_CARRIERS) {
    for (let i = 0; i < 400; i++) {
      const readyAt = new Date(Date.UTC(2026, 10, 1) + i * 37 * 60_000).toISOString()
      const destinationPrefecture = PREFS[i % PREFS.length]!
      out.push({ carrier, readyAt, destinationPrefecture, steps: planTimeline({ carrier, readyAt, destinationPrefecture }, seededRng(`${carrier}${i}`)) })
    }
  }
  return out
}

describe('planTimeline', () => {
  const all = plans()

  it('speaks each carrier\'s own words: every word maps (by that carrier\'s table) to the status it stands for', () => {
    for (const p of all) for (const s of p.steps) expect(mapCarrierStatus(p.carrier, s.rawStatus), `${p.carrier} ${s.rawStatus}`).toBe(s.status)
  })

  it('moves forward: minutes increase, statuses never go back, it starts picked up and ends delivered', () => {
    for (const p of all) {
      expect(p.steps.length).toBeGreaterThanOrEqual(4)
      expect(p.steps[0]!.status).toBe('picked_up')
      expect(p.steps.at(-1)!.status).toBe('delivered')
      expect(p.steps.filter((s) => s.status === 'delivered')).toHaveLength(1)
      for (let i = 1; i < p.steps.length; i++) {
        expect(p.steps[i]!.afterMinutes).toBeGreaterThan(p.steps[i - 1]!.afterMinutes)
        expect(STATUS_RANK[p.steps[i]!.status]).toBeGreaterThanOrEqual(STATUS_RANK[p.steps[i - 1]!.status])
      }
      for (const s of p.steps) expect(s.location).toMatch(/センター|ベース|ゲートウェイ|郵便局|営業所/)
      // Delivered within a week, never before the next morning.
      expect(p.steps.at(-1)!.afterMinutes).toBeLessThan(7 * 1440)
      expect(p.steps.at(-1)!.afterMinutes).toBeGreaterThan(8 * 60)
    }
  })

  it('a failed attempt is followed by a new attempt the next day and then the delivery; some parcels fail, some are delayed', () => {
    let failed = 0
    let delayed = 0
    for (const p of all) {
      const i = p.steps.findIndex((s) => s.status === 'delivery_failed')
      if (i >= 0) {
        failed++
        expect(p.steps[i + 1]!.status).toBe('out_for_delivery')
        expect(p.steps[i + 1]!.afterMinutes - p.steps[i]!.afterMinutes).toBeGreaterThan(12 * 60)
        expect(p.steps[i + 2]!.status).toBe('delivered')
      }
      const transit = p.steps.filter((s) => s.status === 'in_transit').map((s) => `${s.rawStatus}@${s.location}`)
      if (new Set(transit).size < transit.length) delayed++
    }
    expect(failed / all.length).toBeGreaterThan(0.05)
    expect(failed / all.length).toBeLessThan(0.16)
    expect(delayed).toBeGreaterThan(0)
    expect(delayed / all.length).toBeLessThan(0.1)
  })

  it('is the same plan for the same seed, and nothing for carriers it does not simulate', () => {
    const input = { carrier: 'yamato', readyAt: '2026-11-26T01:00:00Z', destinationPrefecture: '13' }
    expect(planTimeline(input, seededRng('shp_1'))).toEqual(planTimeline(input, seededRng('shp_1')))
    expect(planTimeline({ ...input, carrier: 'dhl' }, seededRng('x'))).toEqual([])
  })
})

for (const dialect of DIALECTS) {
  describe(`${dialect}: the simulated carrier`, () => {
    let database: TestDatabase
    let kando: Kando
    beforeAll(async () => {
      database = await createTestDatabase(dialect)
      kando = await createKando(testConfig(database.url), { logger: pino({ level: 'silent' }) })
    })
    afterAll(async () => {
      await kando?.close()
      await database?.drop()
    })

    it('moves a parcel along its timeline to delivered; running again adds nothing', async () => {
      const { tenant } = await kando.tenants.create({ slug: 'sim', name: 'Sim' })
      const scope = kando.scope(tenant.id)
      const { id: orderId } = await kando.orders.ingest(scope, { ...sampleOrder('sim-1'), source: 'api' } as never, { actor: 'test' })
      const { shipment } = await kando.tracking.createShipment(scope, orderId, { carrier: 'yamato', trackingNumber: '444413758703' } as never, { source: 'demo', actor: 'test' })
      const other = await kando.tracking.createShipment(scope, (await kando.orders.ingest(scope, { ...sampleOrder('sim-2'), source: 'api' } as never, { actor: 'test' })).id,
        { carrier: 'japan_post', trackingNumber: '317400000002' } as never, { source: 'api', actor: 'test' })
      // A week of carrier time in about a second.
      const sim = new CarrierSimulator(kando.tracking, kando.clock, { compression: 7 * 24 * 3600, sources: ['demo'] })
      const seen: string[] = []
      const deadline = Date.now() + 10_000
      for (;;) {
        const { moves, open } = await sim.tick(scope)
        seen.push(...moves.map((m) => m.rawStatus))
        if (open === 0 || Date.now() > deadline) break
        await new Promise((r) => setTimeout(r, 50))
      }
      const done = await kando.tracking.getOrThrow(scope, shipment.id)
      expect(done.status).toBe('delivered')
      expect(done.events.length).toBe(seen.length)
      expect(done.events.map((e) => e.rawStatus).reverse()).toEqual(seen)
      expect(done.events.every((e) => Date.parse(e.occurredAt) <= Date.now())).toBe(true)
      expect(seen[0]).toBe('荷物受付')
      expect(seen.at(-1)).toBe('配達完了')
      expect((await kando.orders.getOrThrow(scope, orderId)).status).toBe('delivered')
      // Idempotent: another tick, and a fresh simulator, add nothing; other sources were left alone.
      expect((await sim.tick(scope)).moves).toEqual([])
      const everything = new CarrierSimulator(kando.tracking, kando.clock, { compression: 7 * 24 * 3600, sources: ['demo'] })
      expect((await everything.tick(scope)).moves).toEqual([])
      expect((await kando.tracking.getOrThrow(scope, shipment.id)).events).toHaveLength(seen.length)
      expect((await kando.tracking.getOrThrow(scope, other.shipment.id)).events).toHaveLength(0)
    })
  })
}
