/**
 * Shopify webhook payloads (REST/JSON shape) to Kando's own types.
 *
 * - `parseShopifyJson` keeps Shopify's 64-bit ids exact: integers beyond 2^53
 *   (order 820982911946154508) come out as decimal strings, not rounded numbers.
 * - `mapShopifyOrder` turns orders/create, orders/updated … into an `OrderInput`.
 * - `mapShopifyFulfillment` and `mapShopifyRefund` read fulfillments/* and refunds/create.
 *
 * Amounts are taken from the shop-currency fields (`price`, `total_price`,
 * `…_set.shop_money`) and converted to minor units without floating point.
 * Optional fields that are null or empty are left out, never sent as null.
 */
import { parse as parseLossless, isSafeNumber } from 'lossless-json'
import { z } from 'zod'
import { AppError } from '../../platform/errors.js'
import { toMinorUnits } from '../../platform/money.js'
import { toE164 } from '../../platform/japan/phone.js'
import { normalizePostalCode } from '../../platform/japan/postal.js'
import { findPrefecture } from '../../platform/japan/prefectures.js'
import type { Address, CustomerInput, OrderInputRaw, OrderLineInput } from '../../modules/orders/schemas.js'
import { IsoDateTime } from '../../modules/orders/schemas.js'

type AddressRaw = z.input<typeof Address>
type CustomerRaw = z.input<typeof CustomerInput>
type LineRaw = z.input<typeof OrderLineInput>

/** A Shopify payload Kando cannot use; `field` names the offending field, e.g. `line_items[0].price`. */
export class ShopifyPayloadError extends AppError {
  readonly field: string

  constructor(field: string, problem: string, options: { cause?: unknown } = {}) {
    super('SHOPIFY_PAYLOAD_INVALID', 'invalid_data', `Unusable Shopify payload: ${field} ${problem}`, {
      cause: options.cause,
      fields: [{ pointer: toPointer(field), message: problem }],
    })
    this.name = 'ShopifyPayloadError'
    this.field = field
  }
}

function toPointer(field: string): string {
  if (field === '' || field === '(payload)') return ''
  return '/' + field.replace(/\[(\d+)\]/g, '.$1').split('.').join('/')
}

// ---------------------------------------------------------------------------
// JSON

/**
 * Parse a Shopify JSON body. Integers beyond Number.MAX_SAFE_INTEGER, and any
 * other number a JS number cannot hold exactly, come out as their exact
 * decimal string; every other number as a JS number. Throws SyntaxError on bad
 * JSON. Duplicate keys resolve like JSON.parse (last one wins).
 */
const LONG_DIGIT_RUN = /(?:\d[.eE+-]?){15,}/

export function parseShopifyJson(raw: string | Buffer): unknown {
  let text = typeof raw === 'string' ? raw : raw.toString('utf8')
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  // Fast path: with no run of 15+ digits anywhere (in numbers or strings alike), every number is
  // one JSON.parse reads exactly, and the two parsers agree. Anything longer takes the lossless one.
  if (!LONG_DIGIT_RUN.test(text)) return JSON.parse(text)
  return parseLossless(text, null, {
    parseNumber: (value: string) => (isSafeNumber(value) ? Number(value) : value),
    onDuplicateKey: ({ newValue }) => newValue,
  })
}

// ---------------------------------------------------------------------------
// Field readers

type Rec = Record<string, unknown>

function isRecord(value: unknown): value is Rec {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function record(value: unknown, field: string): Rec {
  if (!isRecord(value)) throw new ShopifyPayloadError(field, value === undefined || value === null ? 'is missing' : 'must be a JSON object')
  return value
}

/** A non-empty trimmed string, or undefined for null, empty and non-strings. */
function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  const trimmed = value.trim()
  return trimmed === '' ? undefined : trimmed
}

/** Clip to a schema limit, noting it; Shopify's own limits are sometimes larger than ours. */
function clip(value: string | undefined, max: number, field: string, warnings: string[]): string | undefined {
  if (value === undefined || value.length <= max) return value
  warnings.push(`${field} was longer than ${max} characters and was cut`)
  return value.slice(0, max)
}

/**
 * A Shopify id as a decimal string. Accepts safe integers, digit strings (what
 * parseShopifyJson makes of big ids) and `gid://shopify/Type/123`. Rejects
 * numbers that already lost precision (a body parsed with plain JSON.parse).
 */
function idOf(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new ShopifyPayloadError(field, `is ${value}, which is not an exact id (parse the body with parseShopifyJson to keep 64-bit ids exact)`)
    }
    return String(value)
  }
  if (typeof value === 'bigint' && value >= 0n) return value.toString()
  if (typeof value === 'string') {
    const s = value.trim()
    if (/^\d{1,30}$/.test(s)) return s
    const gid = /^gid:\/\/shopify\/[A-Za-z]+\/(\d{1,30})(?:\?.*)?$/.exec(s)
    if (gid) return gid[1]
  }
  throw new ShopifyPayloadError(field, `is not a Shopify id: ${JSON.stringify(value)}`)
}

function requiredId(value: unknown, field: string): string {
  const id = idOf(value, field)
  if (id === undefined) throw new ShopifyPayloadError(field, 'is missing')
  return id
}

function money(value: unknown, currency: string, field: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new ShopifyPayloadError(field, `must be a decimal amount, got ${JSON.stringify(value)}`)
  }
  try {
    return toMinorUnits(value, currency)
  } catch (cause) {
    throw new ShopifyPayloadError(field, `is not a usable ${currency} amount: ${(cause as Error).message}`, { cause })
  }
}

/** `x_set.shop_money.amount` of a Shopify money set. */
function shopMoneyAmount(set: unknown): unknown {
  return isRecord(set) && isRecord(set.shop_money) ? set.shop_money.amount : undefined
}

function shopMoneyCurrency(set: unknown): string | undefined {
  return isRecord(set) && isRecord(set.shop_money) ? text(set.shop_money.currency_code) : undefined
}

function timestamp(value: unknown, field: string): string | undefined {
  const s = text(value)
  if (s === undefined) return undefined
  if (!IsoDateTime.safeParse(s).success) throw new ShopifyPayloadError(field, `is not an ISO 8601 date-time with offset: ${JSON.stringify(s)}`)
  return s
}

function currencyOf(value: unknown, field: string): string {
  const s = text(value)
  if (s === undefined) throw new ShopifyPayloadError(field, 'is missing')
  if (!/^[A-Za-z]{3}$/.test(s)) throw new ShopifyPayloadError(field, `is not an ISO 4217 currency code: ${JSON.stringify(s)}`)
  return s.toUpperCase()
}

function positiveInt(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new ShopifyPayloadError(field, `must be a whole number of at least 1, got ${JSON.stringify(value)}`)
  }
  return value
}

function arrayOf(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) throw new ShopifyPayloadError(field, value === undefined || value === null ? 'is missing' : 'must be an array')
  return value
}

/** Drop keys whose value is undefined, so `.strict()` schemas see only what is there. */
function compact<T extends Record<string, unknown>>(obj: T): T {
  for (const key of Object.keys(obj)) if (obj[key] === undefined) delete obj[key]
  return obj
}

const Email = z.email()

// ---------------------------------------------------------------------------
// Orders

export type ShopifyOrderTarget = 'placed' | 'confirmed' | 'partially_shipped' | 'shipped' | 'cancelled'

export interface MappedShopifyOrder {
  input: OrderInputRaw
  /** The state the order should be in: `cancelled`, shipped states from fulfillment_status, else the payment status. */
  target: ShopifyOrderTarget
  /** Shopify's `updated_at`, to ignore webhooks that arrive out of order. */
  sourceUpdatedAt: string | undefined
  /** Data that was dropped or cut on the way in (an unreadable phone, a bad postal code …). */
  warnings: string[]
}

const PAID_STATUSES = new Set(['paid', 'partially_paid', 'authorized', 'partially_refunded', 'refunded'])

/** 代金引換 / 代引き / "Cash on Delivery (COD)" / cash_on_delivery */
const CASH_ON_DELIVERY = /代金引換|代引|cash[\s_-]*on[\s_-]*delivery|\(cod\)|^cod$/i

function isCashOnDelivery(order: Rec): boolean {
  const names = Array.isArray(order.payment_gateway_names) ? order.payment_gateway_names : []
  return [...names, order.gateway].some((name) => typeof name === 'string' && CASH_ON_DELIVERY.test(name.trim()))
}

function localeOf(value: unknown): CustomerRaw['locale'] {
  const s = text(value)?.toLowerCase()
  if (s === undefined) return undefined
  if (/^ja(?:[-_]|$)/.test(s)) return 'ja'
  if (/^en(?:[-_]|$)/.test(s)) return 'en'
  return undefined
}

function countryOf(address: Rec): string | undefined {
  const code = text(address.country_code)?.toUpperCase()
  if (code !== undefined && /^[A-Z]{2}$/.test(code)) return code
  const name = text(address.country)?.toLowerCase()
  if (name === 'japan' || name === '日本') return 'JP'
  return undefined
}

const JAPANESE_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u

function mapAddress(value: unknown, field: string, warnings: string[]): AddressRaw | undefined {
  if (value === undefined || value === null) return undefined
  const address = record(value, field)
  const country = countryOf(address)
  const isJapan = country === 'JP'

  // Japanese names go family name first (山田 太郎), but Shopify's `name` is "first last";
  // names written in Latin letters (Emily Clark) keep Shopify's order.
  const first = text(address.first_name)
  const last = text(address.last_name)
  const japaneseName = isJapan && first !== undefined && last !== undefined && JAPANESE_SCRIPT.test(first + last)
  const name = japaneseName ? `${last} ${first}` : (text(address.name) ?? ([first, last].filter(Boolean).join(' ') || undefined))

  const zip = text(address.zip)
  const postalCode = normalizePostalCode(zip, country)
  if (zip !== undefined && postalCode === undefined) warnings.push(`${field}.zip ${JSON.stringify(zip)} is not a 7-digit Japanese postal code; left out`)

  const province = text(address.province)
  let prefectureCode: string | undefined
  let region = province
  if (isJapan) {
    const prefecture = findPrefecture(text(address.province_code)) ?? findPrefecture(province)
    if (prefecture) {
      prefectureCode = prefecture.code
      region = prefecture.ja
    } else if (province !== undefined || address.province_code) {
      warnings.push(`${field}: no Japanese prefecture matches province ${JSON.stringify(province)} / province_code ${JSON.stringify(address.province_code)}`)
    }
  }

  const rawPhone = text(address.phone)
  const phone = rawPhone === undefined ? undefined : (toE164(rawPhone, country ?? 'JP') ?? clip(rawPhone, 40, `${field}.phone`, warnings))

  return compact<AddressRaw>({
    name: clip(name, 200, `${field}.name`, warnings),
    company: clip(text(address.company), 200, `${field}.company`, warnings),
    postalCode,
    prefectureCode,
    region: clip(region, 100, `${field}.province`, warnings),
    city: clip(text(address.city), 200, `${field}.city`, warnings),
    address1: clip(text(address.address1), 300, `${field}.address1`, warnings),
    address2: clip(text(address.address2), 300, `${field}.address2`, warnings),
    phone,
    country,
  })
}

function mapCustomer(order: Rec, shipping: Rec | undefined, warnings: string[]): CustomerRaw | undefined {
  const customer = isRecord(order.customer) ? order.customer : {}

  let email: string | undefined
  const rawEmail = text(customer.email) ?? text(order.email) ?? text(order.contact_email)
  if (rawEmail !== undefined) {
    const lower = rawEmail.toLowerCase()
    if (Email.safeParse(lower).success && lower.length <= 320) email = lower
    else warnings.push(`customer email ${JSON.stringify(rawEmail)} is not a valid address; left out`)
  }

  const defaultCountry = (shipping && countryOf(shipping)) ?? 'JP'
  const phoneCandidates = [customer.phone, order.phone, shipping?.phone].map(text).filter((p): p is string => p !== undefined)
  const phone = phoneCandidates.map((p) => toE164(p, defaultCountry)).find((p) => p !== undefined)
  if (phone === undefined && phoneCandidates.length > 0) warnings.push(`no usable phone number among ${JSON.stringify(phoneCandidates)}`)

  let acceptsMarketing: boolean | undefined
  const consent = isRecord(customer.email_marketing_consent) ? text(customer.email_marketing_consent.state) : undefined
  if (consent !== undefined) acceptsMarketing = consent === 'subscribed'
  else if (typeof customer.accepts_marketing === 'boolean') acceptsMarketing = customer.accepts_marketing
  else if (typeof order.buyer_accepts_marketing === 'boolean') acceptsMarketing = order.buyer_accepts_marketing

  const result = compact<CustomerRaw>({
    externalId: idOf(customer.id, 'customer.id'),
    email,
    phone,
    firstName: clip(text(customer.first_name), 100, 'customer.first_name', warnings),
    lastName: clip(text(customer.last_name), 100, 'customer.last_name', warnings),
    locale: localeOf(order.customer_locale),
    acceptsMarketing,
  })
  const identifying = ['externalId', 'email', 'phone', 'firstName', 'lastName'] as const
  return identifying.some((key) => result[key] !== undefined) ? result : undefined
}

function mapLine(value: unknown, index: number, currency: string, warnings: string[]): LineRaw {
  const field = `line_items[${index}]`
  const line = record(value, field)

  const title = text(line.title) ?? text(line.name)
  if (title === undefined) throw new ShopifyPayloadError(`${field}.title`, 'is missing')
  const unitPrice = money(shopMoneyAmount(line.price_set) ?? line.price, currency, `${field}.price`)
  if (unitPrice === undefined) throw new ShopifyPayloadError(`${field}.price`, 'is missing')

  let discount = 0
  const allocations = Array.isArray(line.discount_allocations) ? line.discount_allocations : []
  allocations.forEach((allocation, i) => {
    const a = record(allocation, `${field}.discount_allocations[${i}]`)
    discount += money(shopMoneyAmount(a.amount_set) ?? a.amount, currency, `${field}.discount_allocations[${i}].amount`) ?? 0
  })

  const variantTitle = text(line.variant_title)
  return compact<LineRaw>({
    externalId: idOf(line.id, `${field}.id`),
    sku: clip(text(line.sku), 100, `${field}.sku`, warnings),
    externalProductId: idOf(line.product_id, `${field}.product_id`),
    externalVariantId: idOf(line.variant_id, `${field}.variant_id`),
    title: clip(title, 500, `${field}.title`, warnings) ?? title,
    variantTitle: variantTitle === 'Default Title' ? undefined : clip(variantTitle, 500, `${field}.variant_title`, warnings),
    // `quantity` is what was ordered; `current_quantity` drops to 0 for removed or refunded lines.
    quantity: positiveInt(line.quantity, `${field}.quantity`),
    unitPrice,
    discount,
    requiresShipping: typeof line.requires_shipping === 'boolean' ? line.requires_shipping : true,
    shippedQuantity: shippedOf(line),
  })
}

/** Units already fulfilled: what is left to fulfil tells us, since Shopify keeps no shipped count per line. */
function shippedOf(line: Record<string, unknown>): number | undefined {
  const quantity = typeof line.quantity === 'number' ? line.quantity : 0
  if (typeof line.fulfillable_quantity === 'number') {
    const current = typeof line.current_quantity === 'number' ? line.current_quantity : quantity
    return Math.min(quantity, Math.max(0, current - line.fulfillable_quantity))
  }
  return line.fulfillment_status === 'fulfilled' ? quantity : undefined
}

function tagsOf(value: unknown, warnings: string[]): string[] {
  if (typeof value !== 'string') return []
  const tags: string[] = []
  for (const raw of value.split(',')) {
    const tag = raw.trim()
    if (tag === '' || tags.includes(tag)) continue
    if (tag.length > 100) warnings.push(`tag ${JSON.stringify(tag.slice(0, 20) + '…')} is longer than 100 characters; left out`)
    else tags.push(tag)
  }
  if (tags.length > 250) warnings.push(`only the first 250 of ${tags.length} tags were kept`)
  return tags.slice(0, 250)
}

function attributesOf(value: unknown, warnings: string[]): Record<string, string> {
  const attributes: Record<string, string> = {}
  if (!Array.isArray(value)) return attributes
  value.forEach((item, i) => {
    if (!isRecord(item)) return
    const name = text(item.name)
    const raw = item.value
    if (name === undefined || raw === undefined || raw === null) return
    const v = typeof raw === 'string' ? raw : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : JSON.stringify(raw)
    const key = clip(name, 200, `note_attributes[${i}].name`, warnings) ?? name
    attributes[key] = clip(v, 2000, `note_attributes[${i}].value`, warnings) ?? v
  })
  return attributes
}

/**
 * Map a Shopify order (orders/create, orders/updated, orders/paid … or the
 * REST order resource) to Kando's `OrderInput` plus the status it should be in.
 * Throws ShopifyPayloadError when the payload lacks what an order needs.
 */
export function mapShopifyOrder(payload: unknown): MappedShopifyOrder {
  const order = record(payload, '(payload)')
  const warnings: string[] = []

  const externalId = requiredId(order.id, 'id')
  const currency = currencyOf(order.currency, 'currency')
  const placedAt = timestamp(order.processed_at, 'processed_at') ?? timestamp(order.created_at, 'created_at')
  if (placedAt === undefined) throw new ShopifyPayloadError('created_at', 'is missing (and so is processed_at)')

  const rawLines = arrayOf(order.line_items, 'line_items')
  if (rawLines.length === 0) throw new ShopifyPayloadError('line_items', 'is empty; an order needs at least one line')
  const lines = rawLines.map((line, i) => mapLine(line, i, currency, warnings))

  const totalField = order.current_total_price != null ? 'current_total_price' : 'total_price'
  const total = money(order[totalField], currency, totalField)
  if (total === undefined) throw new ShopifyPayloadError('total_price', 'is missing')

  const subtotalField = order.current_subtotal_price != null ? 'current_subtotal_price' : 'subtotal_price'
  const subtotal = money(order[subtotalField], currency, subtotalField)

  let shippingTotal = money(shopMoneyAmount(order.total_shipping_price_set), currency, 'total_shipping_price_set.shop_money.amount')
  if (shippingTotal === undefined && Array.isArray(order.shipping_lines)) {
    shippingTotal = order.shipping_lines.reduce<number>((sum, line, i) => {
      const l = record(line, `shipping_lines[${i}]`)
      return sum + (money(shopMoneyAmount(l.price_set) ?? l.price, currency, `shipping_lines[${i}].price`) ?? 0)
    }, 0)
  }

  const taxField = order.current_total_tax != null ? 'current_total_tax' : 'total_tax'
  const discountField = order.current_total_discounts != null ? 'current_total_discounts' : 'total_discounts'

  const shippingRecord = isRecord(order.shipping_address) ? order.shipping_address : undefined
  const status = PAID_STATUSES.has(text(order.financial_status) ?? '') || isCashOnDelivery(order) ? 'confirmed' : 'placed'

  const input = compact<OrderInputRaw>({
    externalId,
    source: 'shopify',
    number: clip(text(order.name), 100, 'name', warnings),
    placedAt,
    currency,
    customer: mapCustomer(order, shippingRecord, warnings),
    shippingAddress: mapAddress(order.shipping_address, 'shipping_address', warnings),
    billingAddress: mapAddress(order.billing_address, 'billing_address', warnings),
    lines,
    subtotal,
    shippingTotal: shippingTotal ?? 0,
    taxTotal: money(order[taxField], currency, taxField) ?? 0,
    discountTotal: money(order[discountField], currency, discountField) ?? 0,
    total,
    landingSite: clip(text(order.landing_site), 2000, 'landing_site', warnings),
    referringSite: clip(text(order.referring_site), 2000, 'referring_site', warnings),
    tags: tagsOf(order.tags, warnings),
    note: clip(text(order.note), 5000, 'note', warnings),
    attributes: attributesOf(order.note_attributes, warnings),
    status,
  })

  let target: ShopifyOrderTarget = status
  if (text(order.cancelled_at) !== undefined) target = 'cancelled'
  else if (order.fulfillment_status === 'fulfilled') target = 'shipped'
  else if (order.fulfillment_status === 'partial') target = 'partially_shipped'

  return { input, target, sourceUpdatedAt: text(order.updated_at), warnings }
}

// ---------------------------------------------------------------------------
// Fulfillments

export interface MappedShopifyFulfillment {
  orderExternalId: string
  fulfillmentId: string
  /** Shopify's fulfillment status: pending, open, success, cancelled, error, failure. */
  status: string
  /** Carrier progress: label_printed, confirmed, in_transit, out_for_delivery, delivered, failure … */
  shipmentStatus: string | undefined
  trackingCompany: string | undefined
  trackingNumbers: string[]
  trackingUrls: string[]
  lines: Array<{ externalLineId: string; sku?: string; quantity: number }>
  updatedAt?: string
}

function stringList(...values: unknown[]): string[] {
  const out: string[] = []
  for (const value of values) {
    for (const item of Array.isArray(value) ? value : [value]) {
      const s = text(item)
      if (s !== undefined && !out.includes(s)) out.push(s)
    }
  }
  return out
}

/** Map a Shopify fulfillment (fulfillments/create, fulfillments/update). */
export function mapShopifyFulfillment(payload: unknown): MappedShopifyFulfillment {
  const f = record(payload, '(payload)')
  const fulfillmentId = requiredId(f.id, 'id')
  const orderExternalId = requiredId(f.order_id, 'order_id')
  const status = text(f.status)
  if (status === undefined) throw new ShopifyPayloadError('status', 'is missing')

  const rawLines = arrayOf(f.line_items, 'line_items')
  if (rawLines.length === 0) throw new ShopifyPayloadError('line_items', 'is empty; a fulfillment ships at least one line')
  const lines = rawLines.map((value, i) => {
    const line = record(value, `line_items[${i}]`)
    const sku = text(line.sku)
    return {
      externalLineId: requiredId(line.id, `line_items[${i}].id`),
      ...(sku !== undefined ? { sku } : {}),
      quantity: positiveInt(line.quantity, `line_items[${i}].quantity`),
    }
  })

  const updatedAt = timestamp(f.updated_at, 'updated_at')
  return {
    orderExternalId,
    fulfillmentId,
    status,
    shipmentStatus: text(f.shipment_status),
    trackingCompany: text(f.tracking_company),
    trackingNumbers: stringList(f.tracking_numbers, f.tracking_number),
    trackingUrls: stringList(f.tracking_urls, f.tracking_url),
    lines,
    ...(updatedAt !== undefined ? { updatedAt } : {}),
  }
}

// ---------------------------------------------------------------------------
// Refunds

export interface MappedShopifyRefund {
  orderExternalId: string
  refundId: string
  currency: string
  /** Money returned, in minor units. */
  amount: number
  lines: Array<{ externalLineId: string; quantity: number }>
  note?: string
  createdAt: string
}

/**
 * Map a Shopify refund (refunds/create).
 *
 * `amount` is the sum of the successful `refund` transactions. A refund with no
 * refund transactions at all (e.g. a manual, money-less refund of items) falls
 * back to the sum of the refund line subtotals; one whose refund transactions
 * all failed or are pending counts 0, because no money moved.
 *
 * The refunds/create payload carries no top-level currency: it is taken from the
 * transactions, else the `shop_money` sets, else `options.currency` (the order's).
 */
export function mapShopifyRefund(payload: unknown, options: { currency?: string } = {}): MappedShopifyRefund {
  const r = record(payload, '(payload)')
  const refundId = requiredId(r.id, 'id')
  const orderExternalId = requiredId(r.order_id, 'order_id')
  const createdAt = timestamp(r.created_at, 'created_at') ?? timestamp(r.processed_at, 'processed_at')
  if (createdAt === undefined) throw new ShopifyPayloadError('created_at', 'is missing')

  const refundLines = Array.isArray(r.refund_line_items) ? r.refund_line_items : []
  if (r.refund_line_items !== undefined && r.refund_line_items !== null && !Array.isArray(r.refund_line_items)) {
    throw new ShopifyPayloadError('refund_line_items', 'must be an array')
  }
  const transactions = (Array.isArray(r.transactions) ? r.transactions : []).map((t, i) => record(t, `transactions[${i}]`))
  const refunds = transactions.map((t, i) => ({ t, i })).filter(({ t }) => t.kind === 'refund')
  const successful = refunds.filter(({ t }) => t.status === 'success')

  const transactionCurrencies = new Set(successful.map(({ t }) => text(t.currency)?.toUpperCase()).filter((c): c is string => c !== undefined))
  if (transactionCurrencies.size > 1) throw new ShopifyPayloadError('transactions', `mix currencies (${[...transactionCurrencies].join(', ')})`)
  const setCurrency = [
    ...refundLines.map((l) => (isRecord(l) ? shopMoneyCurrency(l.subtotal_set) : undefined)),
    shopMoneyCurrency(r.total_duties_set),
  ].find((c) => c !== undefined)
  const currencyText = [...transactionCurrencies][0] ?? setCurrency ?? options.currency
  if (currencyText === undefined) throw new ShopifyPayloadError('currency', 'cannot be determined: no transaction currency, no shop_money set, and none given')
  const currency = currencyOf(currencyText, 'currency')

  let amount = 0
  if (refunds.length > 0) {
    for (const { t, i } of successful) amount += money(t.amount, currency, `transactions[${i}].amount`) ?? 0
  } else {
    refundLines.forEach((l, i) => {
      const line = record(l, `refund_line_items[${i}]`)
      amount += money(shopMoneyAmount(line.subtotal_set) ?? line.subtotal, currency, `refund_line_items[${i}].subtotal`) ?? 0
    })
  }

  const lines = refundLines.map((l, i) => {
    const line = record(l, `refund_line_items[${i}]`)
    return {
      externalLineId: requiredId(line.line_item_id, `refund_line_items[${i}].line_item_id`),
      quantity: positiveInt(line.quantity, `refund_line_items[${i}].quantity`),
    }
  })

  const note = text(r.note)
  return { orderExternalId, refundId, currency, amount, lines, ...(note !== undefined ? { note } : {}), createdAt }
}
