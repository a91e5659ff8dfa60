import type { Customer } from '../customers/index.js'
import type { Order } from '../orders/service.js'
import type { Shipment } from '../tracking/index.js'
import { timeSlotLabel } from '../tracking/index.js'
import { getCarrier, isCarrierCode } from '../tracking/carriers/index.js'
import type { Locale, MessageContext } from './types.js'

/** Facts about the brand a message carries (from the tenant and its notification settings). */
export interface BrandFacts {
  name: string
  address?: string | null
  supportEmail?: string | null
  logoUrl?: string | null
  color?: string | null
  timezone: string
}

const money = new Map<string, Intl.NumberFormat>()
function formatMoney(amount: number, currency: string, locale: Locale): string {
  const key = `${locale}:${currency}`
  let f = money.get(key)
  if (!f) {
    f = new Intl.NumberFormat(locale === 'ja' ? 'ja-JP' : 'en-US', { style: 'currency', currency })
    money.set(key, f)
  }
  // Amounts are integers in the currency's minor unit.
  const exp = f.resolvedOptions().maximumFractionDigits ?? 0
  return f.format(amount / 10 ** exp)
}

const dates = new Map<string, Intl.DateTimeFormat>()
/** A calendar date (YYYY-MM-DD) as people write it: 11月28日(土) / Sat, Nov 28. */
export function formatDay(date: string, locale: Locale): string {
  let f = dates.get(locale)
  if (!f) {
    f = new Intl.DateTimeFormat(locale === 'ja' ? 'ja-JP' : 'en-US', locale === 'ja' ? { month: 'long', day: 'numeric', weekday: 'short', timeZone: 'UTC' } : { weekday: 'short', month: 'short', day: 'numeric', timeZone: 'UTC' })
    dates.set(locale, f)
  }
  const s = f.format(new Date(`${date}T00:00:00Z`))
  // ja-JP gives 11月28日(土) already; keep it as is.
  return s
}

const instants = new Map<string, Intl.DateTimeFormat>()
function formatInstant(iso: string, locale: Locale, zone: string): string {
  const key = `${locale}:${zone}`
  let f = instants.get(key)
  if (!f) {
    f = new Intl.DateTimeFormat(locale === 'ja' ? 'ja-JP' : 'en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: zone })
    instants.set(key, f)
  }
  return f.format(new Date(iso))
}

/** A return as its events tell it (amounts in minor units of `currency`); every field is optional. */
export interface ReturnFacts {
  number?: string | null
  method?: string | null
  /** YYYY-MM-DD. */
  pickupDate?: string | null
  pickupSlot?: string | null
  shippingPaidBy?: string | null
  instant?: boolean | null
  resolution?: string | null
  creditCode?: string | null
  creditAmount?: number | null
  refundAmount?: number | null
  currency?: string | null
}

const PICKUP_SLOTS: Record<string, Record<Locale, string>> = {
  am: { ja: '午前中', en: 'morning' },
  '14-16': { ja: '14〜16時', en: '2-4 pm' },
  '16-18': { ja: '16〜18時', en: '4-6 pm' },
  '18-20': { ja: '18〜20時', en: '6-8 pm' },
  '19-21': { ja: '19〜21時', en: '7-9 pm' },
}

/**
 * A carrier pickup slot as people say it: 午前中 / 14〜16時, morning / 2-4 pm (a plain hyphen keeps
 * an English SMS in GSM-7). An unknown slot is shown as given.
 */
export function pickupSlotLabel(slot: string, locale: Locale): string {
  return PICKUP_SLOTS[slot]?.[locale] ?? slot
}

const DAY = /^\d{4}-\d{2}-\d{2}$/
/** A pickup day: a calendar date as it stands; an instant (should one come) as the day in the brand's zone. */
function pickupDay(value: string, locale: Locale, zone: string): string | undefined {
  if (DAY.test(value)) return formatDay(value, locale)
  const at = Date.parse(value)
  if (Number.isNaN(at)) return undefined
  const day = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: zone }).format(at)
  return DAY.test(day) ? formatDay(day, locale) : undefined
}
const pick = <T extends string>(value: unknown, allowed: readonly T[]): T | undefined => (allowed as readonly unknown[]).includes(value) ? (value as T) : undefined

/** The return part of a context: known words only, dates and amounts formatted in the locale. */
function returnContext(r: ReturnFacts, locale: Locale, zone: string, fallbackCurrency: string | undefined): NonNullable<MessageContext['return']> {
  const currency = r.currency || fallbackCurrency || 'JPY'
  const amount = (n: number | null | undefined) => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? formatMoney(n, currency, locale) : undefined)
  const method = pick(r.method, ['pickup', 'dropoff', 'keep'] as const)
  const shippingPaidBy = pick(r.shippingPaidBy, ['brand', 'customer'] as const)
  const resolution = pick(r.resolution, ['exchange', 'store_credit', 'refund'] as const)
  const creditAmount = amount(r.creditAmount)
  const refundAmount = amount(r.refundAmount)
  const pickupDate = method === 'pickup' && r.pickupDate ? pickupDay(r.pickupDate, locale, zone) : undefined
  return {
    ...(r.number ? { number: r.number } : {}),
    ...(method ? { method } : {}),
    ...(pickupDate ? { pickupDate } : {}),
    ...(method === 'pickup' && r.pickupSlot ? { pickupSlot: pickupSlotLabel(r.pickupSlot, locale) } : {}),
    ...(shippingPaidBy ? { shippingPaidBy } : {}),
    ...(typeof r.instant === 'boolean' ? { instant: r.instant } : {}),
    ...(resolution ? { resolution } : {}),
    ...(r.creditCode ? { creditCode: r.creditCode } : {}),
    ...(creditAmount ? { creditAmount } : {}),
    ...(refundAmount ? { refundAmount } : {}),
  }
}

/** What a flow adds to a message beyond the order and parcel: a coupon, products, more links. */
interface ContextExtras {
  coupon?: MessageContext['coupon']
  products?: MessageContext['products']
  /** Merged over the computed links; an empty or missing value leaves the computed one. */
  links?: Partial<MessageContext['links']>
}

/**
 * The data a template sees for one message, taken when the message is queued, so what is sent
 * describes the order and parcel as they were at the event (and a retry sends the same text).
 */
export function buildContext(input: {
  locale: Locale
  brand: BrandFacts
  customer?: Pick<Customer, 'firstName' | 'lastName' | 'email'> | null
  order?: Order | null
  shipment?: Shipment | null
  refund?: { amount: number; currency: string; reason?: string | null } | null
  return?: ReturnFacts | null
  announcement?: MessageContext['announcement']
  links: MessageContext['links']
  extras?: ContextExtras
}): MessageContext {
  const { locale, order, shipment } = input
  const ctx: MessageContext = {
    locale,
    brand: {
      name: input.brand.name,
      ...(input.brand.address ? { address: input.brand.address } : {}),
      ...(input.brand.supportEmail ? { supportEmail: input.brand.supportEmail } : {}),
      ...(input.brand.logoUrl ? { logoUrl: input.brand.logoUrl } : {}),
      ...(input.brand.color ? { color: input.brand.color } : {}),
    },
    customer: {
      ...(input.customer?.firstName ? { firstName: input.customer.firstName } : {}),
      ...(input.customer?.lastName ? { lastName: input.customer.lastName } : {}),
      ...(input.customer?.email ? { email: input.customer.email } : {}),
    },
    links: input.links,
  }
  if (order) {
    ctx.order = {
      number: order.number ?? order.externalId,
      placedAt: formatInstant(order.placedAt, locale, input.brand.timezone),
      total: formatMoney(order.total, order.currency, locale),
      lines: order.lines.map((l) => ({
        title: l.title,
        ...(l.variantTitle ? { variant: l.variantTitle } : {}),
        ...(l.sku ? { sku: l.sku } : {}),
        quantity: l.quantity,
        price: formatMoney(l.unitPrice * l.quantity - l.discount, order.currency, locale),
      })),
    }
  }
  if (shipment) {
    const carrier = isCarrierCode(shipment.carrier) ? getCarrier(shipment.carrier) : undefined
    const byLine = new Map(order?.lines.map((l) => [l.id, l.title]) ?? [])
    ctx.shipment = {
      carrier: shipment.carrier,
      carrierName: carrier ? carrier.name[locale] : shipment.carrier,
      ...(shipment.trackingNumber ? { trackingNumber: shipment.trackingNumber } : {}),
      ...(shipment.trackingUrl ? { carrierUrl: shipment.trackingUrl } : {}),
      ...(shipment.timeSlot ? { timeSlot: timeSlotLabel(shipment.timeSlot, locale) } : {}),
      ...(shipment.estimate ? { estimatedDelivery: formatDay(shipment.estimate.date, locale) } : {}),
      status: shipment.status,
      lines: shipment.lines.map((l) => ({ title: byLine.get(l.orderLineId) ?? '', quantity: l.quantity })).filter((l) => l.title),
    }
  }
  if (input.refund) {
    ctx.refund = { amount: formatMoney(input.refund.amount, input.refund.currency, locale), ...(input.refund.reason ? { reason: input.refund.reason } : {}) }
  }
  if (input.return) ctx.return = returnContext(input.return, locale, input.brand.timezone, order?.currency)
  if (input.announcement) ctx.announcement = input.announcement
  if (input.extras) addExtras(ctx, input.extras)
  return ctx
}

/** Copies a flow's extras into `ctx`, leaving out empty values so templates see them as absent. */
function addExtras(ctx: MessageContext, extras: ContextExtras): void {
  const { coupon, products, links } = extras
  if (coupon?.code?.trim()) {
    ctx.coupon = {
      code: coupon.code.trim(),
      ...(coupon.expiresAt ? { expiresAt: coupon.expiresAt } : {}),
      ...(coupon.description ? { description: coupon.description } : {}),
    }
  }
  const listed = (products ?? [])
    .filter((p) => p.title?.trim())
    .map((p) => ({
      title: p.title,
      ...(p.url ? { url: p.url } : {}),
      ...(p.imageUrl ? { imageUrl: p.imageUrl } : {}),
      ...(p.price ? { price: p.price } : {}),
    }))
  if (listed.length > 0) ctx.products = listed
  if (links) {
    const given = Object.entries(links).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].trim() !== '')
    ctx.links = { ...ctx.links, ...Object.fromEntries(given) }
  }
}
