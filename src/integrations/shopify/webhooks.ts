import type { Logger } from 'pino'
import { ZodError } from 'zod'
import type { Clock } from '../../platform/clock.js'
import type { Db } from '../../platform/db/index.js'
import { AppError } from '../../platform/errors.js'
import type { Metrics } from '../../platform/metrics.js'
import type { Queue } from '../../platform/queue/types.js'
import { TenantDb } from '../../platform/tenancy.js'
import type { Tenant, TenantService } from '../../modules/tenants/index.js'
import { OrderInput, type OrderService } from '../../modules/orders/index.js'
import type { TrackingService } from '../../modules/tracking/index.js'
import { applyShopifyFulfillment } from './fulfillments.js'
import { verifyShopifyHmac } from './hmac.js'
import { mapShopifyFulfillment, mapShopifyOrder, mapShopifyRefund, parseShopifyJson } from './map.js'

const QUEUE = 'shopify.webhook'
/** How long a brand's secret is trusted from memory; a rotation elsewhere takes effect within this. */
const TENANT_CACHE_MS = 30_000

class DuplicateDelivery extends Error {}

/** Errors that say the payload itself is unusable: retrying cannot help. */
function isPayloadError(err: unknown): boolean {
  return err instanceof SyntaxError || err instanceof ZodError || (err instanceof AppError && err.kind === 'invalid_data')
}

/** Topics Kando acts on; anything else is acknowledged and logged. */
export const SHOPIFY_TOPICS = [
  'orders/create',
  'orders/updated',
  'orders/paid',
  'orders/cancelled',
  'fulfillments/create',
  'fulfillments/update',
  'refunds/create',
] as const

export interface WebhookHeaders {
  hmac?: string
  topic?: string
  webhookId?: string
  shopDomain?: string
}

export type AcceptResult = { outcome: 'accepted' | 'duplicate' | 'ignored_topic' }

/**
 * Shopify webhooks: verified and stored on receipt (so Shopify gets its 200 within its time limit),
 * then turned into orders by a job. The stored row deduplicates by X-Shopify-Webhook-Id.
 */
export class ShopifyWebhooks {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly queue: Queue,
    private readonly tenants: TenantService,
    private readonly orders: OrderService,
    private readonly tracking: TrackingService,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {}

  async declare(): Promise<void> {
    await this.queue.declare(QUEUE, { retryLimit: 10, retryDelaySeconds: 5 })
  }

  async work(): Promise<void> {
    await this.queue.work<{ tenantId: string; webhookId: string }>(QUEUE, (job) => this.process(job.data.tenantId, job.data.webhookId), {
      batchSize: 100,
      concurrency: 4,
    })
  }

  private tenantCache = new Map<string, { tenant: Tenant; secret: string | undefined; until: number }>()

  /** The tenant and its secret by slug or id, cached briefly: every webhook needs them. */
  private async tenantFor(ref: string): Promise<{ tenant: Tenant; secret: string | undefined } | undefined> {
    const now = Date.now()
    const hit = this.tenantCache.get(ref)
    if (hit && hit.until > now) return hit
    const tenant = await this.tenants.find(ref).catch(() => undefined)
    if (!tenant) return undefined
    const entry = { tenant, secret: await this.tenants.shopifySecret(tenant.id), until: now + TENANT_CACHE_MS }
    if (this.tenantCache.size > 10_000) this.tenantCache.clear()
    this.tenantCache.set(ref, entry)
    return entry
  }

  /**
   * Checks the signature before anything is parsed or stored; a bad one is refused with 401 and
   * leaves no trace but a log line and a metric. A good one is applied at once, in the same
   * transaction that records its webhook id (so a redelivery finds it and changes nothing); when
   * it cannot be applied now (say, a fulfilment whose order has not arrived) it is stored and
   * queued for the worker to retry.
   */
  async accept(tenantRef: string, h: WebhookHeaders, rawBody: Buffer): Promise<AcceptResult> {
    const found = await this.tenantFor(tenantRef)
    if (!found || !found.secret || !verifyShopifyHmac(rawBody, h.hmac, found.secret)) {
      this.metrics.webhooksReceived.inc({ provider: 'shopify', topic: h.topic ?? 'unknown', outcome: 'bad_signature' })
      throw new AppError('WEBHOOK_SIGNATURE_INVALID', 'unauthorized', 'The X-Shopify-Hmac-Sha256 signature does not match this body.')
    }
    const tenant = found.tenant
    const topic = h.topic ?? ''
    if (!(SHOPIFY_TOPICS as readonly string[]).includes(topic)) {
      this.log.info({ tenant: tenant.slug, topic, webhookId: h.webhookId }, 'shopify webhook topic not handled; acknowledged')
      this.metrics.webhooksReceived.inc({ provider: 'shopify', topic: topic || 'unknown', outcome: 'ignored_topic' })
      return { outcome: 'ignored_topic' }
    }
    if (!h.webhookId) {
      throw new AppError('WEBHOOK_ID_MISSING', 'bad_request', 'X-Shopify-Webhook-Id is required to deduplicate deliveries.')
    }
    const scope = new TenantDb(tenant.id, this.db.kysely, this.db.dialect)
    const now = this.clock.now().toISOString()
    const row = { webhook_id: h.webhookId, topic, shop_domain: h.shopDomain ?? null, body: rawBody.toString('utf8'), received_at: now }

    let apply: ((tx: TenantDb) => Promise<string>) | undefined
    let rejected: string | undefined
    try {
      apply = this.plan(topic, parseShopifyJson(rawBody))
    } catch (err) {
      if (!isPayloadError(err)) throw err
      rejected = `rejected: ${(err as Error).message}`.slice(0, 1000)
      this.log.warn({ tenant: tenant.slug, webhookId: h.webhookId, topic, err: (err as Error).message }, 'shopify webhook rejected')
    }

    if (apply) {
      try {
        await this.db.transaction(async (trx) => {
          const tx = scope.with(trx)
          const outcome = await apply(tx)
          // Recorded after the change, in its transaction: a redelivery conflicts here and rolls back.
          const res = await tx.insertInto('shopify_webhooks', { ...row, processed_at: now, outcome }).onConflict((oc) => oc.doNothing()).executeTakeFirst()
          if (Number(res.numInsertedOrUpdatedRows ?? 0) === 0) throw new DuplicateDelivery()
        })
        return this.counted(topic, 'accepted')
      } catch (err) {
        if (err instanceof DuplicateDelivery) return this.counted(topic, 'duplicate')
        this.log.info({ tenant: tenant.slug, webhookId: h.webhookId, topic, err: (err as Error).message }, 'shopify webhook queued for retry')
      }
    }

    const fresh = await this.db.transaction(async (trx) => {
      const tx = scope.with(trx)
      const res = await tx
        .insertInto('shopify_webhooks', { ...row, processed_at: rejected ? now : null, outcome: rejected ?? null })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst()
      const inserted = Number(res.numInsertedOrUpdatedRows ?? 0) > 0
      if (inserted && !rejected) await this.queue.send(trx, QUEUE, { tenantId: tenant.id, webhookId: h.webhookId })
      return inserted
    })
    return this.counted(topic, fresh ? 'accepted' : 'duplicate')
  }

  private counted(topic: string, outcome: AcceptResult['outcome']): AcceptResult {
    this.metrics.webhooksReceived.inc({ provider: 'shopify', topic, outcome })
    return { outcome }
  }

  /**
   * Applies one stored webhook to the domain, exactly once in effect: the claim on the row
   * (processed_at), the domain changes and their events commit in one transaction, so a job run
   * twice, or run again after a crash, changes nothing the second time.
   */
  async process(tenantId: string, webhookId: string): Promise<void> {
    const scope = new TenantDb(tenantId, this.db.kysely, this.db.dialect)
    const row = await scope.selectFrom('shopify_webhooks').selectAll().where('webhook_id', '=', webhookId).executeTakeFirst()
    if (!row || row.processed_at) return
    let apply: (tx: TenantDb) => Promise<string>
    try {
      // Parsing and mapping are pure and happen first: a payload we cannot use is recorded as
      // rejected rather than retried, since retrying will not make it better.
      apply = this.plan(row.topic, parseShopifyJson(row.body))
    } catch (err) {
      if (!isPayloadError(err)) throw err
      this.log.warn({ tenantId, webhookId, topic: row.topic, err: (err as Error).message }, 'shopify webhook rejected')
      await scope
        .updateTable('shopify_webhooks')
        .set({ processed_at: this.clock.now().toISOString(), outcome: `rejected: ${(err as Error).message}`.slice(0, 1000) })
        .where('webhook_id', '=', webhookId)
        .where('processed_at', 'is', null)
        .execute()
      return
    }
    await this.db.transaction(async (trx) => {
      const tx = scope.with(trx)
      const claim = await tx
        .updateTable('shopify_webhooks')
        .set({ processed_at: this.clock.now().toISOString() })
        .where('webhook_id', '=', webhookId)
        .where('processed_at', 'is', null)
        .executeTakeFirst()
      if (Number(claim.numUpdatedRows) === 0) return // another run got here first
      const outcome = await apply(tx)
      await tx.updateTable('shopify_webhooks').set({ outcome }).where('webhook_id', '=', webhookId).execute()
    })
  }

  /** Maps a payload to the change it asks for; throws before any write when the payload is unusable. */
  private plan(topic: string, payload: unknown): (tx: TenantDb) => Promise<string> {
    const actor = `shopify:${topic}`
    switch (topic) {
      case 'orders/create':
      case 'orders/updated':
      case 'orders/paid':
      case 'orders/cancelled': {
        const mapped = mapShopifyOrder(payload)
        const input = OrderInput.parse(mapped.input)
        return async (tx) => {
          const { id, status, created } = await this.orders.ingestValid(tx, input, { actor, target: mapped.target, sourceUpdatedAt: mapped.sourceUpdatedAt })
          this.metrics.ordersIngested.inc({ source: 'shopify', result: created ? 'created' : 'existing' })
          return `order ${id} ${created ? 'created' : 'updated'} (${status})`
        }
      }
      case 'fulfillments/create':
      case 'fulfillments/update': {
        const f = mapShopifyFulfillment(payload)
        return async (tx) => {
          const order = await this.orders.idForExternal(tx, 'shopify', f.orderExternalId).then((id) => (id ? this.orders.get(tx, id) : undefined))
          if (!order) throw new Error(`fulfilment for unknown order ${f.orderExternalId}; retrying until the order arrives`)
          return applyShopifyFulfillment(this.tracking, tx, order, f, actor, this.clock.now())
        }
      }
      case 'refunds/create': {
        const r = mapShopifyRefund(payload)
        return async (tx) => {
          if (!(await this.orders.recordRefund(tx, 'shopify', r.orderExternalId, { ...r }))) {
            throw new Error(`refund for unknown order ${r.orderExternalId}; retrying until the order arrives`)
          }
          return `refund ${r.refundId}`
        }
      }
      default:
        return async () => 'ignored'
    }
  }
}
