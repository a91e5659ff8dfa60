/**
 * The allocation problem written as a mixed-integer program in CPLEX LP format, for the HiGHS
 * solver (npm `highs`, a devDependency) in tests and benchmarks: it proves how close the
 * per-order search and the wave heuristic are to optimal. It prices from rates.ts and cost.ts
 * directly and shares no code with solve.ts, so it is an independent check. Not used at run time.
 */
import { leadDays, resolveRules, shipDayOffset, daysBetween, type AllocationOrder, type AllocationRules, type Clock } from './cost.js'
import type { Location } from './network.js'
import { DEFAULT_RATES, SIZE_BANDS, bandIndex, shippingCost, type RateTable } from './rates.js'
import type { StockView } from './solve.js'

const TEMPS = ['ambient', 'cool', 'frozen'] as const

export interface MipInput {
  readonly locations: readonly Location[]
  readonly now: Clock
  readonly orders: readonly AllocationOrder[]
  readonly stock: StockView
  readonly rules?: AllocationRules
  readonly rates?: RateTable
  /** When false (per-order ship_complete) an order may not be held: the MIP is infeasible instead. */
  readonly allowHold?: boolean
}

/** The wave as a CPLEX LP string; its optimum is the least total cost (held orders at the penalty). */
export function allocationMip(input: MipInput): string {
  const rules = resolveRules(input.rules)
  const rates = input.rates ?? DEFAULT_RATES
  const locs = input.locations
  const obj: string[] = []
  const rows: string[] = []
  const bounds: string[] = []
  const ints: string[] = []
  const bins: string[] = []
  const stockRows = new Map<string, string[]>() // `${sku}|${i}` → x terms
  const capRows = new Map<number, string[]>()
  const pinned = rules.pinned.length ? new Set(rules.pinned) : undefined
  input.orders.forEach((order, o) => {
    const dest = order.destinationPrefecture.padStart(2, '0')
    const toPromise = order.promisedDate ? daysBetween(input.now.date, order.promisedDate) : Infinity
    const merged = new Map<string, { qty: number; band: number; temp: number; requires: readonly string[] }>()
    for (const l of order.lines) {
      const m = merged.get(l.sku)
      if (m) {
        m.qty += l.quantity
        m.band = Math.max(m.band, bandIndex(l.sizeBand))
      } else merged.set(l.sku, { qty: l.quantity, band: bandIndex(l.sizeBand), temp: TEMPS.indexOf(l.temperature ?? 'ambient'), requires: l.requires ?? [] })
    }
    const parcelTerms: string[] = []
    const parcelLinks = new Map<string, { i: number; t: number; maxBand: number; us: { u: string; band: number }[] }>()
    const totalQty = [...merged.values()].reduce((a, l) => a + l.qty, 0)
    const hold = `h_${o}`
    if (rules.mode === 'ship_complete') {
      bins.push(hold)
      obj.push(`${rules.backorderPenalty * totalQty} ${hold}`)
      if (input.allowHold === false) bounds.push(`${hold} = 0`)
    }
    let k = 0
    for (const [sku, line] of merged) {
      const xs: string[] = []
      locs.forEach((l, i) => {
        if (rules.excluded.includes(l.id) || (pinned && !pinned.has(l.id))) return
        if ((input.stock.capacity?.get(l.id) ?? l.dailyCapacity) <= 0) return
        if (line.temp === 1 && !l.capabilities.has('cool') && !l.capabilities.has('frozen')) return
        if (line.temp === 2 && !l.capabilities.has('frozen')) return
        if (line.requires.some((c) => !l.capabilities.has(c as never))) return
        const have = input.stock.available.get(sku)?.get(l.id) ?? 0
        if (have <= 0) return
        if (shippingCost(rates, l.prefectureCode, dest, SIZE_BANDS[line.band]!, { cool: line.temp > 0 }) === undefined) return
        const x = `x_${o}_${k}_${i}`
        const u = `u_${o}_${k}_${i}`
        ints.push(x)
        bins.push(u)
        bounds.push(`0 <= ${x} <= ${Math.min(have, line.qty)}`)
        rows.push(`${x} - ${line.qty} ${u} <= 0`)
        xs.push(x)
        const key = `${i}_${line.temp}`
        const pl = parcelLinks.get(key) ?? { i, t: line.temp, maxBand: -1, us: [] }
        pl.maxBand = Math.max(pl.maxBand, line.band)
        pl.us.push({ u, band: line.band })
        parcelLinks.set(key, pl)
        const sk = `${sku}|${i}`
        stockRows.set(sk, [...(stockRows.get(sk) ?? []), x])
      })
      const qtyRow = xs.length ? xs.join(' + ') : ''
      if (rules.mode === 'ship_complete') rows.push(`${qtyRow ? qtyRow + ' + ' : ''}${line.qty} ${hold} = ${line.qty}`)
      else {
        const s = `s_${o}_${k}`
        obj.push(`${rules.backorderPenalty} ${s}`)
        rows.push(`${qtyRow ? qtyRow + ' + ' : ''}${s} = ${line.qty}`)
      }
      k++
    }
    const lateVar = `L_${o}`
    const splitVar = `E_${o}`
    obj.push(`${rules.latenessPenalty} ${lateVar}`, `${rules.splitPenalty} ${splitVar}`)
    for (const pl of parcelLinks.values()) {
      const l = locs[pl.i]!
      const y = `y_${o}_${pl.i}_${pl.t}`
      bins.push(y)
      parcelTerms.push(y)
      const opts = { cool: pl.t > 0, cod: order.cod === true }
      const price = (b: number): number => shippingCost(rates, l.prefectureCode, dest, SIZE_BANDS[b]!, opts)!
      obj.push(`${price(0)} ${y}`)
      for (let b = 1; b <= pl.maxBand; b++) {
        const z = `z_${o}_${pl.i}_${pl.t}_${b}`
        bins.push(z)
        obj.push(`${price(b) - price(b - 1)} ${z}`)
        for (const { u, band } of pl.us) if (band >= b) rows.push(`${u} - ${z} <= 0`)
      }
      for (const { u } of pl.us) rows.push(`${u} - ${y} <= 0`)
      const late = Math.max(0, shipDayOffset(l, input.now) + (leadDays(l, dest) ?? 0) - toPromise)
      if (late > 0) rows.push(`${lateVar} - ${late} ${y} >= 0`)
      capRows.set(pl.i, [...(capRows.get(pl.i) ?? []), y])
    }
    if (parcelTerms.length) {
      rows.push(`${splitVar} - ${parcelTerms.join(' - ')} >= -1`)
      rows.push(`${parcelTerms.join(' + ')} <= ${rules.maxParcels}`)
    }
  })
  for (const [sk, xs] of stockRows) {
    const [sku, i] = sk.split('|') as [string, string]
    rows.push(`${xs.join(' + ')} <= ${input.stock.available.get(sku)?.get(locs[Number(i)]!.id) ?? 0}`)
  }
  for (const [i, ys] of capRows) rows.push(`${ys.join(' + ')} <= ${input.stock.capacity?.get(locs[i]!.id) ?? locs[i]!.dailyCapacity}`)
  return [
    'Minimize',
    ` obj: ${obj.length ? obj.join(' + ') : '0 dummy'}`,
    'Subject To',
    ...rows.map((r, j) => ` c${j}: ${r}`),
    'Bounds',
    ...bounds.map((b) => ` ${b}`),
    'General',
    ...ints.map((v) => ` ${v}`),
    'Binary',
    ...bins.map((v) => ` ${v}`),
    'End',
  ].join('\n')
}
