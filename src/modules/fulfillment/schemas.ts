import { z } from 'zod'

const Yen = z.number().int().min(0).max(10_000_000)
const LocationId = z.string().regex(/^[a-z0-9_-]{1,64}$/)

/** A brand's allocation settings (all optional; defaults are the shipped ones). */
export const FulfillmentSettingsInput = z
  .object({
    /** Allocate every confirmed order at once (only brands that keep stock in Kando). */
    autoAllocate: z.boolean().default(true),
    /** ship_complete: one order waits until it can ship whole; ship_available: ship what is there, backorder the rest. */
    mode: z.enum(['ship_complete', 'ship_available']).default('ship_complete'),
    /** Only these locations may ship (empty: all). */
    pinned: z.array(LocationId).max(100).default([]),
    excluded: z.array(LocationId).max(100).default([]),
    maxParcels: z.number().int().min(1).max(10).default(4),
    splitPenalty: Yen.default(300),
    latenessPenalty: Yen.default(500),
    backorderPenalty: Yen.default(20_000),
    /** Days from the order date the brand promises delivery by (no lateness is priced when absent). */
    promiseDays: z.number().int().min(1).max(60).nullable().default(null),
    /** ご依頼主 on carrier labels, and the brand's carrier contract codes. */
    labelSender: z
      .object({
        name: z.string().min(1).max(100),
        phone: z.string().min(1).max(20),
        postalCode: z.string().regex(/^\d{3}-?\d{4}$/, 'must be a 7-digit postal code'),
        address: z.string().min(1).max(200),
        /** Yamato B2: 請求先顧客コード, 請求先分類コード, 運賃管理番号. */
        yamatoBillingCustomerCode: z.string().max(20).optional(),
        yamatoBillingClassCode: z.string().max(10).optional(),
        yamatoFreightManagementNumber: z.string().max(10).optional(),
        /** Sagawa e飛伝: お客様コード. */
        sagawaCustomerCode: z.string().max(20).optional(),
      })
      .strict()
      .nullable()
      .default(null),
  })
  .strict()
  .superRefine((v, ctx) => {
    const both = v.pinned.filter((p) => v.excluded.includes(p))
    if (both.length > 0) ctx.addIssue({ code: 'custom', path: ['excluded'], message: `${both.join(', ')} is both pinned and excluded` })
  })
export type FulfillmentSettings = z.infer<typeof FulfillmentSettingsInput>

export const ParcelShippedInput = z
  .object({
    carrier: z.string().min(1).max(30).optional(),
    service: z.string().max(50).optional(),
    trackingNumber: z.string().min(1).max(40).optional(),
    /** What was actually picked, when less than allocated (a short pick); absent: everything. */
    picked: z.array(z.object({ sku: z.string().min(1).max(100), quantity: z.number().int().min(0) }).strict()).max(200).optional(),
  })
  .strict()
export type ParcelShippedInput = z.infer<typeof ParcelShippedInput>

export const WaveInput = z
  .object({
    /** Orders to solve together; absent: every order with backordered units (oldest first). */
    orderIds: z.array(z.string().min(1).max(100)).min(1).max(20_000).optional(),
    limit: z.number().int().min(1).max(20_000).default(5_000),
  })
  .strict()
export type WaveInput = z.infer<typeof WaveInput>
