import type { Logger } from 'pino'
import type { Clock } from '../../platform/clock.js'
import type { Db } from '../../platform/db/index.js'
import { AppError } from '../../platform/errors.js'
import type { Metrics } from '../../platform/metrics.js'
import type { Queue } from '../../platform/queue/types.js'
import { TenantDb } from '../../platform/tenancy.js'
import type { TenantService } from '../../modules/tenants/index.js'
import type { OrderService } from '../../modules/orders/index.js'
import { verifyShopifyHmac } from './hmac.js'
import { mapShopifyFulfillment, mapShopifyOrder, mapShopifyRefund, parseShopifyJson } from './map.js'
import { ZodError } from 'zod'
import { OrderInput } from '../../modules/orders/index.js'

const QUEUE = 'shopify.webhook'

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

  /**
   * Checks the signature before anything is parsed or stored; a bad one is refused with 401 and
   * leaves no trace but a log line and a metric.
   */
  async accept(tenantRef: string, h: WebhookHeaders, rawBody: Buffer): Promise<AcceptResult> {
    const tenant = await this.tenants.find(tenantRef).catch(() => undefined)
    const secret = tenant ? await this.tenants.shopifySecret(tenant.id) : undefined
    if (!tenant || !secret || !verifyShopifyHmac(rawBody, h.hmac, secret)) {
      this.metrics.webhooksReceived.inc({ provider: 'shopify', topic: h.topic ?? 'unknown', outcome: 'bad_signature' })
      throw new AppError('WEBHOOK_SIGNATURE_INVALID', 'unauthorized', 'The X-Shopify-Hmac-Sha256 signature does not match this body.')
    }
    const topic = h.topic ?? ''
    if (!(SHOPIFY_TOPICS as readonly string[]).includes(topic)) {
      this.log.info({ tenant: tenant.slug, topic, webhookId: h.webhookId }, 'shopify webhook topic not handled; acknowledged')
      this.metrics.webhooksReceived.inc({ provider: 'shopify', topic: topic || 'unknown', outcome: 'ignored_topic' })
      return { outcome: 'ignored_topic' }
    }
    if (!h.webhookId) {
      throw new AppError('WEBHOOK_ID_MISSING', 'bad_request', 'X-Shopify-Webhook-Id is required to deduplicate deliveries.')
    }
    const webhookId = h.webhookId
    const inserted = await this.db.kysely.transaction().execute(async (trx) => {
      const tx = new TenantDb(tenant.id, trx, this.db.dialect)
      const res = await tx
        .insertInto('shopify_webhooks', {
          webhook_id: webhookId,
          topic,
          shop_domain: h.shopDomain ?? null,
          body: rawBody.toString('utf8'),
          received_at: this.clock.now().toISOString(),
          processed_at: null,
          outcome: null,
        })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst()
      const fresh = Number(res.numInsertedOrUpdatedRows ?? 0) > 0
      if (fresh) await this.queue.send(trx, QUEUE, { tenantId: tenant.id, webhookId })
      return fresh
    })
    const outcome = inserted ? 'accepted' : 'duplicate'
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
      if (!(err instanceof SyntaxError) && !(err instanceof AppError) && !(err instanceof ZodError)) throw err
      this.log.warn({ tenantId, webhookId, topic: row.topic, err: (err as Error).message }, 'shopify webhook rejected')
      await scope
        .updateTable('shopify_webhooks')
        .set({ processed_at: this.clock.now().toISOString(), outcome: `rejected: ${(err as Error).message}`.slice(0, 1000) })
        .where('webhook_id', '=', webhookId)
        .where('processed_at', 'is', null)
        .execute()
      return
    }
    await this.db.kysely.transaction().execute(async (trx) => {
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
          const { order, created } = await this.orders.ingest(tx, input, { actor, target: mapped.target, sourceUpdatedAt: mapped.sourceUpdatedAt })
          this.metrics.ordersIngested.inc({ source: 'shopify', result: created ? 'created' : 'existing' })
          return `order ${order.id} ${created ? 'created' : 'updated'} (${order.status})`
        }
      }
      case 'fulfillments/create':
      case 'fulfillments/update': {
        const f = mapShopifyFulfillment(payload)
        // An update repeats the lines of its create: count shipped quantities once per fulfilment.
        const lines = topic === 'fulfillments/create' ? f.lines : []
        return async (tx) => {
          const order = await this.orders.recordFulfillment(tx, 'shopify', f.orderExternalId, {
            lines,
            detail: {
              fulfillmentId: f.fulfillmentId, status: f.status, shipmentStatus: f.shipmentStatus ?? null,
              trackingCompany: f.trackingCompany ?? null, trackingNumbers: f.trackingNumbers, trackingUrls: f.trackingUrls,
            },
          }, actor)
          if (!order) throw new Error(`fulfilment for unknown order ${f.orderExternalId}; retrying until the order arrives`)
          return `fulfillment ${f.fulfillmentId} on ${order.id} (${order.status})`
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
