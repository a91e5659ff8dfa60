import type { Logger } from 'pino'
import type { Clock } from '../../platform/clock.js'
import { isUniqueViolation, type Db } from '../../platform/db/index.js'
import { fromJson, toJson } from '../../platform/db/json.js'
import { AppError, type FieldError } from '../../platform/errors.js'
import type { EventBus } from '../../platform/events.js'
import { newId, newToken, sha256Hex } from '../../platform/ids.js'
import type { Queue } from '../../platform/queue/types.js'
import type { SecretBox } from '../../platform/secrets.js'
import { TenantDb } from '../../platform/tenancy.js'
import { ShopifyAdminClient, ShopifyAdminError, toShopifyAmount } from '../../integrations/shopify/admin.js'
import type { CatalogService } from '../catalog/index.js'
import type { CustomerService } from '../customers/index.js'
import { japanClock, type FulfillmentService, type LabelFormatId } from '../fulfillment/index.js'
import { LABEL_FORMATS, type LabelCsv, type LabelParcel, type LabelWarning } from '../fulfillment/labels/index.js'
import { PREFECTURES, prefectureByCode } from '../../platform/japan/prefectures.js'
import { StockRaced, type InventoryService, type StockEntry } from '../inventory/index.js'
import type { Order, OrderService } from '../orders/index.js'
import type { TenantService } from '../tenants/index.js'
import type { NotificationService } from '../notifications/service.js'
import type { TrackingService } from '../tracking/index.js'
import { compilePolicy, evaluateReturn, type ReturnDecision, type ReturnLineInput } from './policy.js'
import { ReturnPolicy } from './policy-schema.js'
import { InspectInput, ReceiveInput, ReturnAnalyticsQuery, ReturnListQuery, ReturnRequestInput, ReturnSettingsInput, ReturnShipmentInput, type ReturnRequestRaw } from './schemas.js'
import type { RefundStatus, ReturnLinesTable, ReturnsTable, ReturnStatus } from './tables.js'

export interface ReturnDeps {
  tenants: TenantService
  orders: OrderService
  customers: CustomerService
  catalog: CatalogService
  tracking: TrackingService
  inventory: InventoryService
  fulfillment: FulfillmentService
  notifications: NotificationService
}

export interface ReturnSettingsView {
  policy: ReturnPolicy
  refunds: { via: 'manual' } | { via: 'shopify'; shopDomain: string; hasAccessToken: boolean; locationId: string | null }
}

export interface ReturnLineView {
  id: string
  orderLineId: string
  sku: string | null
  title: string
  variantTitle: string | null
  quantity: number
  unitPrice: number
  condition: string
  exchange: { variantId: string; sku: string | null; title: string; unitPrice: number } | null
  grade: 'A' | 'B' | 'C' | null
  receivedQuantity: number
  restockedAt: string | null
  inspectionNote: string | null
}

export interface ReturnView {
  id: string
  rma: string
  orderId: string
  customerId: string | null
  status: ReturnStatus
  reason: { code: string; note: string | null }
  resolution: 'exchange' | 'store_credit' | 'refund'
  method: 'pickup' | 'dropoff' | 'keep'
  pickup: { date: string; slot: string } | null
  shippingPaidBy: 'brand' | 'customer'
  needsReview: boolean
  decision: ReturnDecision
  currency: string
  itemsValue: number
  refundAmount: number
  creditAmount: number
  exchangeDifference: number
  exchangeOrderId: string | null
  instant: boolean
  returnBy: string | null
  refund: { status: RefundStatus; reference: string | null }
  storeCredit: { code: string; amount: number } | null
  parcel: { carrier: string; trackingNumber: string } | null
  locationId: string | null
  lines: ReturnLineView[]
  photos: number
  note: string | null
  createdAt: string
  approvedAt: string | null
  receivedAt: string | null
  inspectedAt: string | null
  resolvedAt: string | null
  history?: Array<{ from: ReturnStatus | null; to: ReturnStatus; action: string; actor: string; detail: unknown; at: string }>
}

/** What the portal shows for one order: each line with what may come back, the reasons, the terms. */
export interface ReturnOptions {
  order: { id: string; number: string | null; placedAt: string; currency: string }
  terms: ReturnPolicy['terms']
  reasons: ReturnPolicy['reasons']
  resolutions: { exchange: boolean; storeCredit: boolean; storeCreditBonusPercent: number; refund: boolean }
  instantExchange: boolean
  lines: Array<{
    lineId: string
    title: string
    variantTitle: string | null
    sku: string | null
    unitPrice: number
    purchased: number
    alreadyReturned: number
    returnable: number
    windowEndsAt: string | null
    /** Why (not) returnable for a customer reason; a defect may still be returnable when this says no. */
    why: { ja: string; en: string }
    /** Other variants of the product with free stock now (exchange choices). */
    exchangeFor: Array<{ variantId: string; title: string; sku: string | null; unitPrice: number; available: number }>
  }>
  openReturns: Array<{ id: string; rma: string; status: ReturnStatus }>
}

/** A photo already checked and cleaned (reviews/media.ts). */
export interface ReturnPhoto {
  kind: 'image' | 'video'
  mime: string
  data: Buffer
  width: number | null
  height: number | null
}

const REFUND_QUEUE = 'returns.refund'
const RETURN_PURPOSE = 'return'
const DAY = 86_400_000
const OPEN: ReturnStatus[] = ['requested', 'approved', 'received', 'inspected', 'escalated']

export class ReturnError extends AppError {}

/**
 * Returns and exchanges: the policy per brand, a return case (RMA) from request to resolution,
 * stock held for exchanges (and instant exchanges shipped before the original comes back),
 * receiving, grading and restocking, refunds through Shopify exactly once, store credit, and the
 * events that tell the customer and end the review request. Every change is one transaction with
 * its history row and its events.
 */
export class ReturnService {
  /** Tests point the Shopify client at a stand-in. */
  shopifyBaseUrl: string | undefined

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly events: EventBus,
    private readonly queue: Queue,
    private readonly secrets: SecretBox,
    private readonly deps: ReturnDeps,
    private readonly log: Logger,
    private readonly publicUrl: string,
  ) {}

  /** Messages about a return link to its status page. */
  register(): void {
    this.deps.notifications.addLinkProvider(async (tx, m) => {
      if (!m.returnId) return {}
      const url = await this.statusLink(tx, m.returnId)
      return url ? { returnStatus: url } : {}
    })
  }

  async declare(): Promise<void> {
    await this.queue.declare(REFUND_QUEUE, { retryLimit: 12, retryDelaySeconds: 30 })
  }

  async work(): Promise<void> {
    await this.queue.work<{ tenantId: string; returnId: string }>(REFUND_QUEUE, (job) => this.refund(job.data.tenantId, job.data.returnId), { concurrency: 2 })
  }

  /** The customer's status link, rebuilt from the stored nonce (messages about the return carry it). */
  async statusLink(tx: TenantDb, returnId: string): Promise<string | undefined> {
    const r = await tx.selectFrom('returns').select('nonce').where('id', '=', returnId).executeTakeFirst()
    if (!r) return undefined
    const tenant = await this.deps.tenants.find(tx.tenantId, tx.db)
    return `${this.publicUrl}/r/${tenant.slug}/s/${this.secrets.derive(RETURN_PURPOSE, r.nonce)}`
  }

  // ------------------------------------------------------------------ settings

  async settings(scope: TenantDb): Promise<ReturnSettingsView> {
    const row = await scope.selectFrom('return_settings').selectAll().executeTakeFirst()
    const policy = ReturnPolicy.parse(row ? fromJson(row.policy, {}) : {})
    if (!row || row.refund_via !== 'shopify') return { policy, refunds: { via: 'manual' } }
    return { policy, refunds: { via: 'shopify', shopDomain: row.shopify_domain!, hasAccessToken: !!row.shopify_token_sealed, locationId: row.shopify_location_id } }
  }

  async updateSettings(scope: TenantDb, raw: unknown): Promise<ReturnSettingsView> {
    const input = ReturnSettingsInput.parse(raw)
    await this.db.transaction(async (trx) => {
      const tx = scope.with(trx)
      const row = await tx.selectFrom('return_settings').selectAll().executeTakeFirst()
      const now = this.clock.now().toISOString()
      const refunds = input.refunds
      if (refunds?.via === 'shopify' && !refunds.accessToken && !row?.shopify_token_sealed) {
        throw new ReturnError('INVALID_DATA', 'invalid_data', 'Shopify refunds need an Admin API access token.', { fields: [{ pointer: '/refunds/accessToken', message: 'required the first time' }] })
      }
      const values = {
        policy: input.policy ? toJson(input.policy) : row?.policy ?? toJson(ReturnPolicy.parse({})),
        refund_via: refunds?.via ?? row?.refund_via ?? 'manual',
        shopify_domain: refunds ? (refunds.via === 'shopify' ? refunds.shopDomain : null) : row?.shopify_domain ?? null,
        shopify_token_sealed: refunds ? (refunds.via === 'shopify' ? (refunds.accessToken ? this.secrets.seal(refunds.accessToken) : row?.shopify_token_sealed ?? null) : null) : row?.shopify_token_sealed ?? null,
        shopify_location_id: refunds ? (refunds.via === 'shopify' ? refunds.locationId ?? null : null) : row?.shopify_location_id ?? null,
        updated_at: now,
      }
      if (row) await tx.updateTable('return_settings').set(values).execute()
      else await tx.insertInto('return_settings', values).execute()
    })
    return this.settings(scope)
  }

  // ------------------------------------------------------------------ the customer's side

  /** The order a customer finds in the portal: number and the email or phone it was placed with. */
  async findOrder(scope: TenantDb, number: string, contact: string): Promise<{ orderId: string; token: string } | undefined> {
    const token = await this.deps.orders.findForLookup(scope, number, contact)
    if (!token) return undefined
    const found = await this.deps.orders.refByTrackingToken(token)
    return found && found.tenantId === scope.tenantId ? { orderId: found.orderId, token } : undefined
  }

  /** The order behind a portal link (the order page's 256-bit token), only within this brand. */
  async orderForToken(scope: TenantDb, token: string): Promise<string | undefined> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined
    const found = await this.deps.orders.refByTrackingToken(token)
    return found && found.tenantId === scope.tenantId ? found.orderId : undefined
  }

  /** What may come back from this order, now, and what it may be exchanged for. */
  async options(scope: TenantDb, orderId: string): Promise<ReturnOptions> {
    const { policy } = await this.settings(scope)
    const ctx = await this.orderContext(scope, orderId)
    const customerReason = policy.reasons.find((r) => r.fault === 'customer') ?? policy.reasons[0]!
    const decision = evaluateReturn(compilePolicy(policy), this.policyInput(ctx, customerReason.code, ctx.order.lines.map((l) => ({ lineId: l.id, quantity: Math.max(1, l.quantity - (ctx.returned.get(l.id) ?? 0)), condition: 'unopened' as const }))), this.clock.now(), ctx.zone)
    const productIds = [...new Set([...ctx.variants.values()].map((v) => v.productId))]
    const siblings = await this.deps.catalog.variantFacts(scope, [], productIds)
    const free = await this.deps.inventory.freeStock(scope, [...siblings.values()].map((v) => v.sku).filter((s): s is string => !!s))
    const open = await scope.selectFrom('returns').select(['id', 'rma', 'status']).where('order_id', '=', orderId).where('status', 'in', OPEN).orderBy('id').execute()
    return {
      order: { id: ctx.order.id, number: ctx.order.number, placedAt: ctx.order.placedAt, currency: ctx.order.currency },
      terms: policy.terms, reasons: policy.reasons,
      resolutions: { exchange: policy.resolutions.exchange, storeCredit: policy.resolutions.storeCredit.enabled, storeCreditBonusPercent: policy.resolutions.storeCredit.enabled ? policy.resolutions.storeCredit.bonusPercent : 0, refund: policy.resolutions.refund },
      instantExchange: policy.instantExchange.enabled,
      lines: ctx.order.lines.map((l) => {
        const d = decision.lines.find((x) => x.lineId === l.id)!
        const v = l.variantId ? ctx.variants.get(l.variantId) : undefined
        const exchangeFor = v ? [...siblings.values()].filter((s) => s.productId === v.productId && s.variantId !== v.variantId && s.sku).map((s) => ({ variantId: s.variantId, title: s.variantTitle, sku: s.sku, unitPrice: s.price, available: (free.get(s.sku!) ?? []).reduce((n, x) => n + x.free, 0) })) : []
        const already = ctx.returned.get(l.id) ?? 0
        return { lineId: l.id, title: l.title, variantTitle: l.variantTitle, sku: l.sku, unitPrice: l.unitPrice, purchased: l.quantity, alreadyReturned: already, returnable: d.returnable ? Math.max(0, l.quantity - already) : 0, windowEndsAt: d.windowEndsAt, why: d.why, exchangeFor }
      }),
      openReturns: open.map((r) => ({ id: r.id, rma: r.rma, status: r.status })),
    }
  }

  /** The same verdict the request would get, without writing anything (the portal's review step). */
  async preview(scope: TenantDb, orderId: string, raw: ReturnRequestRaw): Promise<ReturnDecision> {
    const input = ReturnRequestInput.parse(raw)
    const { policy } = await this.settings(scope)
    const ctx = await this.orderContext(scope, orderId)
    return this.decide(policy, ctx, input)
  }

  /**
   * Opens a return case. The policy decides every line (refused lines are a 422 naming the line and
   * the reason); an exchange takes its stock at once (the last unit goes to one request only);
   * auto-approved requests are approved in the same transaction, and an instant exchange's order
   * is released with it.
   */
  async request(scope: TenantDb, orderId: string, raw: ReturnRequestRaw, by: { actor: string; photos?: ReturnPhoto[] }): Promise<{ return: ReturnView; token: string }> {
    const input = ReturnRequestInput.parse(raw)
    const again = async () => {
      if (!input.idempotencyKey) return undefined
      const r = await scope.selectFrom('returns').select(['id', 'nonce']).where('order_id', '=', orderId).where('request_key', '=', input.idempotencyKey).executeTakeFirst()
      return r ? { return: (await this.get(scope, r.id))!, token: this.secrets.derive(RETURN_PURPOSE, r.nonce) } : undefined
    }
    const earlier = await again()
    if (earlier) return earlier
    const nonce = newToken(16)
    const token = this.secrets.derive(RETURN_PURPOSE, nonce)
    let id: string
    try {
      id = await this.requestIn(scope, orderId, input, by, nonce, token)
    } catch (err) {
      // The same key won a race a moment ago: that case is the answer.
      if (isUniqueViolation(err)) {
        const raced = await again()
        if (raced) return raced
      }
      throw err
    }
    return { return: (await this.get(scope, id))!, token }
  }

  private async requestIn(scope: TenantDb, orderId: string, input: ReturnRequestInput, by: { actor: string; photos?: ReturnPhoto[] }, nonce: string, token: string): Promise<string> {
    return this.inTransaction(scope, async (tx) => {
      const { policy } = await this.settings(tx)
      const ctx = await this.orderContext(tx, orderId)
      const decision = this.decide(policy, ctx, input)
      if (decision.reason.photosRequired && !(by.photos?.length)) {
        throw new ReturnError('RETURN_PHOTOS_REQUIRED', 'invalid_data', `Reason "${input.reason}" needs at least one photo of the item.`, { fields: [{ pointer: '/photos', message: 'add a photo of the defect or damage' }] })
      }
      const now = this.clock.now()
      const nowIso = now.toISOString()
      const returnId = newId('ret', now)
      const lines = input.lines.map((l) => ctx.order.lines.find((x) => x.id === l.lineId)!)
      // Exchange targets: real variants with a SKU and free stock; priced from the catalogue.
      const exchange = new Map<string, { variantId: string; sku: string; title: string; unitPrice: number }>()
      if (input.resolution === 'exchange') {
        const wanted = await this.deps.catalog.variantFacts(tx, input.lines.map((l) => l.exchangeVariantId!))
        const fields: FieldError[] = []
        input.lines.forEach((l, i) => {
          const v = wanted.get(l.exchangeVariantId!)
          if (!v || !v.sku) fields.push({ pointer: `/lines/${i}/exchangeVariantId`, message: 'no such variant with a SKU in this shop' })
          else exchange.set(l.lineId, { variantId: v.variantId, sku: v.sku, title: v.variantTitle && v.variantTitle !== 'Default Title' ? `${v.productTitle} / ${v.variantTitle}` : v.productTitle, unitPrice: v.price })
        })
        if (fields.length) throw new ReturnError('INVALID_DATA', 'invalid_data', 'An exchange names a variant that does not exist.', { fields })
      }
      const itemsValue = input.lines.reduce((s, l) => s + unitNet(ctx.order.lines.find((x) => x.id === l.lineId)!) * l.quantity, 0)
      const exchangeValue = input.lines.reduce((s, l) => s + (exchange.get(l.lineId)?.unitPrice ?? 0) * l.quantity, 0)
      const bonus = input.resolution === 'store_credit' ? decision.storeCreditBonusPercent : 0
      const seq = Number((await tx.selectFrom('returns').select((eb) => eb.fn.countAll<number>().as('n')).where('order_id', '=', orderId).executeTakeFirst())?.n ?? 0) + 1
      const row: Omit<ReturnsTable, 'tenant_id'> = {
        id: returnId, rma: `R-${(ctx.order.number ?? ctx.order.id.slice(-8)).replace(/^#/, '')}-${seq}`, order_id: orderId, customer_id: ctx.order.customerId,
        status: 'requested', reason_code: input.reason, reason_note: input.note ?? null, resolution: input.resolution, method: input.method,
        pickup_date: input.pickup?.date ?? null, pickup_slot: input.pickup?.slot ?? null, shipping_paid_by: decision.shippingPaidBy,
        decision: toJson(decision), needs_review: decision.approval === 'review' ? 1 : 0, currency: ctx.order.currency, items_value: itemsValue,
        refund_amount: input.resolution === 'refund' ? itemsValue : input.resolution === 'exchange' ? Math.max(0, itemsValue - exchangeValue) : 0,
        credit_amount: input.resolution === 'store_credit' ? Math.round(itemsValue * (1 + bonus / 100)) : 0,
        exchange_difference: input.resolution === 'exchange' ? exchangeValue - itemsValue : 0,
        exchange_order_id: null, exchange_hold: null, instant: input.resolution === 'exchange' && policy.instantExchange.enabled && input.method !== 'keep' ? 1 : 0,
        return_by: null, refund_status: 'none', refund_ref: null, store_credit_id: null, carrier: null, tracking_number: null, location_id: null,
        nonce, token_hash: sha256Hex(token), request_key: input.idempotencyKey ?? null, note: null, created_at: nowIso, updated_at: nowIso, approved_at: null, received_at: null, inspected_at: null, resolved_at: null, version: 0,
      }
      await tx.insertInto('returns', row).execute()
      await tx.insertInto('return_lines', input.lines.map((l) => {
        const o = lines.find((x) => x.id === l.lineId)!
        const ex = exchange.get(l.lineId)
        return {
          id: newId('rtl', now), return_id: returnId, order_line_id: o.id, variant_id: o.variantId, sku: o.sku, title: o.title, variant_title: o.variantTitle, quantity: l.quantity, unit_price: unitNet(o), condition: l.condition,
          exchange_variant_id: ex?.variantId ?? null, exchange_sku: ex?.sku ?? null, exchange_title: ex?.title ?? null, exchange_unit_price: ex?.unitPrice ?? null, grade: null, received_quantity: 0, restocked_location: null, inspection_note: null,
        }
      })).execute()
      for (const p of by.photos ?? []) {
        await tx.insertInto('return_media', { id: newId('rtm', now), return_id: returnId, stage: 'request', kind: p.kind, mime: p.mime, data: p.data, bytes: p.data.length, width: p.width, height: p.height, created_at: nowIso }).execute()
      }
      if (exchange.size) await this.holdExchangeStock(tx, returnId, input.lines.map((l) => ({ sku: exchange.get(l.lineId)!.sku, quantity: l.quantity })))
      await this.history(tx, returnId, null, 'requested', 'request', by.actor, { reason: input.reason, resolution: input.resolution, method: input.method, flags: decision.flags.map((f) => f.kind) })
      await this.events.appendAll(tx, [{ type: 'return.requested', subject: returnId, data: { returnId, rma: row.rma, orderId, customerId: row.customer_id, reason: input.reason, resolution: input.resolution, method: input.method, lines: input.lines.map((l) => ({ orderLineId: l.lineId, quantity: l.quantity })) } }])
      if (row.customer_id) await this.deps.customers.setTrait(tx, row.customer_id, 'returns.open', true, 'returns')
      if (decision.approval === 'auto') await this.approveIn(tx, returnId, 'policy')
      return returnId
    })
  }

  /** The customer's status page: the case behind a status link (only the token's hash is stored). */
  async byToken(token: string): Promise<{ scope: TenantDb; view: ReturnView } | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined
    const row = await this.db.kysely.selectFrom('returns').select(['id', 'tenant_id']).where('token_hash', '=', sha256Hex(token)).executeTakeFirst()
    if (!row) return undefined
    const scope = new TenantDb(row.tenant_id, this.db.kysely, this.db.dialect)
    return { scope, view: (await this.get(scope, row.id))! }
  }

  // ------------------------------------------------------------------ the brand's side

  async approve(scope: TenantDb, id: string, actor: string): Promise<ReturnView> {
    await this.inTransaction(scope, async (tx) => {
      const r = await this.lock(tx, id)
      if (r.status === 'approved') return
      if (r.status !== 'requested') throw this.wrongState(r, 'approve')
      await this.approveIn(tx, id, actor)
    })
    return (await this.get(scope, id))!
  }

  async reject(scope: TenantDb, id: string, reason: string, actor: string): Promise<ReturnView> {
    await this.inTransaction(scope, async (tx) => {
      const r = await this.lock(tx, id)
      if (r.status === 'rejected') return
      if (r.status !== 'requested') throw this.wrongState(r, 'reject')
      await this.releaseHold(tx, r)
      await this.move(tx, r, 'rejected', 'reject', actor, { reason }, { note: reason })
      await this.closeIfLast(tx, r)
    })
    return (await this.get(scope, id))!
  }

  /** The return parcel's carrier and number (from the label the customer or the carrier used). */
  async attachParcel(scope: TenantDb, id: string, raw: unknown, actor: string): Promise<ReturnView> {
    const input = ReturnShipmentInput.parse(raw)
    await this.inTransaction(scope, async (tx) => {
      const r = await this.lock(tx, id)
      if (r.method === 'keep') throw new ReturnError('RETURN_NO_PARCEL', 'conflict', 'This return keeps the item: there is no parcel.')
      await tx.updateTable('returns').set({ carrier: input.carrier, tracking_number: input.trackingNumber, updated_at: this.clock.now().toISOString(), version: r.version + 1 }).where('id', '=', id).execute()
      await this.history(tx, id, r.status, r.status, 'parcel', actor, input)
    })
    return (await this.get(scope, id))!
  }

  /**
   * The parcel arrived at a location. Idempotent: the same receipt twice (a repeated scan, a webhook
   * delivered again) changes nothing the second time.
   */
  async receive(scope: TenantDb, id: string, raw: unknown, actor: string): Promise<{ return: ReturnView; repeated: boolean }> {
    const input = ReceiveInput.parse(raw)
    const repeated = await this.inTransaction(scope, async (tx) => {
      const r = await this.lock(tx, id)
      if (['received', 'inspected', 'resolved'].includes(r.status)) return true
      if (r.status !== 'approved' && r.status !== 'escalated') throw this.wrongState(r, 'receive')
      if (r.method === 'keep') throw new ReturnError('RETURN_NO_PARCEL', 'conflict', 'This return keeps the item: nothing comes back.')
      const location = (await this.deps.inventory.listLocations({}, tx.db)).find((l) => l.id === input.locationId)
      if (!location) throw new ReturnError('LOCATION_NOT_FOUND', 'invalid_data', `No location ${input.locationId}.`, { fields: [{ pointer: '/locationId', message: 'unknown location' }] })
      const lines = await tx.selectFrom('return_lines').selectAll().where('return_id', '=', id).execute()
      for (const l of lines) {
        const got = input.lines ? input.lines.find((x) => x.lineId === l.id)?.quantity ?? 0 : l.quantity
        if (got > l.quantity) throw new ReturnError('INVALID_DATA', 'invalid_data', `Line ${l.id}: ${got} received, ${l.quantity} expected.`, { fields: [{ pointer: '/lines', message: 'more than the return holds' }] })
        await tx.updateTable('return_lines').set({ received_quantity: got }).where('id', '=', l.id).execute()
      }
      await this.move(tx, r, 'received', 'receive', actor, { locationId: input.locationId, reference: input.reference ?? null }, { location_id: input.locationId, received_at: this.clock.now().toISOString() })
      await this.events.appendAll(tx, [{ type: 'return.received', subject: id, data: { returnId: id, rma: r.rma, orderId: r.order_id, locationId: input.locationId } }])
      return false
    })
    return { return: (await this.get(scope, id))!, repeated }
  }

  /**
   * Grades what came back: A resell as new, B outlet / re-commerce (both restocked at the receiving
   * location), C dispose. Then, by default, resolves the case.
   */
  async inspect(scope: TenantDb, id: string, raw: unknown, by: { actor: string; photos?: ReturnPhoto[] }): Promise<ReturnView> {
    const input = InspectInput.parse(raw)
    await this.inTransaction(scope, async (tx) => {
      const r = await this.lock(tx, id)
      if (r.status === 'inspected' || r.status === 'resolved') return
      if (r.status !== 'received') throw this.wrongState(r, 'inspect')
      const lines = await tx.selectFrom('return_lines').selectAll().where('return_id', '=', id).execute()
      const fields: FieldError[] = []
      input.lines.forEach((g, i) => { if (!lines.some((l) => l.id === g.lineId)) fields.push({ pointer: `/lines/${i}/lineId`, message: 'not a line of this return' }) })
      const missing = lines.filter((l) => l.received_quantity > 0 && !input.lines.some((g) => g.lineId === l.id))
      for (const m of missing) fields.push({ pointer: '/lines', message: `line ${m.id} (${m.title}) needs a grade` })
      if (fields.length) throw new ReturnError('INVALID_DATA', 'invalid_data', 'Every received line needs one grade.', { fields })
      const restock: StockEntry[] = []
      for (const g of input.lines) {
        const l = lines.find((x) => x.id === g.lineId)!
        const back = g.grade !== 'C' && l.sku && l.received_quantity > 0
        if (back) restock.push({ sku: l.sku!, locationId: r.location_id!, quantity: l.received_quantity })
        await tx.updateTable('return_lines').set({ grade: g.grade, inspection_note: g.note ?? null, restocked_location: back ? r.location_id : null }).where('id', '=', l.id).execute()
      }
      if (restock.length) await this.deps.inventory.restock(tx, `return:${id}`, restock)
      const now = this.clock.now()
      for (const p of by.photos ?? []) {
        await tx.insertInto('return_media', { id: newId('rtm', now), return_id: id, stage: 'inspection', kind: p.kind, mime: p.mime, data: p.data, bytes: p.data.length, width: p.width, height: p.height, created_at: now.toISOString() }).execute()
      }
      const moved = await this.move(tx, r, 'inspected', 'inspect', by.actor, { grades: input.lines.map((g) => ({ lineId: g.lineId, grade: g.grade })), restocked: restock }, { inspected_at: now.toISOString() })
      if (input.resolve) await this.resolveIn(tx, moved, by.actor)
    })
    return (await this.get(scope, id))!
  }

  /** Resolves an inspected case (when inspection did not): refund, store credit or the exchange order. */
  async resolve(scope: TenantDb, id: string, actor: string): Promise<ReturnView> {
    await this.inTransaction(scope, async (tx) => {
      const r = await this.lock(tx, id)
      if (r.status === 'resolved') return
      if (r.status !== 'inspected') throw this.wrongState(r, 'resolve')
      await this.resolveIn(tx, r, actor)
    })
    return (await this.get(scope, id))!
  }

  /** A refund the brand made in its own systems (refunds 'manual'), recorded once. */
  async markRefunded(scope: TenantDb, id: string, reference: string, actor: string): Promise<ReturnView> {
    await this.inTransaction(scope, async (tx) => {
      const r = await this.lock(tx, id)
      if (r.refund_status === 'issued') return
      if (r.refund_status !== 'manual' && r.refund_status !== 'failed') throw new ReturnError('RETURN_REFUND_STATE', 'conflict', `Refund is ${r.refund_status}: nothing to record.`)
      await this.refundIssued(tx, r, reference.slice(0, 200), actor)
    })
    return (await this.get(scope, id))!
  }

  async get(scope: TenantDb, id: string, opts: { history?: boolean } = {}): Promise<ReturnView | undefined> {
    const r = await scope.selectFrom('returns').selectAll().where('id', '=', id).executeTakeFirst()
    if (!r) return undefined
    return (await this.views(scope, [r], opts.history ?? false))[0]
  }

  async list(scope: TenantDb, raw: unknown): Promise<ReturnView[]> {
    const q = ReturnListQuery.parse(raw)
    let sel = scope.selectFrom('returns').selectAll().orderBy('id', 'desc').limit(q.limit)
    if (q.status) sel = sel.where('status', '=', q.status)
    if (q.orderId) sel = sel.where('order_id', '=', q.orderId)
    if (q.after) sel = sel.where('id', '<', q.after)
    return this.views(scope, await sel.execute(), false)
  }

  async photo(scope: TenantDb, returnId: string, mediaId: string): Promise<{ mime: string; data: Buffer } | undefined> {
    const m = await scope.selectFrom('return_media').select(['mime', 'data']).where('id', '=', mediaId).where('return_id', '=', returnId).executeTakeFirst()
    return m ? { mime: m.mime, data: Buffer.from(m.data) } : undefined
  }

  /**
   * Return labels for the carriers' own software (the same Yamato B2 / Sagawa e飛伝 files as
   * outgoing parcels): every approved return still to come back by pickup or drop-off. The customer
   * is the sender, the brand's label address (fulfilment settings, ご依頼主) the recipient, and the
   * RMA is the label's customer reference, so the parcel is recognised on arrival.
   */
  async labels(scope: TenantDb, format: LabelFormatId): Promise<{ filename: string; contentType: string; body: Buffer; parcels: number; warnings: LabelWarning[] }> {
    const spec = LABEL_FORMATS[format]
    const sender = (await this.deps.fulfillment.settings(scope)).labelSender
    if (!sender) throw new ReturnError('LABEL_SENDER_MISSING', 'invalid_data', 'Set the address returns go to (ご依頼主) first: PUT /api/v1/fulfillment/settings with labelSender.', { fields: [{ pointer: '/labelSender', message: 'is not set' }] })
    const rows = await scope.selectFrom('returns').selectAll().where('status', '=', 'approved').where('method', 'in', ['pickup', 'dropoff']).where('tracking_number', 'is', null).orderBy('id').limit(5000).execute()
    const today = japanClock(this.clock.now()).date
    const to = splitJapaneseAddress(sender.address)
    const parcels: LabelParcel[] = []
    for (const r of rows) {
      const order = await this.deps.orders.get(scope, r.order_id, { history: false })
      if (!order) continue
      const a = order.shippingAddress
      const lines = await scope.selectFrom('return_lines').select(['title', 'variant_title', 'quantity']).where('return_id', '=', r.id).execute()
      parcels.push({
        parcelId: r.rma.length <= 16 ? r.rma : r.rma.slice(-16),
        orderNumber: order.number ?? order.externalId,
        shipDate: r.pickup_date ?? today,
        temperature: 'ambient',
        recipient: { name: sender.name, phone: sender.phone, postalCode: sender.postalCode, prefecture: to.prefecture, city: to.city, address1: to.rest, company: null, email: null },
        sender: {
          name: a?.name ?? '', phone: a?.phone ?? order.phone ?? '', postalCode: a?.postalCode ?? '',
          address: [a?.prefectureCode ? prefectureByCode(a.prefectureCode)?.ja ?? a?.region : a?.region, a?.city, a?.address1, a?.address2].filter(Boolean).join(''),
          code: format === 'yamato-b2' ? null : sender.sagawaCustomerCode ?? null,
        },
        items: lines.map((l) => ({ name: `返品 ${l.variant_title ? `${l.title} ${l.variant_title}` : l.title}`, quantity: Number(l.quantity) })),
      })
    }
    let built: LabelCsv
    try {
      built = (spec as (typeof LABEL_FORMATS)['sagawa-ehiden']).build(parcels)
    } catch (err) {
      if (err instanceof RangeError) throw new ReturnError('LABEL_DATA_INVALID', 'invalid_data', `Cannot write the ${spec.title} file: ${err.message}`)
      throw err
    }
    return { filename: `returns-${spec.filename(today)}`, contentType: spec.contentType, body: built.csv, parcels: parcels.length, warnings: built.warnings }
  }

  // ------------------------------------------------------------------ analytics

  /**
   * Return rate by SKU, variant, reason, size, customer and centre; exchange vs refund share;
   * revenue retained (exchanges and store credit instead of refunds); time from request to refund.
   */
  async analytics(scope: TenantDb, raw: unknown) {
    const q = ReturnAnalyticsQuery.parse(raw)
    const to = q.to ? new Date(q.to).toISOString() : this.clock.now().toISOString()
    const from = q.from ? new Date(q.from).toISOString() : new Date(Date.parse(to) - 90 * DAY).toISOString()
    const returns = await scope.selectFrom('returns').selectAll().where('created_at', '>=', from).where('created_at', '<=', to).where('status', 'not in', ['rejected', 'cancelled']).execute()
    const ids = returns.map((r) => r.id)
    const lines = ids.length ? await scope.selectFrom('return_lines').selectAll().where('return_id', 'in', ids).execute() : []
    // Units sold in the same period, by SKU and variant: the denominators of the return rates.
    const sold = await scope.selectFrom('order_lines').innerJoin('orders', (j) => j.onRef('orders.id', '=', 'order_lines.order_id').onRef('orders.tenant_id', '=', 'order_lines.tenant_id'))
      .select(['order_lines.sku as sku', 'order_lines.variant_id as variantId', 'order_lines.variant_title as variantTitle', (eb) => eb.fn.sum<number>('order_lines.quantity').as('units')])
      .where('orders.placed_at', '>=', from).where('orders.placed_at', '<=', to).where('orders.status', '!=', 'cancelled').where('orders.source', '!=', 'exchange')
      .groupBy(['order_lines.sku', 'order_lines.variant_id', 'order_lines.variant_title']).execute()
    const byId = new Map(returns.map((r) => [r.id, r]))
    const rate = (key: (l: ReturnLinesTable) => string | null, soldKey: (s: (typeof sold)[number]) => string | null) => {
      const units = new Map<string, number>()
      for (const s of sold) { const k = soldKey(s); if (k) units.set(k, (units.get(k) ?? 0) + Number(s.units)) }
      const back = new Map<string, number>()
      for (const l of lines) { const k = key(l); if (k) back.set(k, (back.get(k) ?? 0) + l.quantity) }
      return [...back].map(([k, n]) => ({ key: k, returned: n, sold: units.get(k) ?? 0, rate: units.get(k) ? Math.round((n / units.get(k)!) * 10_000) / 10_000 : null })).sort((a, b) => b.returned - a.returned)
    }
    const count = <K extends string>(f: (r: ReturnsTable) => K) => {
      const m = new Map<K, number>()
      for (const r of returns) m.set(f(r), (m.get(f(r)) ?? 0) + 1)
      return Object.fromEntries(m) as Record<K, number>
    }
    const byCustomer = new Map<string, number>()
    for (const r of returns) if (r.customer_id) byCustomer.set(r.customer_id, (byCustomer.get(r.customer_id) ?? 0) + 1)
    // Centre: where the returned line was shipped from (the original parcel's origin).
    const centre = new Map<string, number>()
    for (const orderId of new Set(returns.map((r) => r.order_id))) {
      const shipments = await this.deps.tracking.forOrder(scope, orderId)
      const returnedLines = lines.filter((l) => byId.get(l.return_id)!.order_id === orderId)
      for (const l of returnedLines) {
        const s = shipments.find((x) => x.lines.some((sl) => sl.orderLineId === l.order_line_id))
        const k = s?.origin.location ?? 'unknown'
        centre.set(k, (centre.get(k) ?? 0) + l.quantity)
      }
    }
    const refunded = returns.filter((r) => r.refund_status === 'issued' && r.resolved_at)
    const hours = refunded.map((r) => (Date.parse(r.resolved_at!) - Date.parse(r.created_at)) / 3_600_000).sort((a, b) => a - b)
    const resolutions = count((r) => r.resolution)
    const retained = returns.filter((r) => r.resolution !== 'refund').reduce((s, r) => s + r.items_value, 0)
    return {
      from, to, returns: returns.length, units: lines.reduce((s, l) => s + l.quantity, 0),
      bySku: rate((l) => l.sku, (s) => s.sku),
      byVariant: rate((l) => l.variant_id, (s) => s.variantId),
      bySize: rate((l) => l.variant_title, (s) => s.variantTitle),
      byReason: count((r) => r.reason_code),
      byResolution: resolutions,
      exchangeShare: returns.length ? Math.round(((resolutions.exchange ?? 0) / returns.length) * 1000) / 1000 : null,
      refundShare: returns.length ? Math.round(((resolutions.refund ?? 0) / returns.length) * 1000) / 1000 : null,
      revenueRetained: retained,
      byCustomer: [...byCustomer].map(([customerId, n]) => ({ customerId, returns: n })).sort((a, b) => b.returns - a.returns).slice(0, 50),
      byCentre: [...centre].map(([locationId, units]) => ({ locationId, units })).sort((a, b) => b.units - a.units),
      requestToRefundHours: hours.length ? { count: hours.length, median: hours[Math.floor(hours.length / 2)]!, p90: hours[Math.min(hours.length - 1, Math.floor(hours.length * 0.9))]! } : null,
    }
  }

  // ------------------------------------------------------------------ inside

  private async orderContext(tx: TenantDb, orderId: string) {
    const order = await this.deps.orders.get(tx, orderId, { history: false })
    if (!order) throw new ReturnError('ORDER_NOT_FOUND', 'not_found', `No order with id ${orderId}.`)
    const tenant = await this.deps.tenants.find(tx.tenantId, tx.db)
    const shipments = await this.deps.tracking.forOrder(tx, orderId)
    const deliveredAt = new Map<string, string>()
    for (const s of shipments) if (s.status === 'delivered' && s.deliveredAt) for (const l of s.lines) if (!deliveredAt.has(l.orderLineId) || deliveredAt.get(l.orderLineId)! < s.deliveredAt) deliveredAt.set(l.orderLineId, s.deliveredAt)
    const variants = await this.deps.catalog.variantFacts(tx, order.lines.map((l) => l.variantId).filter((v): v is string => !!v))
    const returned = new Map<string, number>()
    const earlier = await tx.selectFrom('return_lines').innerJoin('returns', (j) => j.onRef('returns.id', '=', 'return_lines.return_id').onRef('returns.tenant_id', '=', 'return_lines.tenant_id'))
      .select(['return_lines.order_line_id as lineId', 'return_lines.quantity as quantity']).where('returns.order_id', '=', orderId).where('returns.status', 'not in', ['rejected', 'cancelled']).execute()
    for (const e of earlier) returned.set(e.lineId, (returned.get(e.lineId) ?? 0) + Number(e.quantity))
    const since = new Date(this.clock.now().getTime() - 90 * DAY).toISOString()
    const recent = order.customerId
      ? await tx.selectFrom('returns').select([(eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.sum<number>('items_value').as('v')]).where('customer_id', '=', order.customerId).where('created_at', '>=', since).where('status', 'not in', ['rejected', 'cancelled']).executeTakeFirst()
      : undefined
    return { order, zone: tenant.timezone, deliveredAt, variants, returned, recent: { n: Number(recent?.n ?? 0), v: Number(recent?.v ?? 0) } }
  }

  private policyInput(ctx: Awaited<ReturnType<ReturnService['orderContext']>>, reason: string, picks: ReadonlyArray<{ lineId: string; quantity: number; condition: ReturnLineInput['condition'] }>, addressMatches = true) {
    return {
      order: { placedAt: ctx.order.placedAt, currency: ctx.order.currency, total: ctx.order.total },
      reason,
      lines: picks.map((p) => {
        const l = ctx.order.lines.find((x) => x.id === p.lineId)!
        const v = l.variantId ? ctx.variants.get(l.variantId) : undefined
        return {
          lineId: l.id, sku: l.sku, productId: v?.productId ?? '', tags: v?.tags ?? [], productType: v?.productType ?? null,
          unitPrice: unitNet(l), quantity: p.quantity, purchased: l.quantity,
          alreadyReturned: ctx.returned.get(l.id) ?? 0, deliveredAt: ctx.deliveredAt.get(l.id) ?? null, condition: p.condition,
        }
      }),
      customer: { returnsLast90Days: ctx.recent.n, returnValueLast90Days: ctx.recent.v },
      addressMatches,
    }
  }

  /** The policy's verdict on a request, refusing what it refuses with the reason per line. */
  private decide(policy: ReturnPolicy, ctx: Awaited<ReturnType<ReturnService['orderContext']>>, input: ReturnRequestInput): ReturnDecision {
    const fields: FieldError[] = []
    input.lines.forEach((l, i) => { if (!ctx.order.lines.some((x) => x.id === l.lineId)) fields.push({ pointer: `/lines/${i}/lineId`, message: 'not a line of this order' }) })
    if (fields.length) throw new ReturnError('INVALID_DATA', 'invalid_data', 'The request names lines that are not in this order.', { fields })
    const decision = evaluateReturn(compilePolicy(policy), this.policyInput(ctx, input.reason, input.lines, input.sameAddress), this.clock.now(), ctx.zone)
    input.lines.forEach((l, i) => {
      const d = decision.lines.find((x) => x.lineId === l.lineId)!
      if (!d.returnable) fields.push({ pointer: `/lines/${i}`, message: d.why.en })
      else if (l.quantity > d.quantity) fields.push({ pointer: `/lines/${i}/quantity`, message: `at most ${d.quantity} may come back` })
    })
    if (fields.length) {
      throw new ReturnError('RETURN_NOT_ALLOWED', 'invalid_data', `Not returnable: ${fields.map((f) => f.message).join('; ')}`, { fields, extra: { why: decision.lines.filter((d) => !d.returnable).map((d) => ({ lineId: d.lineId, ...d.why })) } })
    }
    if (!decision.resolutions.includes(input.resolution)) {
      throw new ReturnError('RETURN_RESOLUTION_NOT_OFFERED', 'invalid_data', `This shop does not offer "${input.resolution}" for this return; it offers ${decision.resolutions.join(', ')}.`, { fields: [{ pointer: '/resolution', message: `one of ${decision.resolutions.join(', ')}` }] })
    }
    if (input.method === 'keep' && !decision.keepItem) {
      throw new ReturnError('RETURN_KEEP_NOT_OFFERED', 'invalid_data', 'This return must be sent back: keeping the item is not offered for it.', { fields: [{ pointer: '/method', message: 'pickup or dropoff' }] })
    }
    return decision
  }

  /**
   * Takes free stock for an exchange now, at the locations with most free units. A conditional
   * update per row: when two requests want the last unit, one gets it and the other a clear 409.
   */
  private async holdExchangeStock(tx: TenantDb, returnId: string, wants: Array<{ sku: string; quantity: number }>): Promise<void> {
    const free = await this.deps.inventory.freeStock(tx, wants.map((w) => w.sku))
    const entries: StockEntry[] = []
    for (const w of wants) {
      let left = w.quantity
      for (const at of free.get(w.sku) ?? []) {
        if (left === 0) break
        const take = Math.min(left, at.free)
        entries.push({ sku: w.sku, locationId: at.locationId, quantity: take })
        left -= take
      }
      if (left > 0) throw outOfStock(w.sku)
    }
    try {
      await this.deps.inventory.reserve(tx, `return:${returnId}`, entries)
    } catch (err) {
      if (err instanceof StockRaced) throw outOfStock(entries.map((e) => e.sku).join(', '))
      throw err
    }
    await tx.updateTable('returns').set({ exchange_hold: toJson(entries) }).where('id', '=', returnId).execute()
  }

  private async releaseHold(tx: TenantDb, r: ReturnsTable): Promise<void> {
    const entries = fromJson<StockEntry[]>(r.exchange_hold, [])
    if (!entries.length) return
    await this.deps.inventory.release(tx, `return:${r.id}`, entries)
    await tx.updateTable('returns').set({ exchange_hold: null }).where('id', '=', r.id).execute()
  }

  /** The replacement order: the held stock becomes an order the allocator ships like any other. */
  private async releaseExchange(tx: TenantDb, r: ReturnsTable): Promise<string> {
    if (r.exchange_order_id) return r.exchange_order_id
    const order = (await this.deps.orders.get(tx, r.order_id, { history: false }))!
    const lines = await tx.selectFrom('return_lines').selectAll().where('return_id', '=', r.id).execute()
    await this.releaseHold(tx, r)
    const value = lines.reduce((s, l) => s + Number(l.exchange_unit_price ?? 0) * l.quantity, 0)
    const customer = order.customerId ? await this.deps.customers.get(tx, order.customerId) : undefined
    const result = await this.deps.orders.ingestValid(tx, {
      externalId: r.rma, source: 'exchange', number: `${r.rma}-X`, placedAt: this.clock.now().toISOString(), currency: r.currency,
      ...(customer || order.email ? { customer: { ...(order.email ? { email: order.email } : {}), ...(order.phone ? { phone: order.phone } : {}), ...(customer?.locale ? { locale: customer.locale as 'ja' | 'en' } : {}) } } : {}),
      ...(order.shippingAddress ? { shippingAddress: order.shippingAddress } : {}),
      lines: lines.map((l) => ({ sku: l.exchange_sku!, title: l.exchange_title!, quantity: l.quantity, unitPrice: Number(l.exchange_unit_price ?? 0), discount: Math.min(Number(l.exchange_unit_price ?? 0), Number(l.unit_price)) * l.quantity, requiresShipping: true })),
      shippingTotal: 0, taxTotal: 0, discountTotal: 0, total: Math.max(0, value - Number(r.items_value)), tags: ['exchange', `return:${r.rma}`], attributes: { return_id: r.id }, status: 'confirmed',
    }, { actor: 'returns' })
    const exchangeOrderId = result.id
    // The allocator takes the stock now, in this transaction: if it cannot cover the order, nothing happens.
    const f = await this.deps.fulfillment.allocateOrder(tx, exchangeOrderId, { trigger: 'exchange' })
    if (f.backorderedUnits > 0 || f.parcels.length === 0) throw outOfStock(lines.map((l) => l.exchange_sku).join(', '))
    await tx.updateTable('returns').set({ exchange_order_id: exchangeOrderId }).where('id', '=', r.id).execute()
    return exchangeOrderId
  }

  private async approveIn(tx: TenantDb, id: string, actor: string): Promise<void> {
    let r = await this.lock(tx, id)
    const now = this.clock.now()
    const set: Partial<ReturnsTable> = { approved_at: now.toISOString() }
    if (Number(r.instant) === 1) {
      const { policy } = await this.settings(tx)
      set.return_by = new Date(now.getTime() + policy.instantExchange.returnWithinDays * DAY).toISOString()
    }
    r = await this.move(tx, r, 'approved', 'approve', actor, Number(r.instant) === 1 ? { instant: true, returnBy: set.return_by } : {}, set)
    await this.events.appendAll(tx, [{ type: 'return.approved', subject: id, data: { returnId: id, rma: r.rma, orderId: r.order_id, method: r.method, pickupDate: r.pickup_date, pickupSlot: r.pickup_slot, shippingPaidBy: r.shipping_paid_by, instant: Number(r.instant) === 1, exchangeOrderId: r.exchange_order_id } }])
    if (Number(r.instant) === 1) {
      const exchangeOrderId = await this.releaseExchange(tx, r)
      r = await this.lock(tx, id)
      await this.history(tx, id, 'approved', 'approved', 'exchange_released', actor, { exchangeOrderId, returnBy: r.return_by })
    }
    // Keep-the-item: nothing comes back, so the case resolves at once.
    if (r.method === 'keep') {
      r = await this.move(tx, r, 'inspected', 'keep', actor, { keepItem: true }, { inspected_at: now.toISOString() })
      await this.resolveIn(tx, r, actor)
    }
  }

  private async resolveIn(tx: TenantDb, r0: ReturnsTable, actor: string): Promise<void> {
    let r = r0
    const now = this.clock.now().toISOString()
    const set: Partial<ReturnsTable> = { resolved_at: now }
    let storeCredit: { code: string; amount: number } | null = null
    if (r.resolution === 'exchange') {
      if (Number(r.instant) !== 1) set.exchange_order_id = await this.releaseExchange(tx, r)
    }
    if (r.resolution === 'store_credit') {
      const code = `KC-${newToken(12).replace(/[-_]/g, 'X').toUpperCase().slice(0, 16)}`
      const creditId = newId('scr')
      const res = await tx.insertInto('store_credits', { id: creditId, customer_id: r.customer_id, return_id: r.id, code, currency: r.currency, amount: r.credit_amount, balance: r.credit_amount, created_at: now })
        .onConflict((oc) => oc.columns(['tenant_id', 'return_id']).doNothing()).executeTakeFirst()
      if (Number(res.numInsertedOrUpdatedRows ?? 0) === 1) set.store_credit_id = creditId
      storeCredit = { code, amount: Number(r.credit_amount) }
    }
    const refundDue = Number(r.refund_amount) > 0 && r.refund_status === 'none'
    if (refundDue) {
      const settings = await this.settings(tx)
      const order = await this.deps.orders.get(tx, r.order_id, { history: false })
      const viaShopify = settings.refunds.via === 'shopify' && order?.source === 'shopify'
      set.refund_status = viaShopify ? 'pending' : 'manual'
    }
    r = await this.move(tx, r, 'resolved', 'resolve', actor, { resolution: r.resolution, refund: set.refund_status ?? r.refund_status, storeCredit: storeCredit?.code ?? null, exchangeOrderId: set.exchange_order_id ?? r.exchange_order_id }, set)
    if (set.refund_status === 'pending') await this.queue.send(tx.db, REFUND_QUEUE, { tenantId: tx.tenantId, returnId: r.id })
    await this.events.appendAll(tx, [{ type: 'return.resolved', subject: r.id, data: { returnId: r.id, rma: r.rma, orderId: r.order_id, resolution: r.resolution, refundAmount: Number(r.refund_amount), creditAmount: Number(r.credit_amount), exchangeOrderId: r.exchange_order_id, storeCredit } }])
    await this.closeIfLast(tx, r)
  }

  /** The refund job: through Shopify with the return id as the idempotency key, then recorded once. */
  private async refund(tenantId: string, returnId: string): Promise<void> {
    const scope = new TenantDb(tenantId, this.db.kysely, this.db.dialect)
    const r = await scope.selectFrom('returns').selectAll().where('id', '=', returnId).executeTakeFirst()
    if (!r || r.refund_status !== 'pending') return
    const row = await scope.selectFrom('return_settings').selectAll().executeTakeFirst()
    const order = await this.deps.orders.get(scope, r.order_id, { history: false })
    if (!row?.shopify_domain || !row.shopify_token_sealed || !order) {
      await this.inTransaction(scope, async (tx) => {
        const cur = await this.lock(tx, returnId)
        if (cur.refund_status === 'pending') await this.move(tx, cur, cur.status, 'refund_failed', 'returns', { error: 'Shopify refunds are not configured' }, { refund_status: 'failed' })
      })
      return
    }
    const client = new ShopifyAdminClient({ shopDomain: row.shopify_domain, accessToken: this.secrets.open(row.shopify_token_sealed), ...(this.shopifyBaseUrl ? { baseUrl: this.shopifyBaseUrl } : {}) })
    const lines = await scope.selectFrom('return_lines').selectAll().where('return_id', '=', returnId).execute()
    const refundLines = lines.flatMap((l) => {
      const o = order.lines.find((x) => x.id === l.order_line_id)
      if (!o?.externalId) return []
      const restock = l.grade === 'A' || l.grade === 'B'
      return [{ lineItemId: o.externalId, quantity: l.quantity, restockType: restock && row.shopify_location_id ? ('return' as const) : ('no_restock' as const), ...(restock && row.shopify_location_id ? { locationId: row.shopify_location_id } : {}) }]
    })
    try {
      const calc = await client.calculateRefund(order.externalId, refundLines, { currency: r.currency })
      const amount = Number(r.refund_amount)
      const tx0 = calc.transactions[0]
      const created = await client.createRefund(order.externalId, {
        currency: r.currency, notify: false, note: `Kando return ${r.rma}`, lines: refundLines,
        transactions: tx0 ? [{ parentId: tx0.parentId, amount: toShopifyAmount(amount, r.currency), gateway: tx0.gateway }] : [],
      }, r.id)
      await this.inTransaction(scope, async (tx) => {
        const cur = await this.lock(tx, returnId)
        if (cur.refund_status === 'pending') await this.refundIssued(tx, cur, created.id, 'shopify')
      })
    } catch (err) {
      // Refused for good (bad token, nothing left to refund): a person must look; the rest retries.
      if (err instanceof ShopifyAdminError && ['UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'UNPROCESSABLE'].includes(err.code)) {
        await this.inTransaction(scope, async (tx) => {
          const cur = await this.lock(tx, returnId)
          if (cur.refund_status === 'pending') await this.move(tx, cur, cur.status, 'refund_failed', 'shopify', { error: err.message }, { refund_status: 'failed' })
        })
        this.log.warn({ err, returnId }, 'refund refused by Shopify')
        return
      }
      throw err
    }
  }

  private async refundIssued(tx: TenantDb, r: ReturnsTable, reference: string, actor: string): Promise<void> {
    await this.move(tx, r, r.status, 'refund_issued', actor, { reference, amount: Number(r.refund_amount) }, { refund_status: 'issued', refund_ref: reference })
    await this.events.appendAll(tx, [{ type: 'refund.issued', subject: r.id, data: { returnId: r.id, rma: r.rma, orderId: r.order_id, refundId: `${r.id}`, amount: Number(r.refund_amount), currency: r.currency, reference } }])
  }

  /**
   * Instant exchanges whose original did not come back in time: charge or close per the brand's
   * rule. The worker runs this every minute; its state is the database, so a restart carries on.
   */
  async sweepOverdue(limit = 200): Promise<number> {
    const due = await this.db.kysely.selectFrom('returns').select(['id', 'tenant_id']).where('return_by', 'is not', null).where('received_at', 'is', null).where('status', '=', 'approved')
      .where('return_by', '<=', this.clock.now().toISOString()).orderBy('return_by').limit(limit).execute()
    for (const d of due) await this.escalateIfMissing(d.tenant_id, d.id)
    return due.length
  }

  private async escalateIfMissing(tenantId: string, returnId: string): Promise<void> {
    const scope = new TenantDb(tenantId, this.db.kysely, this.db.dialect)
    await this.inTransaction(scope, async (tx) => {
      const r = await this.lock(tx, returnId)
      if (r.status !== 'approved' || r.received_at || !r.return_by || Date.parse(r.return_by) > this.clock.now().getTime()) return
      const { policy } = await this.settings(tx)
      const rule = policy.instantExchange.onMissing
      const charge = Math.max(0, Number(r.items_value) - Number(r.refund_amount))
      const moved = await this.move(tx, r, rule === 'close' ? 'cancelled' : 'escalated', 'escalate', 'returns', { rule, returnBy: r.return_by, charge: rule === 'charge' ? charge : 0 }, { note: rule === 'charge' ? `Original not returned by ${r.return_by}: charge ${charge} ${r.currency}` : `Original not returned by ${r.return_by}: closed` })
      await this.events.appendAll(tx, [{ type: 'return.escalated', subject: returnId, data: { returnId, rma: r.rma, orderId: r.order_id, rule, charge: rule === 'charge' ? charge : 0, currency: r.currency, exchangeOrderId: r.exchange_order_id } }])
      await this.closeIfLast(tx, moved)
    })
  }

  private async closeIfLast(tx: TenantDb, r: ReturnsTable): Promise<void> {
    if (!r.customer_id) return
    const open = await tx.selectFrom('returns').select('id').where('customer_id', '=', r.customer_id).where('status', 'in', OPEN.filter((s) => s !== 'escalated')).limit(1).executeTakeFirst()
    if (!open) await this.deps.customers.setTrait(tx, r.customer_id, 'returns.open', false, 'returns')
  }

  private async lock(tx: TenantDb, id: string): Promise<ReturnsTable> {
    let q = tx.selectFrom('returns').selectAll().where('id', '=', id)
    if (tx.dialect === 'postgres') q = q.forUpdate()
    const r = await q.executeTakeFirst()
    if (!r) throw new ReturnError('RETURN_NOT_FOUND', 'not_found', `No return with id ${id}.`)
    return r as ReturnsTable
  }

  /** A status change (or a same-status action) as compare-and-set on the version, with its history row. */
  private async move(tx: TenantDb, r: ReturnsTable, to: ReturnStatus, action: string, actor: string, detail: Record<string, unknown>, set: Partial<ReturnsTable> = {}): Promise<ReturnsTable> {
    const now = this.clock.now().toISOString()
    const res = await tx.updateTable('returns').set({ ...set, status: to, updated_at: now, version: r.version + 1 }).where('id', '=', r.id).where('version', '=', r.version).executeTakeFirst()
    if (Number(res.numUpdatedRows) !== 1) throw new ReturnError('RETURN_CHANGED', 'conflict', 'The return changed meanwhile; try again.')
    await this.history(tx, r.id, r.status, to, action, actor, detail)
    return { ...r, ...set, status: to, updated_at: now, version: Number(r.version) + 1 } as ReturnsTable
  }

  private async history(tx: TenantDb, returnId: string, from: ReturnStatus | null, to: ReturnStatus, action: string, actor: string, detail: unknown): Promise<void> {
    await tx.insertInto('return_history', { id: newId('rth', this.clock.now()), return_id: returnId, from_status: from, to_status: to, action, actor, detail: toJson(detail), at: this.clock.now().toISOString() }).execute()
  }

  private wrongState(r: ReturnsTable, what: string): ReturnError {
    return new ReturnError('RETURN_STATE', 'conflict', `Return ${r.rma} is ${r.status}: it cannot be ${what.replace(/e?$/, 'ed')} now.`)
  }

  private async inTransaction<R>(scope: TenantDb, fn: (tx: TenantDb) => Promise<R>): Promise<R> {
    if (scope.db.isTransaction) return fn(scope)
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction((trx) => fn(scope.with(trx)))
      } catch (err) {
        const code = (err as { code?: string }).code
        // Deadlocks and serialisation failures only: a lost race for stock is the customer's answer.
        if (!(code === '40P01' || code === '40001') || attempt >= 5) throw err
        await new Promise((r) => setTimeout(r, Math.random() * 20 * (attempt + 1)))
      }
    }
  }

  private async views(scope: TenantDb, rows: ReturnsTable[], withHistory: boolean): Promise<ReturnView[]> {
    if (rows.length === 0) return []
    const ids = rows.map((r) => r.id)
    const lines = await scope.selectFrom('return_lines').selectAll().where('return_id', 'in', ids).orderBy('id').execute()
    const photos = await scope.selectFrom('return_media').select(['return_id']).where('return_id', 'in', ids).execute()
    const credits = await scope.selectFrom('store_credits').select(['return_id', 'code', 'amount']).where('return_id', 'in', ids).execute()
    const history = withHistory ? await scope.selectFrom('return_history').selectAll().where('return_id', 'in', ids).orderBy('id').execute() : []
    return rows.map((r) => {
      const credit = credits.find((c) => c.return_id === r.id)
      return {
        id: r.id, rma: r.rma, orderId: r.order_id, customerId: r.customer_id, status: r.status, reason: { code: r.reason_code, note: r.reason_note }, resolution: r.resolution, method: r.method,
        pickup: r.pickup_date ? { date: r.pickup_date, slot: r.pickup_slot! } : null, shippingPaidBy: r.shipping_paid_by, needsReview: Number(r.needs_review) === 1,
        decision: fromJson<ReturnDecision>(r.decision, {} as ReturnDecision), currency: r.currency, itemsValue: Number(r.items_value), refundAmount: Number(r.refund_amount), creditAmount: Number(r.credit_amount),
        exchangeDifference: Number(r.exchange_difference), exchangeOrderId: r.exchange_order_id, instant: Number(r.instant) === 1, returnBy: r.return_by,
        refund: { status: r.refund_status, reference: r.refund_ref }, storeCredit: credit ? { code: credit.code, amount: Number(credit.amount) } : null,
        parcel: r.carrier && r.tracking_number ? { carrier: r.carrier, trackingNumber: r.tracking_number } : null, locationId: r.location_id,
        lines: lines.filter((l) => l.return_id === r.id).map((l) => ({
          id: l.id, orderLineId: l.order_line_id, sku: l.sku, title: l.title, variantTitle: l.variant_title, quantity: Number(l.quantity), unitPrice: Number(l.unit_price), condition: l.condition,
          exchange: l.exchange_variant_id ? { variantId: l.exchange_variant_id, sku: l.exchange_sku, title: l.exchange_title!, unitPrice: Number(l.exchange_unit_price) } : null,
          grade: l.grade, receivedQuantity: Number(l.received_quantity), restockedAt: l.restocked_location, inspectionNote: l.inspection_note,
        })),
        photos: photos.filter((p) => p.return_id === r.id).length, note: r.note, createdAt: r.created_at, approvedAt: r.approved_at, receivedAt: r.received_at, inspectedAt: r.inspected_at, resolvedAt: r.resolved_at,
        ...(withHistory ? { history: history.filter((h) => h.return_id === r.id).map((h) => ({ from: h.from_status, to: h.to_status, action: h.action, actor: h.actor, detail: fromJson(h.detail ?? 'null', null), at: h.at })) } : {}),
      }
    })
  }
}

/** What one unit of a line cost the customer: its price less its share of the line's discount. */
function unitNet(l: Order['lines'][number]): number {
  return Math.round(l.unitPrice - l.discount / Math.max(1, l.quantity))
}

function outOfStock(skus: string): ReturnError {
  return new ReturnError('EXCHANGE_OUT_OF_STOCK', 'conflict', `The item to exchange for is out of stock (${skus}); choose another size or colour, store credit or a refund.`, { extra: { skus: skus.split(', ') } })
}

/** 〒 address in one line → prefecture, city (…市/区/町/村) and the rest, as label files want them. */
export function splitJapaneseAddress(address: string): { prefecture: string; city: string; rest: string } {
  const s = address.normalize('NFKC').trim()
  const pref = PREFECTURES.find((p) => s.startsWith(p.ja))?.ja ?? ''
  const after = s.slice(pref.length)
  const city = /^(.+?郡.+?[町村]|.+?市.+?区|.+?[市区町村])/.exec(after)?.[1] ?? ''
  return { prefecture: pref, city, rest: after.slice(city.length).trim() }
}
