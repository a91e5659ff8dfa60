/**
 * Quick throughput check of per-order allocation on a generated realistic instance (demo network,
 * 5,000 SKUs with Zipf popularity, uneven stock, demand by prefecture population, 1–3 line orders).
 * Prints decisions/s; not a test and asserts nothing. Run: node --import tsx src/modules/allocation/bench-per-order.ts
 * The full `bench:allocation` (batch vs HiGHS, RESULTS.md) is for the wiring session.
 */
import { allocateBatch, allocateSequential } from '../src/modules/fulfillment/allocation/batch.js'
import type { AllocationOrder } from '../src/modules/fulfillment/allocation/cost.js'
import { DEMO_LOCATIONS } from '../src/modules/fulfillment/allocation/network.js'
import { createAllocator, type StockView } from '../src/modules/fulfillment/allocation/solve.js'

// Population in 10,000s by JIS code 01…47 (2020 census, rounded).
const POP = [522, 124, 121, 230, 96, 107, 183, 287, 193, 194, 734, 628, 1405, 924, 220, 103, 113, 77, 81, 205, 198, 363, 754, 177, 141, 258, 884, 547, 132, 92, 55, 67, 189, 280, 134, 72, 95, 133, 69, 514, 81, 131, 174, 113, 107, 159, 147]

function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 4294967296
  }
}

export function generate(nOrders: number, nSkus = 5000, seed = 42, scarcity = 1) {
  const r = rng(seed)
  const zipf = Array.from({ length: nSkus }, (_, k) => 1 / (k + 1))
  const cum = (w: number[]) => {
    const c: number[] = []
    w.reduce((a, x, i) => (c[i] = a + x), 0)
    return c
  }
  const zc = cum(zipf)
  const pc = cum(POP)
  const draw = (c: number[]) => {
    const x = r() * c[c.length - 1]!
    let lo = 0
    let hi = c.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (c[mid]! < x) lo = mid + 1
      else hi = mid
    }
    return lo
  }
  const available = new Map<string, Map<string, number>>()
  for (let k = 0; k < nSkus; k++) {
    const m = new Map<string, number>()
    const expected = (nOrders * 2 * zipf[k]!) / zc[zc.length - 1]!
    for (const l of DEMO_LOCATIONS) if (r() < 0.5) m.set(l.id, Math.round((expected * scarcity * (0.2 + r() * 1.6)) / 5) + (r() < 0.7 ? 1 : 0))
    available.set(`SKU${k}`, m)
  }
  const orders: AllocationOrder[] = Array.from({ length: nOrders }, (_, o) => {
    const n = 1 + Math.floor(r() * r() * 3)
    const skus = new Set<number>()
    while (skus.size < n) skus.add(draw(zc))
    return {
      id: `o${o}`,
      destinationPrefecture: String(draw(pc) + 1),
      ...(r() < 0.5 ? { promisedDate: r() < 0.5 ? '2026-11-27' : '2026-11-28' } : {}),
      lines: [...skus].map((k) => ({ sku: `SKU${k}`, quantity: r() < 0.8 ? 1 : 2, sizeBand: ([60, 60, 80, 100, 120] as const)[k % 5]!, ...(k % 13 === 0 ? { temperature: 'cool' as const } : {}) })),
    }
  })
  const capacity = new Map(DEMO_LOCATIONS.map((l) => [l.id, Math.ceil((nOrders * l.dailyCapacity) / 112_000)]))
  const stock: StockView = { available, capacity }
  return { orders, stock }
}

const alloc = createAllocator({ locations: DEMO_LOCATIONS, now: { date: '2026-11-26', time: '11:00' } })
const { orders, stock } = generate(20_000)
for (const mode of ['ship_complete', 'ship_available'] as const) {
  for (let i = 0; i < 2000; i++) alloc.allocate(orders[i]!, stock, { mode }) // warm up
  const t0 = performance.now()
  let nodes = 0
  for (const o of orders) nodes += alloc.allocate(o, stock, { mode }).nodes
  const s = (performance.now() - t0) / 1000
  console.log(`per-order ${mode}: ${orders.length} orders in ${s.toFixed(2)} s = ${Math.round(orders.length / s)} decisions/s (mean ${(nodes / orders.length).toFixed(1)} search nodes)`)
}
const wave = generate(2000, 500, 7, 0.35)
for (const [name, f] of [['sequential greedy', allocateSequential], ['wave', allocateBatch]] as const) {
  const t0 = performance.now()
  const res = f(alloc, wave.orders, wave.stock, { mode: 'ship_complete' })
  console.log(`${name}: 2000 scarce orders, total ¥${res.totalCost.toLocaleString()} in ${((performance.now() - t0) / 1000).toFixed(2)} s, held ${res.decisions.filter((d) => !d.cost).length}`)
}
