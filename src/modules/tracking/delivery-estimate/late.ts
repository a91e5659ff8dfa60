/**
 * Lateness: is a parcel past its promise, heading that way, or quiet enough to need a look.
 * Pure; `now` is passed in.
 */
import { FINAL_STATUSES, type ShipmentStatus } from '../status.js'
import { addTransitDays, daysBetween, localDateTime } from './calendar.js'
import type { Estimate } from './estimate.js'

/** Why a shipment is on the watch list. */
export type WatchReason = 'not_picked_up' | 'no_scan' | 'past_sla'

export interface LatenessThresholds {
  /** Label created but no carrier scan after this many hours (default 24). */
  notPickedUpHours?: number
  /** No scan at all for this many days while moving (default 3). */
  noScanDays?: number
  /** Tenant's promise in days from ready to delivery; absent means no SLA check. */
  slaDays?: number | null
}

export interface LatenessInput {
  /** The current (re-)estimate; null when none could be made (only the watch list is then assessed). */
  estimate: Estimate | null
  /** The first promise made to the customer (only its `date` is read); null when none was kept. */
  originalEstimate: Pick<Estimate, 'date'> | null
  status: ShipmentStatus
  /** When the latest tracking event happened (for label_created, when the label was made). */
  lastEventAt: string | null
  /** ISO instant the parcel was ready; when given, not-picked-up and SLA clocks run from it. */
  readyAt?: string | null
  /** ISO instant of the first carrier scan, if any. */
  pickedUpAt?: string | null
  now: string
  timeZone: string
  thresholds?: LatenessThresholds
}

export interface Lateness {
  /** Past the estimated date and not delivered. */
  late: boolean
  /** The re-estimate is later than the first promise, or the lane can no longer make the date. */
  trendingLate: boolean
  watch: WatchReason[]
}

const HOUR_MS = 3_600_000
const MOVING: ReadonlySet<ShipmentStatus> = new Set(['picked_up', 'in_transit'])

/** Assess lateness, trend and watch reasons of one shipment at `now`. */
export function assessLateness(input: LatenessInput): Lateness {
  const { estimate, originalEstimate, status } = input
  const notPickedUpHours = input.thresholds?.notPickedUpHours ?? 24
  const noScanDays = input.thresholds?.noScanDays ?? 3
  const slaDays = input.thresholds?.slaDays ?? null

  const nowMs = Date.parse(input.now)
  const today = localDateTime(input.now, input.timeZone)?.date
  if (Number.isNaN(nowMs) || today === undefined) throw new RangeError(`now is not an ISO instant: ${input.now}`)
  const hoursSince = (at: string | null | undefined): number | undefined => {
    const ms = at ? Date.parse(at) : Number.NaN
    return Number.isNaN(ms) ? undefined : (nowMs - ms) / HOUR_MS
  }

  // A returned parcel is a failure handled elsewhere, not a late delivery.
  const final = FINAL_STATUSES.has(status)
  const late = !final && estimate !== null && today > estimate.date

  let trendingLate = false
  if (!final && estimate) {
    if (originalEstimate && estimate.date > originalEstimate.date) trendingLate = true
    // Not yet handed over after the planned ship day: the earliest arrival is today + the lane.
    if (status === 'label_created' && today > estimate.shipDate) {
      if (addTransitDays(today, estimate.transitDays, estimate.calendar).date > estimate.date) trendingLate = true
    }
    // Still on the trunk route on (or after) the day itself: it needs at least one more delivery day.
    if (MOVING.has(status) && today >= estimate.date) trendingLate = true
  }

  const watch: WatchReason[] = []
  const waitingHours = hoursSince(input.readyAt ?? input.lastEventAt)
  if (status === 'label_created' && !input.pickedUpAt && waitingHours !== undefined && waitingHours >= notPickedUpHours) watch.push('not_picked_up')
  const quietHours = hoursSince(input.lastEventAt)
  if (!final && status !== 'label_created' && quietHours !== undefined && quietHours >= noScanDays * 24) watch.push('no_scan')
  if (slaDays !== null) {
    // Past SLA: the (estimated or actual) delivery day is more than slaDays after the ready day, or
    // an undelivered parcel has already been on its way longer than that.
    const end = estimate === null ? undefined : !final && today > estimate.date ? today : estimate.date
    const byEstimate = estimate !== null && end !== undefined && daysBetween(estimate.readyDate, end) > slaDays
    const sinceReady = hoursSince(input.readyAt)
    const byClock = !final && sinceReady !== undefined && sinceReady >= slaDays * 24
    if (byEstimate || byClock) watch.push('past_sla')
  }
  return { late, trendingLate, watch }
}
