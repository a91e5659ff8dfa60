import type { Logger } from 'pino'
import type { Config } from '../../platform/config.js'
import type { Clock } from '../../platform/clock.js'
import type { Db } from '../../platform/db/index.js'
import { fromJson, toJson } from '../../platform/db/json.js'
import { AppError } from '../../platform/errors.js'
import type { DomainEvent, EventBus } from '../../platform/events.js'
import { newId, newToken } from '../../platform/ids.js'
import type { Queue } from '../../platform/queue/types.js'
import type { SecretBox } from '../../platform/secrets.js'
import { TenantDb } from '../../platform/tenancy.js'
import type { Customer, CustomerService } from '../customers/index.js'
import type { Order, OrderService } from '../orders/service.js'
import type { TenantService } from '../tenants/index.js'
import type { TrackingService } from '../tracking/index.js'
import { buildContext, type BrandFacts, type ReturnFacts } from './context.js'
import { refuseWebhookTarget } from './webhook-targets.js'
import { capReached, chooseChannel, dedupeKey, quietHoursRelease, type ChannelChoice } from './rules.js'
import { NotificationSettingsInput, type ChannelCredentials, type NotificationSettings, type SendMessageInput } from './schemas.js'
import type { MessagesTable } from './tables.js'
import { TemplateEngine, TemplateError, sampleContext } from './templates/index.js'
import {
  MESSAGE_TYPES,
  type Channel,
  type ChannelSender,
  type CustomerChannel,
  type Locale,
  type MessageCategory,
  type MessageContext,
  type MessageType,
  type Rendered,
  type RenderedEmail,
  type SendOutcome,
  type SendRequest,
  type TemplateSource,
} from './types.js'

export const SEND_QUEUE = 'notify.send'
/** Attempts before a message is given up as failed (transient errors only; permanent ones fail at once). */
export const MAX_ATTEMPTS = 8
const CACHE_MS = 5_000
/**
 * How long an attempt may be in flight before another job takes the message over (the attempt's
 * worker is presumed dead). Longer than any provider timeout, shorter than the job's own expiry.
 */
const SENDING_LEASE_MS = 90_000
/** A send job held this long by a worker that died is handed to another. */
const SEND_JOB_EXPIRE_SECONDS = 150

/** Domain events a brand may receive on its own webhook endpoints. */
export const WEBHOOK_EVENT_TYPES = [
  'order.placed', 'order.confirmed', 'order.cancelled', 'order.updated',
  'shipment.created', 'shipment.label_created', 'shipment.shipped', 'shipment.in_transit', 'shipment.out_for_delivery',
  'shipment.delivery_failed', 'shipment.held_at_depot', 'shipment.delayed', 'shipment.delivered', 'shipment.returned_to_sender', 'shipment.exception',
  'return.requested', 'return.approved', 'return.received', 'return.resolved', 'return.escalated', 'refund.issued',
  'message.sent', 'message.failed', 'message.bounced',
  'customer.created', 'customer.consent_changed',
  'allocation.created', 'allocation.backordered', 'parcel.cancelled', 'parcel.shipped',
  'review.submitted', 'review.published', 'nps.responded',
] as const

/** What a return or refund event tells a message about the return (the fields it has; the rest stay absent). */
function returnFacts(d: Record<string, unknown>): ReturnFacts {
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null)
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null)
  const credit = d.storeCredit && typeof d.storeCredit === 'object' ? (d.storeCredit as Record<string, unknown>) : null
  return {
    number: str(d.rma),
    method: str(d.method),
    pickupDate: str(d.pickupDate),
    pickupSlot: str(d.pickupSlot),
    shippingPaidBy: str(d.shippingPaidBy),
    instant: typeof d.instant === 'boolean' ? d.instant : null,
    resolution: str(d.resolution),
    creditCode: str(credit?.code),
    creditAmount: num(credit?.amount) ?? num(d.creditAmount),
    // refund.issued says `amount`; return.resolved says `refundAmount`.
    refundAmount: num(d.refundAmount) ?? num(d.amount),
    currency: str(d.currency),
  }
}

const TRIGGERS = new Map<string, MessageType>(
  Object.entries(MESSAGE_TYPES).flatMap(([type, d]) => (d.trigger ? [[d.trigger, type as MessageType]] : [])),
)

export const MESSAGE_STATUSES = ['queued', 'sending', 'sent', 'delivered', 'failed', 'bounced', 'skipped', 'cancelled', 'opened', 'clicked'] as const
export type MessageStatus = (typeof MESSAGE_STATUSES)[number]

export interface Message {
  id: string
  customerId: string | null
  type: string
  category: MessageCategory
  channel: Channel | null
  locale: string
  subjectRef: string
  recipient: string | null
  status: MessageStatus
  reason: string | null
  orderId: string | null
  shipmentId: string | null
  eventId: string | null
  sendAfter: string
  attempts: number
  summary: string | null
  providerId: string | null
  createdAt: string
  updatedAt: string
  sentAt: string | null
}

/** What the send job needs besides the row: the template data and how to reach and sign. */
interface Payload {
  ctx?: MessageContext
  /** RFC 8058 one-click URL (marketing email). */
  oneClick?: string
  /** Outgoing webhooks: endpoint and the event envelope. */
  endpointId?: string
  event?: { id: string; type: string; occurredAt: string; subject: string; data: unknown }
  /** A note to the brand itself (an alert), already written: no template. */
  brandEmail?: RenderedEmail
}

/**
 * Links another module adds to a customer message (the review page, the NPS survey, the return's
 * status page), made in the message's transaction. Only the links the message type uses need be
 * returned. `returnId` is the return a return or refund message is about (null for the others).
 */
export type LinkProvider = (
  tx: TenantDb,
  m: { type: MessageType; orderId: string | null; customerId: string | null; returnId: string | null },
) => Promise<Partial<MessageContext['links']>>

export interface Senders {
  email: ChannelSender
  line: ChannelSender
  sms: ChannelSender
  webhook: ChannelSender
}

export interface PrepareRequest {
  type: MessageType
  customerId?: string | null
  orderId?: string | null
  shipmentId?: string | null
  subjectRef: string
  eventId?: string | null
  channel?: CustomerChannel
  locale?: Locale
  refund?: { amount: number; currency: string; reason?: string | null }
  /** The return a return or refund message is about: its id (for link providers) and what its event told. */
  returnId?: string | null
  return?: ReturnFacts
  announcement?: MessageContext['announcement']
  /** The order, when the caller has just read it. */
  loaded?: Order
  /** What a flow adds: a coupon it issued, the products the message is about, extra links. */
  extras?: { coupon?: MessageContext['coupon']; products?: MessageContext['products']; links?: Partial<MessageContext['links']> }
}

/**
 * How the brand speaks to its customer. Messages are decided when their event is handled (type,
 * channel, consent, quiet hours, cap, deduplication) and written with their send job in the same
 * transaction; the send job renders, hands the message to the provider with the message id as
 * idempotency key, and records the answer. A failed attempt retries with backoff; a permanent
 * failure is recorded with the provider's reason and, for a bad address, suppresses it.
 */
export class NotificationService {
  readonly engine = new TemplateEngine()
  private settingsCache = new Map<string, { at: number; settings: NotificationSettings; credentials: ChannelCredentials }>()
  private templateCache = new Map<string, { at: number; source: TemplateSource | null }>()
  private endpointCache = new Map<string, { at: number; endpoints: Array<{ id: string; url: string; types: string[] }> }>()
  private tenantCache = new Map<string, { at: number; tenant: { id: string; slug: string; name: string; timezone: string; locale: string } }>()
  private linkProviders: LinkProvider[] = []

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly events: EventBus,
    private readonly queue: Queue,
    private readonly tenants: TenantService,
    private readonly customers: CustomerService,
    private readonly orders: OrderService,
    private readonly tracking: TrackingService,
    private readonly secrets: SecretBox,
    private readonly config: Pick<Config, 'publicUrl' | 'mailFrom' | 'webhooksAllowPrivate'>,
    private readonly senders: Senders,
    private readonly log: Logger,
    /** Crash tests shorten these; see SENDING_LEASE_MS. */
    private readonly timing: { leaseMs: number; jobExpireSeconds: number } = { leaseMs: SENDING_LEASE_MS, jobExpireSeconds: SEND_JOB_EXPIRE_SECONDS },
  ) {}

  /** Subscribes to the events that fire messages and webhooks (call at composition time). */
  register(): void {
    const types = [...new Set([...TRIGGERS.keys(), ...WEBHOOK_EVENT_TYPES])]
    // Events that fire no message cost a job only for brands with an endpoint that wants them.
    const wants = async (tx: TenantDb, type: string) => TRIGGERS.has(type) || (await this.endpoints(tx)).some((e) => endpointWants(e.types, type))
    this.events.subscribe('notifications', types, (event, tx) => this.onEvent(event, tx), { parallel: 8 }, wants)
  }

  /** Adds links to the messages that need them (called at composition time). */
  addLinkProvider(provider: LinkProvider): void {
    this.linkProviders.push(provider)
  }

  async declare(): Promise<void> {
    // Our own retry schedule (with Retry-After) lives in the message; the queue's retries are for
    // crashes and database errors only.
    await this.queue.declare(SEND_QUEUE, { retryLimit: 10, retryDelaySeconds: 2, expireInSeconds: this.timing.jobExpireSeconds })
  }

  async work(): Promise<void> {
    await this.queue.work<{ messageId: string; tenantId: string }>(SEND_QUEUE, (job) => this.deliver(job.data.tenantId, job.data.messageId), {
      batchSize: 50, parallel: 16, concurrency: 2,
    })
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.senders).map((s) => s.close().catch(() => undefined)))
  }

  // ---------------------------------------------------------------- events in

  private async onEvent(event: DomainEvent, tx: TenantDb): Promise<void> {
    const type = TRIGGERS.get(event.type)
    if (type) {
      const d = event.data as Record<string, any>
      const orderId = typeof d.orderId === 'string' ? d.orderId : event.type.startsWith('order.') ? event.subject : null
      const shipmentId = typeof d.shipmentId === 'string' ? d.shipmentId : event.type.startsWith('shipment.') ? event.subject : null
      const order = orderId ? await this.orders.get(tx, orderId, { history: false }) : undefined
      if (order || !orderId) {
        const returnId = typeof d.returnId === 'string' ? d.returnId : null
        // One message per return (an order may have several), one per refund.
        const subjectRef = type === 'refund_issued' ? `refund:${d.refundId ?? event.id}` : returnId ? `return:${returnId}` : shipmentId ?? orderId ?? event.subject
        await this.prepare(tx, {
          type, orderId, shipmentId, subjectRef, eventId: event.id, customerId: order?.customerId ?? null, loaded: order,
          ...(type === 'refund_issued' && typeof d.amount === 'number' ? { refund: { amount: d.amount, currency: String(d.currency ?? order?.currency ?? 'JPY'), reason: d.note ?? null } } : {}),
          ...(returnId || typeof d.rma === 'string' ? { returnId, return: returnFacts(d) } : {}),
        })
      }
    }
    await this.webhooksFor(tx, event)
  }

  /** One delivery per active endpoint that asked for this event type. */
  private async webhooksFor(tx: TenantDb, event: DomainEvent): Promise<void> {
    const endpoints = (await this.endpoints(tx)).filter((e) => endpointWants(e.types, event.type))
    if (endpoints.length === 0) return
    const now = this.clock.now().toISOString()
    for (const e of endpoints) {
      const id = newId('msg')
      const payload: Payload = { endpointId: e.id, event: { id: event.id, type: event.type, occurredAt: event.occurredAt, subject: event.subject, data: event.data } }
      const res = await tx.insertInto('messages', {
        id, customer_id: null, type: 'webhook', category: 'transactional', channel: 'webhook', locale: 'ja', subject_ref: event.id,
        dedupe_key: dedupeKey('webhook', event.id, e.id), recipient: e.url, status: 'queued', reason: null, payload: toJson(payload),
        event_id: event.id, order_id: null, shipment_id: null, send_after: now, attempts: 0, summary: event.type, provider_id: null,
        created_at: now, updated_at: now, sent_at: null,
      }).onConflict((oc) => oc.columns(['tenant_id', 'dedupe_key']).doNothing()).executeTakeFirst()
      if (Number(res.numInsertedOrUpdatedRows ?? 0) === 1) await this.queue.send(tx.db, SEND_QUEUE, { messageId: id, tenantId: tx.tenantId })
    }
  }

  // ---------------------------------------------------------------- deciding

  /**
   * Decides one message and writes it (with its send job when it will be sent) in `tx`.
   * Returns the message; the same type about the same thing to the same person returns the
   * message made the first time.
   */
  async prepare(tx: TenantDb, p: PrepareRequest): Promise<{ message: Message; duplicate: boolean }> {
    const now = this.clock.now()
    const { settings, credentials } = await this.settingsOf(tx)
    const category = MESSAGE_TYPES[p.type].category as MessageCategory
    const order = p.loaded ?? (p.orderId ? await this.orders.get(tx, p.orderId, { history: false }) : undefined)
    if (p.orderId && !order) throw new AppError('ORDER_NOT_FOUND', 'not_found', `No order with id ${p.orderId}.`)
    const shipment = p.shipmentId ? await this.tracking.get(tx, p.shipmentId, { events: false }) : undefined
    if (p.shipmentId && !shipment) throw new AppError('SHIPMENT_NOT_FOUND', 'not_found', `No shipment with id ${p.shipmentId}.`)
    const customerId = p.customerId ?? order?.customerId ?? null
    const customer = customerId ? await this.customers.get(tx, customerId) : undefined
    if (p.customerId && !customer) throw new AppError('CUSTOMER_NOT_FOUND', 'not_found', `No customer with id ${p.customerId}.`)
    const reach = { email: customer?.email ?? order?.email ?? null, line: customer?.lineUserId ?? null, sms: customer?.phone ?? order?.phone ?? null }
    const key = dedupeKey(p.type, p.subjectRef, customer?.id ?? reach.email ?? reach.sms ?? 'nobody')
    const existing = await tx.selectFrom('messages').selectAll().where('dedupe_key', '=', key).executeTakeFirst()
    if (existing) return { message: toMessage(existing), duplicate: true }

    const tenant = await this.tenant(tx)
    let status = 'queued'
    let reason: string | null = null
    let sendAfter = now
    let choice: ChannelChoice
    if (settings.disabledTypes.includes(p.type)) {
      choice = { channel: null, reasons: [`${p.type} is switched off for this brand`] }
    } else if (shipment?.status === 'delivered' && p.type.startsWith('shipment_') && p.type !== 'shipment_delivered') {
      // Events that arrive together (a carrier file, a catch-up) must not tell of a delay after the delivery.
      choice = { channel: null, reasons: ['superseded: the parcel was delivered before this message was decided'] }
    } else {
      choice = await this.choose(tx, { category, customer, reach, channel: p.channel, settings, credentials })
    }
    if (!choice.channel) {
      status = 'skipped'
      reason = choice.reasons.join('; ')
    } else if (category === 'marketing' && !settings.sender.postalAddress) {
      // 特定電子メール法: marketing mail must show the sender's name and address.
      status = 'skipped'
      reason = "marketing needs the sender's postal address (settings.sender.postalAddress, 特定電子メール法)"
    } else if (category === 'marketing') {
      const cap = settings.marketingCap
      if (cap && customer) {
        const since = new Date(now.getTime() - cap.perHours * 3600_000).toISOString()
        const recent = await tx.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n'))
          .where('customer_id', '=', customer.id).where('category', '=', 'marketing').where('created_at', '>=', since)
          .where('status', 'in', ['queued', 'sending', 'sent', 'delivered', 'opened', 'clicked']).executeTakeFirst()
        if (capReached(Number(recent?.n ?? 0), cap)) {
          status = 'skipped'
          reason = `frequency cap: ${cap.count} marketing message(s) per ${cap.perHours} h already reached`
        }
      }
      const release = status === 'queued' ? quietHoursRelease(now, tenant.timezone, settings.quietHours) : undefined
      if (release) {
        sendAfter = release
        reason = `held for quiet hours until ${release.toISOString()}`
      }
    }

    const id = newId('msg', now)
    const locale: Locale = p.locale ?? (customer?.locale === 'en' || customer?.locale === 'ja' ? customer.locale : tenant.locale === 'en' ? 'en' : 'ja')
    const channel = choice.channel
    let unsubscribe: string | undefined
    if (category === 'marketing' && customer && channel) unsubscribe = `${this.config.publicUrl}/p/${await this.preferenceToken(tx, customer.id)}`
    // UTM for the brand's analytics; m= attributes the click to this message (the page records it).
    const utm = (url: string) => `${url}?utm_source=kando&utm_medium=${channel ?? 'none'}&utm_campaign=${p.type}&m=${id}`
    const provided: Partial<MessageContext['links']> = {}
    if (channel) {
      const about = { type: p.type, orderId: order?.id ?? null, customerId: customer?.id ?? null, returnId: p.returnId ?? null }
      for (const provider of this.linkProviders) Object.assign(provided, await provider(tx, about))
      if (provided.review) provided.review = utm(provided.review)
    }
    const extras = Object.keys(provided).length ? { ...p.extras, links: { ...provided, ...p.extras?.links } } : p.extras
    const ctx = buildContext({
      locale, brand: this.brandFacts(tenant, settings), customer: customer ?? (order?.email ? { email: order.email, firstName: null, lastName: null } : null),
      order, shipment, refund: p.refund ?? null, return: p.return ?? null, announcement: p.announcement, ...(extras ? { extras } : {}),
      links: { ...(order ? { tracking: utm(`${this.config.publicUrl}/t/${order.trackingToken}`) } : {}), ...(unsubscribe ? { unsubscribe } : {}) },
    })
    const payload: Payload = { ctx, ...(unsubscribe && channel === 'email' ? { oneClick: `${unsubscribe}/unsubscribe` } : {}) }
    const row: MessagesTable = {
      id, tenant_id: tx.tenantId, customer_id: customer?.id ?? null, type: p.type, category, channel, locale, subject_ref: p.subjectRef, dedupe_key: key,
      recipient: choice.channel ? choice.address : null, status, reason, payload: toJson(payload),
      event_id: p.eventId ?? null, order_id: order?.id ?? null, shipment_id: shipment?.id ?? null, send_after: sendAfter.toISOString(), attempts: 0,
      summary: null, provider_id: null, created_at: now.toISOString(), updated_at: now.toISOString(), sent_at: null,
    }
    const { tenant_id: _t, ...insert } = row
    const res = await tx.insertInto('messages', insert).onConflict((oc) => oc.columns(['tenant_id', 'dedupe_key']).doNothing()).executeTakeFirst()
    if (Number(res.numInsertedOrUpdatedRows ?? 0) !== 1) {
      // Another handler decided the same message a moment ago.
      const other = await tx.selectFrom('messages').selectAll().where('dedupe_key', '=', key).executeTakeFirstOrThrow()
      return { message: toMessage(other), duplicate: true }
    }
    if (status === 'queued') {
      await this.queue.send(tx.db, SEND_QUEUE, { messageId: id, tenantId: tx.tenantId }, sendAfter > now ? { startAfter: sendAfter } : undefined)
    }
    return { message: toMessage(row), duplicate: false }
  }

  /** The channel a message would go by (configured, reachable, not suppressed, consented), with the reasons when none. */
  private async choose(tx: TenantDb, f: { category: MessageCategory; customer: Customer | undefined; reach: { email: string | null; line: string | null; sms: string | null }; channel?: CustomerChannel; settings: NotificationSettings; credentials: ChannelCredentials }): Promise<ChannelChoice> {
    const configured = new Set<CustomerChannel>(['email'])
    if (f.credentials.line) configured.add('line')
    if (f.credentials.sms) configured.add('sms')
    const suppressed = await this.suppressedChannels(tx, f.reach)
    const consent: Partial<Record<CustomerChannel, boolean>> = {}
    if (f.customer && f.category === 'marketing') {
      for (const [ch, c] of Object.entries(await this.customers.consents(tx, f.customer.id))) consent[ch as CustomerChannel] = c.granted
    }
    const preferred = f.customer ? ((await tx.selectFrom('notification_preferences').select('preferred_channel').where('customer_id', '=', f.customer.id).executeTakeFirst())?.preferred_channel as CustomerChannel | null | undefined) : null
    return chooseChannel({ category: f.category, order: f.channel ? [f.channel] : f.settings.channelOrder, preferred: f.channel ? null : preferred, reach: f.reach, configured, consent, suppressed })
  }

  /** Which channel a message would go by now, deciding nothing and writing nothing (flow dry runs). */
  async decideChannel(tx: TenantDb, p: { type: MessageType; customerId: string; orderId?: string | null; channel?: CustomerChannel }): Promise<{ channel: CustomerChannel | null; reason: string | null }> {
    const { settings, credentials } = await this.settingsOf(tx)
    if (settings.disabledTypes.includes(p.type)) return { channel: null, reason: `${p.type} is switched off for this brand` }
    const customer = await this.customers.get(tx, p.customerId)
    const order = p.orderId ? await this.orders.get(tx, p.orderId, { history: false }) : undefined
    const reach = { email: customer?.email ?? order?.email ?? null, line: customer?.lineUserId ?? null, sms: customer?.phone ?? order?.phone ?? null }
    const choice = await this.choose(tx, { category: MESSAGE_TYPES[p.type].category as MessageCategory, customer, reach, channel: p.channel, settings, credentials })
    return choice.channel ? { channel: choice.channel, reason: null } : { channel: null, reason: choice.reasons.join('; ') }
  }

  /** Messages of a category decided for a customer since an instant and not skipped (smart sending). */
  async recentCount(tx: TenantDb, customerId: string, category: MessageCategory, since: string): Promise<number> {
    const r = await tx.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('customer_id', '=', customerId).where('category', '=', category).where('created_at', '>=', since)
      .where('status', 'in', ['queued', 'sending', 'sent', 'delivered', 'opened', 'clicked']).executeTakeFirst()
    return Number(r?.n ?? 0)
  }

  /**
   * A signed call to one of the brand's registered webhook endpoints (flow webhook actions): queued
   * like any webhook delivery, once per `key`. An unregistered URL is refused: its secret signs the call.
   */
  async queueWebhook(tx: TenantDb, w: { url: string; key: string; event: { id: string; type: string; occurredAt: string; subject: string; data: Record<string, unknown> } }): Promise<{ queued: true; messageId: string } | { queued: false; reason: string }> {
    const endpoint = (await this.endpoints(tx)).find((e) => e.url === w.url)
    if (!endpoint) return { queued: false, reason: `no active webhook endpoint for ${w.url}` }
    const now = this.clock.now().toISOString()
    const id = newId('msg')
    const payload: Payload = { endpointId: endpoint.id, event: w.event }
    const key = dedupeKey('webhook', w.key, endpoint.id)
    const res = await tx.insertInto('messages', {
      id, customer_id: null, type: 'webhook', category: 'transactional', channel: 'webhook', locale: 'ja', subject_ref: w.key,
      dedupe_key: key, recipient: endpoint.url, status: 'queued', reason: null, payload: toJson(payload),
      event_id: null, order_id: null, shipment_id: null, send_after: now, attempts: 0, summary: w.event.type, provider_id: null,
      created_at: now, updated_at: now, sent_at: null,
    }).onConflict((oc) => oc.columns(['tenant_id', 'dedupe_key']).doNothing()).executeTakeFirst()
    if (Number(res.numInsertedOrUpdatedRows ?? 0) !== 1) {
      const other = await tx.selectFrom('messages').select('id').where('dedupe_key', '=', key).executeTakeFirstOrThrow()
      return { queued: true, messageId: other.id }
    }
    await this.queue.send(tx.db, SEND_QUEUE, { messageId: id, tenantId: tx.tenantId })
    return { queued: true, messageId: id }
  }

  /**
   * An email to the brand itself (an alert such as a detractor's answer), through the same durable
   * send queue as every message; `key` makes it once-only.
   */
  async queueBrandEmail(tx: TenantDb, e: { to: string; key: string; email: RenderedEmail; summary: string }): Promise<{ messageId: string; duplicate: boolean }> {
    const now = this.clock.now().toISOString()
    const id = newId('msg')
    const key = dedupeKey('brand_alert', e.key, e.to)
    const res = await tx.insertInto('messages', {
      id, customer_id: null, type: 'brand_alert', category: 'transactional', channel: 'email', locale: 'ja', subject_ref: e.key,
      dedupe_key: key, recipient: e.to, status: 'queued', reason: null, payload: toJson({ brandEmail: e.email } satisfies Payload),
      event_id: null, order_id: null, shipment_id: null, send_after: now, attempts: 0, summary: e.summary.slice(0, 200), provider_id: null,
      created_at: now, updated_at: now, sent_at: null,
    }).onConflict((oc) => oc.columns(['tenant_id', 'dedupe_key']).doNothing()).executeTakeFirst()
    if (Number(res.numInsertedOrUpdatedRows ?? 0) !== 1) {
      const other = await tx.selectFrom('messages').select('id').where('dedupe_key', '=', key).executeTakeFirstOrThrow()
      return { messageId: other.id, duplicate: true }
    }
    await this.queue.send(tx.db, SEND_QUEUE, { messageId: id, tenantId: tx.tenantId })
    return { messageId: id, duplicate: false }
  }

  /** `POST /api/v1/messages`: a message asked for through the API. */
  async send(scope: TenantDb, input: SendMessageInput): Promise<{ message: Message; duplicate: boolean }> {
    const type = input.type as MessageType
    const subjectRef = input.subjectRef ?? input.shipmentId ?? input.orderId ?? (type === 'marketing_announcement' ? undefined : input.customerId)
    if (!subjectRef) throw new AppError('SUBJECT_REQUIRED', 'invalid_data', 'Say what the message is about: subjectRef (e.g. a campaign id), orderId or shipmentId.', { fields: [{ pointer: '/subjectRef', message: 'is required for this message' }] })
    if (!input.customerId && !input.orderId) throw new AppError('RECIPIENT_REQUIRED', 'invalid_data', 'Name the customer (customerId) or the order (orderId).', { fields: [{ pointer: '/customerId', message: 'customerId or orderId is required' }] })
    if (type === 'marketing_announcement' && !input.announcement) throw new AppError('ANNOUNCEMENT_REQUIRED', 'invalid_data', 'A marketing announcement needs its text.', { fields: [{ pointer: '/announcement', message: 'is required for marketing_announcement' }] })
    if (input.shipmentId && !input.orderId) {
      const sh = await this.tracking.get(scope, input.shipmentId)
      if (!sh) throw new AppError('SHIPMENT_NOT_FOUND', 'not_found', `No shipment with id ${input.shipmentId}.`)
      input = { ...input, orderId: sh.orderId }
    }
    return this.db.transaction((trx) => this.prepare(scope.with(trx), {
      type, subjectRef, customerId: input.customerId ?? null, orderId: input.orderId ?? null, shipmentId: input.shipmentId ?? null,
      channel: input.channel, locale: input.locale, announcement: input.announcement,
    }))
  }

  // ---------------------------------------------------------------- sending

  /** The send job: one attempt for one message. Safe to run twice (status and attempt checks). */
  async deliver(tenantId: string, messageId: string): Promise<void> {
    const scope = new TenantDb(tenantId, this.db.kysely, this.db.dialect)
    const m = await scope.selectFrom('messages').selectAll().where('id', '=', messageId).executeTakeFirst()
    // 'sending' here means an earlier attempt died mid-send: send again with the same idempotency key.
    if (!m || (m.status !== 'queued' && m.status !== 'sending') || !m.channel || !m.recipient) return
    const now = this.clock.now()
    // A live attempt by another job: leave it. One that stopped answering long ago died mid-send.
    if (m.status === 'sending' && now.getTime() - Date.parse(m.updated_at) < this.timing.leaseMs) return
    if (Date.parse(m.send_after) > now.getTime() + 1000) {
      await this.queue.send(this.db.kysely, SEND_QUEUE, { messageId, tenantId }, { startAfter: new Date(m.send_after) })
      return
    }
    const payload = fromJson<Payload>(m.payload, {})
    const blocked = await this.blocker(scope, m)
    if (blocked) {
      await this.db.transaction(async (trx) => {
        await scope.with(trx).updateTable('messages').set({ status: 'cancelled', reason: blocked, updated_at: now.toISOString() })
          .where('id', '=', m.id).where('attempts', '=', m.attempts).where('status', 'in', ['queued', 'sending']).execute()
      })
      return
    }
    const attempt = m.attempts + 1
    const claimed = await this.db.transaction((trx) => scope.with(trx).updateTable('messages').set({ status: 'sending', attempts: attempt, updated_at: now.toISOString() })
      .where('id', '=', m.id).where('attempts', '=', m.attempts).where('status', 'in', ['queued', 'sending']).executeTakeFirst())
    if (Number(claimed.numUpdatedRows) !== 1) return // another run took it

    let outcome: SendOutcome
    let summary: string | null = m.summary
    try {
      const request = await this.request(scope, m, payload, attempt)
      summary = summarize(request)
      outcome = await this.senders[m.channel as Channel].send(request)
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err)
      // A template that cannot render, or a channel the brand has not set up, will not get better by retrying.
      outcome = err instanceof AppError || err instanceof TemplateError ? { ok: false, permanent: true, reason } : { ok: false, permanent: false, reason }
    }
    await this.record(scope, m, attempt, outcome, summary)
  }

  /** Writes an attempt's outcome, the message's new status, its event, and the retry when there is one. */
  private async record(scope: TenantDb, m: MessagesTable, attempt: number, outcome: SendOutcome, summary: string | null): Promise<void> {
    const now = this.clock.now()
    await this.db.transaction(async (trx) => {
      const tx = scope.with(trx)
      await tx.insertInto('message_attempts', {
        message_id: m.id, attempt, at: now.toISOString(), outcome: outcome.ok ? 'sent' : outcome.permanent ? 'permanent' : 'transient',
        detail: outcome.ok ? (outcome.response ?? null) : outcome.reason.slice(0, 2000),
      }).onConflict((oc) => oc.columns(['message_id', 'attempt']).doNothing()).execute()
      const base = tx.updateTable('messages').where('id', '=', m.id).where('attempts', '=', attempt).where('status', '=', 'sending')
      const data = { messageId: m.id, type: m.type, channel: m.channel, customerId: m.customer_id, orderId: m.order_id, shipmentId: m.shipment_id, attempt }
      if (outcome.ok) {
        const r = await base.set({ status: 'sent', reason: null, provider_id: outcome.providerId ?? null, sent_at: now.toISOString(), updated_at: now.toISOString(), summary }).executeTakeFirst()
        if (Number(r.numUpdatedRows) === 1 && m.channel !== 'webhook') await this.events.append(tx, 'message.sent', m.id, data)
        return
      }
      const giveUp = outcome.permanent || attempt >= MAX_ATTEMPTS
      if (giveUp) {
        const r = await base.set({ status: 'failed', reason: outcome.reason.slice(0, 2000), updated_at: now.toISOString(), summary }).executeTakeFirst()
        if (outcome.suppressAddress && m.channel && m.recipient) await this.suppress(tx, m.channel as Channel, m.recipient, outcome.reason, m.id)
        if (Number(r.numUpdatedRows) === 1 && m.channel !== 'webhook') await this.events.append(tx, 'message.failed', m.id, { ...data, reason: outcome.reason.slice(0, 500), permanent: outcome.permanent })
        return
      }
      const delay = outcome.retryAfterMs ?? Math.min(3600_000, 5_000 * 2 ** (attempt - 1))
      const next = new Date(now.getTime() + delay)
      const r = await base.set({ status: 'queued', reason: `attempt ${attempt} failed: ${outcome.reason}`.slice(0, 2000), send_after: next.toISOString(), updated_at: now.toISOString(), summary }).executeTakeFirst()
      if (Number(r.numUpdatedRows) === 1) await this.queue.send(tx.db, SEND_QUEUE, { messageId: m.id, tenantId: scope.tenantId }, { startAfter: next })
    })
  }

  /** Why a queued message must not go out after all (checked again at send time), or undefined. */
  private async blocker(scope: TenantDb, m: MessagesTable): Promise<string | undefined> {
    if (m.channel !== 'webhook' && (await this.isSuppressed(scope, m.channel!, m.recipient!))) return `${m.channel}: address suppressed since the message was queued`
    if (m.category === 'marketing' && m.customer_id) {
      const c = await this.customers.currentConsent(scope, m.customer_id, m.channel as CustomerChannel)
      if (!c?.granted) return `${m.channel}: marketing consent withdrawn since the message was queued`
    }
    return undefined
  }

  /** Renders the message and assembles the provider request. */
  private async request(scope: TenantDb, m: MessagesTable, payload: Payload, attempt: number): Promise<SendRequest> {
    const channel = m.channel as Channel
    const base = { messageId: m.id, tenantId: scope.tenantId, attempt, to: m.recipient! }
    if (channel === 'webhook') {
      const ep = await scope.selectFrom('webhook_endpoints').selectAll().where('id', '=', payload.endpointId!).executeTakeFirst()
      if (!ep || ep.active !== 1) throw new AppError('WEBHOOK_ENDPOINT_GONE', 'not_found', 'The webhook endpoint was removed or disabled.')
      // Checked again at each send: the name may resolve elsewhere now than when it was registered.
      const refused = await refuseWebhookTarget(ep.url, this.config.webhooksAllowPrivate)
      if (refused) throw new AppError('WEBHOOK_TARGET_REFUSED', 'invalid_data', `Kando does not post to ${ep.url}: ${refused}.`)
      const body = JSON.stringify({ id: payload.event!.id, type: payload.event!.type, occurredAt: payload.event!.occurredAt, subject: payload.event!.subject, data: payload.event!.data })
      return { ...base, content: { channel: 'webhook', body, secret: this.secrets.open(ep.secret_sealed), eventType: payload.event!.type } }
    }
    const { settings, credentials } = await this.settingsOf(scope)
    const tenant = await this.tenant(scope)
    if (payload.brandEmail) return { ...base, content: { channel: 'email', email: payload.brandEmail }, from: { name: 'Kando', address: this.config.mailFrom } }
    const override = await this.template(scope, m.type, channel, m.locale)
    const rendered = await this.engine.render(m.type as MessageType, channel, m.locale as Locale, payload.ctx!, override ?? undefined)
    const req: SendRequest = { ...base, content: rendered }
    if (channel === 'email' && rendered.channel === 'email') {
      // A 1×1 image tells us the mail was opened (where the client loads images; Apple Mail loads them for everyone).
      const pixel = `<img src="${this.config.publicUrl}/o/${m.id}.${this.secrets.tag(m.id)}.gif" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px">`
      rendered.email.html = rendered.email.html.includes('</body>') ? rendered.email.html.replace('</body>', `${pixel}</body>`) : rendered.email.html + pixel
      req.from = { name: settings.sender.name ?? tenant.name, address: settings.sender.email ?? this.config.mailFrom }
      if (payload.oneClick) req.headers = { 'List-Unsubscribe': `<${payload.oneClick}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }
    } else if (channel === 'line') {
      if (!credentials.line) throw new AppError('LINE_NOT_CONFIGURED', 'invalid_data', 'LINE is not configured for this brand (no channel access token).')
      req.credentials = { channelAccessToken: credentials.line.channelAccessToken }
    } else if (channel === 'sms') {
      if (!credentials.sms) throw new AppError('SMS_NOT_CONFIGURED', 'invalid_data', 'SMS is not configured for this brand.')
      req.credentials = { ...credentials.sms, statusCallback: `${this.config.publicUrl}/webhooks/twilio/${encodeURIComponent(tenant.slug)}/status` }
    }
    return req
  }

  // ---------------------------------------------------------------- engagement

  /** The open pixel was loaded: sent → opened (never backwards), `message.opened` once. */
  async recordOpen(messageId: string, tag: string): Promise<boolean> {
    if (!/^msg_[0-9a-z]{26}$/.test(messageId) || !this.secrets.checkTag(messageId, tag)) return false
    return this.advance(messageId, null, 'opened', ['sent', 'delivered'], 'message.opened', {})
  }

  /** A link in the message was followed to the tracking page of `orderId`: → clicked, `link.clicked` once. */
  async recordClick(tenantId: string, orderId: string, messageId: string, link: string): Promise<boolean> {
    if (!/^msg_[0-9a-z]{26}$/.test(messageId)) return false
    return this.advance(messageId, { tenantId, orderId }, 'clicked', ['sent', 'delivered', 'opened'], 'link.clicked', { link })
  }

  private async advance(messageId: string, must: { tenantId: string; orderId: string } | null, to: MessageStatus, from: MessageStatus[], event: string, extra: Record<string, unknown>): Promise<boolean> {
    return this.db.transaction(async (trx) => {
      const row = await trx.selectFrom('messages').select(['id', 'tenant_id', 'order_id', 'type', 'channel', 'customer_id', 'status']).where('id', '=', messageId).executeTakeFirst()
      if (!row || (must && (row.tenant_id !== must.tenantId || row.order_id !== must.orderId))) return false
      const tx = new TenantDb(row.tenant_id, trx, this.db.dialect)
      const r = await tx.updateTable('messages').set({ status: to, updated_at: this.clock.now().toISOString() }).where('id', '=', messageId).where('status', 'in', from).executeTakeFirst()
      if (Number(r.numUpdatedRows) !== 1) return false
      await this.events.append(tx, event, messageId, { messageId, type: row.type, channel: row.channel, customerId: row.customer_id, orderId: row.order_id, ...extra })
      return true
    })
  }

  /**
   * A provider's later word on a message it accepted (an SMS delivery receipt): delivered moves
   * sent/opened → delivered (`message.delivered`); undelivered/failed records the failure with the
   * provider's code, and suppresses the number when the code says it cannot receive SMS.
   */
  async recordProviderStatus(scope: TenantDb, r: { channel: 'sms'; providerId: string; status: string; errorCode?: string; suppressCodes: ReadonlySet<string> }): Promise<{ messageId: string | null; changed: boolean }> {
    return this.db.transaction(async (trx) => {
      const tx = scope.with(trx)
      const m = await tx.selectFrom('messages').selectAll().where('provider_id', '=', r.providerId).where('channel', '=', r.channel).executeTakeFirst()
      if (!m) return { messageId: null, changed: false }
      const now = this.clock.now().toISOString()
      const data = { messageId: m.id, type: m.type, channel: m.channel, customerId: m.customer_id, orderId: m.order_id, shipmentId: m.shipment_id }
      if (r.status === 'delivered') {
        const u = await tx.updateTable('messages').set({ status: 'delivered', updated_at: now }).where('id', '=', m.id).where('status', 'in', ['sent']).executeTakeFirst()
        if (Number(u.numUpdatedRows) !== 1) return { messageId: m.id, changed: false }
        await this.events.append(tx, 'message.delivered', m.id, data)
        return { messageId: m.id, changed: true }
      }
      if (r.status === 'undelivered' || r.status === 'failed') {
        const reason = `${r.channel} provider reported ${r.status}${r.errorCode ? ` (error ${r.errorCode})` : ''}`
        const u = await tx.updateTable('messages').set({ status: 'failed', reason, updated_at: now }).where('id', '=', m.id).where('status', 'in', ['sent', 'delivered']).executeTakeFirst()
        if (Number(u.numUpdatedRows) !== 1) return { messageId: m.id, changed: false }
        if (r.errorCode && r.suppressCodes.has(r.errorCode) && m.recipient) await this.suppress(tx, 'sms', m.recipient, reason, m.id)
        await this.events.append(tx, 'message.failed', m.id, { ...data, reason, permanent: true })
        return { messageId: m.id, changed: true }
      }
      return { messageId: m.id, changed: false } // queued, sent …: nothing we do not know
    })
  }

  // ---------------------------------------------------------------- suppression, bounces, consent

  private async suppressedChannels(tx: TenantDb, reach: { email: string | null; line: string | null; sms: string | null }): Promise<Set<CustomerChannel>> {
    const pairs = (Object.entries(reach) as Array<[CustomerChannel, string | null]>).filter(([, a]) => a)
    if (pairs.length === 0) return new Set()
    const rows = await tx.selectFrom('message_suppressions').select(['channel', 'address']).where('address', 'in', pairs.map(([, a]) => normalizeAddress(a!))).execute()
    return new Set(rows.filter((r) => pairs.some(([c, a]) => c === r.channel && normalizeAddress(a!) === r.address)).map((r) => r.channel as CustomerChannel))
  }

  private async isSuppressed(tx: TenantDb, channel: string, address: string): Promise<boolean> {
    return !!(await tx.selectFrom('message_suppressions').select('address').where('channel', '=', channel).where('address', '=', normalizeAddress(address)).executeTakeFirst())
  }

  private async suppress(tx: TenantDb, channel: Channel, address: string, reason: string, messageId: string | null): Promise<void> {
    if (channel === 'webhook') {
      await tx.updateTable('webhook_endpoints').set({ active: 0, disabled_reason: reason.slice(0, 500) }).where('url', '=', address).execute()
      return
    }
    await tx.insertInto('message_suppressions', { channel, address: normalizeAddress(address), reason: reason.slice(0, 500), message_id: messageId, created_at: this.clock.now().toISOString() })
      .onConflict((oc) => oc.columns(['tenant_id', 'channel', 'address']).doNothing()).execute()
  }

  /**
   * A bounce or complaint reported by the mail system (a DSN forwarded to the API, or a provider's
   * JSON). Hard bounces and complaints suppress the address; a complaint also withdraws marketing
   * consent. The message it answers is marked bounced when we can find it.
   */
  async recordBounce(scope: TenantDb, b: { kind: 'hard' | 'soft' | 'complaint'; recipient: string; messageId?: string; status?: string; diagnostic?: string }): Promise<{ messageId: string | null; suppressed: boolean }> {
    const ourId = b.messageId?.match(/(msg_[0-9a-z]+)/)?.[1]
    return this.db.transaction(async (trx) => {
      const tx = scope.with(trx)
      const now = this.clock.now().toISOString()
      const m = ourId ? await tx.selectFrom('messages').selectAll().where('id', '=', ourId).executeTakeFirst() : undefined
      const reason = `${b.kind} bounce${b.status ? ` ${b.status}` : ''}${b.diagnostic ? `: ${b.diagnostic}` : ''}`.slice(0, 2000)
      if (m && b.kind !== 'soft') {
        await tx.updateTable('messages').set({ status: 'bounced', reason, updated_at: now }).where('id', '=', m.id).execute()
        await this.events.append(tx, 'message.bounced', m.id, { messageId: m.id, type: m.type, channel: m.channel, customerId: m.customer_id, kind: b.kind })
      }
      // A complaint report may hide the recipient; the message it answers names them.
      const recipient = b.recipient || m?.recipient || ''
      let suppressed = false
      if (b.kind !== 'soft' && recipient) {
        await this.suppress(tx, 'email', recipient, reason, m?.id ?? null)
        suppressed = true
      }
      if (b.kind === 'complaint') {
        const who = m?.customer_id ?? ((recipient ? await tx.selectFrom('customers').select('id').where('email', '=', normalizeAddress(recipient)).executeTakeFirst() : undefined))?.id
        if (who) await this.customers.recordConsent(tx, who, 'email', false, 'complaint', reason)
      }
      return { messageId: m?.id ?? null, suppressed }
    })
  }

  /** The customer's preference-centre token, made on first use. */
  async preferenceToken(tx: TenantDb, customerId: string): Promise<string> {
    const row = await tx.selectFrom('notification_preferences').select('token').where('customer_id', '=', customerId).executeTakeFirst()
    if (row) return row.token
    const token = newToken(32)
    await tx.insertInto('notification_preferences', { customer_id: customerId, token, preferred_channel: null, updated_at: this.clock.now().toISOString() })
      .onConflict((oc) => oc.columns(['tenant_id', 'customer_id']).doNothing()).execute()
    return (await tx.selectFrom('notification_preferences').select('token').where('customer_id', '=', customerId).executeTakeFirstOrThrow()).token
  }

  /** Finds the customer behind a preference-centre token (the token is the capability; no tenant is known yet). */
  async byPreferenceToken(token: string): Promise<{ tenantId: string; customerId: string; preferredChannel: string | null } | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined
    const row = await this.db.kysely.selectFrom('notification_preferences').select(['tenant_id', 'customer_id', 'preferred_channel']).where('token', '=', token).executeTakeFirst()
    return row ? { tenantId: row.tenant_id, customerId: row.customer_id, preferredChannel: row.preferred_channel } : undefined
  }

  async setPreferredChannel(scope: TenantDb, customerId: string, channel: CustomerChannel | null): Promise<void> {
    await this.preferenceToken(scope, customerId)
    await scope.updateTable('notification_preferences').set({ preferred_channel: channel, updated_at: this.clock.now().toISOString() }).where('customer_id', '=', customerId).execute()
  }

  // ---------------------------------------------------------------- settings, templates, endpoints

  async settingsOf(scope: TenantDb): Promise<{ settings: NotificationSettings; credentials: ChannelCredentials }> {
    const hit = this.settingsCache.get(scope.tenantId)
    if (hit && Date.now() - hit.at < CACHE_MS) return hit
    const row = await scope.selectFrom('notification_settings').selectAll().executeTakeFirst()
    const settings = NotificationSettingsInput.parse(row ? fromJson(row.settings, {}) : {})
    const credentials: ChannelCredentials = row?.credentials_sealed ? JSON.parse(this.secrets.open(row.credentials_sealed)) : {}
    const entry = { at: Date.now(), settings, credentials }
    this.settingsCache.set(scope.tenantId, entry)
    return entry
  }

  async updateSettings(scope: TenantDb, input: { settings?: NotificationSettings; credentials?: { line?: ChannelCredentials['line'] | null; sms?: ChannelCredentials['sms'] | null } }): Promise<void> {
    await this.db.transaction(async (trx) => {
      const tx = scope.with(trx)
      this.settingsCache.delete(scope.tenantId)
      const current = await tx.selectFrom('notification_settings').selectAll().executeTakeFirst()
      const settings = input.settings ?? NotificationSettingsInput.parse(current ? fromJson(current.settings, {}) : {})
      const creds: ChannelCredentials = current?.credentials_sealed ? JSON.parse(this.secrets.open(current.credentials_sealed)) : {}
      if (input.credentials) {
        for (const k of ['line', 'sms'] as const) {
          const v = input.credentials[k]
          if (v === null) delete creds[k]
          else if (v) (creds as Record<string, unknown>)[k] = v
        }
      }
      const values = { settings: toJson(settings), credentials_sealed: Object.keys(creds).length > 0 ? this.secrets.seal(JSON.stringify(creds)) : null, updated_at: this.clock.now().toISOString() }
      if (current) await tx.updateTable('notification_settings').set(values).execute()
      else await tx.insertInto('notification_settings', values).execute()
    })
    this.settingsCache.delete(scope.tenantId)
  }

  private async template(scope: TenantDb, type: string, channel: string, locale: string): Promise<TemplateSource | null> {
    const key = `${scope.tenantId}:${type}:${channel}:${locale}`
    const hit = this.templateCache.get(key)
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.source
    const row = await scope.selectFrom('message_templates').selectAll().where('type', '=', type).where('channel', '=', channel).where('locale', '=', locale).executeTakeFirst()
    const source = row ? { body: row.body, ...(row.subject != null ? { subject: row.subject } : {}) } : null
    this.templateCache.set(key, { at: Date.now(), source })
    return source
  }

  async listTemplates(scope: TenantDb): Promise<Array<{ type: string; channel: string; locale: string; subject: string | null; body: string; updatedAt: string }>> {
    const rows = await scope.selectFrom('message_templates').selectAll().orderBy('type').orderBy('channel').orderBy('locale').execute()
    return rows.map((r) => ({ type: r.type, channel: r.channel, locale: r.locale, subject: r.subject, body: r.body, updatedAt: r.updated_at }))
  }

  /** Saves a tenant's template after checking that it parses and renders with sample data. */
  async saveTemplate(scope: TenantDb, key: { type: MessageType; channel: CustomerChannel; locale: Locale }, source: TemplateSource): Promise<void> {
    if (key.channel === 'email' && !source.subject) throw new AppError('TEMPLATE_INVALID', 'invalid_data', 'An email template needs a subject.', { fields: [{ pointer: '/subject', message: 'is required for email' }] })
    const problems = await this.engine.validate(key.channel, source)
    if (problems.length > 0) throw new AppError('TEMPLATE_INVALID', 'invalid_data', 'The template does not compile; nothing was saved.', { fields: problems })
    try {
      await this.engine.render(key.type, key.channel, key.locale, sampleContext(key.type, key.locale), source)
    } catch (err) {
      throw new AppError('TEMPLATE_INVALID', 'invalid_data', `The template fails with sample data: ${err instanceof Error ? err.message : String(err)}`, { fields: [{ pointer: '/body', message: 'fails to render' }] })
    }
    const now = this.clock.now().toISOString()
    await this.db.transaction(async (trx) => {
      const tx = scope.with(trx)
      await tx.deleteFrom('message_templates').where('type', '=', key.type).where('channel', '=', key.channel).where('locale', '=', key.locale).execute()
      await tx.insertInto('message_templates', { ...key, subject: source.subject ?? null, body: source.body, updated_at: now }).execute()
    })
    this.templateCache.clear()
  }

  async deleteTemplate(scope: TenantDb, key: { type: string; channel: string; locale: string }): Promise<boolean> {
    const r = await scope.deleteFrom('message_templates').where('type', '=', key.type).where('channel', '=', key.channel).where('locale', '=', key.locale).executeTakeFirst()
    this.templateCache.clear()
    return Number(r.numDeletedRows) > 0
  }

  /** Renders a template (the saved one, a draft, or the default) with sample data or a real order's. */
  async preview(scope: TenantDb, input: { type: MessageType; channel: CustomerChannel; locale: Locale; orderId?: string; shipmentId?: string; template?: TemplateSource }): Promise<Rendered> {
    let ctx: MessageContext
    if (input.orderId || input.shipmentId) {
      const shipment = input.shipmentId ? await this.tracking.get(scope, input.shipmentId) : undefined
      if (input.shipmentId && !shipment) throw new AppError('SHIPMENT_NOT_FOUND', 'not_found', `No shipment with id ${input.shipmentId}.`)
      const order = await this.orders.get(scope, input.orderId ?? shipment!.orderId)
      if (!order) throw new AppError('ORDER_NOT_FOUND', 'not_found', `No order with id ${input.orderId}.`)
      const customer = order.customerId ? await this.customers.get(scope, order.customerId) : undefined
      const { settings } = await this.settingsOf(scope)
      const tenant = await this.tenants.find(scope.tenantId)
      ctx = buildContext({
        locale: input.locale, brand: this.brandFacts(tenant, settings), customer, order, shipment,
        links: { tracking: `${this.config.publicUrl}/t/${order.trackingToken}`, ...(MESSAGE_TYPES[input.type].category === 'marketing' ? { unsubscribe: `${this.config.publicUrl}/p/preview` } : {}) },
        ...(input.type === 'marketing_announcement' ? { announcement: sampleContext(input.type, input.locale).announcement } : {}),
      })
    } else {
      ctx = sampleContext(input.type, input.locale)
    }
    if (input.template) {
      const problems = await this.engine.validate(input.channel, input.template)
      if (problems.length > 0) throw new AppError('TEMPLATE_INVALID', 'invalid_data', 'The template does not compile.', { fields: problems.map((p) => ({ ...p, pointer: `/template${p.pointer}` })) })
    }
    const source = input.template ?? (await this.template(scope, input.type, input.channel, input.locale)) ?? undefined
    return this.engine.render(input.type, input.channel, input.locale, ctx, source)
  }

  /** The brand's name, zone and slug, cached like the settings (read through `tx` inside a transaction). */
  private async tenant(tx: TenantDb): Promise<{ id: string; slug: string; name: string; timezone: string; locale: string }> {
    const hit = this.tenantCache.get(tx.tenantId)
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.tenant
    const t = await this.tenants.find(tx.tenantId, tx.db)
    const tenant = { id: t.id, slug: t.slug, name: t.name, timezone: t.timezone, locale: t.locale }
    this.tenantCache.set(tx.tenantId, { at: Date.now(), tenant })
    return tenant
  }

  private async endpoints(tx: TenantDb): Promise<Array<{ id: string; url: string; types: string[] }>> {
    const hit = this.endpointCache.get(tx.tenantId)
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.endpoints
    const rows = await tx.selectFrom('webhook_endpoints').select(['id', 'url', 'event_types']).where('active', '=', 1).execute()
    const endpoints = rows.map((r) => ({ id: r.id, url: r.url, types: fromJson<string[]>(r.event_types, []) }))
    this.endpointCache.set(tx.tenantId, { at: Date.now(), endpoints })
    return endpoints
  }

  /** Registers an endpoint; the signing secret is returned once and kept sealed. */
  async createEndpoint(scope: TenantDb, input: { url: string; eventTypes: string[] }): Promise<{ id: string; url: string; eventTypes: string[]; secret: string }> {
    const refused = await refuseWebhookTarget(input.url, this.config.webhooksAllowPrivate)
    if (refused) throw new AppError('WEBHOOK_TARGET_REFUSED', 'invalid_data', `Kando does not post to this URL: ${refused}.`, { fields: [{ pointer: '/url', message: refused }] })
    const secret = `whsec_${newToken(32)}`
    const id = newId('whe')
    await scope.insertInto('webhook_endpoints', { id, url: input.url, event_types: toJson(input.eventTypes), secret_sealed: this.secrets.seal(secret), active: 1, disabled_reason: null, created_at: this.clock.now().toISOString() }).execute()
    this.endpointCache.delete(scope.tenantId)
    return { id, url: input.url, eventTypes: input.eventTypes, secret }
  }

  async listEndpoints(scope: TenantDb): Promise<Array<{ id: string; url: string; eventTypes: string[]; active: boolean; disabledReason: string | null; createdAt: string }>> {
    const rows = await scope.selectFrom('webhook_endpoints').selectAll().orderBy('id').execute()
    return rows.map((r) => ({ id: r.id, url: r.url, eventTypes: fromJson<string[]>(r.event_types, []), active: r.active === 1, disabledReason: r.disabled_reason, createdAt: r.created_at }))
  }

  async deleteEndpoint(scope: TenantDb, id: string): Promise<boolean> {
    const r = await scope.updateTable('webhook_endpoints').set({ active: 0, disabled_reason: 'removed' }).where('id', '=', id).where('active', '=', 1).executeTakeFirst()
    this.endpointCache.delete(scope.tenantId)
    return Number(r.numUpdatedRows) > 0
  }

  // ---------------------------------------------------------------- reading the log

  async get(scope: TenantDb, id: string): Promise<(Message & { attempts_log: Array<{ attempt: number; at: string; outcome: string; detail: string | null }> }) | undefined> {
    const row = await scope.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst()
    if (!row) return undefined
    const attempts = await scope.selectFrom('message_attempts').selectAll().where('message_id', '=', id).orderBy('attempt').execute()
    return { ...toMessage(row), attempts_log: attempts.map((a) => ({ attempt: a.attempt, at: a.at, outcome: a.outcome, detail: a.detail })) }
  }

  async list(scope: TenantDb, opts: { limit: number; after?: string; status?: string; type?: string; customerId?: string; orderId?: string; shipmentId?: string; channel?: string }): Promise<Message[]> {
    let q = scope.selectFrom('messages').selectAll().orderBy('id', 'desc').limit(opts.limit)
    if (opts.after) q = q.where('id', '<', opts.after)
    if (opts.status) q = q.where('status', '=', opts.status)
    if (opts.type) q = q.where('type', '=', opts.type)
    if (opts.customerId) q = q.where('customer_id', '=', opts.customerId)
    if (opts.orderId) q = q.where('order_id', '=', opts.orderId)
    if (opts.shipmentId) q = q.where('shipment_id', '=', opts.shipmentId)
    if (opts.channel) q = q.where('channel', '=', opts.channel)
    return (await q.execute()).map(toMessage)
  }

  async mailbox(scope: TenantDb, opts: { limit: number; after?: string; to?: string }): Promise<Array<{ id: string; messageId: string; from: string; to: string; subject: string; receivedAt: string }>> {
    let q = scope.selectFrom('dev_mailbox').select(['id', 'message_id', 'from_address', 'to_address', 'subject', 'received_at']).orderBy('id', 'desc').limit(opts.limit)
    if (opts.after) q = q.where('id', '<', opts.after)
    if (opts.to) q = q.where('to_address', '=', opts.to.toLowerCase())
    return (await q.execute()).map((r) => ({ id: r.id, messageId: r.message_id, from: r.from_address, to: r.to_address, subject: r.subject, receivedAt: r.received_at }))
  }

  async mail(scope: TenantDb, id: string): Promise<{ id: string; messageId: string; from: string; to: string; subject: string; html: string; text: string; raw: string; receivedAt: string } | undefined> {
    const r = await scope.selectFrom('dev_mailbox').selectAll().where('id', '=', id).executeTakeFirst()
    return r ? { id: r.id, messageId: r.message_id, from: r.from_address, to: r.to_address, subject: r.subject, html: r.html, text: r.text, raw: r.raw, receivedAt: r.received_at } : undefined
  }

  private brandFacts(tenant: { name: string; timezone: string }, settings: NotificationSettings): BrandFacts {
    return {
      name: settings.sender.name ?? tenant.name, address: settings.sender.postalAddress ?? null, supportEmail: settings.sender.supportEmail ?? null,
      logoUrl: settings.brand.logoUrl ?? null, color: settings.brand.color ?? null, timezone: tenant.timezone,
    }
  }
}

/** Whether an endpoint subscribed to `types` ("*", "order.*", "order.cancelled") receives `type`. */
function endpointWants(types: string[], type: string): boolean {
  return types.some((t) => t === '*' || t === type || (t.endsWith('.*') && type.startsWith(t.slice(0, -1))))
}

/** Email addresses compare case-insensitively; LINE ids and phone numbers as they are. */
export function normalizeAddress(a: string): string {
  return a.includes('@') ? a.trim().toLowerCase() : a.trim()
}

function summarize(req: SendRequest): string | null {
  const c = req.content
  if (c.channel === 'email') return c.email.subject.slice(0, 200)
  if (c.channel === 'sms') return c.sms.text.slice(0, 200)
  if (c.channel === 'line') {
    const first = c.line.messages[0]
    return first ? (first.type === 'text' ? first.text : first.altText).slice(0, 200) : null
  }
  return c.eventType
}

export function toMessage(r: MessagesTable): Message {
  return {
    id: r.id, customerId: r.customer_id, type: r.type, category: r.category as MessageCategory, channel: r.channel as Channel | null, locale: r.locale,
    subjectRef: r.subject_ref, recipient: r.recipient, status: r.status as MessageStatus, reason: r.reason, orderId: r.order_id, shipmentId: r.shipment_id,
    eventId: r.event_id, sendAfter: r.send_after, attempts: r.attempts, summary: r.summary, providerId: r.provider_id,
    createdAt: r.created_at, updatedAt: r.updated_at, sentAt: r.sent_at,
  }
}
