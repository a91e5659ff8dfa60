/**
 * Optimality against the HiGHS MIP optimum on small random instances: the per-order search must
 * equal it exactly; the wave's gap is measured and printed, and must stay within 1% on average; a
 * wave the batch reports as proven optimal must equal the MIP optimum. Instances use the demo centres with scarce, uneven stock and tight capacity.
 */
import highsModule from 'highs'
import { beforeAll, describe, expect, it } from 'vitest'
import { allocateBatch, allocateSequential } from './batch.js'
import type { AllocationOrder, AllocationRules } from './cost.js'
import { allocationMip } from './mip.js'
import { DEMO_LOCATIONS } from './network.js'
import { SIZE_BANDS } from './rates.js'
import { createAllocator, type StockView } from './solve.js'
import { mulberry32 } from '../../tracking/simulator.js'

// `highs` is CommonJS: under NodeNext its default import types as the module, at run time it is the loader.
const loader = ((highsModule as unknown as { default?: unknown }).default ?? highsModule) as typeof highsModule.default
type Highs = Awaited<ReturnType<typeof loader>>
let highs: Highs
beforeAll(async () => {
  highs = await loader()
})

const now = { date: '2026-11-26', time: '16:10' }

const rng = mulberry32

function instance(seed: number, nOrders: number, nLocs: number) {
  const r = rng(seed)
  const pick = <T,>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!
  const locations = [...DEMO_LOCATIONS].sort(() => r() - 0.5).slice(0, nLocs)
  const skus = ['A', 'B', 'C', 'D', 'E']
  const temps = new Map(skus.map((s) => [s, r() < 0.2 ? ('cool' as const) : ('ambient' as const)]))
  const bands = new Map(skus.map((s) => [s, pick(SIZE_BANDS.slice(0, 4))]))
  const available = new Map(skus.map((s) => [s, new Map(locations.filter(() => r() < 0.6).map((l) => [l.id, 1 + Math.floor(r() * 3)]))]))
  const capacity = new Map(locations.map((l) => [l.id, 1 + Math.floor(r() * Math.max(2, nOrders / 2))]))
  const orders: AllocationOrder[] = Array.from({ length: nOrders }, (_, o) => {
    const n = 1 + Math.floor(r() * 3)
    const chosen = [...skus].sort(() => r() - 0.5).slice(0, n)
    return {
      id: `o${o}`,
      destinationPrefecture: String(1 + Math.floor(r() * 47)),
      ...(r() < 0.6 ? { promisedDate: pick(['2026-11-27', '2026-11-28']) } : {}),
      ...(r() < 0.1 ? { cod: true } : {}),
      lines: chosen.map((sku) => ({ sku, quantity: 1 + Math.floor(r() * 2), sizeBand: bands.get(sku)!, temperature: temps.get(sku)! })),
    }
  })
  const stock: StockView = { available, capacity }
  return { locations, orders, stock }
}

function mipOptimum(lp: string): number | null {
  const sol = highs.solve(lp, { mip_rel_gap: 0 } as never)
  if (sol.Status === 'Infeasible') return null
  expect(sol.Status).toBe('Optimal')
  return Math.round(sol.ObjectiveValue)
}

describe('per-order allocation equals the MIP optimum', () => {
  for (const mode of ['ship_complete', 'ship_available'] as const) {
    it(`${mode}: 150 random orders`, () => {
      let feasible = 0
      for (let seed = 1; seed <= 150; seed++) {
        const { locations, orders, stock } = instance(seed * 7919, 1, 5 + (seed % 6))
        const rules: AllocationRules = { mode, maxParcels: 1 + (seed % 3), splitPenalty: 100 + (seed % 5) * 200, latenessPenalty: 300 * (seed % 4) }
        const d = createAllocator({ locations, now }).allocate(orders[0]!, stock, rules)
        const opt = mipOptimum(allocationMip({ locations, now, orders, stock, rules, allowHold: false }))
        if (opt === null) expect(d.status, `seed ${seed}`).toBe('infeasible')
        else {
          feasible++
          expect(d.cost?.total, `seed ${seed}`).toBe(opt)
          expect(d.optimal).toBe(true)
        }
      }
      expect(feasible).toBeGreaterThan(30)
    })
  }
})

describe('batch allocation against the MIP optimum', () => {
  it('is within 1% of optimal on scarce-stock waves (gap printed), never claims a false proof, and beats sequential greedy', () => {
    const gaps: number[] = []
    let beats = 0
    let sumGreedyGap = 0
    let proven = 0
    const N = 30
    for (let seed = 1; seed <= N; seed++) {
      const { locations, orders, stock } = instance(seed * 104729, 8, 5)
      const rules: AllocationRules = { mode: seed % 2 ? 'ship_complete' : 'ship_available', maxParcels: 3, backorderPenalty: 5000 }
      const alloc = createAllocator({ locations, now })
      const batch = allocateBatch(alloc, orders, stock, rules)
      const greedy = allocateSequential(alloc, orders, stock, rules)
      const opt = mipOptimum(allocationMip({ locations, now, orders, stock, rules }))!
      expect(batch.totalCost).toBeGreaterThanOrEqual(opt)
      if (batch.stats?.provenOptimal) {
        proven++
        expect(batch.totalCost, `seed ${seed}: proven optimal`).toBe(opt)
      }
      gaps.push((batch.totalCost - opt) / opt)
      sumGreedyGap += (greedy.totalCost - opt) / opt
      if (batch.totalCost < greedy.totalCost) beats++
    }
    const mean = gaps.reduce((a, b) => a + b, 0) / N
    const worst = Math.max(...gaps)
    const exact = gaps.filter((g) => g === 0).length
    console.log(`batch vs HiGHS: mean gap ${(mean * 100).toFixed(2)}%, worst ${(worst * 100).toFixed(2)}%, optimal in ${exact}/${N} (proven by the batch itself in ${proven}); greedy mean gap ${((sumGreedyGap / N) * 100).toFixed(2)}%; batch beat greedy in ${beats}/${N}`)
    // Measured: 0.00% mean, 30/30 optimal (all proven by the wave's own branch and bound); the
    // previous wave heuristic had 1.29% mean, 20/30 optimal, worst 18.6%.
    expect(mean).toBeLessThanOrEqual(0.01)
    expect(beats).toBeGreaterThan(N / 2)
  })

  it('larger waves (20 orders over 5 SKUs, 8 centres) stay within 1% of optimal on average', () => {
    const gaps: number[] = []
    const N = 8
    for (let seed = 1; seed <= N; seed++) {
      const { locations, orders, stock } = instance(seed * 7727, 20, 8)
      const rules: AllocationRules = { mode: seed % 2 ? 'ship_complete' : 'ship_available', maxParcels: 3, backorderPenalty: 5000 }
      const batch = allocateBatch(createAllocator({ locations, now }), orders, stock, rules)
      const opt = mipOptimum(allocationMip({ locations, now, orders, stock, rules }))!
      expect(batch.totalCost).toBeGreaterThanOrEqual(opt)
      if (batch.stats?.provenOptimal) expect(batch.totalCost, `seed ${seed}: proven optimal`).toBe(opt)
      gaps.push((batch.totalCost - opt) / opt)
    }
    const mean = gaps.reduce((a, b) => a + b, 0) / N
    console.log(`batch vs HiGHS, 20-order waves: mean gap ${(mean * 100).toFixed(2)}%, worst ${(Math.max(...gaps) * 100).toFixed(2)}%`)
    // Measured 0.63% mean, worst 2.12%, 4/8 optimal: every order competes for the same 5 SKUs and
    // most must be held, so the wave is one group of 20 that the branch and bound cannot finish.
    // HiGHS takes most of this test's time (0.3–8 s per wave).
    expect(mean).toBeLessThanOrEqual(0.01)
  })
})
