import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEMO_LOCATIONS } from './network.js'
import { createAllocator, type StockView } from './solve.js'
import type { AllocationOrder, AllocationRules } from './cost.js'

const TODAY = '2026-11-26'
const at = (time: string) => createAllocator({ locations: DEMO_LOCATIONS, now: { date: TODAY, time } })
const alloc = at('10:00')

const KUKI = 'loc_saitama_kuki'
const ICHIKAWA = 'loc_chiba_ichikawa'
const OSAKA = 'loc_osaka_ibaraki'
const FUKUOKA = 'loc_fukuoka_kasuya'

function stockOf(rows: Record<string, Record<string, number>>, capacity: Record<string, number> = {}): StockView {
  return {
    available: new Map(Object.entries(rows).map(([sku, m]) => [sku, new Map(Object.entries(m))])),
    capacity: new Map(Object.entries(capacity)),
  }
}

const tokyoAB = (promisedDate?: string): AllocationOrder => ({
  id: 'ord_1',
  destinationPrefecture: '13',
  ...(promisedDate ? { promisedDate } : {}),
  lines: [
    { sku: 'A', quantity: 1, sizeBand: 60 },
    { sku: 'B', quantity: 1, sizeBand: 60 },
  ],
})

describe('split vs single parcel (hand-checked, default Yamato-like rates)', () => {
  it('nearest centre lacks B: one parcel from Osaka (¥1,060) beats Kuki A + Osaka B (940 + 1,060 + 300)', () => {
    const d = alloc.allocate(tokyoAB(), stockOf({ A: { [KUKI]: 5, [OSAKA]: 5 }, B: { [OSAKA]: 5 } }))
    expect(d.status).toBe('allocated')
    expect(d.parcels.map((p) => p.locationId)).toEqual([OSAKA])
    expect(d.cost).toEqual({ shipping: 1060, split: 0, lateness: 0, backorder: 0, total: 1060 })
    const kuki = d.candidates.find((c) => c.kind === 'single' && c.locations[0] === KUKI)
    expect(kuki?.infeasible).toBe('B: 0 of 1 in stock')
    const osaka = d.candidates.find((c) => c.kind === 'single' && c.locations[0] === OSAKA)
    expect(osaka).toMatchObject({ chosen: true, cost: { total: 1060 } })
    // The best split was weighed and shown with its cost.
    expect(d.candidates.find((c) => c.kind === 'split')?.cost?.total).toBe(2300)
  })

  const stock = stockOf({ A: { [KUKI]: 5, [FUKUOKA]: 5 }, B: { [OSAKA]: 5, [FUKUOKA]: 5 } })
  const tomorrow = '2026-11-27'

  it('Fukuoka ships both but a day late (1,300 + 500) and still beats Kuki + Osaka (940 + 1,060 + 300)', () => {
    const d = alloc.allocate(tokyoAB(tomorrow), stock)
    expect(d.parcels.map((p) => p.locationId)).toEqual([FUKUOKA])
    expect(d.cost).toMatchObject({ shipping: 1300, lateness: 500, total: 1800 })
    expect(d.parcels[0]).toMatchObject({ shipDate: TODAY, deliveryDate: '2026-11-28', daysLate: 1 })
  })

  it('a tie (lateness ¥1,000/day: 2,300 vs 2,300) keeps the single parcel', () => {
    const d = alloc.allocate(tokyoAB(tomorrow), stock, { latenessPenalty: 1000 })
    expect(d.parcels.map((p) => p.locationId)).toEqual([FUKUOKA])
    expect(d.cost?.total).toBe(2300)
  })

  it('lateness ¥1,200/day tips it to two on-time parcels (2,300 < 2,500)', () => {
    const d = alloc.allocate(tokyoAB(tomorrow), stock, { latenessPenalty: 1200 })
    expect(d.parcels.map((p) => p.locationId).sort()).toEqual([KUKI, OSAKA].sort())
    expect(d.cost).toEqual({ shipping: 2000, split: 300, lateness: 0, backorder: 0, total: 2300 })
    expect(d.candidates.find((c) => c.locations[0] === FUKUOKA)?.cost?.total).toBe(2500)
  })

  it('maxParcels 1 forbids that split', () => {
    const d = alloc.allocate(tokyoAB(tomorrow), stock, { latenessPenalty: 1200, maxParcels: 1 })
    expect(d.parcels.map((p) => p.locationId)).toEqual([FUKUOKA])
  })

  it('two near centres that each lack one item split when nothing ships both', () => {
    const d = alloc.allocate(tokyoAB(), stockOf({ A: { [KUKI]: 1 }, B: { [ICHIKAWA]: 1 } }))
    expect(d.cost).toEqual({ shipping: 1880, split: 300, lateness: 0, backorder: 0, total: 2180 })
    expect(d.parcels).toHaveLength(2)
  })
})

describe('cut-off and capacity edges', () => {
  const order: AllocationOrder = { id: 'o', destinationPrefecture: '13', promisedDate: '2026-11-27', lines: [{ sku: 'A', quantity: 1, sizeBand: 60 }] }
  const s = stockOf({ A: { [KUKI]: 1 } })
  it('one minute before Kuki’s 17:00 cut-off it ships today and is on time', () => {
    const d = at('16:59').allocate(order, s)
    expect(d.parcels[0]).toMatchObject({ shipDate: TODAY, deliveryDate: '2026-11-27', daysLate: 0 })
  })
  it('at 17:00 it ships tomorrow and is a day late', () => {
    const d = at('17:00').allocate(order, s)
    expect(d.parcels[0]).toMatchObject({ shipDate: '2026-11-27', deliveryDate: '2026-11-28', daysLate: 1 })
    expect(d.cost?.lateness).toBe(500)
  })
  it('a centre with no capacity left is skipped with that reason', () => {
    const d = alloc.allocate(order, stockOf({ A: { [KUKI]: 1, [OSAKA]: 1 } }, { [KUKI]: 0 }))
    expect(d.parcels[0]?.locationId).toBe(OSAKA)
    expect(d.candidates.find((c) => c.locations[0] === KUKI)?.infeasible).toBe('no shipping capacity left today')
  })
  it('cool and ambient lines need two parcels: capacity 1 rules the centre out', () => {
    const o: AllocationOrder = { id: 'o', destinationPrefecture: '13', lines: [{ sku: 'A', quantity: 1, sizeBand: 60 }, { sku: 'C', quantity: 1, sizeBand: 60, temperature: 'cool' }] }
    const st = stockOf({ A: { [KUKI]: 1 }, C: { [KUKI]: 1 } }, { [KUKI]: 1 })
    const d = alloc.allocate(o, st)
    expect(d.status).toBe('infeasible')
    expect(d.candidates.find((c) => c.locations[0] === KUKI)?.infeasible).toBe('needs 2 parcels, capacity left 1')
    const ok = alloc.allocate(o, stockOf({ A: { [KUKI]: 1 }, C: { [KUKI]: 1 } }, { [KUKI]: 2 }))
    // ambient 940 + cool 940 + 275 + one split penalty
    expect(ok.cost).toMatchObject({ shipping: 2155, split: 300 })
  })
  it('cool goods never ship from a centre without cool capability', () => {
    const o: AllocationOrder = { id: 'o', destinationPrefecture: '13', lines: [{ sku: 'C', quantity: 1, sizeBand: 60, temperature: 'cool' }] }
    const d = alloc.allocate(o, stockOf({ C: { [ICHIKAWA]: 1 } }))
    expect(d.status).toBe('infeasible')
    expect(d.candidates.find((c) => c.locations[0] === ICHIKAWA)?.infeasible).toBe('C: no cool capability')
  })
})

describe('rules', () => {
  const s = stockOf({ A: { [KUKI]: 5, [OSAKA]: 5 }, B: { [KUKI]: 5, [OSAKA]: 5 } })
  it('excluded locations are never used', () => {
    const d = alloc.allocate(tokyoAB(), s, { excluded: [KUKI] })
    expect(d.parcels.map((p) => p.locationId)).toEqual([OSAKA])
    expect(d.candidates.find((c) => c.locations[0] === KUKI)?.infeasible).toBe('excluded by rule')
  })
  it('pinned locations are the only ones used', () => {
    const d = alloc.allocate(tokyoAB(), s, { pinned: [OSAKA] })
    expect(d.parcels.map((p) => p.locationId)).toEqual([OSAKA])
  })
  it('quantity split across centres when no single one has enough', () => {
    const o: AllocationOrder = { id: 'o', destinationPrefecture: '13', lines: [{ sku: 'A', quantity: 7, sizeBand: 80 }] }
    const d = alloc.allocate(o, stockOf({ A: { [KUKI]: 4, [ICHIKAWA]: 4 } }))
    expect(d.parcels.flatMap((p) => p.lines).reduce((a, l) => a + l.quantity, 0)).toBe(7)
    expect(d.parcels).toHaveLength(2)
  })
  it('ship_complete: short stock is infeasible with the reason', () => {
    const o: AllocationOrder = { id: 'o', destinationPrefecture: '13', lines: [{ sku: 'A', quantity: 9, sizeBand: 60 }] }
    const d = alloc.allocate(o, stockOf({ A: { [KUKI]: 4, [ICHIKAWA]: 4 } }))
    expect(d.status).toBe('infeasible')
    expect(d.reason).toBe('A: 8 of 9 in stock across eligible locations')
  })
  it('ship_available: ships what exists and backorders the rest', () => {
    const o: AllocationOrder = { id: 'o', destinationPrefecture: '13', lines: [{ sku: 'A', quantity: 9, sizeBand: 60 }, { sku: 'B', quantity: 1, sizeBand: 60 }] }
    const d = alloc.allocate(o, stockOf({ A: { [KUKI]: 4, [ICHIKAWA]: 4 }, B: { [KUKI]: 1 } }), { mode: 'ship_available' })
    expect(d.status).toBe('partial')
    expect(d.backorders).toEqual([{ sku: 'A', quantity: 1 }])
    expect(d.cost).toEqual({ shipping: 1880, split: 300, lateness: 0, backorder: 20000, total: 22180 })
  })
  it('ship_available with nothing in stock backorders everything', () => {
    const d = alloc.allocate(tokyoAB(), stockOf({}), { mode: 'ship_available' })
    expect(d.status).toBe('backordered')
    expect(d.backorders).toHaveLength(2)
  })
})

describe('property: plans respect stock and capacity, and cost is the sum of its parts', () => {
  const ids = DEMO_LOCATIONS.map((l) => l.id)
  const arbLine = fc.record({
    sku: fc.constantFrom('A', 'B', 'C', 'D', 'E'),
    quantity: fc.integer({ min: 1, max: 4 }),
    sizeBand: fc.constantFrom(60, 80, 100, 120, 140, 160),
    temperature: fc.constantFrom('ambient', 'ambient', 'cool', 'frozen'),
  })
  const arb = fc.record({
    pref: fc.integer({ min: 1, max: 47 }),
    lines: fc.array(arbLine, { minLength: 1, maxLength: 5 }),
    stock: fc.array(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: ids.length, maxLength: ids.length }), { minLength: 5, maxLength: 5 }),
    caps: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: ids.length, maxLength: ids.length }),
    mode: fc.constantFrom('ship_complete', 'ship_available'),
    maxParcels: fc.integer({ min: 1, max: 4 }),
    promise: fc.integer({ min: 0, max: 3 }),
  })
  it('holds on random orders', () => {
    fc.assert(
      fc.property(arb, (x) => {
        const skus = ['A', 'B', 'C', 'D', 'E']
        const stock: StockView = {
          available: new Map(skus.map((s, k) => [s, new Map(ids.map((id, i) => [id, x.stock[k]![i]!]))])),
          capacity: new Map(ids.map((id, i) => [id, x.caps[i]!])),
        }
        const order: AllocationOrder = { id: 'p', destinationPrefecture: String(x.pref), promisedDate: `2026-11-${26 + x.promise}`, lines: x.lines as AllocationOrder['lines'] }
        const rules: AllocationRules = { mode: x.mode as 'ship_complete', maxParcels: x.maxParcels }
        const d = alloc.allocate(order, stock, rules)
        if (d.status === 'infeasible') return x.mode === 'ship_complete'
        const used = new Map<string, number>()
        const parcelsAt = new Map<string, number>()
        for (const p of d.parcels) {
          parcelsAt.set(p.locationId, (parcelsAt.get(p.locationId) ?? 0) + 1)
          for (const l of p.lines) used.set(`${l.sku}@${p.locationId}`, (used.get(`${l.sku}@${p.locationId}`) ?? 0) + l.quantity)
        }
        for (const [k, q] of used) {
          const [sku, id] = k.split('@') as [string, string]
          expect(q).toBeLessThanOrEqual(stock.available.get(sku)!.get(id)!)
        }
        for (const [id, n] of parcelsAt) expect(n).toBeLessThanOrEqual(stock.capacity!.get(id)!)
        expect(d.parcels.length).toBeLessThanOrEqual(x.maxParcels)
        const c = d.cost!
        expect(c.total).toBe(c.shipping + c.split + c.lateness + c.backorder)
        expect(c.shipping).toBe(d.parcels.reduce((a, p) => a + p.shippingCost, 0))
        const ordered = new Map<string, number>()
        for (const l of x.lines) ordered.set(l.sku, (ordered.get(l.sku) ?? 0) + l.quantity)
        const shipped = d.parcels.flatMap((p) => p.lines).reduce((a, l) => a + l.quantity, 0)
        const back = d.backorders.reduce((a, l) => a + l.quantity, 0)
        expect(shipped + back).toBe([...ordered.values()].reduce((a, b) => a + b, 0))
        return true
      }),
      { numRuns: 300 },
    )
  })
})

describe('orders beyond 4 SKUs', () => {
  it('are still solved (optimal when the search fits the node budget)', () => {
    const skus = ['A', 'B', 'C', 'D', 'E', 'F']
    const available = new Map(skus.map((s, k) => [s, new Map(DEMO_LOCATIONS.filter((_, i) => (i + k) % 3 !== 0).map((l) => [l.id, 1]))]))
    const order: AllocationOrder = { id: 'big', destinationPrefecture: '27', lines: skus.map((sku) => ({ sku, quantity: 1, sizeBand: 60 })) }
    const d = alloc.allocate(order, { available })
    expect(d.status).toBe('allocated')
    expect(d.parcels.flatMap((p) => p.lines)).toHaveLength(6)
    expect(typeof d.optimal).toBe('boolean')
  })
})
