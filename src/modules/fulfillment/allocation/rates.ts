/**
 * Carrier rate tables as data: price by size band (60–160) and origin region → destination region,
 * plus cool and COD surcharges. The shape follows Yamato 宅急便's list-price structure (a zone tier
 * per region pair, a price per size within the tier; クール adds a per-size surcharge up to 120).
 * The yen amounts are illustrative defaults of the right magnitude (2023–24 list prices), NOT a
 * carrier's price list: tenants and 3PLs replace them with their contracted rates.
 */
import { REGIONS, regionOf, type Region } from '../../tracking/delivery-estimate/index.js'

export const SIZE_BANDS = [60, 80, 100, 120, 140, 160] as const
export type SizeBand = (typeof SIZE_BANDS)[number]

/** A carrier's rate table: tier prices per size band, the tier of each region pair, surcharges. */
export interface RateTable {
  readonly carrier: string
  /** Yen per parcel for each tier, in SIZE_BANDS order. */
  readonly tiers: Readonly<Record<string, readonly number[]>>
  /** Tier name by origin region, then destination region. */
  readonly lanes: Readonly<Record<Region, Readonly<Record<Region, string>>>>
  /** Cool (クール) surcharge by size band; bands absent here cannot go cool. */
  readonly coolSurcharge: Readonly<Partial<Record<SizeBand, number>>>
  /** Cash-on-delivery fee per parcel (the lowest bracket; real fees rise with the amount collected). */
  readonly codFee: number
}

// Columns in REGIONS order: 北海道 北東北 南東北 関東 信越 北陸 中部 関西 中国 四国 九州 沖縄.
// Tiers t1…t6 grow with distance; ok_near / ok_far are Okinawa lanes (air, steeper per size).
const TIER_ROWS: readonly (readonly string[])[] = [
  /* 北海道 */ ['t1', 't2', 't3', 't5', 't5', 't5', 't5', 't6', 't6', 't6', 't6', 'ok_far'],
  /* 北東北 */ ['t2', 't1', 't1', 't2', 't2', 't2', 't2', 't3', 't4', 't4', 't5', 'ok_far'],
  /* 南東北 */ ['t3', 't1', 't1', 't1', 't1', 't1', 't2', 't2', 't3', 't3', 't4', 'ok_far'],
  /* 関東 */   ['t5', 't2', 't1', 't1', 't1', 't1', 't1', 't2', 't3', 't3', 't4', 'ok_far'],
  /* 信越 */   ['t5', 't2', 't1', 't1', 't1', 't1', 't1', 't2', 't3', 't3', 't4', 'ok_far'],
  /* 北陸 */   ['t5', 't2', 't1', 't1', 't1', 't1', 't1', 't1', 't2', 't2', 't3', 'ok_far'],
  /* 中部 */   ['t5', 't2', 't2', 't1', 't1', 't1', 't1', 't1', 't2', 't2', 't3', 'ok_far'],
  /* 関西 */   ['t6', 't3', 't2', 't2', 't2', 't1', 't1', 't1', 't1', 't1', 't2', 'ok_near'],
  /* 中国 */   ['t6', 't4', 't3', 't3', 't3', 't2', 't2', 't1', 't1', 't1', 't1', 'ok_near'],
  /* 四国 */   ['t6', 't4', 't3', 't3', 't3', 't2', 't2', 't1', 't1', 't1', 't2', 'ok_near'],
  /* 九州 */   ['t6', 't5', 't4', 't4', 't4', 't3', 't3', 't2', 't1', 't2', 't1', 'ok_near'],
  /* 沖縄 */   ['ok_far', 'ok_far', 'ok_far', 'ok_far', 'ok_far', 'ok_far', 'ok_far', 'ok_near', 'ok_near', 'ok_near', 'ok_near', 't1'],
]

function lanes(rows: readonly (readonly string[])[]): Record<Region, Record<Region, string>> {
  const out = {} as Record<Region, Record<Region, string>>
  REGIONS.forEach((o, i) => {
    out[o] = Object.fromEntries(REGIONS.map((d, j) => [d, rows[i]?.[j] ?? 't6'])) as Record<Region, string>
  })
  return out
}

/** Illustrative Yamato-like defaults (yen, tax included); see the file header. */
export const DEFAULT_RATES: RateTable = Object.freeze({
  carrier: 'yamato',
  tiers: Object.freeze({
    t1: [940, 1220, 1530, 1850, 2170, 2500],
    t2: [1060, 1330, 1650, 1970, 2290, 2620],
    t3: [1170, 1460, 1760, 2090, 2410, 2740],
    t4: [1300, 1590, 1900, 2220, 2540, 2870],
    t5: [1460, 1740, 2050, 2370, 2690, 3020],
    t6: [1570, 1850, 2160, 2490, 2810, 3140],
    ok_near: [1170, 1600, 2030, 2470, 2900, 3340],
    ok_far: [1460, 2000, 2530, 3060, 3600, 4130],
  }),
  lanes: lanes(TIER_ROWS),
  coolSurcharge: Object.freeze({ 60: 275, 80: 330, 100: 440, 120: 660 }),
  codFee: 330,
})

/** Index of a size band in SIZE_BANDS (0 for 60 … 5 for 160). */
export function bandIndex(band: SizeBand): number {
  return SIZE_BANDS.indexOf(band)
}

/**
 * Yen to ship one parcel of `sizeBand` from one prefecture to another, or undefined when the lane,
 * band or cool size is not served.
 * @example shippingCost(DEFAULT_RATES, '11', '13', 60, { cool: false, cod: false }) // 940
 */
export function shippingCost(table: RateTable, originPref: string, destPref: string, sizeBand: SizeBand, opts: { cool?: boolean; cod?: boolean } = {}): number | undefined {
  const o = regionOf(originPref)
  const d = regionOf(destPref)
  if (!o || !d) return undefined
  const tier = table.tiers[table.lanes[o][d]]
  const base = tier?.[bandIndex(sizeBand)]
  if (base === undefined) return undefined
  let cost = base
  if (opts.cool) {
    const s = table.coolSurcharge[sizeBand]
    if (s === undefined) return undefined
    cost += s
  }
  if (opts.cod) cost += table.codFee
  return cost
}

/** Weight limit in kg of each band (宅急便: 60 → 2 kg … 160 → 25 kg). */
const WEIGHT_LIMIT: Readonly<Record<SizeBand, number>> = { 60: 2, 80: 5, 100: 10, 120: 15, 140: 20, 160: 25 }

/**
 * The smallest size band whose three-side sum (cm) and weight (kg) limits both fit, or undefined
 * when the item is beyond 160 size / 25 kg (oversized: 家財便 or charter, not priced here).
 */
export function sizeBandOf(dims: { lengthCm: number; widthCm: number; heightCm: number; weightKg: number }): SizeBand | undefined {
  const sum = dims.lengthCm + dims.widthCm + dims.heightCm
  return SIZE_BANDS.find((b) => sum <= b && dims.weightKg <= WEIGHT_LIMIT[b])
}
