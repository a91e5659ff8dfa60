import { z } from 'zod'
import { SHIPMENT_STATUSES, TIME_SLOTS } from './status.js'

const PrefectureCode = z.string().regex(/^(0[1-9]|[1-3][0-9]|4[0-7])$/, 'a JIS prefecture code 01–47')
const HttpUrl = z.url({ protocol: /^https?$/ }).max(2000)
export const Carrier = z.string().min(1).max(30).describe('yamato, sagawa, japan_post, seino, fukuyama, dhl, fedex, ups or other')

export const ShipmentLineInput = z.object({ orderLineId: z.string().min(1).max(100), quantity: z.number().int().positive().max(100_000) }).strict()

export const ShipmentInput = z
  .object({
    externalId: z.string().min(1).max(200).optional(),
    /** Detected from the tracking number when absent. */
    carrier: Carrier.optional(),
    service: z.string().min(1).max(50).optional(),
    trackingNumber: z.string().min(1).max(40).optional(),
    /** For carriers Kando has no adapter for: their tracking page. */
    trackingUrl: HttpUrl.optional(),
    origin: z
      .object({
        location: z.string().min(1).max(100).optional(),
        prefectureCode: PrefectureCode.optional(),
        cutoff: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM').optional(),
      })
      .strict()
      .optional(),
    timeSlot: z.enum(TIME_SLOTS).optional(),
    requestedDate: z.iso.date().optional(),
    options: z
      .object({
        leaveAt: z.string().min(1).max(50).optional(),
        pickupPoint: z.string().min(1).max(100).optional(),
        codAmount: z.number().int().min(0).max(100_000_000).optional(),
      })
      .strict()
      .optional(),
    /** Omitted: every line not yet in a shipment. */
    lines: z.array(ShipmentLineInput).min(1).max(500).optional(),
    /** When the parcel was ready at the centre (label printed); default now. */
    readyAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict()
export type ShipmentInput = z.infer<typeof ShipmentInput>

export const TrackingEventInput = z
  .object({
    /** The sender's own id for the event; repeats with the same id are ignored. */
    eventId: z.string().min(1).max(200).optional(),
    /** Normalised status; derived from rawStatus through the carrier's words when absent. */
    status: z.enum(SHIPMENT_STATUSES).optional(),
    rawStatus: z.string().min(1).max(300).optional(),
    rawCode: z.string().min(1).max(50).optional(),
    location: z.string().min(1).max(200).optional(),
    occurredAt: z.iso.datetime({ offset: true }),
  })
  .strict()
  .refine((e) => e.status !== undefined || e.rawStatus !== undefined, { message: 'give status or rawStatus', path: ['status'] })
export type TrackingEventInput = z.infer<typeof TrackingEventInput>

export const TrackingEventsBody = z.object({ events: z.array(TrackingEventInput).min(1).max(500) }).strict()

const HexColour = z.string().regex(/^#(?:[0-9a-fA-F]{3}){1,2}$/, 'a colour like #1f5fa8')
const Localised = z.object({ ja: z.string().min(1).max(200), en: z.string().min(1).max(200).optional() }).strict()

export const CtaInput = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lower-case letters, digits, - and _'),
    kind: z.enum(['review', 'reorder', 'line_friend', 'content', 'recommendation', 'custom']),
    title: Localised,
    body: Localised.optional(),
    label: Localised,
    url: HttpUrl,
    imageUrl: HttpUrl.optional(),
    /** When the block shows: always, before delivery, or after delivery. */
    show: z.enum(['always', 'before_delivery', 'after_delivery']).default('always'),
    utm: z.object({ campaign: z.string().min(1).max(100).optional(), term: z.string().min(1).max(100).optional() }).strict().optional(),
  })
  .strict()
export type CtaInput = z.infer<typeof CtaInput>

export const TrackingSettingsInput = z
  .object({
    brand: z
      .object({
        logoUrl: HttpUrl.nullable().default(null),
        primaryColor: HexColour.default('#1f5f4a'),
        accentColor: HexColour.default('#b5562b'),
        fontFamily: z.string().regex(/^[\p{L}\p{N} ,'"-]{1,120}$/u, 'font names separated by commas').nullable().default(null),
      })
      .strict()
      .default({ logoUrl: null, primaryColor: '#1f5f4a', accentColor: '#b5562b', fontFamily: null }),
    support: z
      .object({
        email: z.email().max(320).nullable().default(null),
        url: HttpUrl.nullable().default(null),
        phone: z.string().max(30).nullable().default(null),
        hours: z.string().max(100).nullable().default(null),
      })
      .strict()
      .default({ email: null, url: null, phone: null, hours: null }),
    ctas: z.array(CtaInput).max(10).default([]),
    watch: z
      .object({
        notPickedUpHours: z.number().int().min(1).max(24 * 14).default(24),
        noScanDays: z.number().int().min(1).max(30).default(3),
        slaDays: z.number().int().min(1).max(60).default(5),
      })
      .strict()
      .default({ notPickedUpHours: 24, noScanDays: 3, slaDays: 5 }),
  })
  .strict()
  .superRefine((s, ctx) => {
    const seen = new Set<string>()
    s.ctas.forEach((c, i) => {
      if (seen.has(c.id)) ctx.addIssue({ code: 'custom', path: ['ctas', i, 'id'], message: `duplicate CTA id ${c.id}` })
      seen.add(c.id)
    })
  })
export type TrackingSettings = z.infer<typeof TrackingSettingsInput>
