/**
 * Estimated delivery date (EDD): centre ship day → carrier lane → service and island extras →
 * carrier delivery calendar, then re-estimated from tracking events. Pure: time comes in as input.
 */
import { prefectureByCode } from '../../../platform/japan/prefectures.js'
import type { ShipmentStatus } from '../status.js'
import {
  addDays,
  addTransitDays,
  centreShipDate,
  type DeliveryCalendar,
  isIsoDate,
  localDateTime,
  nextDeliveryDay,
} from './calendar.js'
import {
  type CarrierCode,
  carrierCalendar,
  DEFAULT_LEAD_TIMES,
  findServiceRule,
  INTERNATIONAL_CARRIERS,
  type LeadTimeTable,
  type RegionMatrix,
} from './lead-times.js'
import { REGIONS, type Region, regionOf } from './regions.js'
import { relayExtraDays, remoteAreaFor } from './remote.js'

export interface EstimateInput {
  carrier: CarrierCode
  service: string | null
  /** JIS code of the shipping prefecture; null → unknown → national default for the destination. */
  originPrefecture: string | null
  destinationPrefecture: string | null
  destinationPostalCode: string | null
  /** ISO instant the parcel was ready / the label was created. */
  readyAt: string
  /** Centre's daily cut-off 'HH:MM' in `timeZone`; null ships the ready day if the centre is open. */
  cutoff: string | null
  centreClosedWeekdays?: number[]
  centreClosedDates?: string[]
  /** The centre also does not ship on national holidays (default false: only the listed closures). */
  centreClosedOnHolidays?: boolean
  timeZone: string
  /** Customer's 配達日指定 'YYYY-MM-DD': the estimate is never before it. */
  requestedDate?: string | null
  table?: LeadTimeTable
  /** Tracking history so far, in any order. */
  events: Array<{ status: ShipmentStatus; occurredAt: string }>
}

export interface Estimate {
  /** Most likely delivery date 'YYYY-MM-DD' in the input's time zone. */
  date: string
  earliest: string
  latest: string
  /** Transit days the lane needs after shipping (lane + service + island extras). */
  transitDays: number
  /** Human-readable reasons, English. */
  basis: string[]
  /** Local date the parcel became ready. */
  readyDate: string
  /** Local date it ships (centre calendar), or was picked up. */
  shipDate: string
  /** Delivery calendar the estimate was counted on, so lateness can count days the same way. */
  calendar: DeliveryCalendar
}

const LAST_MILE: ReadonlySet<ShipmentStatus> = new Set(['out_for_delivery', 'delivery_failed', 'held_at_depot'])

/**
 * Estimate the delivery date, or null when it cannot be known: international service or carrier,
 * unknown destination, unparseable ready time, a centre that never opens, or a parcel returned to sender.
 * @example estimateDelivery({ carrier: 'yamato', service: null, originPrefecture: '13', destinationPrefecture: '47',
 *   destinationPostalCode: null, readyAt: '2026-11-26T01:00:00Z', cutoff: '15:00', timeZone: 'Asia/Tokyo', events: [] })
 *   // → { date: '2026-11-28', … basis: ['ship 2026-11-26 (…)', 'yamato 関東→沖縄 2 days'] }
 */
export function estimateDelivery(input: EstimateInput): Estimate | null {
  const table = input.table ?? DEFAULT_LEAD_TIMES
  const { timeZone } = input
  const basis: string[] = []

  if (INTERNATIONAL_CARRIERS.has(input.carrier) && !table.regions[input.carrier]) return null
  const rule = findServiceRule(table, input.carrier, input.service)
  if (rule?.international) return null

  const island = remoteAreaFor(input.destinationPostalCode)
  const destCode = prefectureByCode(input.destinationPrefecture ?? '')?.code ?? island?.prefecture
  const destRegion = regionOf(destCode)
  if (!destCode || !destRegion) return null
  const originCode = prefectureByCode(input.originPrefecture ?? '')?.code
  const calendar: DeliveryCalendar = rule?.calendar ?? carrierCalendar(input.carrier)

  const events = input.events
    .map((e) => ({ status: e.status, ms: Date.parse(e.occurredAt), at: e.occurredAt }))
    .filter((e) => !Number.isNaN(e.ms))
    .sort((x, y) => x.ms - y.ms)
  const localDay = (at: string): string => localDateTime(at, timeZone)?.date ?? ''
  if (events.some((e) => e.status === 'returned_to_sender') && !events.some((e) => e.status === 'delivered')) return null

  const centre = centreShipDate(
    input.readyAt,
    { cutoff: input.cutoff, closedWeekdays: input.centreClosedWeekdays, closedDates: input.centreClosedDates, closedOnHolidays: input.centreClosedOnHolidays },
    timeZone,
  )
  if (!centre) return null
  const readyDate = centre.readyDate

  // Lane, service and island days.
  const lane = laneDays(table, input.carrier, originCode, destCode)
  let transitDays = lane.days
  let spread = 1 // about one parcel in ten arrives a day after the table says
  basis.push(lane.reason)
  if (lane.unknownOrigin) spread += lane.maxDays - lane.days
  if (rule && (rule.extraDays !== 0 || rule.spreadDays)) {
    transitDays += rule.extraDays
    spread += rule.spreadDays ?? 0
    basis.push(`service ${rule.label} ${signed(rule.extraDays)} day${Math.abs(rule.extraDays) === 1 ? '' : 's'}`)
  }
  if (island) {
    const relay = relayExtraDays(input.carrier)
    transitDays += island.extraDays + relay
    spread += island.spreadDays
    basis.push(`remote island ${island.name} ${signed(island.extraDays)}`)
    if (relay > 0) basis.push(`${input.carrier} island relay ${signed(relay)}`)
  }

  const delivered = events.find((e) => e.status === 'delivered')
  if (delivered) {
    const day = localDay(delivered.at)
    return { date: day, earliest: day, latest: day, transitDays, basis: [`delivered ${day}`], readyDate, shipDate: centre.date, calendar }
  }

  // Ship day: the first carrier scan replaces the centre's planned day.
  let shipDate = centre.date
  const pickup = events.find((e) => e.status === 'picked_up' || e.status === 'in_transit')
  if (pickup) {
    shipDate = maxDate(localDay(pickup.at), readyDate)
    basis.unshift(`picked up ${shipDate}`)
  } else {
    basis.unshift(...centre.reasons)
  }

  const arrival = addTransitDays(shipDate, transitDays, calendar)
  basis.push(...arrival.skipped)
  let date = arrival.date
  let earliest = lane.unknownOrigin ? addTransitDays(shipDate, transitDays - (lane.days - lane.minDays), calendar).date : date
  let latest = addTransitDays(date, spread, calendar).date

  // The last out-for-delivery / failed attempt / hold decides the day outright.
  const lastMile = [...events].reverse().find((e) => LAST_MILE.has(e.status))
  if (lastMile) {
    const day = maxDate(localDay(lastMile.at), readyDate)
    if (lastMile.status === 'out_for_delivery') {
      date = day
      earliest = day
      latest = day
      basis.push(`out for delivery ${day}`)
    } else {
      const next = nextDeliveryDay(addDays(day, 1), calendar)
      date = next.date
      earliest = next.date
      latest = nextDeliveryDay(addDays(next.date, 1), calendar).date
      basis.push(`${lastMile.status === 'delivery_failed' ? 'delivery attempt failed' : 'held at depot'} ${day}, next delivery day ${date}`, ...next.skipped)
    }
  }

  // A customer's chosen day holds unless the parcel is already on the truck.
  const requested = input.requestedDate
  if (requested && isIsoDate(requested) && lastMile?.status !== 'out_for_delivery') {
    if (requested > date) {
      date = requested
      earliest = maxDate(earliest, requested)
      latest = maxDate(latest, requested)
      basis.push(`customer requested ${requested}`)
    } else if (requested < date) {
      basis.push(`requested ${requested} is earlier than possible`)
    }
  }

  // An exception not followed by a last-mile scan widens the window.
  const lastException = [...events].reverse().find((e) => e.status === 'exception')
  if (lastException && (!lastMile || lastException.ms > lastMile.ms)) {
    latest = addTransitDays(latest, 2, calendar).date
    basis.push(`exception ${localDay(lastException.at)}: latest +2 days`)
  }

  earliest = minDate(earliest, date)
  latest = maxDate(latest, date)
  return { date, earliest, latest, transitDays, basis, readyDate, shipDate, calendar }
}

interface Lane {
  days: number
  minDays: number
  maxDays: number
  unknownOrigin: boolean
  reason: string
}

/** Lane days: prefecture override, then the carrier's region matrix, then the default; median when the origin is unknown. */
function laneDays(table: LeadTimeTable, carrier: CarrierCode, originCode: string | undefined, destCode: string): Lane {
  const destRegion = regionOf(destCode) as Region
  const matrix: RegionMatrix = table.regions[carrier] ?? table.regions.default
  if (originCode) {
    const override = table.prefectures?.[carrier]?.[originCode]?.[destCode] ?? table.prefectures?.default?.[originCode]?.[destCode]
    if (override !== undefined) {
      return { days: override, minDays: override, maxDays: override, unknownOrigin: false, reason: `${carrier} ${originCode}→${destCode} ${plural(override)} (tenant lane)` }
    }
    const originRegion = regionOf(originCode) as Region
    const days = matrix[originRegion][destRegion]
    return { days, minDays: days, maxDays: days, unknownOrigin: false, reason: `${carrier} ${originRegion}→${destRegion} ${plural(days)}` }
  }
  // Unknown origin: most centres are on the mainland, so take the median over mainland origins
  // and widen the window to the slowest of them.
  const col = REGIONS.filter((r) => r !== '北海道' && r !== '沖縄').map((o) => matrix[o][destRegion]).sort((x, y) => x - y)
  const days = col[Math.floor(col.length / 2)] ?? 2
  return {
    days,
    minDays: col[0] ?? days,
    maxDays: col[col.length - 1] ?? days,
    unknownOrigin: true,
    reason: `origin unknown: ${carrier} national median →${destRegion} ${plural(days)}`,
  }
}

function plural(days: number): string {
  return `${days} day${days === 1 ? '' : 's'}`
}

function signed(n: number): string {
  return n >= 0 ? `+${n}` : String(n)
}

function maxDate(a: string, b: string): string {
  return a > b ? a : b
}

function minDate(a: string, b: string): string {
  return a < b ? a : b
}
