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
  return_received: { category: 'transactional', trigger: 'return.received' },
  refund_issued: { category: 'transactional', trigger: 'refund.issued' },
  /** A brand's own announcement (sent through the API or, later, by flows). */
  marketing_announcement: { category: 'marketing', trigger: null },
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
  return?: { number?: string }
  /** Free text for marketing_announcement. */
  announcement?: { title: string; body: string; ctaLabel?: string; ctaUrl?: string }
  links: {
    /** The branded tracking page /t/:token. */
    tracking?: string
    /** Preference centre / unsubscribe page (marketing only). */
    unsubscribe?: string
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
