import { z } from 'zod'
import { ReasonCode, ReturnPolicy } from './policy-schema.js'

const Id = z.string().trim().min(1).max(100)

/** What a customer (portal) or the brand (API) asks for. */
export const ReturnRequestInput = z
  .object({
    lines: z
      .array(
        z
          .object({
            lineId: Id,
            quantity: z.number().int().min(1).max(10_000),
            condition: z.enum(['unopened', 'opened', 'used', 'damaged']).default('opened'),
            /** Exchange: the variant wanted instead (same product: another size or colour; or another product). */
            exchangeVariantId: Id.optional(),
          })
          .strict(),
      )
      .min(1, 'pick at least one item')
      .max(100),
    reason: ReasonCode,
    note: z.string().trim().max(2000).optional(),
    resolution: z.enum(['exchange', 'store_credit', 'refund']),
    method: z.enum(['pickup', 'dropoff', 'keep']),
    /** 集荷: the date (YYYY-MM-DD) and the slot; only with method 'pickup'. */
    pickup: z.object({ date: z.iso.date(), slot: z.enum(['am', '14-16', '16-18', '18-20', '19-21']) }).strict().optional(),
    /** False when the customer says the return leaves from another address than the order's. */
    sameAddress: z.boolean().default(true),
    /** Sent twice with the same key (a double click, a retry), the request opens one case. */
    idempotencyKey: z.string().regex(/^[A-Za-z0-9_-]{8,100}$/).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.method === 'pickup' && !r.pickup) ctx.addIssue({ code: 'custom', path: ['pickup'], message: 'a pickup needs a date and a time slot' })
    if (r.method !== 'pickup' && r.pickup) ctx.addIssue({ code: 'custom', path: ['pickup'], message: 'only a pickup has a date and a time slot' })
    r.lines.forEach((l, i) => {
      if (r.resolution === 'exchange' && !l.exchangeVariantId) ctx.addIssue({ code: 'custom', path: ['lines', i, 'exchangeVariantId'], message: 'an exchange names the variant wanted' })
      if (r.resolution !== 'exchange' && l.exchangeVariantId) ctx.addIssue({ code: 'custom', path: ['lines', i, 'exchangeVariantId'], message: 'only an exchange names a variant' })
    })
    const seen = new Set<string>()
    r.lines.forEach((l, i) => {
      if (seen.has(l.lineId)) ctx.addIssue({ code: 'custom', path: ['lines', i, 'lineId'], message: 'each order line once' })
      seen.add(l.lineId)
    })
  })
export type ReturnRequestInput = z.output<typeof ReturnRequestInput>
export type ReturnRequestRaw = z.input<typeof ReturnRequestInput>

export const ReturnSettingsInput = z
  .object({
    policy: ReturnPolicy.optional(),
    refunds: z
      .discriminatedUnion('via', [
        z.object({ via: z.literal('manual') }).strict(),
        z
          .object({
            via: z.literal('shopify'),
            shopDomain: z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, 'the shop’s permanent domain, e.g. komorebi.myshopify.com'),
            /** Admin API access token (write_orders); stored encrypted, never shown again. Omit to keep the stored one. */
            accessToken: z.string().min(10).max(200).optional(),
            locationId: z.string().regex(/^\d{1,20}$/).optional(),
          })
          .strict(),
      ])
      .optional(),
  })
  .strict()

export const ReceiveInput = z
  .object({
    locationId: Id,
    /** Units that arrived per return line; omitted = everything asked for. */
    lines: z.array(z.object({ lineId: Id, quantity: z.number().int().min(0).max(10_000) }).strict()).max(100).optional(),
    /** The warehouse's own id for this receipt (a scan, an ASN line): a repeat is recognised. */
    reference: z.string().max(200).optional(),
  })
  .strict()

export const InspectInput = z
  .object({
    lines: z.array(z.object({ lineId: Id, grade: z.enum(['A', 'B', 'C']), note: z.string().trim().max(2000).optional() }).strict()).min(1).max(100),
    /** Resolve (refund, credit, release the exchange) as soon as it is graded; default true. */
    resolve: z.boolean().default(true),
  })
  .strict()

export const ReturnShipmentInput = z.object({ carrier: z.string().min(1).max(40), trackingNumber: z.string().min(4).max(40) }).strict()

export const ReturnListQuery = z.object({
  status: z.enum(['requested', 'approved', 'rejected', 'received', 'inspected', 'resolved', 'cancelled', 'escalated']).optional(),
  orderId: Id.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  after: Id.optional(),
})

export const ReturnAnalyticsQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
})
