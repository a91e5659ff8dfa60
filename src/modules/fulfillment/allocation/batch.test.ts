import { describe, expect, it } from 'vitest'
import { allocateBatch, allocateSequential, decisionCost } from './batch.js'
import type { AllocationOrder } from './cost.js'
import { DEMO_LOCATIONS } from './network.js'
import { createAllocator, type Allocator, type StockView } from './solve.js'

const alloc = createAllocator({ locations: DEMO_LOCATIONS, now: { date: '2026-11-26', time: '10:00' } })
const KUKI = 'loc_saitama_kuki'
const OSAKA = 'loc_osaka_ibaraki'

describe('wave allocation over scarce stock (hand-checked)', () => {
  // One unit of A at Kuki, one at Osaka. The Saitama order barely cares (940 vs 1,060); the Aomori
  // order promised tomorrow cares a lot (Kuki 1,060 on time vs Osaka 1,170 + a day late ¥500).
  const orders: AllocationOrder[] = [
    { id: 'saitama', destinationPrefecture: '11', lines: [{ sku: 'A', quantity: 1, sizeBand: 60 }] },
    { id: 'aomori', destinationPrefecture: '02', promisedDate: '2026-11-27', lines: [{ sku: 'A', quantity: 1, sizeBand: 60 }] },
  ]
  const stock: StockView = { available: new Map([['A', new Map([[KUKI, 1], [OSAKA, 1]])]]) }

  it('greedy in arrival order gives Kuki to Saitama: 940 + 1,670 = 2,610', () => {
    const g = allocateSequential(alloc, orders, stock)
    expect(g.totalCost).toBe(2610)
  })
  it('the wave gives Kuki to Aomori: 1,060 + 1,060 = 2,120, and leaves no stock behind', () => {
    const b = allocateBatch(alloc, orders, stock)
    expect(b.totalCost).toBe(2120)
    expect(b.decisions.map((d) => d.parcels[0]?.locationId)).toEqual([OSAKA, KUKI])
    expect(b.remaining.available.get('A')?.get(KUKI)).toBe(0)
    expect(b.remaining.available.get('A')?.get(OSAKA)).toBe(0)
  })
  it('holds an order it cannot serve and counts it at the backorder penalty', () => {
    const three = [...orders, { id: 'third', destinationPrefecture: '13', lines: [{ sku: 'A', quantity: 1, sizeBand: 60 }] } satisfies AllocationOrder]
    const b = allocateBatch(alloc, three, stock)
    expect(b.decisions.filter((d) => d.status === 'infeasible')).toHaveLength(1)
    expect(b.totalCost).toBeGreaterThanOrEqual(20_000)
  })
})

describe('wave allocation on random waves', () => {
  function rng(seed: number): () => number {
    let s = seed >>> 0
    return () => {
      s = (s * 1664525 + 1013904223) >>> 0
      return s / 4294967296
    }
  }
  function wave(seed: number, n: number) {
    const r = rng(seed)
    const skus = Array.from({ length: 12 }, (_, k) => `S${k}`)
    const available = new Map(skus.map((s) => [s, new Map(DEMO_LOCATIONS.filter(() => r() < 0.4).map((l) => [l.id, Math.floor(r() * 4)]))]))
    const capacity = new Map(DEMO_LOCATIONS.map((l) => [l.id, 1 + Math.floor(r() * (n / 4))]))
    const orders: AllocationOrder[] = Array.from({ length: n }, (_, o) => ({
      id: `o${o}`,
      destinationPrefecture: String(1 + Math.floor(r() * 47)).padStart(2, '0'),
      ...(r() < 0.4 ? { promisedDate: '2026-11-27' } : {}),
      lines: [...new Set(Array.from({ length: 1 + Math.floor(r() * 3) }, () => skus[Math.floor(r() * r() * skus.length)]!))].map((sku) => ({
        sku,
        quantity: 1 + Math.floor(r() * r() * 3),
        sizeBand: 60 as const,
        ...(sku === 'S3' ? { temperature: 'cool' as const } : {}),
      })),
    }))
    return { orders, stock: { available, capacity } satisfies StockView }
  }

  it('never takes more stock or capacity than there is, reports what is left, and its cost is the sum of its decisions', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const { orders, stock } = wave(seed, 40)
      const rules = { mode: seed % 2 ? ('ship_complete' as const) : ('ship_available' as const) }
      const b = allocateBatch(alloc, orders, stock, rules)
      const taken = new Map<string, number>()
      const parcels = new Map<string, number>()
      let total = 0
      b.decisions.forEach((d, i) => {
        expect(d.orderId).toBe(orders[i]!.id)
        total += decisionCost(orders[i]!, d, rules)
        for (const p of d.parcels) {
          parcels.set(p.locationId, (parcels.get(p.locationId) ?? 0) + 1)
          for (const l of p.lines) taken.set(`${l.sku}|${p.locationId}`, (taken.get(`${l.sku}|${p.locationId}`) ?? 0) + l.quantity)
        }
      })
      expect(b.totalCost).toBe(total)
      for (const [sku, m] of stock.available) {
        for (const [loc, q] of m) {
          const used = taken.get(`${sku}|${loc}`) ?? 0
          expect(used, `${sku}@${loc} seed ${seed}`).toBeLessThanOrEqual(q)
          expect(b.remaining.available.get(sku)?.get(loc)).toBe(q - used)
        }
      }
      for (const l of DEMO_LOCATIONS) {
        const cap = stock.capacity.get(l.id)!
        expect(parcels.get(l.id) ?? 0).toBeLessThanOrEqual(cap)
        expect(b.remaining.capacity?.get(l.id)).toBe(cap - (parcels.get(l.id) ?? 0))
      }
      expect(b.stats!.lowerBound).toBeLessThanOrEqual(b.totalCost)
    }
  })

  it('is reproducible: the same wave gives the same decisions', () => {
    const { orders, stock } = wave(7, 60)
    const a = allocateBatch(alloc, orders, stock)
    const b = allocateBatch(alloc, orders, stock)
    expect(b.totalCost).toBe(a.totalCost)
    expect(b.decisions.map((d) => d.parcels.map((p) => p.locationId))).toEqual(a.decisions.map((d) => d.parcels.map((p) => p.locationId)))
  })

  it('orders that compete for nothing get their own optimum, and the wave says it is optimal', () => {
    // Plenty of A everywhere: no stock or capacity is contested.
    const orders: AllocationOrder[] = ['01', '13', '27', '40', '47'].map((pref, i) => ({ id: `o${i}`, destinationPrefecture: pref, lines: [{ sku: 'A', quantity: 1, sizeBand: 60 }] }))
    const stock: StockView = { available: new Map([['A', new Map(DEMO_LOCATIONS.map((l) => [l.id, 100]))]]) }
    const b = allocateBatch(alloc, orders, stock)
    expect(b.stats).toMatchObject({ independent: 5, groups: 0, provenOptimal: true })
    orders.forEach((o, i) => expect(b.decisions[i]!.cost?.total).toBe(alloc.allocate(o, stock).cost?.total))
    expect(b.totalCost).toBe(b.stats!.lowerBound)
  })

  it('an Allocator not made by createAllocator still gets a feasible wave (regret order, re-solves)', () => {
    const wrapped: Allocator = { locations: alloc.locations, allocate: (o, s, r) => alloc.allocate(o, s, r) }
    const { orders, stock } = wave(3, 30)
    const b = allocateBatch(wrapped, orders, stock)
    expect(b.decisions).toHaveLength(30)
    expect(b.totalCost).toBe(orders.reduce((a, o, i) => a + decisionCost(o, b.decisions[i]!), 0))
    for (const m of b.remaining.available.values()) for (const q of m.values()) expect(q).toBeGreaterThanOrEqual(0)
  })
})
