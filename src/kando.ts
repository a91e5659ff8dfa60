import pino, { type Logger } from 'pino'
import type { Config } from './platform/config.js'
import { systemClock, type Clock } from './platform/clock.js'
import { openDb, type Db } from './platform/db/index.js'
import { EventBus } from './platform/events.js'
import { Metrics } from './platform/metrics.js'
import { openQueue, type Queue } from './platform/queue/index.js'
import { SecretBox, resolveSecretKey } from './platform/secrets.js'
import { TenantDb } from './platform/tenancy.js'
import { migrateToLatest } from './migrations.js'
import { TenantService } from './modules/tenants/index.js'
import { CatalogService } from './modules/catalog/index.js'
import { CustomerService } from './modules/customers/index.js'
import { OrderService } from './modules/orders/index.js'
import { TrackingService } from './modules/tracking/index.js'
import { ShopifyWebhooks } from './integrations/shopify/webhooks.js'
import { NotificationService, type Senders } from './modules/notifications/service.js'
import { DevMailbox } from './modules/notifications/dev-mailbox.js'
import { SmtpEmailSender } from './modules/notifications/channels/email.js'
import { LineSender } from './modules/notifications/channels/line.js'
import { SmsSender, TwilioSmsProvider } from './modules/notifications/channels/sms.js'
import { WebhookSender } from './modules/notifications/channels/webhook.js'
import { InventoryService } from './modules/inventory/index.js'
import { FulfillmentService } from './modules/fulfillment/index.js'
import { FlowService } from './modules/flows/index.js'
import { CouponService } from './modules/coupons/index.js'
import { ReviewService } from './modules/reviews/index.js'
import { ReturnService } from './modules/returns/index.js'

/** Every service of one Kando process, wired once; HTTP and workers both use this. */
export interface Kando {
  config: Config
  log: Logger
  clock: Clock
  db: Db
  queue: Queue
  events: EventBus
  metrics: Metrics
  tenants: TenantService
  catalog: CatalogService
  customers: CustomerService
  orders: OrderService
  tracking: TrackingService
  shopify: ShopifyWebhooks
  notifications: NotificationService
  inventory: InventoryService
  fulfillment: FulfillmentService
  flows: FlowService
  coupons: CouponService
  reviews: ReviewService
  returns: ReturnService
  /** The data of one tenant: the only way modules reach tenant tables. */
  scope(tenantId: string): TenantDb
  /** Runs the job consumers in this process. */
  startWorker(): Promise<void>
  close(): Promise<void>
}

export interface KandoOptions {
  clock?: Clock
  logger?: Logger
  /** Apply migrations on start (default true). */
  migrate?: boolean
  /** SQLite queue poll interval (tests use a short one). */
  pollMs?: number
  /** How often the worker looks for late and silent parcels (default a minute). */
  sweepMs?: number
  /** Replace channel clients (tests); by default they come from the configuration. */
  senders?: Partial<Senders>
  /** How often the flow sweep looks for due timers when none is known to be sooner (default 250 ms). */
  flowPollMs?: number
  /** How long a one-click NPS score waits before it may alert the brand (default 20 s; see ReviewService). */
  alertDelayMs?: number
  /** Where the Shopify Admin API is (tests: the stand-in); default https://{shop domain}. */
  shopifyAdminUrl?: string
}

export async function createKando(config: Config, options: KandoOptions = {}): Promise<Kando> {
  const log = options.logger ?? pino({ level: config.logLevel })
  const clock = options.clock ?? systemClock
  const db = openDb(config.databaseUrl, { poolSize: config.dbPoolSize })
  try {
    if (options.migrate !== false) await migrateToLatest(db)
    const secrets = new SecretBox(resolveSecretKey(config.secretKey, config.dataDir))
    const queue = openQueue(db, clock, {
      pollMs: options.pollMs,
      // Short job expiry is only useful if pg-boss looks for expired jobs as often.
      ...(config.jobExpireSeconds ? { maintenanceIntervalSeconds: Math.max(1, Math.floor(config.jobExpireSeconds / 2)) } : {}),
      onError: (err) => log.error({ err }, 'queue error'),
      onJobFailed: (f) => log.warn(f, 'job failed'),
    })
    // Crash tests shorten how long a dead worker's jobs stay held (KANDO_JOB_EXPIRE_SECONDS).
    const expire = config.jobExpireSeconds
    const events = new EventBus(db, queue, clock, expire ?? 300)
    const metrics = new Metrics()
    const tenants = new TenantService(db, clock, secrets)
    const catalog = new CatalogService(clock)
    const customers = new CustomerService(clock, events)
    const orders = new OrderService(db, clock, events, customers, catalog)
    const tracking = new TrackingService(db, clock, events, orders, tenants)
    const shopify = new ShopifyWebhooks(db, clock, queue, tenants, orders, tracking, metrics, log)
    const senders: Senders = {
      // No SMTP server configured: mail goes to the built-in mailbox in the database.
      email: config.smtpUrl ? new SmtpEmailSender(config.smtpUrl, { dkim: config.dkim, maxConnections: config.smtpPoolSize }) : new DevMailbox(db, clock),
      line: new LineSender({ baseURL: config.lineApiUrl }),
      sms: new SmsSender(new TwilioSmsProvider({ baseURL: config.smsApiUrl })),
      webhook: new WebhookSender(),
      ...options.senders,
    }
    const notifications = new NotificationService(db, clock, events, queue, tenants, customers, orders, tracking, secrets, config, senders, log,
      expire ? { jobExpireSeconds: expire, leaseMs: Math.floor(expire * 600) } : undefined)
    notifications.register()
    const inventory = new InventoryService(db, clock, events)
    const fulfillment = new FulfillmentService(db, clock, events, orders, tracking, inventory, log)
    fulfillment.register()
    const coupons = new CouponService(db, clock)
    const flows = new FlowService(db, clock, events, queue, { tenants, customers, orders, catalog, notifications, coupons }, log, { pollMs: options.flowPollMs ?? 250, jobExpireSeconds: expire })
    flows.register()
    const reviews = new ReviewService(db, clock, events, secrets, { tenants, customers, orders, tracking, catalog, coupons, notifications }, config, log, queue, options.alertDelayMs)
    reviews.register()
    const returns = new ReturnService(db, clock, events, queue, secrets, { tenants, orders, customers, catalog, tracking, inventory, fulfillment, notifications }, log, config.publicUrl.replace(/\/+$/, ''))
    if (options.shopifyAdminUrl) returns.shopifyBaseUrl = options.shopifyAdminUrl
    returns.register()
    await shopify.declare()
    await notifications.declare()
    await flows.declare()
    await reviews.declare()
    await returns.declare()
    await events.start({ work: false })
    let working = false
    let sweeper: NodeJS.Timeout | undefined
    return {
      config, log, clock, db, queue, events, metrics, tenants, catalog, customers, orders, tracking, shopify, notifications, inventory, fulfillment, coupons, flows, reviews, returns,
      scope: (tenantId) => new TenantDb(tenantId, db.kysely, db.dialect),
      async startWorker() {
        if (working) return
        working = true
        await shopify.work()
        await notifications.work()
        await flows.work()
        await reviews.work()
        await returns.work()
        await events.start({ work: true })
        // The watch sweep reads only shipments whose check time has come; its state is in the
        // database, so a restart simply carries on.
        sweeper = setInterval(() => {
          tracking.sweep().catch((err) => log.error({ err }, 'tracking sweep failed'))
          returns.sweepOverdue().catch((err) => log.error({ err }, 'returns sweep failed'))
        }, options.sweepMs ?? 60_000)
        sweeper.unref()
      },
      async close() {
        if (sweeper) clearInterval(sweeper)
        flows.stop()
        await tracking.flushActivity().catch((err) => log.error({ err }, 'activity flush failed'))
        await queue.stop()
        await notifications.close()
        await db.close()
      },
    }
  } catch (err) {
    await db.close()
    throw err
  }
}
