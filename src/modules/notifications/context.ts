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
