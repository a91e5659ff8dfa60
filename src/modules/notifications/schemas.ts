import { z } from 'zod'
import { CHANNELS, LOCALES, MESSAGE_TYPE_NAMES } from './types.js'

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)')
const customerChannel = z.enum(['email', 'line', 'sms'])

/** A tenant's notification settings (secrets travel separately, in `credentials`). */
export const NotificationSettingsInput = z
  .object({
    sender: z
      .object({
        /** Display name in From; defaults to the brand name. */
        name: z.string().min(1).max(100).optional(),
        /** From address; defaults to the installation's KANDO_MAIL_FROM. */
        email: z.email().max(320).optional(),
        /** Sender's postal address, shown in marketing mail (特定電子メール法). */
        postalAddress: z.string().min(1).max(300).optional(),
        supportEmail: z.email().max(320).optional(),
      })
      .strict()
      .default({}),
    brand: z.object({ logoUrl: z.url().max(500).optional(), color: z.string().regex(/^#[0-9a-fA-F]{6}$/).optional() }).strict().default({}),
    /** First choice first; a channel missing here is not used. */
    channelOrder: z.array(customerChannel).min(1).max(3).refine((a) => new Set(a).size === a.length, 'must not repeat a channel').default(['line', 'email', 'sms']),
    /** Message types switched off (all are on by default). */
    disabledTypes: z.array(z.enum(MESSAGE_TYPE_NAMES as [string, ...string[]])).default([]),
    /** Marketing is held during these hours in the tenant's zone and sent when they end; null: never held. */
    quietHours: z.object({ start: hhmm, end: hhmm }).strict().nullable().default({ start: '21:00', end: '08:00' }),
    /** At most `count` marketing messages per customer per `perHours`; null: no cap. */
    marketingCap: z.object({ count: z.number().int().min(1).max(100), perHours: z.number().int().min(1).max(24 * 90) }).strict().nullable().default({ count: 2, perHours: 24 }),
  })
  .strict()
export type NotificationSettings = z.infer<typeof NotificationSettingsInput>

/** Channel credentials; write-only through the API (answers say only which are set). */
export const ChannelCredentialsInput = z
  .object({
    line: z.object({ channelAccessToken: z.string().min(10).max(500) }).strict().nullable().optional(),
    sms: z.object({ accountSid: z.string().regex(/^AC[0-9a-f]{32}$/, 'must be a Twilio account SID (AC + 32 hex)'), authToken: z.string().min(8).max(200), from: z.string().min(3).max(40) }).strict().nullable().optional(),
  })
  .strict()
export type ChannelCredentials = { line?: { channelAccessToken: string }; sms?: { accountSid: string; authToken: string; from: string } }

export const SettingsPut = z.object({ settings: NotificationSettingsInput.optional(), credentials: ChannelCredentialsInput.optional() }).strict()

export const MessageOut = z
  .object({
    id: z.string(), customerId: z.string().nullable(), type: z.string(), category: z.enum(['transactional', 'marketing']), channel: z.enum(CHANNELS).nullable(),
    locale: z.string(), subjectRef: z.string(), recipient: z.string().nullable(),
    status: z.enum(['queued', 'sending', 'sent', 'delivered', 'failed', 'bounced', 'skipped', 'cancelled', 'opened', 'clicked']),
    reason: z.string().nullable(), orderId: z.string().nullable(), shipmentId: z.string().nullable(), eventId: z.string().nullable(),
    sendAfter: z.string(), attempts: z.number(), summary: z.string().nullable(), providerId: z.string().nullable(),
    createdAt: z.string(), updatedAt: z.string(), sentAt: z.string().nullable(),
  })
  .meta({ id: 'Message' })

export const SendMessageInput = z
  .object({
    type: z.enum(MESSAGE_TYPE_NAMES as [string, ...string[]]),
    /** Who: a customer id (or, for order/shipment messages, taken from the order). */
    customerId: z.string().max(100).optional(),
    orderId: z.string().max(100).optional(),
    shipmentId: z.string().max(100).optional(),
    /** Force one channel instead of the policy. */
    channel: customerChannel.optional(),
    locale: z.enum(LOCALES).optional(),
    /** What this message is about, for deduplication (defaults from the order/shipment). */
    subjectRef: z.string().min(1).max(200).optional(),
    announcement: z.object({ title: z.string().min(1).max(200), body: z.string().min(1).max(5000), ctaLabel: z.string().max(60).optional(), ctaUrl: z.url().max(2000).optional() }).strict().optional(),
  })
  .strict()
export type SendMessageInput = z.infer<typeof SendMessageInput>

export const TemplateInput = z.object({ subject: z.string().max(500).optional(), body: z.string().min(1).max(100_000) }).strict()
export const TemplateKey = z.object({ type: z.enum(MESSAGE_TYPE_NAMES as [string, ...string[]]), channel: z.enum(['email', 'line', 'sms']), locale: z.enum(LOCALES) })

export const PreviewInput = z
  .object({
    type: z.enum(MESSAGE_TYPE_NAMES as [string, ...string[]]),
    channel: z.enum(['email', 'line', 'sms']),
    locale: z.enum(LOCALES).default('ja'),
    /** Real data: an order (and optionally one of its shipments); otherwise sample data. */
    orderId: z.string().max(100).optional(),
    shipmentId: z.string().max(100).optional(),
    /** A draft template to try before saving it. */
    template: TemplateInput.optional(),
  })
  .strict()

export const ConsentInput = z
  .object({
    channel: customerChannel,
    granted: z.boolean(),
    /** Where the customer gave or withdrew it (form, shop checkout, store counter …). */
    source: z.string().min(1).max(100).default('api'),
    evidence: z.string().max(2000).optional(),
  })
  .strict()

export const WebhookEndpointInput = z
  .object({ url: z.url().max(2000).refine((u) => /^https?:\/\//.test(u), 'must be http(s)'), eventTypes: z.array(z.string().regex(/^(\*|[a-z_]+\.[a-z_*]+)$/)).min(1).max(50) })
  .strict()

export const BounceInput = z
  .object({
    kind: z.enum(['hard', 'soft', 'complaint']),
    recipient: z.string().min(1).max(320),
    /** Our Message-ID (<msg_…@domain>) or message id, when the provider reports it. */
    messageId: z.string().max(400).optional(),
    status: z.string().max(20).optional(),
    diagnostic: z.string().max(2000).optional(),
  })
  .strict()
