import { z } from 'zod'
import { REGIONS } from '../tracking/delivery-estimate/index.js'

const Yen = z.number().int().min(0).max(10_000_000)
const LocationId = z.string().regex(/^[a-z0-9_-]{1,64}$/)

const Band = z.enum(['60', '80', '100', '120', '140', '160'])
const RegionName = z.enum(REGIONS)

/**
 * A carrier rate table as data (the 3PL's contract, or a brand's own): yen per size band for each
 * tier, the tier of every origin → destination region pair, the cool surcharge per band, the COD fee.
 */
export const RateTableInput = z
  .object({
    carrier: z.string().min(1).max(30),
    tiers: z.record(z.string().regex(/^[a-z0-9_]{1,20}$/), z.array(z.number().int().min(1).max(1_000_000)).length(6, 'one price per size band 60, 80, 100, 120, 140, 160')),
    lanes: z.record(RegionName, z.record(RegionName, z.string())),
    coolSurcharge: z.partialRecord(Band, z.number().int().min(0).max(100_000)).default({}),
    codFee: z.number().int().min(0).max(100_000).default(330),
  })
  .strict()
  .superRefine((v, ctx) => {
    for (const o of REGIONS) {
      for (const d of REGIONS) {
        const tier = v.lanes[o]?.[d]
        if (tier === undefined) ctx.addIssue({ code: 'custom', path: ['lanes', o, d], message: `the lane ${o} → ${d} has no tier` })
        else if (!(tier in v.tiers)) ctx.addIssue({ code: 'custom', path: ['lanes', o, d], message: `unknown tier ${tier}` })
      }
    }
  })
export type RateTableInput = z.infer<typeof RateTableInput>

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
    /** The brand's own contracted rates; null: the 3PL's table (or Kando's illustrative default). */
    rates: RateTableInput.nullable().default(null),
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
