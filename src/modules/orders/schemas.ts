import { z } from 'zod'

/** Amount in the currency's minor unit (JPY has none: ¥1,980 is 1980). */
export const Money = z.number().int('must be an integer amount in minor units').min(0, 'must not be negative').max(1e12)

export const Currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as JPY')

export const IsoDateTime = z.iso.datetime({ offset: true })

export const Address = z
  .object({
    name: z.string().max(200).optional(),
    company: z.string().max(200).optional(),
    /** 〒 postal code, normalised to `123-4567` for Japan. */
    postalCode: z.string().max(20).optional(),
    /** JIS X 0401 prefecture code `01`–`47` when the country is JP. */
    prefectureCode: z.string().regex(/^(0[1-9]|[1-3][0-9]|4[0-7])$/, 'must be a JIS prefecture code 01–47').optional(),
    /** Prefecture / province as written, e.g. 東京都. */
    region: z.string().max(100).optional(),
    city: z.string().max(200).optional(),
    address1: z.string().max(300).optional(),
    address2: z.string().max(300).optional(),
    phone: z.string().max(40).optional(),
    country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code').default('JP'),
  })
  .strict()
export type Address = z.infer<typeof Address>

export const CustomerInput = z
  .object({
    externalId: z.string().min(1).max(100).optional(),
    email: z.email().max(320).optional(),
    phone: z.string().max(40).optional(),
    firstName: z.string().max(100).optional(),
    lastName: z.string().max(100).optional(),
    locale: z.enum(['ja', 'en']).optional(),
    lineUserId: z.string().regex(/^U[0-9a-f]{32}$/, 'must be a LINE user id (U + 32 hex digits)').optional(),
    acceptsMarketing: z.boolean().optional(),
  })
  .strict()
export type CustomerInput = z.infer<typeof CustomerInput>

export const OrderLineInput = z
  .object({
    /** The shop's id of this line (Shopify line_item.id). */
    externalId: z.string().min(1).max(100).optional(),
    sku: z.string().min(1).max(100).optional(),
    externalProductId: z.string().min(1).max(100).optional(),
    externalVariantId: z.string().min(1).max(100).optional(),
    title: z.string().min(1).max(500),
    variantTitle: z.string().max(500).optional(),
    quantity: z.number().int('must be a whole number').min(1, 'must be at least 1').max(100_000),
    unitPrice: Money,
    discount: Money.default(0),
    requiresShipping: z.boolean().default(true),
    /** Units the shop already shipped (a snapshot of an order fulfilled elsewhere). */
    shippedQuantity: z.number().int().min(0).optional(),
  })
  .strict()
  .refine((l) => (l.shippedQuantity ?? 0) <= l.quantity, { message: 'cannot exceed quantity', path: ['shippedQuantity'] })
export type OrderLineInput = z.infer<typeof OrderLineInput>

/** Where an order came from: `api` for the native JSON API, `shopify`, or another shop system. */
export const OrderSource = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'must be a short lower-case name such as api, shopify, ec-cube')

export const OrderInput = z
  .object({
    /** The shop's own order id; an order is unique per (source, externalId). */
    externalId: z.string().min(1).max(100),
    source: OrderSource.default('api'),
    /** Display number the customer knows, e.g. `#1001`. */
    number: z.string().min(1).max(100).optional(),
    placedAt: IsoDateTime,
    currency: Currency,
    customer: CustomerInput.optional(),
    shippingAddress: Address.optional(),
    billingAddress: Address.optional(),
    lines: z.array(OrderLineInput).min(1, 'an order needs at least one line').max(1000),
    subtotal: Money.optional(),
    shippingTotal: Money.default(0),
    taxTotal: Money.default(0),
    discountTotal: Money.default(0),
    total: Money,
    landingSite: z.string().max(2000).optional(),
    referringSite: z.string().max(2000).optional(),
    tags: z.array(z.string().min(1).max(100)).max(250).default([]),
    note: z.string().max(5000).optional(),
    attributes: z.record(z.string().max(200), z.string().max(2000)).default({}),
    /** `confirmed` when the shop already took payment (or the order is cash on delivery). */
    status: z.enum(['placed', 'confirmed']).default('placed'),
  })
  .strict()
export type OrderInput = z.infer<typeof OrderInput>
export type OrderInputRaw = z.input<typeof OrderInput>
