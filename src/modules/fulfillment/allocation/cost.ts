/**
 * The allocation cost model in one place: what an order, a rule set and a parcel are, how many days
 * a parcel from a centre will be late, and how a plan's expected cost is made of its parts
 * (shipping + split penalty + lateness penalty + backorder penalty). The solver and the tests both
 * price plans through `planCost`, so "total = sum of the parts" holds by construction and is checked.
 */
import { DEFAULT_LEAD_TIMES, regionOf, type CarrierCode, type LeadTimeTable } from '../../tracking/delivery-estimate/index.js'
import type { Capability, Location } from './network.js'
import type { SizeBand } from './rates.js'

export type Temperature = 'ambient' | 'cool' | 'frozen'

/** One order line: `sizeBand` is the band of the packed line (its units travel in one parcel). */
export interface OrderLine {
  readonly sku: string
  readonly quantity: number
  readonly sizeBand: SizeBand
  /** Cool (冷蔵) or frozen (冷凍) goods ship in their own temperature-controlled parcel. */
  readonly temperature?: Temperature
  /** Extra capabilities the shipping location needs (oversized, hazardous). */
  readonly requires?: readonly Capability[]
}

export interface AllocationOrder {
  readonly id: string
  /** JIS prefecture code of the delivery address. */
  readonly destinationPrefecture: string
  /** Promised delivery date 'YYYY-MM-DD'; lateness is only priced when present. */
  readonly promisedDate?: string
  readonly cod?: boolean
  readonly lines: readonly OrderLine[]
}

export type AllocationMode = 'ship_complete' | 'ship_available'

/** A tenant's allocation rules. */
export interface AllocationRules {
  /** When non-empty, only these locations may ship. */
  readonly pinned?: readonly string[]
  readonly excluded?: readonly string[]
  /** Parcels per order at most (default 4). */
  readonly maxParcels?: number
  readonly mode?: AllocationMode
  /** Yen charged for every parcel beyond the first (handling, packaging, customer annoyance). */
  readonly splitPenalty?: number
  /** Yen per day the last parcel arrives after the promised date. */
  readonly latenessPenalty?: number
  /** Yen per unit left unshipped (ship_available backorder or an order held in a batch). */
  readonly backorderPenalty?: number
}

export const DEFAULT_RULES = Object.freeze({
  pinned: [] as readonly string[],
  excluded: [] as readonly string[],
  maxParcels: 4,
  mode: 'ship_complete' as AllocationMode,
  splitPenalty: 300,
  latenessPenalty: 500,
  backorderPenalty: 20_000,
})

export type ResolvedRules = typeof DEFAULT_RULES

/** Rules with defaults filled in. */
export function resolveRules(rules: AllocationRules = {}): ResolvedRules {
  return { ...DEFAULT_RULES, ...Object.fromEntries(Object.entries(rules).filter(([, v]) => v !== undefined)) } as ResolvedRules
}

/** "Now" in Japan time, injected so decisions are reproducible. */
export interface Clock {
  /** Local date 'YYYY-MM-DD'. */
  readonly date: string
  /** Local time 'HH:MM'. */
  readonly time: string
}

/**
 * Days after today the location's parcels ship: today before its cut-off, else the next day, moved
 * on past the days its calendar closes (closed weekdays and dates). At most two weeks ahead.
 */
export function shipDayOffset(location: Location, now: Clock): number {
  let offset = hhmm(now.time) >= hhmm(location.cutoff) ? 1 : 0
  const closedDays = location.closedWeekdays ?? []
  const closedDates = location.closedDates ?? []
  if (closedDays.length === 0 && closedDates.length === 0) return offset
  while (offset < 14) {
    const day = addDays(now.date, offset)
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay()
    if (!closedDays.includes(weekday) && !closedDates.includes(day)) break
    offset++
  }
  return offset
}

function hhmm(t: string): string {
  const m = /^(\d{1,2}):(\d{1,2})$/.exec(t.trim())
  if (!m) throw new RangeError(`time must be HH:MM, got ${t}`)
  return `${m[1]?.padStart(2, '0')}:${m[2]?.padStart(2, '0')}`
}

/** Transit days from a location to a prefecture on its first carrier (prefecture lanes beat region lanes). */
export function leadDays(location: Location, destPref: string, table: LeadTimeTable = DEFAULT_LEAD_TIMES): number | undefined {
  const carrier: CarrierCode = location.carriers[0] ?? 'other'
  const o = location.prefectureCode
  const d = destPref.padStart(2, '0')
  const lane = table.prefectures?.[carrier]?.[o]?.[d] ?? table.prefectures?.default?.[o]?.[d]
  if (lane !== undefined) return lane
  const ro = regionOf(o)
  const rd = regionOf(d)
  if (!ro || !rd) return undefined
  return (table.regions[carrier] ?? table.regions.default)[ro][rd]
}

/** The date `n` days after an ISO date. */
export function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)
}

/** Calendar days from `from` to `to`. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000)
}

/** One parcel of a plan: where it ships from, what it holds and what it costs to ship. */
export interface PlannedParcel {
  readonly locationId: string
  readonly temperature: Temperature
  readonly sizeBand: SizeBand
  readonly lines: readonly { readonly sku: string; readonly quantity: number }[]
  readonly shipDate: string
  readonly deliveryDate: string
  readonly daysLate: number
  readonly shippingCost: number
}

/** A plan's expected cost and its parts, in yen. */
export interface CostBreakdown {
  readonly shipping: number
  readonly split: number
  readonly lateness: number
  readonly backorder: number
  readonly total: number
}

/**
 * Expected cost of a plan: Σ parcel shipping + splitPenalty × (parcels − 1) + latenessPenalty × days
 * the last parcel is late + backorderPenalty × units not shipped.
 */
export function planCost(parcels: readonly Pick<PlannedParcel, 'shippingCost' | 'daysLate'>[], backorderUnits: number, rules: Pick<ResolvedRules, 'splitPenalty' | 'latenessPenalty' | 'backorderPenalty'>): CostBreakdown {
  let shipping = 0
  let late = 0
  for (const p of parcels) {
    shipping += p.shippingCost
    if (p.daysLate > late) late = p.daysLate
  }
  const split = rules.splitPenalty * Math.max(0, parcels.length - 1)
  const lateness = rules.latenessPenalty * late
  const backorder = rules.backorderPenalty * backorderUnits
  return { shipping, split, lateness, backorder, total: shipping + split + lateness + backorder }
}
