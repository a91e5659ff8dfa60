/**
 * Calendar arithmetic on local dates ('YYYY-MM-DD'): which days a carrier delivers on, and which day a
 * fulfilment centre ships a parcel that became ready at a given instant. Dates are plain strings and
 * all maths is done at UTC midnight, so the machine's own time zone never leaks in.
 */
import holidayJp from '@holiday-jp/holiday_jp'

/**
 * How a service delivers:
 * - `every_day`: 宅急便, 飛脚宅配便, ゆうパック, ゆうパケット, クリックポスト, ネコポス — 7 days a week incl.
 *   holidays and New Year (Japan Post's Oct 2021 change kept these on Sat/Sun/holidays).
 * - `weekdays`: ゆうメール and other ordinary mail — no Saturday (since 2 Oct 2021), Sunday, holiday or 2 Jan
 *   (郵便法施行規則 also exempts 2 Jan); transit days are counted on delivery days only.
 * - `b2b`: Seino, Fukuyama — no Sunday, holiday or 31 Dec–3 Jan. Saturday delivery is assumed (both run
 *   Saturdays for most areas; unverified per area).
 */
export type DeliveryCalendar = 'every_day' | 'weekdays' | 'b2b'

const DAY_MS = 86_400_000
const WEEKDAY_EN = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const

// The library's isHoliday(Date) formats with the process's local zone; looking up the
// 'YYYY-MM-DD' key directly is zone-proof (and O(1)).
const HOLIDAYS: Readonly<Record<string, { name: string; name_en: string }>> = holidayJp.holidays

/** True when `date` ('YYYY-MM-DD', a Japanese calendar date) is a national holiday incl. 振替休日. */
export function isJapaneseHoliday(date: string): boolean {
  return Object.hasOwn(HOLIDAYS, date)
}

/** The holiday's Japanese name, e.g. 勤労感謝の日, or undefined on other days. */
export function holidayName(date: string): string | undefined {
  return Object.hasOwn(HOLIDAYS, date) ? HOLIDAYS[date]?.name : undefined
}

function toMs(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date)
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${date}`)
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))
}

function fromMs(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

/** True for a well-formed, existing calendar date 'YYYY-MM-DD'. */
export function isIsoDate(date: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(date) && fromMs(toMs(date)) === date
}

/** The date `n` calendar days after `date` (negative goes back). */
export function addDays(date: string, n: number): string {
  return fromMs(toMs(date) + n * DAY_MS)
}

/** Calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((toMs(to) - toMs(from)) / DAY_MS)
}

/** Day of week, 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: string): number {
  return new Date(toMs(date)).getUTCDay()
}

const formatters = new Map<string, Intl.DateTimeFormat>()

/** The local date and 'HH:MM' of an instant in a time zone; undefined when the instant does not parse. */
export function localDateTime(instant: string, timeZone: string): { date: string; time: string } | undefined {
  const ms = Date.parse(instant)
  if (Number.isNaN(ms)) return undefined
  let fmt = formatters.get(timeZone)
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-CA', {
      timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    })
    formatters.set(timeZone, fmt)
  }
  const parts = Object.fromEntries(fmt.formatToParts(new Date(ms)).map((p) => [p.type, p.value]))
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` }
}

function isYearEnd(date: string): boolean {
  const md = date.slice(5)
  return md === '12-31' || md === '01-01' || md === '01-02' || md === '01-03'
}

/** Why a carrier does not deliver on `date`, or undefined when it does. */
export function nonDeliveryReason(date: string, calendar: DeliveryCalendar): string | undefined {
  if (calendar === 'every_day') return undefined
  const dow = dayOfWeek(date)
  const holiday = holidayName(date)
  if (calendar === 'b2b' && isYearEnd(date)) return `year-end closure ${date} skipped`
  if (holiday) return `holiday ${date} skipped (${holiday})`
  if (dow === 0) return `Sunday ${date} skipped`
  if (calendar === 'weekdays') {
    if (dow === 6) return `Saturday ${date} skipped`
    if (date.slice(5) === '01-02') return `New Year ${date} skipped`
  }
  return undefined
}

/** True when the carrier delivers on this date under the given calendar. */
export function isDeliveryDay(date: string, calendar: DeliveryCalendar): boolean {
  return nonDeliveryReason(date, calendar) === undefined
}

/** The first delivery day on or after `date`, with the days passed over and why. */
export function nextDeliveryDay(date: string, calendar: DeliveryCalendar): { date: string; skipped: string[] } {
  const skipped: string[] = []
  let d = date
  // Any calendar has a delivery day within a week; 14 bounds the loop even around New Year.
  for (let i = 0; i < 14; i++) {
    const why = nonDeliveryReason(d, calendar)
    if (why === undefined) return { date: d, skipped }
    skipped.push(why)
    d = addDays(d, 1)
  }
  return { date: d, skipped }
}

/**
 * The day a parcel shipped on `shipDate` arrives after `days` transit days. Every-day carriers count
 * calendar days; mail and B2B networks count only their delivery days, as their own day-counts do.
 */
export function addTransitDays(shipDate: string, days: number, calendar: DeliveryCalendar): { date: string; skipped: string[] } {
  if (calendar === 'every_day') return { date: addDays(shipDate, Math.max(0, days)), skipped: [] }
  const skipped: string[] = []
  let d = shipDate
  let left = Math.max(0, days)
  while (left > 0) {
    d = addDays(d, 1)
    const why = nonDeliveryReason(d, calendar)
    if (why === undefined) left--
    else skipped.push(why)
  }
  const landed = nextDeliveryDay(d, calendar)
  return { date: landed.date, skipped: [...skipped, ...landed.skipped] }
}

/** Delivery days after `from` up to and including `to` (0 when `to` is not after `from`). */
export function deliveryDaysBetween(from: string, to: string, calendar: DeliveryCalendar): number {
  let n = 0
  for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (isDeliveryDay(d, calendar)) n++
  return n
}

/** A fulfilment centre's shipping calendar. */
export interface CentreCalendar {
  /** Daily cut-off 'HH:MM' in the centre's zone; null ships anything ready on a working day that day. */
  readonly cutoff: string | null
  /** Weekdays the centre does not ship, 0 = Sunday … 6 = Saturday. */
  readonly closedWeekdays?: readonly number[]
  /** Dates 'YYYY-MM-DD' the centre does not ship (its own holidays, stock-take, New Year). */
  readonly closedDates?: readonly string[]
  /** Also closed on national holidays (many 3PLs are; default false, i.e. only what is listed). */
  readonly closedOnHolidays?: boolean
}

function centreClosedReason(date: string, centre: CentreCalendar): string | undefined {
  if (centre.closedDates?.includes(date)) return `centre closed ${date}`
  if (centre.closedWeekdays?.includes(dayOfWeek(date))) return `centre closed on ${WEEKDAY_EN[dayOfWeek(date)]} ${date}`
  if (centre.closedOnHolidays) {
    const holiday = holidayName(date)
    if (holiday) return `holiday ${date} skipped (${holiday}, centre closed)`
  }
  return undefined
}

/**
 * The day the centre hands the parcel to the carrier: the ready day when it is a working day and the
 * parcel was ready before the cut-off, else the next working day. Undefined when the instant does not
 * parse or the centre has no working day within a year.
 */
export function centreShipDate(readyAt: string, centre: CentreCalendar, timeZone: string): { date: string; readyDate: string; reasons: string[] } | undefined {
  const local = localDateTime(readyAt, timeZone)
  if (!local) return undefined
  const reasons: string[] = []
  const afterCutoff = centre.cutoff !== null && local.time >= normaliseHhMm(centre.cutoff)
  let d = local.date
  if (afterCutoff) d = addDays(d, 1)
  for (let i = 0; i < 366; i++) {
    const why = centreClosedReason(d, centre)
    if (why === undefined) {
      const note = afterCutoff
        ? `after ${normaliseHhMm(centre.cutoff ?? '')} cut-off`
        : d !== local.date
          ? 'centre closed on the ready day'
          : centre.cutoff !== null
            ? `ready ${local.time}, before ${normaliseHhMm(centre.cutoff)} cut-off`
            : 'no cut-off'
      reasons.unshift(`ship ${d} (${note})`)
      return { date: d, readyDate: local.date, reasons }
    }
    reasons.push(why)
    d = addDays(d, 1)
  }
  return undefined
}

/** '9:5' or '09:05' → '09:05', so string comparison orders times correctly. */
function normaliseHhMm(hhmm: string): string {
  const m = /^(\d{1,2}):(\d{1,2})$/.exec(hhmm.trim())
  if (!m) throw new RangeError(`cut-off must be HH:MM, got ${hhmm}`)
  return `${m[1]?.padStart(2, '0')}:${m[2]?.padStart(2, '0')}`
}
