import { localDateTime } from '../tracking/delivery-estimate/calendar.js'
import type { CustomerChannel, MessageCategory } from './types.js'

/**
 * The sending rules, as pure functions: which channel, whether consent allows it, quiet hours and
 * the frequency cap. The service gathers the facts; these decide.
 */

export interface Reach {
  email?: string | null
  line?: string | null
  sms?: string | null
}

export interface ChannelFacts {
  category: MessageCategory
  /** Tenant policy, first choice first (default LINE, then email, then SMS). */
  order: readonly CustomerChannel[]
  /** The customer's own choice from the preference centre; tried first when allowed. */
  preferred?: CustomerChannel | null
  /** The customer's address on each channel. */
  reach: Reach
  /** Channels this tenant can send on (LINE needs a channel token, SMS a provider account). */
  configured: ReadonlySet<CustomerChannel>
  /** Current marketing consent per channel (absent = never given). */
  consent: Partial<Record<CustomerChannel, boolean>>
  /** Channels whose address is suppressed (bounced, complained, blocked). */
  suppressed: ReadonlySet<CustomerChannel>
}

export type ChannelChoice = { channel: CustomerChannel; address: string } | { channel: null; reasons: string[] }

/**
 * The first channel, in the customer's preference then the tenant's order, that is configured,
 * has an address, is not suppressed and (for marketing) has the customer's opt-in. When none is,
 * the reasons say why for each one, for the message log.
 */
export function chooseChannel(f: ChannelFacts): ChannelChoice {
  const order = f.preferred && f.order.includes(f.preferred) ? [f.preferred, ...f.order.filter((c) => c !== f.preferred)] : [...f.order]
  const reasons: string[] = []
  for (const channel of order) {
    const address = f.reach[channel]
    if (!f.configured.has(channel)) reasons.push(`${channel}: not configured for this brand`)
    else if (!address) reasons.push(`${channel}: ${channel === 'line' ? 'LINE not linked' : channel === 'sms' ? 'no phone number' : 'no email address'}`)
    else if (f.suppressed.has(channel)) reasons.push(`${channel}: address suppressed`)
    else if (f.category === 'marketing' && f.consent[channel] !== true) reasons.push(`${channel}: no marketing opt-in`)
    else return { channel, address }
  }
  return { channel: null, reasons }
}

export interface QuietHours {
  /** 'HH:MM' local, inclusive. */
  start: string
  /** 'HH:MM' local, exclusive. */
  end: string
}

/**
 * When a marketing message that would go out at `now` may be sent, given quiet hours in `zone`:
 * undefined when now is outside them, else the instant they end (e.g. 08:00 the next morning).
 */
export function quietHoursRelease(now: Date, zone: string, quiet: QuietHours | null): Date | undefined {
  if (!quiet || quiet.start === quiet.end) return undefined
  const local = localDateTime(now.toISOString(), zone)!
  const t = local.time
  const wraps = quiet.start > quiet.end // 21:00 → 08:00 crosses midnight
  const inside = wraps ? t >= quiet.start || t < quiet.end : t >= quiet.start && t < quiet.end
  if (!inside) return undefined
  // The end is today when we are past midnight (or the window does not wrap), else tomorrow.
  const endDate = wraps && t >= quiet.start ? addDays(local.date, 1) : local.date
  return zonedInstant(endDate, quiet.end, zone)
}

/** Whether one more marketing message would exceed the cap, given how many were sent in its window. */
export function capReached(sentInWindow: number, cap: { count: number; perHours: number } | null): boolean {
  return cap !== null && cap.count > 0 && sentInWindow >= cap.count
}

/** The deduplication key: one message of a type, about one thing, to one person. */
export function dedupeKey(type: string, subjectRef: string, recipientKey: string): string {
  return `${type}:${subjectRef}:${recipientKey}`
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

/** The UTC instant of local `date` `time` in `zone` (two passes settle any DST offset). */
export function zonedInstant(date: string, time: string, zone: string): Date {
  const wanted = Date.parse(`${date}T${time}:00Z`)
  let guess = wanted
  for (let i = 0; i < 2; i++) {
    const local = localDateTime(new Date(guess).toISOString(), zone)!
    const seen = Date.parse(`${local.date}T${local.time}:00Z`)
    guess += wanted - seen
  }
  return new Date(guess)
}
