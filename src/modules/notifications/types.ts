/**
 * The notifications module's shared vocabulary: message types, channels, the data a template
 * sees, and the one interface every channel's client implements.
 */

export const CHANNELS = ['email', 'line', 'sms', 'webhook'] as const
export type Channel = (typeof CHANNELS)[number]
/** Channels that reach the customer (webhooks reach the brand's own systems). */
export type CustomerChannel = Exclude<Channel, 'webhook'>

export const LOCALES = ['ja', 'en'] as const
export type Locale = (typeof LOCALES)[number]

export type MessageCategory = 'transactional' | 'marketing'

/**
 * Every message Kando sends, with the domain event that fires it. Transactional messages need no
 * opt-in; marketing ones need a recorded opt-in for the channel (特定電子メール法).
 */
export const MESSAGE_TYPES = {
  order_confirmed: { category: 'transactional', trigger: 'order.confirmed' },
  shipment_shipped: { category: 'transactional', trigger: 'shipment.created' },
  shipment_out_for_delivery: { category: 'transactional', trigger: 'shipment.out_for_delivery' },
  shipment_delivered: { category: 'transactional', trigger: 'shipment.delivered' },
  shipment_delivery_failed: { category: 'transactional', trigger: 'shipment.delivery_failed' },
  shipment_delayed: { category: 'transactional', trigger: 'shipment.delayed' },
  /** The return is accepted: the RMA number for the parcel, how it goes back, who pays shipping. */
  return_approved: { category: 'transactional', trigger: 'return.approved' },
  return_received: { category: 'transactional', trigger: 'return.received' },
  /** The return is settled: store credit issued, exchange on its way, or refund under way. */
  return_resolved: { category: 'transactional', trigger: 'return.resolved' },
  refund_issued: { category: 'transactional', trigger: 'refund.issued' },
  /** A brand's own announcement (sent through the API or, later, by flows). */
  marketing_announcement: { category: 'marketing', trigger: null },
  // Sent by the built-in post-purchase flows (src/modules/flows), never directly by an event.
  /** After delivery: thanks, and a word on unpacking and using the items. */
  thank_you: { category: 'transactional', trigger: null },
  /** Asks for a review of the delivered items (links.review, else links.tracking). */
  review_request: { category: 'transactional', trigger: null },
  /** "How likely are you to recommend …?" with a one-click 0–10 scale (links.nps). */
  nps_survey: { category: 'transactional', trigger: null },
  /** After a return or exchange is settled: "how satisfied are you?" with a one-click 1–5 scale (links.csat). */
  csat_survey: { category: 'transactional', trigger: null },
  /** The parcel is late: an apology, optionally with a coupon. */
  delay_apology: { category: 'transactional', trigger: null },
  /** "Running out soon?": reorder the products. */
  replenishment_reminder: { category: 'marketing', trigger: null },
  /** Products that go with what the customer bought. */
  cross_sell: { category: 'marketing', trigger: null },
  /** After a long quiet spell (90 days): we miss you, optionally with a coupon. */
  win_back: { category: 'marketing', trigger: null },
  /** Nudges a first-time buyer towards a second order (F2), optionally with a coupon. */
  second_purchase: { category: 'marketing', trigger: null },
} as const satisfies Record<string, { category: MessageCategory; trigger: string | null }>
export type MessageType = keyof typeof MESSAGE_TYPES
export const MESSAGE_TYPE_NAMES = Object.keys(MESSAGE_TYPES) as MessageType[]

/** What a template sees. Every string in it may come from a customer: templates escape on output. */
export interface MessageContext {
  locale: Locale
  brand: {
    name: string
    /** Sender's postal address, shown in marketing mail (特定電子メール法). */
    address?: string
    supportEmail?: string
    logoUrl?: string
    /** Accent colour, #rrggbb. */
    color?: string
  }
  customer: { firstName?: string; lastName?: string; email?: string }
  order?: {
    number: string
    placedAt: string
    /** Preformatted in the locale, e.g. "¥12,800". */
    total: string
    lines: Array<{ title: string; variant?: string; sku?: string; quantity: number; price: string; imageUrl?: string }>
  }
  shipment?: {
    carrier: string
    /** Carrier name in the locale, e.g. ヤマト運輸. */
    carrierName: string
    trackingNumber?: string
    /** The carrier's own page. */
    carrierUrl?: string
    /** Time slot label in the locale, e.g. 14時〜16時. */
    timeSlot?: string
    /** Estimated delivery, formatted in the locale and tenant zone, e.g. 11月28日(土). */
    estimatedDelivery?: string
    status?: string
    lines: Array<{ title: string; quantity: number }>
  }
  refund?: { amount: string; reason?: string }
  return?: {
    /** The RMA number the customer writes on the parcel, e.g. R-1042-1. */
    number?: string
    /** How the items go back: collected by the carrier, brought to a counter, or kept (nothing to send). */
    method?: 'pickup' | 'dropoff' | 'keep'
    /** Pickup day, formatted in the locale, e.g. 11月28日(土). */
    pickupDate?: string
    /** Pickup time slot label in the locale, e.g. 14〜16時 / 2-4 pm. */
    pickupSlot?: string
    /** Who pays for sending the items back. */
    shippingPaidBy?: 'brand' | 'customer'
    /** Instant exchange: the replacement ships before the original comes back. */
    instant?: boolean
    resolution?: 'exchange' | 'store_credit' | 'refund'
    /** Store credit issued for the return: its code and amount (preformatted, e.g. "¥3,560"). */
    creditCode?: string
    creditAmount?: string
    /** Preformatted, e.g. "¥3,560". */
    refundAmount?: string
  }
  /** Free text for marketing_announcement. */
  announcement?: { title: string; body: string; ctaLabel?: string; ctaUrl?: string }
  /** A coupon the message offers (delay_apology, win_back, second_purchase, …). */
  coupon?: {
    code: string
    /** Preformatted date in the locale, e.g. 12月31日(水). */
    expiresAt?: string
    /** What it gives, in the locale, e.g. 全商品10%オフ. */
    description?: string
  }
  /** The products a message is about: to reorder (replenishment), to go with a purchase (cross-sell). */
  products?: Array<{
    title: string
    url?: string
    imageUrl?: string
    /** Preformatted in the locale, e.g. "¥1,780". */
    price?: string
  }>
  links: {
    /** The branded tracking page /t/:token. */
    tracking?: string
    /** Preference centre / unsubscribe page (marketing only). */
    unsubscribe?: string
    /** Where the customer writes a review (review_request; without it the tracking page is used). */
    review?: string
    /** NPS survey base URL, without a query: each score links to `${nps}?score=N`, N = 0..10. */
    nps?: string
    /** CSAT survey base URL, without a query: each score links to `${csat}?score=N`, N = 1..5. */
    csat?: string
    /** The brand's shop, for reorder and browse buttons. */
    shop?: string
    /** The customer's return status page (return messages; without it the tracking page is used). */
    returnStatus?: string
  }
}

/** A template as stored (per tenant × type × channel × locale) or shipped as a default. */
export interface TemplateSource {
  /** Email only: Liquid, plain text (no HTML). */
  subject?: string
  /** email: MJML with Liquid; line: Liquid text (or a Flex JSON built in code); sms: Liquid text. */
  body: string
}

export interface RenderedEmail {
  subject: string
  html: string
  text: string
}
/** LINE message objects as in the Messaging API (type text | flex). */
export type LineMessage = { type: 'text'; text: string } | { type: 'flex'; altText: string; contents: Record<string, unknown> }
export interface RenderedLine {
  messages: LineMessage[]
}
export interface RenderedSms {
  text: string
}
export type Rendered = { channel: 'email'; email: RenderedEmail } | { channel: 'line'; line: RenderedLine } | { channel: 'sms'; sms: RenderedSms }

/** One attempt to hand a message to a provider. */
export interface SendRequest {
  /** Kando's message id: the idempotency key (Message-ID, X-Line-Retry-Key, provider reference). */
  messageId: string
  tenantId: string
  /** Attempt number, 1-based. */
  attempt: number
  /** Address on the channel: email address, LINE user id, E.164 phone, webhook URL. */
  to: string
  content: Rendered | { channel: 'webhook'; body: string; secret: string; eventType: string }
  /** Email: From (name + address) and extra headers (List-Unsubscribe …). */
  from?: { name: string; address: string }
  headers?: Record<string, string>
  /** Channel credentials for this tenant (LINE channel access token, …). */
  credentials?: Record<string, string>
}

export type SendOutcome =
  | { ok: true; providerId?: string; response?: string }
  | {
      ok: false
      /** Permanent: do not retry (invalid address, 4xx other than 408/429). */
      permanent: boolean
      /** The provider's reason, kept in the message log. */
      reason: string
      /** For 429 / 503 with Retry-After. */
      retryAfterMs?: number
      /** The address itself is bad (hard bounce / unknown user / blocked): suppress it. */
      suppressAddress?: boolean
    }

/** Every channel client implements this; it never throws for a provider's answer, only returns it. */
export interface ChannelSender {
  readonly channel: Channel
  send(request: SendRequest): Promise<SendOutcome>
  close(): Promise<void>
}
