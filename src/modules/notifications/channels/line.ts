/**
 * LINE push messages through LINE's own SDK (`@line/bot-sdk` MessagingApiClient).
 *
 * Facts this relies on (developers.line.biz "Retry failed API requests", the Messaging API reference and FAQ, and
 * LINE's OpenAPI spec; summary in /work/shared/research/line.md):
 * - With `X-Line-Retry-Key` a push is executed at most once: a later request with the same key answers 409 with
 *   `x-line-accepted-request-id` and "The retry key is already accepted". LINE keeps keys for 24 hours, so a retry
 *   more than a day later would be sent again.
 * - A push to a user who blocked the account answers 200 and is silently not delivered; there is no "blocked" error.
 * - A push to a user id that does not exist for this provider answers 400 "Failed to send messages".
 * - 429 is either the rate limit ("The API rate limit has been exceeded") or the monthly message quota
 *   ("You have reached your monthly limit.").
 */
import { createHash } from 'node:crypto'
import { HTTPFetchError, messagingApi } from '@line/bot-sdk'
import type { ChannelSender, SendOutcome, SendRequest } from '../types.js'
import { parseRetryAfter } from './webhook.js'

export const LINE_API_BASE_URL = 'https://api.line.me'
const DEFAULT_TIMEOUT_MS = 10_000
const DEFAULT_MAX_CLIENTS = 200
const MAX_REASON_CHARS = 1000

export interface LineSenderOptions {
  /** Default https://api.line.me; tests point it at a stand-in. */
  baseURL?: string
  /** Give up waiting for LINE after this long (default 10 s); the outcome is transient. */
  timeoutMs?: number
  /** Clients kept, one per channel access token, least recently used dropped first (default 200). */
  maxClients?: number
}

/**
 * The `X-Line-Retry-Key` for a Kando message: a UUID made from SHA-256 of the message id, so every attempt of one
 * message carries the same key and LINE drops the repeats. The version/variant bits are set as for a v4 UUID: the
 * value is as uniform as a random one, and any UUID validator accepts that shape.
 */
export function lineRetryKey(messageId: string): string {
  const b = createHash('sha256').update(`kando:line-retry-key:${messageId}`, 'utf8').digest().subarray(0, 16)
  b[6] = (b[6]! & 0x0f) | 0x40
  b[8] = (b[8]! & 0x3f) | 0x80
  const hex = b.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** Sends `line` content as one push to `req.to` (a LINE user id) with the tenant's channel access token. */
export class LineSender implements ChannelSender {
  readonly channel = 'line' as const
  private readonly baseURL: string
  private readonly timeoutMs: number
  private readonly maxClients: number
  private readonly clients = new Map<string, messagingApi.MessagingApiClient>()

  constructor(options: LineSenderOptions = {}) {
    this.baseURL = options.baseURL ?? LINE_API_BASE_URL
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.maxClients = Math.max(1, options.maxClients ?? DEFAULT_MAX_CLIENTS)
  }

  async send(req: SendRequest): Promise<SendOutcome> {
    if (req.content.channel !== 'line') return { ok: false, permanent: true, reason: `LINE sender got ${req.content.channel} content` }
    const token = req.credentials?.channelAccessToken
    if (!token) return { ok: false, permanent: true, reason: 'LINE channel access token missing: set credentials.channelAccessToken for this tenant' }
    // Kando's LineMessage is the subset of LINE's Message it renders; LINE itself validates the rest.
    const body = { to: req.to, messages: req.content.line.messages as unknown as messagingApi.Message[] }
    try {
      const res = await this.withTimeout(this.client(token).pushMessageWithHttpInfo(body, lineRetryKey(req.messageId)))
      const sent = res.body?.sentMessages ?? []
      const providerId = res.httpResponse.headers.get('x-line-request-id') ?? sent[0]?.id
      return { ok: true, ...(providerId && { providerId }), response: JSON.stringify({ sentMessages: sent.map((m) => m.id) }) }
    } catch (err) {
      return lineOutcome(err)
    }
  }

  async close(): Promise<void> {
    this.clients.clear()
  }

  private client(token: string): messagingApi.MessagingApiClient {
    let client = this.clients.get(token)
    if (client) {
      this.clients.delete(token) // re-insert: Map order is our recency order
    } else {
      client = new messagingApi.MessagingApiClient({ channelAccessToken: token, baseURL: this.baseURL })
      if (this.clients.size >= this.maxClients) this.clients.delete(this.clients.keys().next().value!)
    }
    this.clients.set(token, client)
    return client
  }

  /**
   * The SDK's fetch takes no AbortSignal, so a slow request is abandoned rather than cancelled. It may still be
   * accepted by LINE; the retry key makes the next attempt a 409 instead of a second message.
   */
  private withTimeout<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new LineTimeoutError(this.timeoutMs)), this.timeoutMs)
    })
    work.catch(() => {}) // an abandoned request's late failure is not an unhandled rejection
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
  }
}

class LineTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`LINE did not answer within ${timeoutMs} ms`)
  }
}

interface LineErrorBody {
  message?: string
  details?: Array<{ message?: string; property?: string }>
  sentMessages?: Array<{ id?: string }>
}

/** Maps what the SDK threw to an outcome. Exported for tests of the mapping alone. */
export function lineOutcome(err: unknown): SendOutcome {
  if (err instanceof LineTimeoutError) return { ok: false, permanent: false, reason: `LINE timeout: ${err.message}; the retry key makes a retry safe` }
  if (!(err instanceof HTTPFetchError)) {
    return { ok: false, permanent: false, reason: `LINE network error: ${describe(err)}` }
  }
  const status = err.status
  const parsed = parseBody(err.body)
  const text = `LINE ${status}: ${formatLineError(parsed, err.body)}`.slice(0, MAX_REASON_CHARS)

  if (status === 409) {
    const accepted = err.headers.get('x-line-accepted-request-id')
    if (accepted || /retry key is already accepted/i.test(parsed?.message ?? '')) {
      // Sent by an earlier attempt whose answer we did not see.
      const providerId = accepted ?? parsed?.sentMessages?.[0]?.id
      return { ok: true, ...(providerId && { providerId }), response: 'already accepted under this retry key' }
    }
    // A 409 without acceptance: the first request with this key may still be in progress; ask again later.
    return { ok: false, permanent: false, reason: text }
  }
  if (status === 429) {
    // The monthly quota does not reset for weeks; retrying on a backoff schedule only burns attempts.
    if (/monthly limit/i.test(parsed?.message ?? '')) return { ok: false, permanent: true, reason: `${text} (monthly message quota reached: raise it in LINE Official Account Manager)` }
    const retryAfterMs = parseRetryAfter(err.headers.get('retry-after'))
    return { ok: false, permanent: false, reason: text, ...(retryAfterMs !== undefined && { retryAfterMs }) }
  }
  if (status >= 500) {
    const retryAfterMs = parseRetryAfter(err.headers.get('retry-after'))
    return { ok: false, permanent: false, reason: text, ...(retryAfterMs !== undefined && { retryAfterMs }) }
  }
  if (status === 401) return { ok: false, permanent: true, reason: `${text} (channel access token rejected: reissue it in the LINE Developers Console)` }
  if (status === 403) return { ok: false, permanent: true, reason: `${text} (this channel is not allowed to use the push API: check the plan and permissions)` }
  // 400 and the rest. "Failed to send messages" (unknown user id) is not marked suppressAddress: user ids are per
  // provider, so the same answer comes for every user when a tenant configures a channel of another provider, and
  // suppressing would silently mute them all after the fix.
  return { ok: false, permanent: true, reason: text }
}

function parseBody(body: string): LineErrorBody | undefined {
  try {
    const parsed: unknown = JSON.parse(body)
    return typeof parsed === 'object' && parsed !== null ? (parsed as LineErrorBody) : undefined
  } catch {
    return undefined
  }
}

/** LINE's message and each detail as "property: message", e.g. `The request body has 1 error(s) [messages[0].text: Length must be …]`. */
function formatLineError(parsed: LineErrorBody | undefined, raw: string): string {
  if (!parsed?.message) return raw.slice(0, 200) || '(empty answer)'
  const details = (parsed.details ?? []).map((d) => (d.property ? `${d.property}: ${d.message ?? ''}` : (d.message ?? ''))).filter(Boolean)
  return details.length > 0 ? `${parsed.message} [${details.join('; ')}]` : parsed.message
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message
  }
  return String(err)
}
