/**
 * The link behind /review/:token: one per order. The token itself is never stored: it is an HMAC
 * of `nonce` under the installation key (so the link can be rebuilt for a reminder), and the
 * page finds the request by the token's SHA-256.
 */
export interface ReviewRequestsTable {
  id: string
  tenant_id: string
  order_id: string
  customer_id: string | null
  /** 128 random bits; the token is HMAC(key, nonce). */
  nonce: string
  token_hash: string
  /** Until when the customer may write or edit (the review window). */
  closes_at: string
  opened_at: string | null
  submitted_at: string | null
  created_at: string
}

export type ReviewStatus = 'pending' | 'published' | 'rejected' | 'removed'

export interface ReviewsTable {
  id: string
  tenant_id: string
  product_id: string
  variant_id: string | null
  /** Where it came from: `kando` (the review page), `api`, `import`, or a source the brand names. */
  source: string
  /** The source's id (imports are idempotent on it). */
  external_id: string | null
  /** 1 when written through the order's token: a verified purchase of this product. */
  verified: number
  request_id: string | null
  order_id: string | null
  customer_id: string | null
  rating: number
  title: string | null
  body: string
  author_name: string
  /** JSON: answers to the fit/size questions, by question key. */
  fit: string
  locale: string
  status: ReviewStatus
  /** Why it has its status (the moderation decision, in words). */
  status_reason: string | null
  /** JSON array of moderation flags. */
  flags: string
  helpful: number
  media_count: number
  reply_body: string | null
  reply_at: string | null
  /** The incentive handed out for this review (once): tier and code. */
  incentive_tier: string | null
  incentive_code: string | null
  created_at: string
  updated_at: string
  published_at: string | null
}

export interface ReviewMediaTable {
  id: string
  tenant_id: string
  review_id: string
  position: number
  kind: 'image' | 'video'
  mime: string
  bytes: number
  width: number | null
  height: number | null
  /** The re-encoded photo or the cleaned video. */
  data: Buffer
  created_at: string
}

export interface ReviewVotesTable {
  tenant_id: string
  review_id: string
  /** SHA-256 of the visitor id or of the network address: either one votes once. */
  voter: string
  created_at: string
}

export interface ReviewAuditTable {
  id: string
  tenant_id: string
  review_id: string
  action: string
  /** `customer`, `system`, or `api:<key label>`. */
  actor: string
  detail: string | null
  at: string
}

/** Published-review aggregates per product (variant_id '') and per variant, kept with each change. */
export interface ReviewStatsTable {
  tenant_id: string
  product_id: string
  variant_id: string
  count: number
  rating_sum: number
  r1: number
  r2: number
  r3: number
  r4: number
  r5: number
  with_media: number
  updated_at: string
  /** Bumped (on the product's '' row) by every change its storefront page could show. */
  version: number
}

export interface ReviewSettingsTable {
  tenant_id: string
  settings: string
  updated_at: string
}

export type SurveyKind = 'nps' | 'csat'

/** One NPS or CSAT question asked about one subject (an order, a return, a support case). */
export interface SurveyResponsesTable {
  id: string
  tenant_id: string
  kind: SurveyKind
  /** What was asked about: `order:<id>`, `return:<id>`, `case:<ref>`. One survey per kind and subject. */
  subject: string
  order_id: string | null
  customer_id: string | null
  nonce: string
  token_hash: string
  /** The fulfilment centre and carrier of the order's first parcel: was it the product or the delivery? */
  location: string | null
  carrier: string | null
  score: number | null
  /** `link` (one click in the message), `form` (confirmed on the page), `unconfirmed` (a link scanner clicked many scores). */
  score_via: string | null
  comment: string | null
  /** JSON: the last score links opened, [score, epoch ms] — tells a scanner from a person. */
  link_hits: string
  responded_at: string | null
  alerted_at: string | null
  created_at: string
  updated_at: string
}

export interface ReviewImportsTable {
  id: string
  tenant_id: string
  status: 'running' | 'done' | 'failed'
  total: number
  processed: number
  created: number
  skipped: number
  /** JSON array of { row, message } (first 100). */
  errors: string
  created_at: string
  finished_at: string | null
}

export interface ReviewsTables {
  review_requests: ReviewRequestsTable
  reviews: ReviewsTable
  review_media: ReviewMediaTable
  review_votes: ReviewVotesTable
  review_audit: ReviewAuditTable
  review_stats: ReviewStatsTable
  review_settings: ReviewSettingsTable
  survey_responses: SurveyResponsesTable
  review_imports: ReviewImportsTable
}
