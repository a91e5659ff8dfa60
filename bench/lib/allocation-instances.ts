/**
 * Seeded, reproducible allocation instances for `npm run bench:allocation`: the 11 demo centres,
 * destinations weighted by prefecture population, a catalogue of SKUs with Zipf popularity, uneven
 * stock (popular SKUs in many centres, the tail in one or two, the big centres holding more), orders
 * of 1–5 lines, size bands, cool and frozen goods, promised dates on some orders, a few COD.
 */
import type { AllocationOrder, AllocationRules, Temperature } from '../../src/modules/fulfillment/allocation/cost.ts'
import { DEMO_LOCATIONS, type Location } from '../../src/modules/fulfillment/allocation/network.ts'
import type { SizeBand } from '../../src/modules/fulfillment/allocation/rates.ts'
import type { StockView } from '../../src/modules/fulfillment/allocation/solve.ts'
import { mulberry32 } from '../../src/modules/tracking/simulator.ts'

/**
 * Population of each prefecture, JIS order 01 北海道 … 47 沖縄県: 2020 Population Census of Japan
 * (令和2年国勢調査, 人口等基本集計), Statistics Bureau of Japan (総務省統計局). Sum 126,146,099.
 */
export const POPULATION_2020: readonly number[] = [
  5_224_614, 1_237_984, 1_210_534, 2_301_996, 959_502, 1_068_027, 1_833_152, 2_867_009, 1_933_146, 1_939_110,
  7_344_765, 6_284_480, 14_047_594, 9_237_337, 2_201_272, 1_034_814, 1_132_526, 766_863, 809_974, 2_048_011,
  1_978_742, 3_633_202, 7_542_415, 1_770_254, 1_413_610, 2_578_087, 8_837_685, 5_465_002, 1_324_473, 922_584,
  553_407, 671_126, 1_888_432, 2_799_702, 1_342_059, 719_559, 950_244, 1_334_841, 691_527, 5_135_214,
  811_442, 1_312_317, 1_738_301, 1_123_852, 1_069_576, 1_588_256, 1_467_480,
]

/** The moment every instance is allocated at: a Thursday morning, before every centre's cut-off. */
export const NOW = { date: '2026-11-26', time: '11:00' } as const

/** The simulator's seeded generator (mulberry32), so every generated instance draws the same way. */
export const rng = mulberry32

/** Index drawn with probability proportional to weights (cumulative array, binary search). */
function sampler(weights: readonly number[], r: () => number): () => number {
  const cum: number[] = []
  let acc = 0
  for (const w of weights) cum.push((acc += w))
  return () => {
    const x = r() * acc
    let lo = 0
    let hi = cum.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (cum[mid]! <= x) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

export interface Sku {
  readonly id: string
  /** Share of demand (Zipf, sums to 1). */
  readonly popularity: number
  readonly sizeBand: SizeBand
  readonly temperature: Temperature
  /** Centres that stock it (indices into DEMO_LOCATIONS) and each one's share of its stock. */
  readonly centres: readonly number[]
  readonly shares: readonly number[]
}

export interface Catalogue {
  readonly skus: readonly Sku[]
  readonly locations: readonly Location[]
}

const BANDS: readonly SizeBand[] = [60, 80, 100, 120, 140, 160]
const BAND_WEIGHTS = [35, 30, 18, 10, 5, 2]
/** Lines per order 1…5: mostly one or two. */
export const LINE_WEIGHTS = [55, 25, 11, 6, 3]

/**
 * A catalogue of `nSkus` SKUs, Zipf popularity with exponent `s`. Centres holding a SKU: 8–11 for
 * the top 1 %, 4–8 for the top 10 %, 2–4 to the 40th percentile, 1–2 for the tail; centres are
 * drawn by size (daily capacity), cool goods only where there is cool capability, frozen where frozen.
 */
export function catalogue(seed: number, nSkus = 5000, s = 1.1): Catalogue {
  const r = rng(seed)
  const locations = DEMO_LOCATIONS
  const raw = Array.from({ length: nSkus }, (_, k) => 1 / (k + 1) ** s)
  const total = raw.reduce((a, b) => a + b, 0)
  const band = sampler(BAND_WEIGHTS, r)
  const skus = raw.map((w, k): Sku => {
    const x = r()
    const temperature: Temperature = x < 0.02 ? 'frozen' : x < 0.09 ? 'cool' : 'ambient'
    let sizeBand = BANDS[band()]!
    if (temperature !== 'ambient' && sizeBand > 120) sizeBand = 100 // クール goes up to 120 size
    const q = k / nSkus
    const lo = q < 0.01 ? 8 : q < 0.1 ? 4 : q < 0.4 ? 2 : 1
    const hi = q < 0.01 ? 11 : q < 0.1 ? 8 : q < 0.4 ? 4 : 2
    const eligible = locations.map((l, i) => i).filter((i) => {
      const caps = locations[i]!.capabilities
      return temperature === 'ambient' || (temperature === 'cool' ? caps.has('cool') || caps.has('frozen') : caps.has('frozen'))
    })
    const want = Math.min(eligible.length, lo + Math.floor(r() * (hi - lo + 1)))
    const centres: number[] = []
    const pool = [...eligible]
    while (centres.length < want) {
      const pick = sampler(pool.map((i) => locations[i]!.dailyCapacity), r)()
      centres.push(pool[pick]!)
      pool.splice(pick, 1)
    }
    const weights = centres.map((i) => locations[i]!.dailyCapacity * (0.5 + r()))
    const wsum = weights.reduce((a, b) => a + b, 0)
    return { id: `SKU${String(k).padStart(4, '0')}`, popularity: w / total, sizeBand, temperature, centres, shares: weights.map((x) => x / wsum) }
  })
  return { skus, locations }
}

export interface OrderMix {
  /** Share of orders with a promised date (half next day, half the day after). */
  readonly promised?: number
  readonly cod?: number
  /** Only the `hot` most popular SKUs are ordered (scarce waves); default the whole catalogue. */
  readonly hot?: number
}

/** `n` orders: destination by population, 1–5 distinct SKUs by popularity, 1–3 units a line. */
export function orders(cat: Catalogue, n: number, seed: number, mix: OrderMix = {}): AllocationOrder[] {
  const r = rng(seed)
  const skus = mix.hot ? cat.skus.slice(0, mix.hot) : cat.skus
  const sku = sampler(skus.map((s) => s.popularity), r)
  const dest = sampler(POPULATION_2020, r)
  const lines = sampler(LINE_WEIGHTS, r)
  const promised = mix.promised ?? 0.3
  const cod = mix.cod ?? 0.05
  return Array.from({ length: n }, (_, o): AllocationOrder => {
    const k = Math.min(1 + lines(), skus.length)
    const chosen = new Set<number>()
    while (chosen.size < k) chosen.add(sku())
    const x = r()
    return {
      id: `o${o}`,
      destinationPrefecture: String(dest() + 1).padStart(2, '0'),
      ...(x < promised ? { promisedDate: x < promised / 2 ? '2026-11-27' : '2026-11-28' } : {}),
      ...(r() < cod ? { cod: true } : {}),
      lines: [...chosen].map((i) => {
        const s = skus[i]!
        const y = r()
        return { sku: s.id, quantity: y < 0.85 ? 1 : y < 0.97 ? 2 : 3, sizeBand: s.sizeBand, ...(s.temperature !== 'ambient' ? { temperature: s.temperature } : {}) }
      }),
    }
  })
}

/** Units of each SKU the orders ask for. */
export function demand(list: readonly AllocationOrder[]): Map<string, number> {
  const d = new Map<string, number>()
  for (const o of list) for (const l of o.lines) d.set(l.sku, (d.get(l.sku) ?? 0) + l.quantity)
  return d
}

export interface StockPlan {
  /** Units on hand ÷ units ordered, per SKU: drawn uniformly in [lo, hi]. */
  readonly cover: readonly [number, number]
  /** Units on hand for SKUs nobody in the wave ordered (their expected demand × this). */
  readonly idleUnits?: number
  /** Capacity left today as a multiple of the wave's parcels × the centre's share of network capacity. */
  readonly capacity?: number
  /** Centres (ids) that are busy today: their capacity multiple is this instead. */
  readonly busy?: Readonly<Record<string, number>>
}

/**
 * Stock for a wave: each SKU's units (cover × units ordered, at least 1 where stocked) spread over
 * its centres by their shares with ±50 % noise; capacity per centre from the wave's size.
 */
export function stockFor(cat: Catalogue, wave: readonly AllocationOrder[], seed: number, plan: StockPlan): StockView {
  const r = rng(seed)
  const d = demand(wave)
  const units = [...d.values()].reduce((a, b) => a + b, 0)
  const available = new Map<string, Map<string, number>>()
  for (const s of cat.skus) {
    const asked = d.get(s.id)
    const target = asked !== undefined ? asked * (plan.cover[0] + r() * (plan.cover[1] - plan.cover[0])) : s.popularity * units * (plan.idleUnits ?? 1)
    const m = new Map<string, number>()
    s.centres.forEach((i, j) => {
      const q = Math.round(target * s.shares[j]! * (0.5 + r()))
      m.set(cat.locations[i]!.id, q)
    })
    available.set(s.id, m)
  }
  const networkCap = cat.locations.reduce((a, l) => a + l.dailyCapacity, 0)
  const parcels = wave.length * 1.3
  const capacity = new Map(
    cat.locations.map((l) => [l.id, Math.max(1, Math.round((parcels * l.dailyCapacity * (plan.busy?.[l.id] ?? plan.capacity ?? 3)) / networkCap))]),
  )
  return { available, capacity }
}

/** Plenty of stock for per-order decisions: every centre holding a SKU has some, the tail thin. */
export function perOrderStock(cat: Catalogue, seed: number, unitsInView = 200_000): StockView {
  const r = rng(seed)
  const available = new Map<string, Map<string, number>>()
  for (const s of cat.skus) {
    const m = new Map<string, number>()
    s.centres.forEach((i, j) => {
      // Some centres are out of a SKU (0), the rest hold units by their share.
      const q = r() < 0.1 ? 0 : Math.max(1, Math.round(s.popularity * unitsInView * s.shares[j]! * (0.3 + 1.4 * r())))
      m.set(cat.locations[i]!.id, q)
    })
    available.set(s.id, m)
  }
  return { available }
}

export const SCARCE_RULES = (i: number): AllocationRules => ({ mode: i % 2 ? 'ship_complete' : 'ship_available', maxParcels: 3, backorderPenalty: 5000 })

export interface Wave {
  readonly orders: AllocationOrder[]
  readonly stock: StockView
  readonly rules: AllocationRules
}

/**
 * A starved wave of `n` orders for the HiGHS comparison: orders over the max(6, n/2) most popular
 * SKUs, 0.3–1.2× their demand in stock, capacity 1.5× the wave's share (Kuki 0.7×); modes alternate.
 */
export function scarceWave(cat: Catalogue, n: number, seed: number, i: number): Wave {
  const list = orders(cat, n, seed, { hot: Math.max(6, Math.round(n / 2)) })
  return { orders: list, stock: stockFor(cat, list, seed + 1, { cover: [0.3, 1.2], capacity: 1.5, busy: { loc_saitama_kuki: 0.7 } }), rules: SCARCE_RULES(i) }
}

/**
 * A day's wave of `n` orders over the whole catalogue: stock 1–2.5× the wave's demand of each SKU
 * spread unevenly over its centres, capacity 3× the wave's share, Kuki and Ibaraki busy (0.7×, 0.8×).
 */
export function largeWave(cat: Catalogue, n: number, seed: number): Wave {
  const list = orders(cat, n, seed)
  return { orders: list, stock: stockFor(cat, list, seed + 1, { cover: [1.0, 2.5], idleUnits: 1, capacity: 3, busy: { loc_saitama_kuki: 0.7, loc_osaka_ibaraki: 0.8 } }), rules: {} }
}
