/**
 * The naive baseline for `npm run bench:allocation`: "greedy nearest centre". Each line ships from
 * the centre nearest (great-circle, `distanceKm`) to the destination prefecture's capital that can
 * ship it (capability, lane, capacity) and has stock, the rest of its units from the next nearest,
 * and so on. Priced with the same cost model (cost.ts `planCost`, rates.ts `shippingCost`) so its
 * cost is comparable with the allocator's. Lines of one temperature at one centre share a parcel.
 */
import { prefectureByCode } from '../../src/platform/japan/prefectures.ts'
import { daysBetween, leadDays, planCost, resolveRules, shipDayOffset, type AllocationOrder, type AllocationRules, type Clock } from '../../src/modules/fulfillment/allocation/cost.ts'
import { distanceKm, type Location } from '../../src/modules/fulfillment/allocation/network.ts'
import { DEFAULT_RATES, SIZE_BANDS, shippingCost, type SizeBand } from '../../src/modules/fulfillment/allocation/rates.ts'
import type { StockView } from '../../src/modules/fulfillment/allocation/solve.ts'

export interface NearestPlan {
  /** Cost in yen (held ship_complete orders at backorderPenalty × units). */
  readonly cost: number
  readonly held: boolean
  /** Units taken per `${sku}|${locationId}`, parcels per location id. */
  readonly units: Map<string, number>
  readonly parcels: Map<string, number>
}

export interface NearestCentre {
  plan(order: AllocationOrder, stock: StockView, rules?: AllocationRules): NearestPlan
  /** Orders one by one in arrival order, each taking stock and capacity from the next. */
  sequential(list: readonly AllocationOrder[], stock: StockView, rules?: AllocationRules): { totalCost: number; held: number }
}

const TEMPS = ['ambient', 'cool', 'frozen'] as const

export function nearestCentre(locations: readonly Location[], now: Clock): NearestCentre {
  // Centres by distance to each prefecture's capital, computed once.
  const byDistance = new Map<string, Location[]>()
  for (let p = 1; p <= 47; p++) {
    const code = String(p).padStart(2, '0')
    const cap = prefectureByCode(code)!.capital
    byDistance.set(code, [...locations].sort((a, b) => distanceKm(a, cap) - distanceKm(b, cap)))
  }
  const offset = new Map(locations.map((l) => [l.id, shipDayOffset(l, now)]))

  function plan(order: AllocationOrder, stock: StockView, rulesIn?: AllocationRules): NearestPlan {
    const rules = resolveRules(rulesIn)
    const dest = order.destinationPrefecture.padStart(2, '0')
    const toPromise = order.promisedDate ? daysBetween(now.date, order.promisedDate) : Infinity
    const units = new Map<string, number>()
    const parcels = new Map<string, { loc: Location; temp: number; band: number }>()
    let backorder = 0
    let totalUnits = 0
    for (const line of order.lines) {
      totalUnits += line.quantity
      const temp = TEMPS.indexOf(line.temperature ?? 'ambient')
      let left = line.quantity
      for (const loc of byDistance.get(dest) ?? []) {
        if (left === 0) break
        if (rules.excluded.includes(loc.id) || (rules.pinned.length > 0 && !rules.pinned.includes(loc.id))) continue
        if (temp === 1 && !loc.capabilities.has('cool') && !loc.capabilities.has('frozen')) continue
        if (temp === 2 && !loc.capabilities.has('frozen')) continue
        if (line.requires?.some((c) => !loc.capabilities.has(c))) continue
        if (shippingCost(DEFAULT_RATES, loc.prefectureCode, dest, line.sizeBand, { cool: temp > 0 }) === undefined) continue
        const key = `${line.sku}|${loc.id}`
        const have = (stock.available.get(line.sku)?.get(loc.id) ?? 0) - (units.get(key) ?? 0)
        if (have <= 0) continue
        const pk = `${loc.id}|${temp}`
        if (!parcels.has(pk)) {
          const used = [...parcels.values()].filter((p) => p.loc === loc).length
          if ((stock.capacity?.get(loc.id) ?? loc.dailyCapacity) - used <= 0) continue
          parcels.set(pk, { loc, temp, band: SIZE_BANDS.indexOf(line.sizeBand) })
        }
        const p = parcels.get(pk)!
        p.band = Math.max(p.band, SIZE_BANDS.indexOf(line.sizeBand))
        const take = Math.min(have, left)
        units.set(key, (units.get(key) ?? 0) + take)
        left -= take
      }
      backorder += left
    }
    const held = parcels.size > rules.maxParcels || (rules.mode === 'ship_complete' && backorder > 0) || parcels.size === 0
    if (held) return { cost: rules.backorderPenalty * totalUnits, held: true, units: new Map(), parcels: new Map() }
    const priced = [...parcels.values()].map((p) => ({
      shippingCost: shippingCost(DEFAULT_RATES, p.loc.prefectureCode, dest, SIZE_BANDS[p.band] as SizeBand, { cool: p.temp > 0, cod: order.cod === true })!,
      daysLate: Math.max(0, offset.get(p.loc.id)! + (leadDays(p.loc, dest) ?? 0) - toPromise),
    }))
    const perLoc = new Map<string, number>()
    for (const p of parcels.values()) perLoc.set(p.loc.id, (perLoc.get(p.loc.id) ?? 0) + 1)
    return { cost: planCost(priced, backorder, rules).total, held: false, units, parcels: perLoc }
  }

  function sequential(list: readonly AllocationOrder[], stock: StockView, rules?: AllocationRules) {
    const available = new Map([...stock.available].map(([sku, m]) => [sku, new Map(m)]))
    const capacity = new Map(locations.map((l) => [l.id, stock.capacity?.get(l.id) ?? l.dailyCapacity]))
    const view: StockView = { available, capacity }
    let totalCost = 0
    let held = 0
    for (const o of list) {
      const p = plan(o, view, rules)
      totalCost += p.cost
      if (p.held) held++
      for (const [key, q] of p.units) {
        const [sku, loc] = key.split('|') as [string, string]
        available.get(sku)!.set(loc, available.get(sku)!.get(loc)! - q)
      }
      for (const [loc, n] of p.parcels) capacity.set(loc, capacity.get(loc)! - n)
    }
    return { totalCost, held }
  }

  return { plan, sequential }
}
