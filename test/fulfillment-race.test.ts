import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKando, type Kando } from '../src/kando.js'
import { DIALECTS } from './databases.js'
import { sampleOrder, startTestServer, testConfig, type TestServer } from './harness.js'

const ALLOCATORS = 8
const STOCK: Record<string, Record<string, number>> = {
  'RACE-1': { loc_saitama_kuki: 10, loc_osaka_ibaraki: 6, loc_fukuoka_kasuya: 4 },
  'RACE-2': { loc_sendai: 5, loc_saitama_kuki: 5 },
}
const PREFS = ['13', '27', '40', '04', '01', '23', '34', '47']

/**
 * Reservation races: 8 allocators at once over scarce stock. On PostgreSQL each allocator is its own
 * Kando with its own connection pool (as 8 worker processes would be); on SQLite they share one
 * process, as the embedded default does. Nothing may be oversold and every unit must be accounted for.
 */
for (const dialect of DIALECTS) {
  describe(`${dialect}: ${ALLOCATORS} concurrent allocators over scarce stock`, () => {
    let s: TestServer
    const others: Kando[] = []

    beforeAll(async () => {
      s = await startTestServer(dialect)
      await s.kando.inventory.seedDemoNetwork()
      if (dialect === 'postgres') {
        for (let i = 1; i < ALLOCATORS; i++) {
          others.push(await createKando(testConfig(s.database.url, { dbPoolSize: 4 }), { logger: pino({ level: 'silent' }), migrate: false }))
        }
      }
    })
    afterAll(async () => {
      for (const k of others) await k.close()
      await s?.close()
    })

    it('never oversells; every unit is reserved by exactly one parcel or still free; every order is allocated or backordered in full', async () => {
      const { tenant, apiKey } = await s.kando.tenants.create({ slug: `race-${dialect}`, name: 'Race' })
      const scope = s.kando.scope(tenant.id)
      await s.call('PUT', '/api/v1/fulfillment/settings', { key: apiKey.key, body: { autoAllocate: false, mode: 'ship_available' } })
      for (const [sku, at] of Object.entries(STOCK)) {
        for (const [locationId, onHand] of Object.entries(at)) await s.kando.inventory.applySnapshot(scope, { locationId, seq: 1, items: [{ sku, onHand }] })
      }
      // 64 orders wanting 1–3 of RACE-1 (20 in stock) and some RACE-2 (10 in stock), all over Japan.
      const demand = new Map<string, Record<string, number>>()
      for (let i = 0; i < 64; i++) {
        const lines = [{ sku: 'RACE-1', quantity: 1 + (i % 3) }, ...(i % 2 === 0 ? [{ sku: 'RACE-2', quantity: 1 }] : [])]
        const res = await s.call('POST', '/api/v1/orders', {
          key: apiKey.key,
          body: sampleOrder(`race-${i}`, {
            status: 'confirmed', lines: lines.map((l) => ({ ...l, title: l.sku, unitPrice: 500 })), total: 1500,
            shippingAddress: { name: '競争 太郎', postalCode: '100-0001', prefectureCode: PREFS[i % PREFS.length], city: '某市', address1: '1-1', country: 'JP' },
          }),
        })
        expect(res.status).toBe(201)
        demand.set(res.body.id, Object.fromEntries(lines.map((l) => [l.sku, l.quantity])))
      }
      const ids = [...demand.keys()]
      const allocators = [s.kando, ...others]
      // Allocator k takes every order i with i % 8 == k, one after another; the 8 run at once.
      await Promise.all(Array.from({ length: ALLOCATORS }, async (_, k) => {
        const kando = allocators[k % allocators.length]!
        for (let i = k; i < ids.length; i += ALLOCATORS) await kando.fulfillment.allocateOrder(kando.scope(tenant.id), ids[i]!)
      }))

      const parcels = await scope.selectFrom('fulfillment_parcels').selectAll().where('status', '=', 'pending').execute()
      const held = new Map<string, number>()
      const perOrder = new Map<string, Record<string, number>>()
      for (const p of parcels) {
        for (const l of JSON.parse(p.lines) as Array<{ sku: string; quantity: number }>) {
          held.set(`${l.sku}@${p.location_id}`, (held.get(`${l.sku}@${p.location_id}`) ?? 0) + l.quantity)
          const o = perOrder.get(p.order_id) ?? {}
          o[l.sku] = (o[l.sku] ?? 0) + l.quantity
          perOrder.set(p.order_id, o)
        }
      }
      const levels = await scope.selectFrom('stock_levels').selectAll().where('sku', 'in', Object.keys(STOCK)).execute()
      for (const row of levels) {
        const onHand = Number(row.on_hand)
        const reserved = Number(row.reserved)
        expect(onHand).toBe(STOCK[row.sku]![row.location_id]) // nothing shipped: on hand unchanged
        expect(reserved).toBeLessThanOrEqual(onHand) // never oversold
        expect(reserved).toBe(held.get(`${row.sku}@${row.location_id}`) ?? 0) // every reserved unit is in exactly one parcel
      }
      // Demand exceeds stock and ship_available takes what it can: every unit in stock is now promised.
      for (const [sku, at] of Object.entries(STOCK)) {
        const total = Object.values(at).reduce((a, b) => a + b, 0)
        const reserved = levels.filter((r) => r.sku === sku).reduce((t, r) => t + Number(r.reserved), 0)
        expect(reserved).toBe(total)
      }
      // Every order: allocated + backordered = ordered, per SKU.
      const open = await scope.selectFrom('fulfillment_orders').select(['order_id', 'backordered_units']).execute()
      for (const [id, want] of demand) {
        const got = perOrder.get(id) ?? {}
        const ordered = Object.values(want).reduce((a, b) => a + b, 0)
        const allocated = Object.values(got).reduce((a, b) => a + b, 0)
        for (const [sku, q] of Object.entries(got)) expect(q).toBeLessThanOrEqual(want[sku]!)
        expect(allocated + Number(open.find((o) => o.order_id === id)?.backordered_units ?? 0)).toBe(ordered)
      }
      // The ledger agrees with the levels: reservations minus releases.
      const ledger = await scope.selectFrom('stock_movements').select(['sku', 'location_id', 'reserved_change']).where('sku', 'in', Object.keys(STOCK)).execute()
      for (const row of levels) {
        const sum = ledger.filter((m) => m.sku === row.sku && m.location_id === row.location_id).reduce((t, m) => t + Number(m.reserved_change), 0)
        expect(sum).toBe(Number(row.reserved))
      }
    }, 120_000)
  })
}
