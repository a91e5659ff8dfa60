import { sql, type SelectQueryBuilder } from 'kysely'
import { LRUCache } from 'lru-cache'
import type { Logger } from 'pino'
import type { Config } from '../../platform/config.js'
import type { Clock } from '../../platform/clock.js'
import type { Db, Executor } from '../../platform/db/index.js'
import { fromJson, toJson } from '../../platform/db/json.js'
import { AppError } from '../../platform/errors.js'
import { escapeHtml } from '../../platform/html.js'
import type { DomainEvent, EventBus } from '../../platform/events.js'
import { newId, newToken, sha256Hex } from '../../platform/ids.js'
import type { Queue } from '../../platform/queue/types.js'
import type { SecretBox } from '../../platform/secrets.js'
import { TenantDb } from '../../platform/tenancy.js'
import type { CatalogService } from '../catalog/index.js'
import type { CouponService } from '../coupons/index.js'
import type { CustomerService } from '../customers/index.js'
import type { NotificationService } from '../notifications/service.js'
import type { OrderService } from '../orders/index.js'
import type { TenantService } from '../tenants/index.js'
import type { TrackingService } from '../tracking/index.js'
import { decidePublication, flagReviewText, type ReviewFlag } from './moderation.js'
import { csatOf, looksLikeScanner, npsOf, periodOf, type CsatFigures, type NpsFigures } from './nps.js'
import { NpsReportQuery, PublicQuery, Question, ReviewInput, ReviewSettings } from './schemas.js'
import type { Database } from '../../schema.js'
import type { ReviewStatsTable, ReviewsTable, ReviewStatus, SurveyKind, SurveyResponsesTable } from './tables.js'

export interface ReviewDeps {
  tenants: TenantService
  customers: CustomerService
  orders: OrderService
  tracking: TrackingService
  catalog: CatalogService
  coupons: CouponService
  notifications: NotificationService
}

/** A photo or video already checked and cleaned (media.ts), ready to store. */
export interface CleanMedia {
  kind: 'image' | 'video'
  mime: string
  data: Buffer
  width: number | null
  height: number | null
}

/** One product of an order on the review page, with what the customer wrote so far. */
export interface ReviewPageItem {
  productId: string
  variantId: string
  productTitle: string
  variantTitle: string | null
  imageUrl: string | null
  questions: Question[]
  review: { id: string; rating: number; title: string | null; body: string; fit: Record<string, string>; status: ReviewStatus; media: Array<{ id: string; kind: string }> } | null
}

export interface ReviewPage {
  tenantId: string
  tenantName: string
  requestId: string
  orderNumber: string | null
  closesAt: string
  closed: boolean
  locale: 'ja' | 'en'
  items: ReviewPageItem[]
  profiling: { question: Question; answer: string | null } | null
}

export interface ReviewItemInput {
  productId: string
  rating: number
  title: string | null
  body: string
  fit: Record<string, string>
  removeMedia: string[]
  media: CleanMedia[]
}

export interface SubmitResult {
  reviews: Array<{ id: string; productId: string; status: ReviewStatus; reason: string; coupon: { code: string; tier: string } | null }>
}

/** A review as the brand's API shows it. */
export interface Review {
  id: string
  productId: string
  variantId: string | null
  source: string
  externalId: string | null
  verified: boolean
  orderId: string | null
  customerId: string | null
  rating: number
  title: string | null
  body: string
  authorName: string
  fit: Record<string, string>
  locale: string
  status: ReviewStatus
  statusReason: string | null
  flags: ReviewFlag[]
  helpful: number
  media: Array<{ id: string; kind: string; mime: string; bytes: number; width: number | null; height: number | null; url: string }>
  reply: { body: string; at: string } | null
  incentive: { tier: string; code: string } | null
  createdAt: string
  updatedAt: string
  publishedAt: string | null
}

export interface StorefrontCacheCounts { fresh: number; stale: number; built: number; refreshes: number; revalidated: number; statsBuilt: number; boughtBuilt: number; productLookups: number }

/** A product as the storefront names it: its id, title, image and variants (with their titles). */
interface StorefrontProduct { id: string; title: string; imageUrl: string | null; variantIds: string[]; variants: Array<{ id: string; title: string }>; titles?: Map<string, string> }
const NO_PRODUCT: StorefrontProduct = { id: '', title: '', imageUrl: null, variantIds: [], variants: [] }

/** What every page of one product's storefront JSON shares. */
interface StorefrontFacts {
  product: { id: string; title: string; imageUrl: string | null; variantIds: string[] }
  variantTitles: ReadonlyMap<string, string> | undefined
  stats: ReviewStatsTable | undefined
  perVariant: ReviewStatsTable[]
  bought: number
}

/** Reviews to a product page: cached JSON bodies, keyed by product and query. */
interface CachedBody {
  /** When it was built or last found still valid. */
  at: number
  etag: string
  body: string
  /** What it was built from: the product's page validator and "bought this week". */
  version: number
  bought: number
}

/** An answer the brand is alerted to: an NPS detractor (0–6) or a dissatisfied CSAT (1–2). */
function isLowScore(kind: SurveyKind, score: number): boolean {
  return kind === 'nps' ? score <= 6 : score <= 2
}

const PUBLIC_TTL_MS = 60_000
/** A stale page body is served (while one refresh runs) only this long after it was built. */
const PUBLIC_STALE_MS = 10 * 60_000
const PUBLIC_CACHE_MAX = 20_000
const REVIEW_PURPOSE = 'review'
const SURVEY_PURPOSE = 'survey'
const DAY = 86_400_000
const ALERT_QUEUE = 'reviews.detractor_alert'

export class ReviewError extends AppError {}

/**
 * Voice of the customer: review requests and the review page, verified-buyer reviews with photos,
 * moderation with an audit trail, the storefront JSON and its aggregates, helpful votes, NPS and
 * CSAT surveys with detractor alerts, CSV import and export. Every change to a review and its
 * aggregate happens in one transaction, with its events.
 */
export class ReviewService {
  private settingsCache = new Map<string, { at: number; settings: ReviewSettings }>()
  /** Bumped when a product's published reviews change here, so this process never serves them stale. */
  private generation = new Map<string, number>()

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly events: EventBus,
    private readonly secrets: SecretBox,
    private readonly deps: ReviewDeps,
    private readonly config: Pick<Config, 'publicUrl'>,
    private readonly log: Logger,
    private readonly queue: Queue,
    /**
     * How long a one-click score waits before it may alert: a mail scanner opens every score link
     * within seconds, and its first click must not page the brand. Answers from the form alert at once.
     */
    private readonly alertDelayMs = 20_000,
  ) {}

  async declare(): Promise<void> {
    await this.queue.declare(ALERT_QUEUE, { retryLimit: 10, retryDelaySeconds: 5 })
  }

  async work(): Promise<void> {
    await this.queue.work<{ tenantId: string; surveyId: string }>(ALERT_QUEUE, (job) => this.alertIfLowScore(job.data.tenantId, job.data.surveyId), { concurrency: 2 })
  }

  /** The review and survey links in messages, and the detractor alerts. */
  register(): void {
    this.deps.notifications.addLinkProvider(async (tx, m) => {
      if (!m.orderId) return {}
      if (m.type === 'review_request') return { review: (await this.requestLink(tx, m.orderId)).url }
      if (m.type === 'nps_survey') return { nps: (await this.surveyLink(tx, { kind: 'nps', orderId: m.orderId, customerId: m.customerId ?? undefined })).url }
      // CSAT about one return, else about the order (the order is kept for the report by centre and carrier).
      if (m.type === 'csat_survey') return { csat: (await this.surveyLink(tx, { kind: 'csat', subject: m.returnId ? `return:${m.returnId}` : undefined, orderId: m.orderId, customerId: m.customerId ?? undefined })).url }
      return {}
    })
    this.events.subscribe('reviews', ['nps.responded'], (event, tx) => this.onEvent(event, tx), { parallel: 2 })
  }

  // ------------------------------------------------------------------ settings

  async settings(tx: TenantDb): Promise<ReviewSettings> {
    const hit = this.settingsCache.get(tx.tenantId)
    if (hit && Date.now() - hit.at < 5_000) return hit.settings
    const row = await tx.selectFrom('review_settings').select('settings').executeTakeFirst()
    const settings = ReviewSettings.parse(fromJson(row?.settings, {}))
    this.settingsCache.set(tx.tenantId, { at: Date.now(), settings })
    return settings
  }

  /** Replaces the settings. Throws a ZodError (422) on a bad document and AppError for an unknown coupon pool. */
  async updateSettings(tx: TenantDb, raw: unknown): Promise<ReviewSettings> {
    const settings = ReviewSettings.parse(raw)
    for (const [pointer, id] of [['/incentives/textPoolId', settings.incentives.textPoolId], ['/incentives/photoPoolId', settings.incentives.photoPoolId]] as const) {
      if (id && !(await this.deps.coupons.getPool(tx, id))) throw new AppError('COUPON_POOL_NOT_FOUND', 'invalid_data', `No coupon pool with id ${id}.`, { fields: [{ pointer, message: 'no such coupon pool' }] })
    }
    const now = this.clock.now().toISOString()
    await tx.insertInto('review_settings', { settings: toJson(settings), updated_at: now })
      .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ settings: toJson(settings), updated_at: now })).execute()
    this.settingsCache.delete(tx.tenantId)
    return settings
  }

  // ------------------------------------------------------------------ links

  /** The order's review link (made on first use): one token per order, valid for the review window. */
  async requestLink(tx: TenantDb, orderId: string): Promise<{ url: string; token: string; closesAt: string; requestId: string }> {
    let row = await tx.selectFrom('review_requests').select(['id', 'nonce', 'closes_at']).where('order_id', '=', orderId).executeTakeFirst()
    if (!row) {
      const order = await this.deps.orders.get(tx, orderId, { history: false })
      if (!order) throw new AppError('ORDER_NOT_FOUND', 'not_found', `No order with id ${orderId}.`)
      const now = this.clock.now()
      const nonce = newToken(16)
      const id = newId('rrq', now)
      const closes = new Date(now.getTime() + (await this.settings(tx)).windowDays * DAY).toISOString()
      await tx.insertInto('review_requests', {
        id, order_id: orderId, customer_id: order.customerId, nonce, token_hash: sha256Hex(this.secrets.derive(REVIEW_PURPOSE, nonce)),
        closes_at: closes, opened_at: null, submitted_at: null, created_at: now.toISOString(),
      }).onConflict((oc) => oc.columns(['tenant_id', 'order_id']).doNothing()).execute()
      row = await tx.selectFrom('review_requests').select(['id', 'nonce', 'closes_at']).where('order_id', '=', orderId).executeTakeFirstOrThrow()
    }
    const token = this.secrets.derive(REVIEW_PURPOSE, row.nonce)
    return { url: `${this.config.publicUrl}/review/${token}`, token, closesAt: row.closes_at, requestId: row.id }
  }

  /** The survey link for one subject (made on first use). Scores are added as `?score=N`. */
  async surveyLink(tx: TenantDb, s: { kind: SurveyKind; orderId?: string; subject?: string; customerId?: string }): Promise<{ url: string; token: string; surveyId: string }> {
    const subject = s.subject ?? `order:${s.orderId}`
    let row = await tx.selectFrom('survey_responses').select(['id', 'nonce']).where('kind', '=', s.kind).where('subject', '=', subject).executeTakeFirst()
    if (!row) {
      const order = s.orderId ? await this.deps.orders.get(tx, s.orderId, { history: false }) : undefined
      if (s.orderId && !order) throw new AppError('ORDER_NOT_FOUND', 'not_found', `No order with id ${s.orderId}.`)
      const customerId = s.customerId ?? order?.customerId ?? null
      if (s.customerId && !(await this.deps.customers.get(tx, s.customerId))) throw new AppError('CUSTOMER_NOT_FOUND', 'not_found', `No customer with id ${s.customerId}.`)
      // Was it the product or the delivery? Remember where the first parcel came from and who carried it.
      const parcel = order ? (await this.deps.tracking.forOrder(tx, order.id))[0] : undefined
      const now = this.clock.now().toISOString()
      const nonce = newToken(16)
      await tx.insertInto('survey_responses', {
        id: newId('svy'), kind: s.kind, subject, order_id: order?.id ?? null, customer_id: customerId, nonce,
        token_hash: sha256Hex(this.secrets.derive(SURVEY_PURPOSE, nonce)), location: parcel?.origin.location ?? null, carrier: parcel?.carrier ?? null,
        score: null, score_via: null, comment: null, link_hits: '[]', responded_at: null, alerted_at: null, created_at: now, updated_at: now,
      }).onConflict((oc) => oc.columns(['tenant_id', 'kind', 'subject']).doNothing()).execute()
      row = await tx.selectFrom('survey_responses').select(['id', 'nonce']).where('kind', '=', s.kind).where('subject', '=', subject).executeTakeFirstOrThrow()
    }
    const token = this.secrets.derive(SURVEY_PURPOSE, row.nonce)
    return { url: `${this.config.publicUrl}/nps/${token}`, token, surveyId: row.id }
  }

  // ------------------------------------------------------------------ the review page

  private async requestByToken(token: string) {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined
    const row = await this.db.kysely.selectFrom('review_requests').selectAll().where('token_hash', '=', sha256Hex(token)).executeTakeFirst()
    return row ? { row, scope: new TenantDb(row.tenant_id, this.db.kysely, this.db.dialect) } : undefined
  }

  /** What the review page shows for a token; undefined for a token that is not one. */
  async page(token: string, opts: { markOpened?: boolean } = {}): Promise<ReviewPage | undefined> {
    const found = await this.requestByToken(token)
    if (!found) return undefined
    const { row, scope } = found
    const now = this.clock.now()
    if (opts.markOpened && !row.opened_at) await scope.updateTable('review_requests').set({ opened_at: now.toISOString() }).where('id', '=', row.id).where('opened_at', 'is', null).execute()
    const [order, tenant, settings] = await Promise.all([this.deps.orders.get(scope, row.order_id, { history: false }), this.deps.tenants.find(row.tenant_id), this.settings(scope)])
    if (!order) return undefined
    const customer = order.customerId ? await this.deps.customers.get(scope, order.customerId) : undefined
    const locale: 'ja' | 'en' = (customer?.locale ?? tenant.locale) === 'en' ? 'en' : 'ja'
    const items = await this.deliveredItems(scope, order.id, order.lines)
    const existing = await scope.selectFrom('reviews').selectAll().where('request_id', '=', row.id).execute()
    const media = existing.length ? await scope.selectFrom('review_media').select(['id', 'review_id', 'kind']).where('review_id', 'in', existing.map((r) => r.id)).orderBy('position').execute() : []
    const traits = settings.profilingQuestion && order.customerId ? await this.deps.customers.traits(scope, order.customerId) : {}
    return {
      tenantId: row.tenant_id, tenantName: tenant.name, requestId: row.id, orderNumber: order.number, closesAt: row.closes_at, closed: now.getTime() > Date.parse(row.closes_at), locale,
      items: items.map((it) => {
        const r = existing.find((e) => e.product_id === it.productId)
        return {
          ...it, questions: [...(settings.fitQuestions['*'] ?? []), ...(it.productType ? settings.fitQuestions[it.productType] ?? [] : [])],
          review: r ? { id: r.id, rating: r.rating, title: r.title, body: r.body, fit: fromJson(r.fit, {}), status: r.status, media: media.filter((m) => m.review_id === r.id).map((m) => ({ id: m.id, kind: m.kind })) } : null,
        }
      }),
      profiling: settings.profilingQuestion ? { question: settings.profilingQuestion, answer: typeof traits[settings.profilingQuestion.key] === 'string' ? (traits[settings.profilingQuestion.key] as string) : null } : null,
    }
  }

  /** The order's delivered products, one per product (the first delivered variant names it). */
  private async deliveredItems(scope: TenantDb, orderId: string, lines: Array<{ id: string; variantId: string | null }>) {
    const shipments = await this.deps.tracking.forOrder(scope, orderId)
    const delivered = new Set(shipments.filter((s) => s.status === 'delivered').flatMap((s) => s.lines.map((l) => l.orderLineId)))
    const variantIds = lines.filter((l) => delivered.has(l.id) && l.variantId).map((l) => l.variantId!)
    const described = await this.deps.catalog.describeVariants(scope, variantIds)
    const out: Array<{ productId: string; variantId: string; productTitle: string; variantTitle: string | null; imageUrl: string | null; productType: string | null; sku: string | null }> = []
    for (const id of variantIds) {
      const v = described.get(id)
      if (!v || out.some((o) => o.productId === v.productId)) continue
      out.push({ productId: v.productId, variantId: v.variantId, productTitle: v.productTitle, variantTitle: v.variantTitle && v.variantTitle !== 'Default Title' ? v.variantTitle : null, imageUrl: v.imageUrl, productType: v.productType, sku: v.sku })
    }
    return out
  }

  /**
   * Saves what the customer wrote on the review page: each product's review is created or edited
   * (within the window), moderated, counted in the aggregates, and announced; photos removed or
   * added; the profiling answer stored as a trait. All in one transaction.
   */
  async submit(token: string, input: { items: ReviewItemInput[]; profile?: string | null }): Promise<SubmitResult> {
    const found = await this.requestByToken(token)
    if (!found) throw new AppError('REVIEW_LINK_UNKNOWN', 'not_found', 'This review link is not valid.')
    const page = await this.page(token)
    if (!page) throw new AppError('REVIEW_LINK_UNKNOWN', 'not_found', 'This review link is not valid.')
    if (page.closed) throw new AppError('REVIEW_WINDOW_CLOSED', 'conflict', `The review window closed on ${page.closesAt}.`)
    const fields: Array<{ pointer: string; message: string }> = []
    input.items.forEach((it, i) => {
      const item = page.items.find((p) => p.productId === it.productId)
      if (!item) fields.push({ pointer: `/items/${i}/productId`, message: 'not a delivered product of this order' })
      if (!Number.isInteger(it.rating) || it.rating < 1 || it.rating > 5) fields.push({ pointer: `/items/${i}/rating`, message: 'choose 1 to 5 stars' })
      if ((it.title ?? '').length > 150) fields.push({ pointer: `/items/${i}/title`, message: 'at most 150 characters' })
      if (it.body.length > 5000) fields.push({ pointer: `/items/${i}/body`, message: 'at most 5000 characters' })
      for (const [k, v] of Object.entries(it.fit)) {
        const q = item?.questions.find((x) => x.key === k)
        if (!q || !q.options.some((o) => o.value === v)) fields.push({ pointer: `/items/${i}/fit/${k}`, message: 'not one of the answers' })
      }
    })
    const settings = await this.settings(found.scope)
    if (input.profile && settings.profilingQuestion && !settings.profilingQuestion.options.some((o) => o.value === input.profile)) fields.push({ pointer: '/profile', message: 'not one of the answers' })
    if (fields.length) throw new AppError('REVIEW_INVALID', 'invalid_data', 'Some answers need another look.', { fields })
    if (input.items.length === 0 && !input.profile) throw new AppError('REVIEW_EMPTY', 'invalid_data', 'Rate at least one product.', { fields: [{ pointer: '/items', message: 'rate at least one product' }] })

    const result: SubmitResult = { reviews: [] }
    const touched = new Set<string>()
    await this.db.transaction(async (trx) => {
      const tx = found.scope.with(trx)
      const now = this.clock.now().toISOString()
      const order = await this.deps.orders.get(tx, found.row.order_id, { history: false })
      const customer = order?.customerId ? await this.deps.customers.get(tx, order.customerId) : undefined
      for (const it of input.items) {
        const item = page.items.find((p) => p.productId === it.productId)!
        const before = await tx.selectFrom('reviews').selectAll().where('request_id', '=', found.row.id).where('product_id', '=', it.productId).executeTakeFirst()
        const id = before?.id ?? newId('rev', this.clock.now())
        if (!before) {
          await tx.insertInto('reviews', {
            id, product_id: it.productId, variant_id: item.variantId, source: 'kando', external_id: null, verified: 1, request_id: found.row.id,
            order_id: found.row.order_id, customer_id: order?.customerId ?? null, rating: it.rating, title: it.title || null, body: it.body,
            author_name: authorName(customer?.lastName ?? null, customer?.firstName ?? null, page.locale), fit: toJson(it.fit), locale: page.locale,
            status: 'pending', status_reason: null, flags: '[]', helpful: 0, media_count: 0, reply_body: null, reply_at: null,
            incentive_tier: null, incentive_code: null, created_at: now, updated_at: now, published_at: null,
          }).execute()
        }
        if (it.removeMedia.length) await tx.deleteFrom('review_media').where('review_id', '=', id).where('id', 'in', it.removeMedia).execute()
        const kept = await tx.selectFrom('review_media').select(['id', 'bytes']).where('review_id', '=', id).orderBy('position').execute()
        if (kept.length + it.media.length > 6) throw new AppError('TOO_MANY_FILES', 'too_large', `A review may have at most 6 photos or videos; this one would have ${kept.length + it.media.length}.`)
        let position = kept.length
        for (const m of it.media) {
          await tx.insertInto('review_media', { id: newId('med'), review_id: id, position: position++, kind: m.kind, mime: m.mime, bytes: m.data.length, width: m.width, height: m.height, data: m.data, created_at: now }).execute()
        }
        const mediaCount = kept.length + it.media.length
        const flags = flagReviewText({ title: it.title, body: it.body })
        const r = await this.moveTo(tx, { ...(before ?? (await tx.selectFrom('reviews').selectAll().where('id', '=', id).executeTakeFirstOrThrow())) }, {
          rating: it.rating, title: it.title || null, body: it.body, fit: it.fit, flags, mediaCount, settings, actor: 'customer', action: before ? 'edited' : 'submitted',
        })
        touched.add(it.productId)
        result.reviews.push({ id, productId: it.productId, status: r.status, reason: r.reason, coupon: r.coupon })
      }
      if (input.profile && settings.profilingQuestion && order?.customerId) {
        await this.deps.customers.setTrait(tx, order.customerId, settings.profilingQuestion.key, input.profile, 'review_page')
      }
      await tx.updateTable('review_requests').set({ submitted_at: now }).where('id', '=', found.row.id).execute()
    })
    for (const p of touched) this.bump(found.row.tenant_id, p)
    return result
  }

  /**
   * Applies new content and the moderation decision to a review: status, aggregates, audit, events,
   * and the thank-you coupon when it is due. The caller holds the transaction.
   */
  private async moveTo(tx: TenantDb, before: ReviewsTable, c: { rating: number; title: string | null; body: string; fit: Record<string, string>; flags: ReviewFlag[]; mediaCount: number; settings: ReviewSettings; actor: string; action: string }) {
    const now = this.clock.now().toISOString()
    const decision = decidePublication(c.settings.moderation, { rating: c.rating, flags: c.flags, mediaCount: c.mediaCount })
    const status: ReviewStatus = decision.publish ? 'published' : 'pending'
    const after: ReviewsTable = {
      ...before, rating: c.rating, title: c.title, body: c.body, fit: toJson(c.fit), flags: toJson(c.flags), media_count: c.mediaCount,
      status, status_reason: decision.reason, updated_at: now, published_at: status === 'published' ? before.published_at ?? now : before.published_at,
    }
    await tx.updateTable('reviews').set({
      rating: after.rating, title: after.title, body: after.body, fit: after.fit, flags: after.flags, media_count: after.media_count,
      status: after.status, status_reason: after.status_reason, updated_at: now, published_at: after.published_at,
    }).where('id', '=', before.id).execute()
    await this.restat(tx, before, after)
    await this.audit(tx, before.id, c.action, c.actor, `${c.rating}★, ${c.mediaCount} photo(s)/video(s); ${decision.reason}`)
    const data = { reviewId: before.id, productId: before.product_id, variantId: before.variant_id, rating: c.rating, orderId: before.order_id, customerId: before.customer_id, verified: before.verified === 1, source: before.source, status, edited: c.action === 'edited', withMedia: c.mediaCount > 0 }
    await this.events.append(tx, 'review.submitted', before.id, data)
    if (status === 'published' && before.status !== 'published') await this.events.append(tx, 'review.published', before.id, data)
    // The thank-you is for writing, never for the rating: due unless the text was flagged (then on approval).
    const coupon = c.flags.length === 0 ? await this.incentive(tx, { ...after }, c.settings) : before.incentive_code ? { code: before.incentive_code, tier: before.incentive_tier! } : null
    return { status, reason: decision.reason, coupon }
  }

  /** Hands out the review's thank-you code once (photo tier, else text tier), if the brand set one. */
  private async incentive(tx: TenantDb, r: ReviewsTable, settings: ReviewSettings): Promise<{ code: string; tier: string } | null> {
    if (r.incentive_code) return { code: r.incentive_code, tier: r.incentive_tier! }
    const inc = settings.incentives
    const tier = r.media_count > 0 && inc.photoPoolId ? 'photo' : inc.textPoolId && [...r.body].length >= inc.textMinLength ? 'text' : null
    if (!tier) return null
    const poolId = tier === 'photo' ? inc.photoPoolId! : inc.textPoolId!
    const issued = await this.deps.coupons.issue(tx, poolId, { key: `review:${r.id}`, ...(r.customer_id ? { customerId: r.customer_id } : {}) })
    if (issued.exhausted) {
      await this.audit(tx, r.id, 'incentive_skipped', 'system', `no code: ${issued.reason}`)
      return null
    }
    await tx.updateTable('reviews').set({ incentive_tier: tier, incentive_code: issued.code }).where('id', '=', r.id).execute()
    await this.audit(tx, r.id, 'incentive_issued', 'system', `${tier} tier`)
    return { code: issued.code, tier }
  }

  /** Keeps review_stats equal to the published reviews: removes what `before` counted, adds what `after` counts. */
  private async restat(tx: TenantDb, before: Pick<ReviewsTable, 'status' | 'rating' | 'media_count' | 'product_id' | 'variant_id'> | null, after: Pick<ReviewsTable, 'status' | 'rating' | 'media_count' | 'product_id' | 'variant_id'> | null): Promise<void> {
    const deltas: Array<[Pick<ReviewsTable, 'rating' | 'media_count' | 'product_id' | 'variant_id'>, number]> = []
    if (before?.status === 'published') deltas.push([before, -1])
    if (after?.status === 'published') deltas.push([after, 1])
    if (deltas.length === 2 && deltas[0]![0].rating === deltas[1]![0].rating && (deltas[0]![0].media_count > 0) === (deltas[1]![0].media_count > 0)) return
    const now = this.clock.now().toISOString()
    for (const [r, sign] of deltas) {
      for (const variant of r.variant_id ? ['', r.variant_id] : ['']) {
        const row = {
          product_id: r.product_id, variant_id: variant, count: sign, rating_sum: sign * r.rating,
          r1: r.rating === 1 ? sign : 0, r2: r.rating === 2 ? sign : 0, r3: r.rating === 3 ? sign : 0, r4: r.rating === 4 ? sign : 0, r5: r.rating === 5 ? sign : 0,
          with_media: r.media_count > 0 ? sign : 0, updated_at: now, version: 0,
        }
        await tx.insertInto('review_stats', row).onConflict((oc) => oc.columns(['tenant_id', 'product_id', 'variant_id']).doUpdateSet((eb) => ({
          count: sql`review_stats.count + ${eb.ref('excluded.count')}`,
          rating_sum: sql`review_stats.rating_sum + ${eb.ref('excluded.rating_sum')}`,
          r1: sql`review_stats.r1 + ${eb.ref('excluded.r1')}`, r2: sql`review_stats.r2 + ${eb.ref('excluded.r2')}`, r3: sql`review_stats.r3 + ${eb.ref('excluded.r3')}`,
          r4: sql`review_stats.r4 + ${eb.ref('excluded.r4')}`, r5: sql`review_stats.r5 + ${eb.ref('excluded.r5')}`,
          with_media: sql`review_stats.with_media + ${eb.ref('excluded.with_media')}`,
          updated_at: eb.ref('excluded.updated_at'),
        }))).execute()
      }
    }
  }

  private async audit(tx: TenantDb, reviewId: string, action: string, actor: string, detail: string | null): Promise<void> {
    await tx.insertInto('review_audit', { id: newId('rva', this.clock.now()), review_id: reviewId, action, actor, detail: detail?.slice(0, 1000) ?? null, at: this.clock.now().toISOString() }).execute()
    // Every audited change may show on the product's page; the incentive does not.
    if (!action.startsWith('incentive')) await this.touch(tx, tx.selectFrom('reviews').select('product_id').where('id', '=', reviewId))
  }

  /** Moves the product's page validator on (every process's cached page of it is then rebuilt, not revalidated). */
  private async touch(tx: TenantDb, product: string | SelectQueryBuilder<Database, 'reviews', { product_id: string }>): Promise<void> {
    await tx.updateTable('review_stats').set((eb) => ({ version: eb('version', '+', 1) })).where('variant_id', '=', '').where('product_id', '=', product).execute()
  }

  /** The customer takes their review down through their link (published or not). */
  async removeByCustomer(token: string, reviewId: string): Promise<boolean> {
    const found = await this.requestByToken(token)
    if (!found) throw new AppError('REVIEW_LINK_UNKNOWN', 'not_found', 'This review link is not valid.')
    const done = await this.db.transaction(async (trx) => {
      const tx = found.scope.with(trx)
      const r = await tx.selectFrom('reviews').selectAll().where('id', '=', reviewId).where('request_id', '=', found.row.id).executeTakeFirst()
      if (!r || r.status === 'removed') return r ? null : undefined
      await this.setStatus(tx, r, 'removed', 'customer', 'the customer asked for removal through their review link')
      return r.product_id
    })
    if (done === undefined) throw new AppError('REVIEW_NOT_FOUND', 'not_found', `No review ${reviewId} behind this link.`)
    if (done) this.bump(found.row.tenant_id, done)
    return done !== null
  }

  private async setStatus(tx: TenantDb, r: ReviewsTable, status: ReviewStatus, actor: string, reason: string): Promise<ReviewsTable> {
    const now = this.clock.now().toISOString()
    const after: ReviewsTable = { ...r, status, status_reason: reason, updated_at: now, published_at: status === 'published' ? r.published_at ?? now : r.published_at }
    await tx.updateTable('reviews').set({ status, status_reason: reason, updated_at: now, published_at: after.published_at }).where('id', '=', r.id).execute()
    await this.restat(tx, r, after)
    await this.audit(tx, r.id, status === 'published' ? 'approved' : status === 'rejected' ? 'rejected' : 'removed', actor, reason)
    if (status === 'published' && r.status !== 'published') {
      await this.events.append(tx, 'review.published', r.id, { reviewId: r.id, productId: r.product_id, variantId: r.variant_id, rating: r.rating, orderId: r.order_id, customerId: r.customer_id, verified: r.verified === 1, source: r.source })
      if (r.source === 'kando') await this.incentive(tx, after, await this.settings(tx))
    }
    return after
  }

  // ------------------------------------------------------------------ the brand's side

  /** Approves (publishes) or rejects a review; every action is audited with its actor. */
  async moderate(scope: TenantDb, id: string, action: 'approve' | 'reject', actor: string, reason?: string): Promise<Review> {
    const productId = await this.db.transaction(async (trx) => {
      const tx = scope.with(trx)
      const r = await tx.selectFrom('reviews').selectAll().where('id', '=', id).executeTakeFirst()
      if (!r) throw new AppError('REVIEW_NOT_FOUND', 'not_found', `No review with id ${id}.`)
      if (r.status === 'removed') throw new AppError('REVIEW_REMOVED', 'conflict', 'The customer removed this review; it cannot be published again.')
      const to: ReviewStatus = action === 'approve' ? 'published' : 'rejected'
      if (r.status !== to) await this.setStatus(tx, r, to, actor, reason ?? (action === 'approve' ? 'approved by the brand' : 'rejected by the brand'))
      return r.product_id
    })
    this.bump(scope.tenantId, productId)
    return (await this.get(scope, id))!
  }

  /** The brand's public reply (replaces an earlier one; an empty body removes it). */
  async reply(scope: TenantDb, id: string, body: string, actor: string): Promise<Review> {
    const productId = await this.db.transaction(async (trx) => {
      const tx = scope.with(trx)
      const r = await tx.selectFrom('reviews').select(['id', 'product_id']).where('id', '=', id).executeTakeFirst()
      if (!r) throw new AppError('REVIEW_NOT_FOUND', 'not_found', `No review with id ${id}.`)
      const now = this.clock.now().toISOString()
      await tx.updateTable('reviews').set({ reply_body: body.trim() || null, reply_at: body.trim() ? now : null, updated_at: now }).where('id', '=', id).execute()
      await this.audit(tx, id, body.trim() ? 'replied' : 'reply_removed', actor, body.trim().slice(0, 200) || null)
      return r.product_id
    })
    this.bump(scope.tenantId, productId)
    return (await this.get(scope, id))!
  }

  /**
   * A review from another source (a marketplace, an older tool): marked by its source, never a
   * verified purchase. Idempotent on (source, externalId). Moderated by the same rules unless
   * `publish` says it was moderated already.
   */
  async create(scope: TenantDb, raw: unknown, actor: string): Promise<{ review: Review; created: boolean }> {
    const input = ReviewInput.parse(raw)
    const out = await this.db.transaction((trx) => this.createIn(scope.with(trx), input, actor))
    if (out.created) this.bump(scope.tenantId, out.productId)
    return { review: (await this.get(scope, out.id))!, created: out.created }
  }

  private async createIn(tx: TenantDb, input: ReviewInput, actor: string): Promise<{ id: string; created: boolean; productId: string }> {
    if (input.externalId) {
      const prior = await tx.selectFrom('reviews').select(['id', 'product_id']).where('source', '=', input.source).where('external_id', '=', input.externalId).executeTakeFirst()
      if (prior) return { id: prior.id, created: false, productId: prior.product_id }
    }
    let productId = input.productId
    let variantId: string | null = null
    if (input.sku) {
      const v = await this.deps.catalog.variantBySku(tx, input.sku)
      if (!v) throw new AppError('PRODUCT_NOT_FOUND', 'invalid_data', `No variant with SKU ${input.sku}.`, { fields: [{ pointer: '/sku', message: 'unknown SKU' }] })
      productId = v.productId
      variantId = v.id
    } else if (!(await this.deps.catalog.getProduct(tx, productId!))) {
      throw new AppError('PRODUCT_NOT_FOUND', 'invalid_data', `No product with id ${productId}.`, { fields: [{ pointer: '/productId', message: 'unknown product' }] })
    }
    if (input.customerId && !(await this.deps.customers.get(tx, input.customerId))) throw new AppError('CUSTOMER_NOT_FOUND', 'invalid_data', `No customer with id ${input.customerId}.`, { fields: [{ pointer: '/customerId', message: 'unknown customer' }] })
    const settings = await this.settings(tx)
    const flags = flagReviewText({ title: input.title, body: input.body })
    const decision = input.publish === undefined ? decidePublication(settings.moderation, { rating: input.rating, flags, mediaCount: 0 }) : { publish: input.publish, reason: input.publish ? `published as imported (${actor})` : 'waits for moderation (as imported)' }
    const now = this.clock.now().toISOString()
    const created = input.createdAt ? new Date(input.createdAt).toISOString() : now
    const id = newId('rev', new Date(created))
    const row: Omit<ReviewsTable, 'tenant_id'> = {
      id, product_id: productId!, variant_id: variantId, source: input.source, external_id: input.externalId ?? null, verified: 0, request_id: null, order_id: null,
      customer_id: input.customerId ?? null, rating: input.rating, title: input.title ?? null, body: input.body, author_name: input.authorName, fit: '{}', locale: input.locale,
      status: decision.publish ? 'published' : 'pending', status_reason: decision.reason, flags: toJson(flags), helpful: 0, media_count: 0, reply_body: null, reply_at: null,
      incentive_tier: null, incentive_code: null, created_at: created, updated_at: now, published_at: decision.publish ? created : null,
    }
    const res = await tx.insertInto('reviews', row).onConflict((oc) => oc.columns(['tenant_id', 'source', 'external_id']).where('external_id', 'is not', null).doNothing()).executeTakeFirst()
    if (Number(res.numInsertedOrUpdatedRows ?? 0) === 0) {
      const prior = await tx.selectFrom('reviews').select(['id', 'product_id']).where('source', '=', input.source).where('external_id', '=', input.externalId!).executeTakeFirstOrThrow()
      return { id: prior.id, created: false, productId: prior.product_id }
    }
    await this.restat(tx, null, row)
    await this.audit(tx, id, 'created', actor, `source ${input.source}; ${decision.reason}`)
    const data = { reviewId: id, productId: row.product_id, variantId, rating: row.rating, orderId: null, customerId: row.customer_id, verified: false, source: row.source, status: row.status }
    await this.events.append(tx, 'review.submitted', id, data)
    if (row.status === 'published') await this.events.append(tx, 'review.published', id, data)
    return { id, created: true, productId: row.product_id }
  }

  /** Adds a photo or video (already cleaned) to a review from the API. */
  async addMedia(scope: TenantDb, id: string, m: CleanMedia, actor: string): Promise<Review> {
    const productId = await this.db.transaction(async (trx) => {
      const tx = scope.with(trx)
      const r = await tx.selectFrom('reviews').selectAll().where('id', '=', id).executeTakeFirst()
      if (!r) throw new AppError('REVIEW_NOT_FOUND', 'not_found', `No review with id ${id}.`)
      if (r.media_count >= 6) throw new AppError('TOO_MANY_FILES', 'too_large', 'A review may have at most 6 photos or videos.')
      const now = this.clock.now().toISOString()
      await tx.insertInto('review_media', { id: newId('med'), review_id: id, position: r.media_count, kind: m.kind, mime: m.mime, bytes: m.data.length, width: m.width, height: m.height, data: m.data, created_at: now }).execute()
      const after = { ...r, media_count: r.media_count + 1 }
      await tx.updateTable('reviews').set({ media_count: after.media_count, updated_at: now }).where('id', '=', id).execute()
      await this.restat(tx, r, after)
      await this.audit(tx, id, 'media_added', actor, `${m.kind} ${m.mime} ${m.data.length} bytes`)
      return r.product_id
    })
    this.bump(scope.tenantId, productId)
    return (await this.get(scope, id))!
  }

  async get(scope: TenantDb, id: string): Promise<Review | undefined> {
    const r = await scope.selectFrom('reviews').selectAll().where('id', '=', id).executeTakeFirst()
    if (!r) return undefined
    return (await this.views(scope, [r]))[0]
  }

  /** The audit trail of one review, oldest first. */
  async auditTrail(scope: TenantDb, id: string): Promise<Array<{ action: string; actor: string; detail: string | null; at: string }>> {
    const rows = await scope.selectFrom('review_audit').select(['action', 'actor', 'detail', 'at']).where('review_id', '=', id).orderBy('id').execute()
    return rows
  }

  /** The brand's list (the moderation queue is `status=pending`), newest first, by cursor. */
  async list(scope: TenantDb, f: { status?: ReviewStatus; productId?: string; source?: string; flagged?: boolean; limit: number; after?: string }): Promise<Review[]> {
    let q = scope.selectFrom('reviews').selectAll().orderBy('id', 'desc').limit(f.limit)
    if (f.status) q = q.where('status', '=', f.status)
    if (f.productId) q = q.where('product_id', '=', f.productId)
    if (f.source) q = q.where('source', '=', f.source)
    if (f.flagged !== undefined) q = q.where('flags', f.flagged ? '!=' : '=', '[]')
    if (f.after) q = q.where('id', '<', f.after)
    return this.views(scope, await q.execute())
  }

  private async views(scope: TenantDb, rows: ReviewsTable[]): Promise<Review[]> {
    const media = rows.length ? await scope.selectFrom('review_media').select(['id', 'review_id', 'kind', 'mime', 'bytes', 'width', 'height']).where('review_id', 'in', rows.map((r) => r.id)).orderBy('position').execute() : []
    return rows.map((r) => ({
      id: r.id, productId: r.product_id, variantId: r.variant_id, source: r.source, externalId: r.external_id, verified: r.verified === 1, orderId: r.order_id, customerId: r.customer_id,
      rating: r.rating, title: r.title, body: r.body, authorName: r.author_name, fit: fromJson(r.fit, {}), locale: r.locale, status: r.status, statusReason: r.status_reason,
      flags: fromJson<ReviewFlag[]>(r.flags, []), helpful: r.helpful,
      media: media.filter((m) => m.review_id === r.id).map((m) => ({ id: m.id, kind: m.kind, mime: m.mime, bytes: m.bytes, width: m.width, height: m.height, url: `/api/v1/reviews/${r.id}/media/${m.id}` })),
      reply: r.reply_body ? { body: r.reply_body, at: r.reply_at! } : null, incentive: r.incentive_code ? { tier: r.incentive_tier!, code: r.incentive_code } : null,
      createdAt: r.created_at, updatedAt: r.updated_at, publishedAt: r.published_at,
    }))
  }

  /** A stored photo or video: for the brand (any status) or the public (published reviews only). */
  async media(ref: { scope: TenantDb; reviewId: string } | { publicOnly: true }, mediaId: string): Promise<{ mime: string; data: Buffer } | undefined> {
    if ('publicOnly' in ref) {
      const m = await this.db.kysely.selectFrom('review_media').select(['tenant_id', 'review_id', 'mime', 'data']).where('id', '=', mediaId).executeTakeFirst()
      if (!m) return undefined
      const scope = new TenantDb(m.tenant_id, this.db.kysely, this.db.dialect)
      const r = await scope.selectFrom('reviews').select('status').where('id', '=', m.review_id).executeTakeFirst()
      return r?.status === 'published' ? { mime: m.mime, data: Buffer.from(m.data) } : undefined
    }
    const m = await ref.scope.selectFrom('review_media').select(['mime', 'data']).where('id', '=', mediaId).where('review_id', '=', ref.reviewId).executeTakeFirst()
    return m ? { mime: m.mime, data: Buffer.from(m.data) } : undefined
  }

  // ------------------------------------------------------------------ storefront

  private bump(tenantId: string, productId: string): void {
    const k = `${tenantId}:${productId}`
    this.generation.set(k, (this.generation.get(k) ?? 0) + 1)
  }

  /**
   * The storefront JSON for one product: aggregate, distribution, social proof and one page of
   * published reviews. Caches in front of the database, all per process:
   * - page bodies per product and query, fresh for 60 s (the `max-age` browsers and CDNs are told);
   *   after that the stale body is served while one refresh runs in the background, up to 10 min
   *   after it was built (older: the caller waits for the fresh one);
   * - under them, shared by every sort, filter and page of a product: the product and its variants
   *   (10 min), its aggregates (60 s) and "bought this week" (5 min), so a new page costs one or two
   *   statements;
   * - concurrent misses for one key share one build.
   * A change to a product's reviews made in this process moves the product to a new generation,
   * so this process never serves them stale; other processes see it within 60 s.
   */
  async storefront(shop: string, productRef: string, rawQuery: unknown): Promise<CachedBody | undefined> {
    const tenant = await this.tenantBySlug(shop)
    if (!tenant) return undefined
    const refKey = `${tenant.id}|${productRef}`
    let product = this.products.get(refKey)
    if (product === undefined) {
      PublicQuery.parse(rawQuery) // bad input is a 400 even for an unknown product
      this.counters.productLookups++
      const found = await this.deps.catalog.productByRef(new TenantDb(tenant.id, this.db.kysely, this.db.dialect), productRef)
      product = found ? { ...found, titles: new Map(found.variants.map((v) => [v.id, v.title])) } : NO_PRODUCT
      this.products.set(refKey, product, { ttl: product === NO_PRODUCT ? 10_000 : undefined })
    }
    if (product === NO_PRODUCT) return undefined
    const raw = (rawQuery ?? {}) as Record<string, unknown>
    const gen = this.generation.get(`${tenant.id}:${product.id}`) ?? 0
    const key = `${tenant.id}|${product.id}|${gen}|${raw.sort ?? ''}|${raw.filter ?? ''}|${raw.rating ?? ''}|${raw.page ?? ''}|${raw.limit ?? ''}`
    const fresh = this.pages.get(key)
    if (fresh) {
      this.counters.fresh++
      return fresh
    }
    const q = PublicQuery.parse(rawQuery)
    const stale = this.pages.peek(key, { allowStale: true })
    const allowStale = !!stale && this.clock.now().getTime() - stale.at < PUBLIC_STALE_MS
    if (allowStale) this.counters.stale++
    else this.counters.built++
    return this.pages.fetch(key, { allowStale, context: { tenantId: tenant.id, product, gen, q } })
  }

  /** How the storefront caches answered since start (benchmarks and metrics read this). */
  storefrontCacheCounts(): Readonly<StorefrontCacheCounts> {
    return { ...this.counters }
  }

  /**
   * The caches age by the service's clock (tests move it). ttlResolution 0: lru-cache otherwise
   * reuses a `now` for 1 ms, which a test that moves the clock can outrun.
   */
  private get perf() {
    return { now: () => this.clock.now().getTime() }
  }

  /**
   * fresh: answered from a fresh body; stale: a stale body served while it is rebuilt; built: the
   * caller waited for a body (built for it, or joined a build already running); refreshes: stale
   * bodies rebuilt; revalidated: stale bodies found still valid (one statement per product, not a
   * rebuild); the rest: the product-level queries behind them.
   */
  private counters: StorefrontCacheCounts = { fresh: 0, stale: 0, built: 0, refreshes: 0, revalidated: 0, statsBuilt: 0, boughtBuilt: 0, productLookups: 0 }

  /** Shop's product reference → the product and its variants (a product's titles change rarely: 10 min). */
  private products = new LRUCache<string, StorefrontProduct>({ max: 50_000, ttl: 10 * 60_000, perf: this.perf, ttlResolution: 0 })

  /** A product's review aggregates, per generation: shared by every sort, filter and page. */
  private stats = new LRUCache<string, { stats: ReviewStatsTable | undefined; perVariant: ReviewStatsTable[] }, { tenantId: string; productId: string }>({
    max: 20_000, ttl: PUBLIC_TTL_MS, perf: this.perf, ttlResolution: 0,
    fetchMethod: async (_key, _stale, { context }) => {
      this.counters.statsBuilt++
      const rows = await new TenantDb(context.tenantId, this.db.kysely, this.db.dialect).selectFrom('review_stats').selectAll().where('product_id', '=', context.productId).execute()
      return { stats: rows.find((r) => r.variant_id === ''), perVariant: rows.filter((r) => r.variant_id !== '' && r.count > 0) }
    },
  })

  /** "N bought this week": social proof, not accounting, so five minutes old is fine (stale served while it is recounted). */
  private bought = new LRUCache<string, { n: number }, { tenantId: string; variantIds: string[] }>({
    max: 20_000, ttl: 5 * 60_000, allowStale: true, perf: this.perf, ttlResolution: 0,
    fetchMethod: async (_key, _stale, { context }) => {
      this.counters.boughtBuilt++
      const since = new Date(this.clock.now().getTime() - 7 * DAY).toISOString()
      return { n: await this.deps.orders.recentOrderCount(new TenantDb(context.tenantId, this.db.kysely, this.db.dialect), context.variantIds, since) }
    },
  })

  private pages = new LRUCache<string, CachedBody, { tenantId: string; product: StorefrontProduct; gen: number; q: PublicQuery }>({
    max: PUBLIC_CACHE_MAX, ttl: PUBLIC_TTL_MS, noDeleteOnStaleGet: true, perf: this.perf, ttlResolution: 0,
    fetchMethod: async (_key, stale, { context }) => {
      const { tenantId, product } = context
      const facts = Promise.all([
        this.stats.fetch(`${tenantId}|${product.id}|${context.gen}`, { context: { tenantId, productId: product.id } }),
        this.bought.fetch(`${tenantId}|${product.id}`, { context: { tenantId, variantIds: product.variantIds } }),
      ]).then(([stats, bought]) => ({ product, variantTitles: product.titles, ...stats!, bought: bought!.n }))
      // Awaited below; if the page's own query fails first, its failure must not go unhandled.
      facts.catch(() => undefined)
      if (stale) {
        // Nothing the page shows has changed anywhere since it was built: keep it (same ETag).
        const f = await facts
        if (stale.version === Number(f.stats?.version ?? -1) && stale.bought === f.bought) {
          this.counters.revalidated++
          return { ...stale, at: this.clock.now().getTime() }
        }
        this.counters.refreshes++
      }
      // A new page: its reviews are read while the product's facts are (fewer round trips in a row).
      return this.storefrontPage(new TenantDb(tenantId, this.db.kysely, this.db.dialect), product.id, facts, context.q)
    },
  })

  private async storefrontPage(scope: TenantDb, productId: string, factsP: Promise<StorefrontFacts>, q: PublicQuery): Promise<CachedBody> {
    let list = scope.selectFrom('reviews').select(['id', 'rating', 'title', 'body', 'author_name', 'verified', 'source', 'variant_id', 'created_at', 'published_at', 'helpful', 'reply_body', 'reply_at', 'media_count'])
      .where('product_id', '=', productId).where('status', '=', 'published')
    if (q.filter === 'photos') list = list.where('media_count', '>', 0)
    if (q.rating) list = list.where('rating', '=', q.rating)
    list = q.sort === 'newest' ? list.orderBy('published_at', 'desc')
      : q.sort === 'rating_desc' ? list.orderBy('rating', 'desc').orderBy('published_at', 'desc')
      : q.sort === 'rating_asc' ? list.orderBy('rating', 'asc').orderBy('published_at', 'desc')
      : list.orderBy('helpful', 'desc').orderBy('published_at', 'desc')
    const rows = await list.orderBy('id', 'desc').limit(q.limit).offset((q.page - 1) * q.limit).execute()
    const withMedia = rows.filter((r) => r.media_count > 0).map((r) => r.id)
    const media = withMedia.length ? await scope.selectFrom('review_media').select(['id', 'review_id', 'kind', 'width', 'height']).where('review_id', 'in', withMedia).orderBy('position').execute() : []
    const facts = await factsP
    const { product, stats, perVariant } = facts
    const variantTitle = (id: string | null) => ((t) => (t && t !== 'Default Title' ? t : null))(id ? facts.variantTitles?.get(id) : undefined)
    const count = stats?.count ?? 0
    const total = q.filter === 'photos' ? stats?.with_media ?? 0 : q.rating ? Number(stats?.[`r${q.rating}` as 'r1'] ?? 0) : count
    const body = {
      product: { id: product.id, title: product.title, imageUrl: product.imageUrl },
      summary: {
        count, average: count ? Math.round((stats!.rating_sum / count) * 10) / 10 : null,
        distribution: { '1': stats?.r1 ?? 0, '2': stats?.r2 ?? 0, '3': stats?.r3 ?? 0, '4': stats?.r4 ?? 0, '5': stats?.r5 ?? 0 }, withMedia: stats?.with_media ?? 0,
        // Per variant (size, colour): only variants with published reviews.
        variants: perVariant.map((v) => ({ id: v.variant_id, title: variantTitle(v.variant_id), count: v.count, average: Math.round((v.rating_sum / v.count) * 10) / 10 })),
      },
      socialProof: { boughtThisWeek: facts.bought },
      reviews: rows.map((r) => ({
        id: r.id, rating: r.rating, title: r.title, body: r.body, author: r.author_name, verified: r.verified === 1, source: r.source === 'kando' ? 'kando' : r.source,
        variant: variantTitle(r.variant_id), createdAt: r.published_at ?? r.created_at, helpful: r.helpful,
        media: media.filter((m) => m.review_id === r.id).map((m) => ({ kind: m.kind, url: `/media/reviews/${m.id}`, width: m.width, height: m.height })),
        reply: r.reply_body ? { body: r.reply_body, at: r.reply_at } : null,
      })),
      page: { page: q.page, limit: q.limit, total, hasMore: q.page * q.limit < total },
      sorts: ['helpful', 'newest', 'rating_desc', 'rating_asc'],
      filters: ['photos'],
    }
    const text = JSON.stringify(body)
    return { at: this.clock.now().getTime(), etag: `"${sha256Hex(text).slice(0, 32)}"`, body: text, version: Number(stats?.version ?? -1), bought: facts.bought }
  }

  private slugs = new Map<string, { at: number; tenant: { id: string } | null }>()

  private async tenantBySlug(slug: string): Promise<{ id: string } | null> {
    const hit = this.slugs.get(slug)
    if (hit && Date.now() - hit.at < 60_000) return hit.tenant
    const t = /^[a-z0-9-]{1,64}$/.test(slug) ? await this.deps.tenants.find(slug).catch(() => null) : null
    const tenant = t && t.slug === slug ? { id: t.id } : null
    if (this.slugs.size > 10_000) this.slugs.clear()
    this.slugs.set(slug, { at: Date.now(), tenant })
    return tenant
  }

  /**
   * A helpful vote: once per visitor id and once per network address per review, so clearing the
   * browser's storage does not vote again. Returns the new count, or undefined for an unknown review.
   */
  async vote(shop: string, reviewId: string, visitor: string, address: string): Promise<{ helpful: number; counted: boolean } | undefined> {
    const tenant = await this.tenantBySlug(shop)
    if (!tenant) return undefined
    const scope = new TenantDb(tenant.id, this.db.kysely, this.db.dialect)
    const out = await this.db.transaction(async (trx) => {
      const tx = scope.with(trx)
      const r = await tx.selectFrom('reviews').select(['id', 'product_id', 'helpful']).where('id', '=', reviewId).where('status', '=', 'published').executeTakeFirst()
      if (!r) return undefined
      const now = this.clock.now().toISOString()
      const keys = [sha256Hex(`visitor:${visitor}`), sha256Hex(`address:${address}`)]
      let fresh = 0
      for (const voter of keys) {
        const res = await tx.insertInto('review_votes', { review_id: reviewId, voter, created_at: now }).onConflict((oc) => oc.columns(['tenant_id', 'review_id', 'voter']).doNothing()).executeTakeFirst()
        fresh += Number(res.numInsertedOrUpdatedRows ?? 0)
      }
      if (fresh < keys.length) return { helpful: r.helpful, counted: false, productId: r.product_id }
      await tx.updateTable('reviews').set({ helpful: sql`helpful + 1` }).where('id', '=', reviewId).execute()
      await this.touch(tx, r.product_id)
      return { helpful: r.helpful + 1, counted: true, productId: r.product_id }
    })
    if (!out) return undefined
    if (out.counted) this.bump(tenant.id, out.productId)
    return { helpful: out.helpful, counted: out.counted }
  }

  // ------------------------------------------------------------------ NPS and CSAT

  private async surveyByToken(token: string) {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined
    const row = await this.db.kysely.selectFrom('survey_responses').selectAll().where('token_hash', '=', sha256Hex(token)).executeTakeFirst()
    return row ? { row, scope: new TenantDb(row.tenant_id, this.db.kysely, this.db.dialect) } : undefined
  }

  /** What the survey page needs. */
  async survey(token: string): Promise<{ row: SurveyResponsesTable; tenantName: string; locale: 'ja' | 'en' } | undefined> {
    const found = await this.surveyByToken(token)
    if (!found) return undefined
    const tenant = await this.deps.tenants.find(found.row.tenant_id)
    const customer = found.row.customer_id ? await this.deps.customers.get(found.scope, found.row.customer_id) : undefined
    return { row: found.row, tenantName: tenant.name, locale: (customer?.locale ?? tenant.locale) === 'en' ? 'en' : 'ja' }
  }

  /**
   * Records an answer: `via: 'link'` is the one click in the message (recorded at once, unless it
   * looks like a mail scanner opening every score), `via: 'form'` is the page's form (a person).
   * A changed score or a comment emits `nps.responded` again.
   */
  async answer(token: string, a: { score?: number; comment?: string | null; via: 'link' | 'form' }): Promise<SurveyResponsesTable | undefined> {
    const found = await this.surveyByToken(token)
    if (!found) return undefined
    const max = found.row.kind === 'nps' ? 10 : 5
    const min = found.row.kind === 'nps' ? 0 : 1
    if (a.score !== undefined && (!Number.isInteger(a.score) || a.score < min || a.score > max)) {
      throw new AppError('SURVEY_SCORE_INVALID', 'invalid_data', `A score is ${min} to ${max}.`, { fields: [{ pointer: '/score', message: `${min} to ${max}` }] })
    }
    if (a.comment && a.comment.length > 2000) throw new AppError('SURVEY_COMMENT_TOO_LONG', 'invalid_data', 'A comment is at most 2000 characters.', { fields: [{ pointer: '/comment', message: 'at most 2000 characters' }] })
    return this.db.transaction(async (trx) => {
      const tx = found.scope.with(trx)
      const row = (await tx.selectFrom('survey_responses').selectAll().where('id', '=', found.row.id).executeTakeFirstOrThrow())
      const now = this.clock.now()
      const patch: Partial<SurveyResponsesTable> = { updated_at: now.toISOString() }
      let hits = fromJson<Array<[number, number]>>(row.link_hits, [])
      if (a.score !== undefined) {
        if (a.via === 'link') {
          hits = [...hits, [a.score, now.getTime()] as [number, number]].slice(-20)
          patch.link_hits = toJson(hits)
          // A person who already confirmed on the form is not overridden by a scanner replaying the links.
          if (row.score_via !== 'form' || row.score === null) {
            patch.score = a.score
            patch.score_via = looksLikeScanner(hits, now.getTime()) ? 'unconfirmed' : 'link'
          }
        } else {
          patch.score = a.score
          patch.score_via = 'form'
        }
      } else if (a.via === 'form' && row.score !== null && row.score_via === 'unconfirmed') {
        patch.score_via = 'form'
      }
      if (a.comment !== undefined) patch.comment = a.comment?.trim() || null
      const after = { ...row, ...patch }
      if (after.score !== null && after.score_via !== 'unconfirmed' && !row.responded_at) patch.responded_at = now.toISOString()
      await tx.updateTable('survey_responses').set(patch).where('id', '=', row.id).execute()
      const final = { ...row, ...patch }
      const counted = final.score !== null && final.score_via !== 'unconfirmed'
      const changed = final.score !== row.score || final.comment !== row.comment || (final.score_via !== row.score_via && counted)
      if (final.kind === 'nps' && final.customer_id && final.score_via === 'unconfirmed' && row.score_via !== 'unconfirmed') {
        // What looked like an answer was a scanner: flows must not branch on it.
        await this.deps.customers.setTrait(tx, final.customer_id, 'nps.last', null, 'nps')
      }
      if (counted && changed) {
        if (final.kind === 'nps' && final.customer_id) await this.deps.customers.setTrait(tx, final.customer_id, 'nps.last', final.score, 'nps')
        await this.events.append(tx, 'nps.responded', row.id, {
          surveyId: row.id, kind: row.kind, subject: row.subject, score: final.score, comment: final.comment, orderId: row.order_id, customerId: row.customer_id,
          location: row.location, carrier: row.carrier, via: final.score_via,
        })
      }
      return final
    })
  }

  /**
   * Low-score alerts: the brand hears of an NPS detractor (0–6) or a dissatisfied CSAT (1–2, e.g.
   * after a return) within a minute (email here; webhooks through notifications). The alert job
   * re-reads the answer when it runs, so a scanner's click that turned out not to be an answer
   * alerts no one.
   */
  private async onEvent(event: DomainEvent, tx: TenantDb): Promise<void> {
    const d = event.data as { surveyId: string; kind: SurveyKind; score: number; via: string }
    if (!isLowScore(d.kind, d.score)) return
    const delay = d.via === 'form' ? 0 : this.alertDelayMs
    await this.queue.send(tx.db, ALERT_QUEUE, { tenantId: tx.tenantId, surveyId: d.surveyId }, delay ? { startAfter: new Date(this.clock.now().getTime() + delay) } : {})
  }

  private async alertIfLowScore(tenantId: string, surveyId: string): Promise<void> {
    const scope = new TenantDb(tenantId, this.db.kysely, this.db.dialect)
    await this.db.transaction(async (trx) => {
      const tx = scope.with(trx)
      const row = await tx.selectFrom('survey_responses').selectAll().where('id', '=', surveyId).executeTakeFirst()
      if (!row || row.alerted_at || row.score === null || !isLowScore(row.kind, row.score) || row.score_via === 'unconfirmed') return
      const settings = await this.settings(tx)
      // Claim first: two workers running the same alert send it once.
      const claimed = await tx.updateTable('survey_responses').set({ alerted_at: this.clock.now().toISOString() }).where('id', '=', surveyId).where('alerted_at', 'is', null).executeTakeFirst()
      if (Number(claimed.numUpdatedRows) !== 1 || !settings.alerts.email) return
      const order = row.order_id ? await this.deps.orders.get(tx, row.order_id, { history: false }) : undefined
      const nps = row.kind === 'nps'
      const lines = [
        nps ? `NPS ${row.score} / 10 (detractor)` : `CSAT ${row.score} / 5 (dissatisfied)`,
        order?.number ? `注文 / Order: ${order.number}` : null,
        row.subject.startsWith('return:') ? `返品 / Return: ${row.subject.slice('return:'.length)}` : null,
        row.location ? `出荷拠点 / Centre: ${row.location}` : null,
        row.carrier ? `配送会社 / Carrier: ${row.carrier}` : null,
        row.comment ? `コメント / Comment: ${row.comment}` : null,
      ].filter(Boolean) as string[]
      await this.deps.notifications.queueBrandEmail(tx, {
        to: settings.alerts.email, key: `nps-alert:${surveyId}`, summary: `${nps ? 'NPS detractor' : 'CSAT dissatisfied'} ${row.score}`,
        email: { subject: `【${nps ? 'NPS' : 'CSAT'}】低評価（${row.score}点）が届きました`, text: lines.join('\n'), html: `<!doctype html><html lang="ja"><body>${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}</body></html>` },
      })
    })
  }

  /**
   * NPS (or CSAT) over a period, grouped by month, ISO week, fulfilment centre, carrier or
   * customer segment (the customer's tags; `(none)` without one). Unconfirmed scanner clicks are
   * left out.
   */
  async report(scope: TenantDb, raw: unknown): Promise<{ kind: SurveyKind; by: string; overall: NpsFigures | CsatFigures; groups: Array<{ key: string } & (NpsFigures | CsatFigures)> }> {
    const q = NpsReportQuery.parse(raw)
    let sel = scope.selectFrom('survey_responses').select(['score', 'responded_at', 'location', 'carrier', 'customer_id']).where('kind', '=', q.kind).where('score', 'is not', null).where('score_via', '!=', 'unconfirmed')
    if (q.from) sel = sel.where('responded_at', '>=', new Date(q.from).toISOString())
    if (q.to) sel = sel.where('responded_at', '<', new Date(q.to).toISOString())
    const rows = await sel.execute()
    const tenant = await this.deps.tenants.find(scope.tenantId)
    const tags = q.by === 'segment' ? await this.deps.customers.tagsOf(scope, [...new Set(rows.map((r) => r.customer_id).filter((c): c is string => !!c))]) : new Map<string, string[]>()
    const groups = new Map<string, number[]>()
    for (const r of rows) {
      const keys = q.by === 'month' || q.by === 'week' ? [periodOf(new Date(r.responded_at!), tenant.timezone, q.by)]
        : q.by === 'location' ? [r.location ?? '(unknown)'] : q.by === 'carrier' ? [r.carrier ?? '(unknown)']
        : (r.customer_id ? tags.get(r.customer_id) : undefined)?.length ? tags.get(r.customer_id!)! : ['(none)']
      for (const k of keys) groups.set(k, [...(groups.get(k) ?? []), r.score!])
    }
    const figure = (s: number[]) => (q.kind === 'nps' ? npsOf(s) : csatOf(s))
    return {
      kind: q.kind, by: q.by, overall: figure(rows.map((r) => r.score!)),
      groups: [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, s]) => ({ key, ...figure(s) })),
    }
  }

  /** The brand's list of answers, newest first. */
  async responses(scope: TenantDb, f: { kind?: SurveyKind; limit: number; after?: string }) {
    let q = scope.selectFrom('survey_responses').select(['id', 'kind', 'subject', 'order_id', 'customer_id', 'score', 'score_via', 'comment', 'location', 'carrier', 'responded_at', 'alerted_at', 'created_at'])
      .where('score', 'is not', null).orderBy('id', 'desc').limit(f.limit)
    if (f.kind) q = q.where('kind', '=', f.kind)
    if (f.after) q = q.where('id', '<', f.after)
    return (await q.execute()).map((r) => ({
      id: r.id, kind: r.kind, subject: r.subject, orderId: r.order_id, customerId: r.customer_id, score: r.score, via: r.score_via, comment: r.comment,
      location: r.location, carrier: r.carrier, respondedAt: r.responded_at, alertedAt: r.alerted_at, createdAt: r.created_at,
    }))
  }

  // ------------------------------------------------------------------ import and export

  /** Every review of the brand, oldest first, in pages (the CSV export streams them). */
  async *exportRows(scope: TenantDb, pageSize = 1000): AsyncGenerator<ReviewsTable[]> {
    let after = ''
    for (;;) {
      const rows = await scope.selectFrom('reviews').selectAll().where('id', '>', after).orderBy('id').limit(pageSize).execute()
      if (rows.length === 0) return
      yield rows
      after = rows[rows.length - 1]!.id
    }
  }

  /** Starts an import of parsed CSV rows; it runs in the background and reports progress in review_imports. */
  async startImport(scope: TenantDb, rows: Array<Record<string, string>>, actor: string): Promise<string> {
    const id = newId('rim', this.clock.now())
    await scope.insertInto('review_imports', { id, status: 'running', total: rows.length, processed: 0, created: 0, skipped: 0, errors: '[]', created_at: this.clock.now().toISOString(), finished_at: null }).execute()
    void this.runImport(scope, id, rows, actor).catch(async (err) => {
      this.log.error({ err, importId: id }, 'review import failed')
      await scope.updateTable('review_imports').set({ status: 'failed', errors: toJson([{ row: 0, message: (err as Error).message }]), finished_at: this.clock.now().toISOString() }).where('id', '=', id).execute()
    })
    return id
  }

  private async runImport(scope: TenantDb, id: string, rows: Array<Record<string, string>>, actor: string): Promise<void> {
    const errors: Array<{ row: number; message: string }> = []
    let created = 0
    let skipped = 0
    const touched = new Set<string>()
    for (let i = 0; i < rows.length; i += 200) {
      const chunk = rows.slice(i, i + 200)
      await this.db.transaction(async (trx) => {
        const tx = scope.with(trx)
        for (const [j, raw] of chunk.entries()) {
          const rowNo = i + j + 2 // the header is line 1
          const input = importRow(raw)
          const parsed = ReviewInput.safeParse(input)
          if (!parsed.success) {
            skipped++
            if (errors.length < 100) errors.push({ row: rowNo, message: parsed.error.issues.map((x) => `${x.path.join('.') || 'row'}: ${x.message}`).join('; ') })
            continue
          }
          try {
            // A savepoint per row: one unknown SKU must not undo the rows before it.
            const r = await this.createInSavepoint(tx, trx, parsed.data, actor)
            if (r.created) {
              created++
              touched.add(r.productId)
            } else skipped++
          } catch (err) {
            skipped++
            if (errors.length < 100) errors.push({ row: rowNo, message: (err as Error).message })
          }
        }
        await tx.updateTable('review_imports').set({ processed: Math.min(rows.length, i + chunk.length), created, skipped, errors: toJson(errors) }).where('id', '=', id).execute()
      })
    }
    for (const p of touched) this.bump(scope.tenantId, p)
    await scope.updateTable('review_imports').set({ status: 'done', finished_at: this.clock.now().toISOString() }).where('id', '=', id).execute()
  }

  private async createInSavepoint(tx: TenantDb, trx: Executor, input: ReviewInput, actor: string) {
    await sql`savepoint review_row`.execute(trx)
    try {
      const r = await this.createIn(tx, input, actor)
      await sql`release savepoint review_row`.execute(trx)
      return r
    } catch (err) {
      await sql`rollback to savepoint review_row`.execute(trx)
      await sql`release savepoint review_row`.execute(trx)
      throw err
    }
  }

  async importStatus(scope: TenantDb, id: string) {
    const r = await scope.selectFrom('review_imports').selectAll().where('id', '=', id).executeTakeFirst()
    return r ? { id: r.id, status: r.status, total: r.total, processed: r.processed, created: r.created, skipped: r.skipped, errors: fromJson(r.errors, []), createdAt: r.created_at, finishedAt: r.finished_at } : undefined
  }
}

/** How a reviewer is shown: 山田 様 in Japanese, "Hanako Y." in English; never the full name. */
export function authorName(lastName: string | null, firstName: string | null, locale: 'ja' | 'en'): string {
  if (locale === 'en') {
    if (firstName && lastName) return `${firstName} ${[...lastName][0]}.`
    return firstName ?? lastName ?? 'Verified buyer'
  }
  return lastName ? `${lastName} 様` : '購入者様'
}

/** A CSV row to a review input: known columns only; a row without `external_id` gets one from its content, so a re-import adds nothing twice. */
function importRow(raw: Record<string, string>): Record<string, unknown> {
  const v = (k: string) => (raw[k] ?? '').trim()
  const out: Record<string, unknown> = {
    rating: Number(v('rating')), body: v('body'), authorName: v('author') || v('author_name'), source: v('source') || 'import', publish: v('status') ? v('status') === 'published' : true,
  }
  if (v('product_id')) out.productId = v('product_id')
  if (v('sku')) out.sku = v('sku')
  if (v('title')) out.title = v('title')
  if (v('locale')) out.locale = v('locale')
  if (v('created_at')) out.createdAt = v('created_at')
  out.externalId = v('external_id') || sha256Hex(JSON.stringify([v('product_id'), v('sku'), v('rating'), v('title'), v('body'), v('author'), v('created_at')])).slice(0, 32)
  return out
}
