import { z } from 'zod'
import { CARRIER_CODES } from '../tracking/carriers/index.js'

const Sku = z.string().min(1).max(100)
const LocationId = z.string().regex(/^[a-z0-9_-]{1,64}$/, 'must be 1–64 of a-z, 0-9, _ and -')
const Hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)')
const IsoDate = z.iso.date()

export const CAPABILITIES = ['cool', 'frozen', 'oversized', 'hazardous'] as const
export const SIZE_BANDS = [60, 80, 100, 120, 140, 160] as const
export const TEMPERATURES = ['ambient', 'cool', 'frozen'] as const

/** A fulfilment centre, warehouse or store (the 3PL's, shared by every brand it serves). */
export const LocationInput = z
  .object({
    name: z.string().min(1).max(200),
    kind: z.enum(['fulfillment_centre', 'warehouse', 'store']).default('fulfillment_centre'),
    prefectureCode: z.string().regex(/^(0[1-9]|[1-3][0-9]|4[0-7])$/, 'must be a JIS prefecture code 01–47'),
    lat: z.number().min(20).max(46),
    lon: z.number().min(122).max(154),
    carriers: z.array(z.enum(CARRIER_CODES as unknown as [string, ...string[]])).min(1).max(10),
    cutoff: Hhmm,
    dailyCapacity: z.number().int().min(0).max(10_000_000),
    capabilities: z.array(z.enum(CAPABILITIES)).max(4).default([]),
    closedWeekdays: z.array(z.number().int().min(0).max(6)).max(7).default([]),
    closedDates: z.array(IsoDate).max(400).default([]),
    active: z.boolean().default(true),
  })
  .strict()
export type LocationInput = z.input<typeof LocationInput>

/** How a SKU ships: its packed size band, temperature and what the shipping location must handle. */
export const ItemInput = z
  .object({
    sku: Sku,
    sizeBand: z.union([z.literal(60), z.literal(80), z.literal(100), z.literal(120), z.literal(140), z.literal(160)]).default(60),
    temperature: z.enum(TEMPERATURES).default('ambient'),
    requires: z.array(z.enum(['oversized', 'hazardous'])).max(2).default([]),
  })
  .strict()
export type ItemInput = z.input<typeof ItemInput>

/** A WMS snapshot: absolute on-hand counts at one location as of sequence `seq`. */
export const StockSnapshotInput = z
  .object({
    locationId: LocationId,
    seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    items: z.array(z.object({ sku: Sku, onHand: z.number().int().min(0).max(100_000_000) }).strict()).min(1).max(10_000),
  })
  .strict()
  .superRefine((v, ctx) => {
    const seen = new Set<string>()
    v.items.forEach((i, n) => {
      if (seen.has(i.sku)) ctx.addIssue({ code: 'custom', path: ['items', n, 'sku'], message: `SKU ${i.sku} appears twice in one snapshot` })
      seen.add(i.sku)
    })
  })
export type StockSnapshotInput = z.input<typeof StockSnapshotInput>

/** WMS deltas: signed changes (receipts +, damages −) at one location, each message numbered. */
export const StockDeltaInput = z
  .object({
    locationId: LocationId,
    seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    reason: z.string().max(200).optional(),
    items: z.array(z.object({ sku: Sku, delta: z.number().int().min(-100_000_000).max(100_000_000).refine((d) => d !== 0, 'must not be 0') }).strict()).min(1).max(10_000),
  })
  .strict()
  .superRefine((v, ctx) => {
    const seen = new Set<string>()
    v.items.forEach((i, n) => {
      if (seen.has(i.sku)) ctx.addIssue({ code: 'custom', path: ['items', n, 'sku'], message: `SKU ${i.sku} appears twice in one delta message` })
      seen.add(i.sku)
    })
  })
export type StockDeltaInput = z.input<typeof StockDeltaInput>

export { LocationId, Sku }
