/**
 * Outgoing webhooks to a brand's own systems: a signed JSON POST per event.
 *
 * The receiver checks `Kando-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` with
 * {@link verifyWebhookSignature} (or its own copy of it) and de-duplicates on `Kando-Delivery`, which is our
 * message id and stays the same on every retry of one event.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { ChannelSender, SendOutcome, SendRequest } from '../types.js'

export const WEBHOOK_USER_AGENT = 'Kando-Webhooks/1'
const DEFAULT_TIMEOUT_MS = 10_000
/** How much of a refusing receiver's answer we keep in the message log. */
const REASON_BODY_CHARS = 200

export interface WebhookSenderOptions {
  /** Whole request, answer included (default 10 s). */
  timeoutMs?: number
  /** Clock for the signature timestamp, in milliseconds (default Date.now). */
  now?: () => number
}

/**
 * The `Kando-Signature` header value for `body` signed at `nowSeconds`.
 * @example signWebhook('whsec_…', '{"type":"shipment.delivered"}', 1767225600) // 't=1767225600,v1=5f0c…'
 */
export function signWebhook(secret: string, body: string, nowSeconds: number): string {
  const t = Math.floor(nowSeconds)
  return `t=${t},v1=${hmacHex(secret, `${t}.${body}`)}`
}

/**
 * Whether `header` is a valid `Kando-Signature` for `body`: some `v1` matches (compared in constant time) and
 * `t` is within `toleranceSeconds` of `nowSeconds` either way, so a captured request cannot be replayed later.
 * Several `v1` entries are accepted so a secret can be rotated without a gap.
 */
export function verifyWebhookSignature(secret: string, header: string, body: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  let t: number | undefined
  const candidates: string[] = []
  for (const part of header.split(',')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    const key = part.slice(0, eq).trim()
    const value = part.slice(eq + 1).trim()
    if (key === 't' && /^\d{1,12}$/.test(value)) t = Number(value)
    else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) candidates.push(value.toLowerCase())
  }
  if (t === undefined || candidates.length === 0) return false
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return false
  const expected = Buffer.from(hmacHex(secret, `${t}.${body}`), 'hex')
  let match = false
  // Check every candidate (no early exit) so timing does not tell which one matched.
  for (const candidate of candidates) match = timingSafeEqual(expected, Buffer.from(candidate, 'hex')) || match
  return match
}

function hmacHex(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload, 'utf8').digest('hex')
}

/**
 * Milliseconds to wait from a `Retry-After` value (delay in seconds or an HTTP date), or undefined when absent or
 * unreadable. Shared by the channel clients in this folder.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (value == null) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const at = Date.parse(text)
  if (Number.isNaN(at)) return undefined
  return Math.max(0, at - nowMs)
}

/** POSTs signed JSON to the brand's endpoint; never throws for the receiver's answer. */
export class WebhookSender implements ChannelSender {
  readonly channel = 'webhook' as const
  private readonly timeoutMs: number
  private readonly now: () => number

  constructor(options: WebhookSenderOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.now = options.now ?? Date.now
  }

  async send(req: SendRequest): Promise<SendOutcome> {
    if (req.content.channel !== 'webhook') return { ok: false, permanent: true, reason: `webhook sender got ${req.content.channel} content` }
    const { body, secret, eventType } = req.content
    let url: URL
    try {
      url = new URL(req.to)
    } catch {
      return { ok: false, permanent: true, reason: `webhook URL is not a URL: ${req.to.slice(0, 200)}` }
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, permanent: true, reason: `webhook URL must be http or https, not ${url.protocol}` }
    // fetch refuses URLs with credentials; say so instead of reporting a network error that would be retried.
    if (url.username || url.password) return { ok: false, permanent: true, reason: 'webhook URL must not contain credentials' }

    const headers = {
      'Content-Type': 'application/json',
      'User-Agent': WEBHOOK_USER_AGENT,
      'Kando-Event-Type': eventType,
      'Kando-Delivery': req.messageId,
      'Kando-Signature': signWebhook(secret, body, Math.floor(this.now() / 1000)),
    }
    const signal = AbortSignal.timeout(this.timeoutMs)
    let res: Response
    let text: string
    try {
      // Redirects are not followed: a POST must not be re-aimed at another host by the receiver's answer.
      res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal })
      text = await res.text()
    } catch (err) {
      if (signal.aborted) return { ok: false, permanent: false, reason: `webhook timed out after ${this.timeoutMs} ms` }
      return { ok: false, permanent: false, reason: `webhook network error: ${describe(err)}` }
    }
    const status = res.status
    const snippet = text.slice(0, REASON_BODY_CHARS)
    if (status >= 200 && status < 300) return { ok: true, response: `HTTP ${status}` }
    if (status === 408 || status === 429 || status >= 500) {
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), this.now())
      return { ok: false, permanent: false, reason: `webhook answered HTTP ${status}: ${snippet}`, ...(retryAfterMs !== undefined && { retryAfterMs }) }
    }
    if (status === 410) return { ok: false, permanent: true, suppressAddress: true, reason: `webhook endpoint gone (HTTP 410): ${snippet}` }
    if (status >= 300 && status < 400) {
      return { ok: false, permanent: true, reason: `webhook answered HTTP ${status} redirect to ${res.headers.get('location') ?? '(no Location)'}; redirects are not followed` }
    }
    return { ok: false, permanent: true, reason: `webhook answered HTTP ${status}: ${snippet}` }
  }

  async close(): Promise<void> {}
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message
  }
  return String(err)
}
