/** One message to one customer (or one delivery to a brand's webhook endpoint), and its fate. */
export interface MessagesTable {
  id: string
  tenant_id: string
  customer_id: string | null
  type: string
  category: string
  /** email | line | sms | webhook; null while no channel could be chosen (status skipped). */
  channel: string | null
  locale: string
  /** What the message is about: an order, a shipment, an event (webhooks). */
  subject_ref: string
  /** type:subject:customer — the same message for the same thing to the same person is sent once. */
  dedupe_key: string
  recipient: string | null
  /** queued | sending | sent | delivered | failed | bounced | skipped | cancelled | opened | clicked */
  status: string
  reason: string | null
  /** JSON: what the template needs beyond the subject (announcement text, event payload …). */
  payload: string
  event_id: string | null
  order_id: string | null
  shipment_id: string | null
  /** Held until (quiet hours, Retry-After). */
  send_after: string
  attempts: number
  /** Subject line or first words, for the log. */
  summary: string | null
  provider_id: string | null
  created_at: string
  updated_at: string
  sent_at: string | null
}

/** Every attempt to hand a message to its provider, with the provider's answer. */
export interface MessageAttemptsTable {
  tenant_id: string
  message_id: string
  attempt: number
  at: string
  /** sent | transient | permanent */
  outcome: string
  detail: string | null
}

/** Addresses that must not be written to again (hard bounce, complaint, provider said unsubscribed). */
export interface MessageSuppressionsTable {
  tenant_id: string
  channel: string
  address: string
  reason: string
  message_id: string | null
  created_at: string
}

/** A tenant's own template, replacing the shipped default for one type × channel × locale. */
export interface MessageTemplatesTable {
  tenant_id: string
  type: string
  channel: string
  locale: string
  subject: string | null
  body: string
  updated_at: string
}

export interface NotificationSettingsTable {
  tenant_id: string
  /** JSON of NotificationSettings (no secrets). */
  settings: string
  /** Sealed JSON of channel credentials (LINE token, SMS account). */
  credentials_sealed: string | null
  updated_at: string
}

/** The brand's own endpoints for outgoing webhooks. */
export interface WebhookEndpointsTable {
  id: string
  tenant_id: string
  url: string
  /** JSON array of event types ("*" for all). */
  event_types: string
  secret_sealed: string
  active: number
  disabled_reason: string | null
  created_at: string
}

/** The customer's preference-centre link (/p/:token) and preferred channel. */
export interface NotificationPreferencesTable {
  tenant_id: string
  customer_id: string
  /** 256 random bits, base64url; the capability for the public preference page. */
  token: string
  preferred_channel: string | null
  updated_at: string
}

/** Built-in dev mailbox: where mail goes when no SMTP server is configured. */
export interface DevMailboxTable {
  id: string
  tenant_id: string
  message_id: string
  from_address: string
  to_address: string
  subject: string
  html: string
  text: string
  raw: string
  received_at: string
}

export interface NotificationsTables {
  messages: MessagesTable
  message_attempts: MessageAttemptsTable
  message_suppressions: MessageSuppressionsTable
  message_templates: MessageTemplatesTable
  notification_settings: NotificationSettingsTable
  webhook_endpoints: WebhookEndpointsTable
  notification_preferences: NotificationPreferencesTable
  dev_mailbox: DevMailboxTable
}
