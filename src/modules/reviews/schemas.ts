import { z } from 'zod'
import { moderationRulesSchema } from './moderation.js'

const Label = z.object({ ja: z.string().min(1).max(200), en: z.string().min(1).max(200) }).strict()
const Key = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'a key is lower case letters, digits and _, up to 40 characters')

/** A question with fixed answers (fit and size per product type; the progressive-profiling question). */
export const Question = z.object({
  key: Key,
  label: Label,
  options: z.array(z.object({ value: Key, label: Label }).strict()).min(2).max(10),
}).strict()
export type Question = z.infer<typeof Question>

export const ReviewSettings = z.object({
  /** How long after the request the customer may write and edit (days). */
  windowDays: z.number().int().min(1).max(365).default(60),
  moderation: moderationRulesSchema.default(moderationRulesSchema.parse({})),
  /** Fit / size questions by the product's type (e.g. "アパレル"); `*` applies to every product. */
  fitQuestions: z.record(z.string().min(1).max(100), z.array(Question).max(5)).default({}),
  /** One zero-party question on the review page; the answer becomes the customer's trait `key`. */
  profilingQuestion: Question.nullable().default(null),
  /**
   * A thank-you for reviewing, never for the rating: a code from a coupon pool per tier, `photo`
   * when the review has a photo or video, `text` when its text has at least `textMinLength` characters.
   */
  incentives: z.object({
    textPoolId: z.string().nullable().default(null),
    photoPoolId: z.string().nullable().default(null),
    textMinLength: z.number().int().min(0).max(2000).default(50),
  }).strict().default({ textPoolId: null, photoPoolId: null, textMinLength: 50 }),
  /** Who hears of a detractor (NPS 0–6) within a minute: an address, and/or the webhook endpoints subscribed to nps.responded. */
  alerts: z.object({ email: z.email().nullable().default(null) }).strict().default({ email: null }),
}).strict()
export type ReviewSettings = z.infer<typeof ReviewSettings>

/** A review from another source through the API (`source` names it; never a verified purchase). */
export const ReviewInput = z.object({
  productId: z.string().min(1).max(64).optional(),
  sku: z.string().min(1).max(255).optional(),
  source: z.string().regex(/^[a-z][a-z0-9_.-]{1,39}$/).refine((s) => s !== 'kando', 'source "kando" is reserved for the review page').default('api'),
  externalId: z.string().min(1).max(255).optional(),
  rating: z.number().int().min(1).max(5),
  title: z.string().max(150).nullable().optional(),
  body: z.string().min(1).max(5000),
  authorName: z.string().min(1).max(100),
  locale: z.enum(['ja', 'en']).default('ja'),
  customerId: z.string().optional(),
  createdAt: z.iso.datetime({ offset: true }).optional(),
  /** Publish as is (imports of reviews already moderated elsewhere); otherwise the rules decide. */
  publish: z.boolean().optional(),
}).strict().refine((r) => r.productId || r.sku, { message: 'productId or sku is required', path: ['productId'] })
export type ReviewInput = z.infer<typeof ReviewInput>

export const ReplyInput = z.object({ body: z.string().min(1).max(2000) }).strict()
export const ModerationInput = z.object({ reason: z.string().max(500).optional() }).strict()

export const PublicQuery = z.object({
  sort: z.enum(['helpful', 'newest', 'rating_desc', 'rating_asc']).default('helpful'),
  filter: z.enum(['photos']).optional(),
  rating: z.coerce.number().int().min(1).max(5).optional(),
  page: z.coerce.number().int().min(1).max(1000).default(1),
  limit: z.coerce.number().int().min(1).max(50).default(10),
  lang: z.enum(['ja', 'en']).default('ja'),
})
export type PublicQuery = z.infer<typeof PublicQuery>

export const SurveyInput = z.object({
  kind: z.enum(['nps', 'csat']),
  /** What is asked about: an order id, or `return:<id>` / `case:<ref>` for CSAT after a return or a support case. */
  orderId: z.string().optional(),
  subject: z.string().regex(/^(return|case):[A-Za-z0-9_.:-]{1,100}$/).optional(),
  customerId: z.string().optional(),
}).strict().refine((s) => s.orderId || s.subject, { message: 'orderId or subject is required', path: ['orderId'] })

export const NpsReportQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  by: z.enum(['month', 'week', 'location', 'carrier', 'segment']).default('month'),
  kind: z.enum(['nps', 'csat']).default('nps'),
})
