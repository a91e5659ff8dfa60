/**
 * SMS: a provider-neutral sender and one provider adapter, Twilio Programmable Messaging.
 *
 * Twilio facts used (twilio.com/docs: Messages resource, "Twilio API responses", error pages 20003, 20429, 21211,
 * 21602, 21610, 21614, 21617, 21635): `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded `To`,
 * `From` or `MessagingServiceSid`, `Body` (≤ 1600 characters), HTTP Basic auth AccountSid:AuthToken; 201 with the
 * Message (`sid` "SM…", `status` "queued"); errors as JSON `{code, message, more_info, status}`. A 429 (20429)
 * "is never processed and is always safe to retry".
 *
 * No idempotency: Twilio documents no idempotency key for creating a Message, so a request whose answer we lose
 * (timeout, connection reset, some 5xx) may have been sent, and retrying it may send the text twice. The mitigation
 * is the caller's: it records the message as 'sending' before calling, retries only on a transient outcome, and each
 * such outcome here says whether the text may already be out ("outcome unknown"). A 429 or a refused connection is
 * unambiguous; a timeout is not. We accept a rare duplicate over losing a transactional message.
 */
import type { ChannelSender, SendOutcome, SendRequest } from '../types.js'
import { parseRetryAfter } from './webhook.js'

/** A company that sends SMS. Implementations never throw for the provider's answer; they return it. */
export interface SmsProvider {
  readonly name: string
  /**
   * Hands `text` for `to` (E.164) to the provider. `reference` is Kando's message id, for providers that take a
   * client reference or idempotency key (Twilio takes neither; it only appears in our reasons).
   */
  send(to: string, text: string, reference: string, credentials?: Record<string, string>): Promise<SendOutcome>
  close?(): Promise<void>
}

/** The 'sms' channel: checks the content and passes it to a provider. */
export class SmsSender implements ChannelSender {
  readonly channel = 'sms' as const

  constructor(private readonly provider: SmsProvider) {}

  async send(req: SendRequest): Promise<SendOutcome> {
    if (req.content.channel !== 'sms') return { ok: false, permanent: true, reason: `SMS sender got ${req.content.channel} content` }
    if (req.content.sms.text.trim() === '') return { ok: false, permanent: true, reason: 'SMS text is empty' }
    try {
      return await this.provider.send(req.to, req.content.sms.text, req.messageId, req.credentials)
    } catch (err) {
      // A provider bug must not escape as a throw (ChannelSender contract); retrying is the safe reading.
      return { ok: false, permanent: false, reason: `${this.provider.name} adapter failed: ${describe(err)}` }
    }
  }

  async close(): Promise<void> {
    await this.provider.close?.()
  }
}

export const TWILIO_API_BASE_URL = 'https://api.twilio.com'
const DEFAULT_TIMEOUT_MS = 15_000

export interface TwilioSmsOptions {
  /** Default https://api.twilio.com; tests point it at a stand-in. */
  baseURL?: string
  timeoutMs?: number
}

/** Twilio errors where the number itself cannot take our SMS: suppress it. */
const TWILIO_BAD_ADDRESS: Record<number, string> = {
  21211: "invalid 'To' number",
  21610: 'recipient unsubscribed (replied STOP)',
  21614: "'To' is not a mobile number",
  21635: "'To' is a landline",
}

/** Twilio's Programmable Messaging REST API. Credentials: `accountSid`, `authToken`, `from` (a number or an MG… Messaging Service SID). */
export class TwilioSmsProvider implements SmsProvider {
  readonly name = 'Twilio'
  private readonly baseURL: string
  private readonly timeoutMs: number

  constructor(options: TwilioSmsOptions = {}) {
    this.baseURL = (options.baseURL ?? TWILIO_API_BASE_URL).replace(/\/+$/, '')
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  }

  async send(to: string, text: string, reference: string, credentials: Record<string, string> = {}): Promise<SendOutcome> {
    const { accountSid, authToken, from } = credentials
    if (!accountSid || !authToken || !from) {
      const missing = (['accountSid', 'authToken', 'from'] as const).filter((k) => !credentials[k])
      return { ok: false, permanent: true, reason: `Twilio credentials missing: ${missing.join(', ')}` }
    }
    const form = new URLSearchParams({ To: to, Body: text })
    // A Messaging Service picks the sender itself (and handles STOP lists per service).
    if (/^MG[0-9a-f]{32}$/i.test(from)) form.set('MessagingServiceSid', from)
    else form.set('From', from)
    // Twilio reports delivered / undelivered / failed later, to this URL.
    if (credentials.statusCallback) form.set('StatusCallback', credentials.statusCallback)

    const url = `${this.baseURL}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`
    const signal = AbortSignal.timeout(this.timeoutMs)
    let res: Response
    let body: string
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: {
          Authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`, 'utf8').toString('base64')}`,
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        body: form.toString(),
        signal,
      })
      body = await res.text()
    } catch (err) {
      if (signal.aborted) return { ok: false, permanent: false, reason: `Twilio timeout after ${this.timeoutMs} ms for ${reference}: outcome unknown, the SMS may have been sent` }
      return { ok: false, permanent: false, reason: `Twilio network error for ${reference}: ${describe(err)}` }
    }
    return twilioOutcome(res.status, body, res.headers.get('retry-after'))
  }
}

interface TwilioError {
  code?: number
  message?: string
  more_info?: string
}

/** Maps Twilio's answer to an outcome. Exported for tests of the mapping alone. */
export function twilioOutcome(status: number, body: string, retryAfter: string | null): SendOutcome {
  const json = parseJson(body)
  if (status >= 200 && status < 300) {
    const sid = typeof json?.sid === 'string' ? json.sid : undefined
    return { ok: true, ...(sid && { providerId: sid }), response: `Twilio ${status} ${typeof json?.status === 'string' ? json.status : ''}`.trim() }
  }
  const err = (json ?? {}) as TwilioError
  const reason = `Twilio ${status}${err.code ? ` ${err.code}` : ''}: ${err.message ?? (body.slice(0, 200) || '(empty answer)')}`
  if (status === 429 || err.code === 20429) {
    const retryAfterMs = parseRetryAfter(retryAfter)
    return { ok: false, permanent: false, reason, ...(retryAfterMs !== undefined && { retryAfterMs }) }
  }
  if (status >= 500) {
    const retryAfterMs = parseRetryAfter(retryAfter)
    return { ok: false, permanent: false, reason: `${reason} (outcome unknown, the SMS may have been sent)`, ...(retryAfterMs !== undefined && { retryAfterMs }) }
  }
  if (status === 401 || err.code === 20003) return { ok: false, permanent: true, reason: `${reason} (authentication failed: check the Account SID and Auth Token)` }
  const bad = err.code !== undefined ? TWILIO_BAD_ADDRESS[err.code] : undefined
  if (bad) return { ok: false, permanent: true, suppressAddress: true, reason: `${reason} (${bad})` }
  return { ok: false, permanent: true, reason }
}

function parseJson(body: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body)
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message
  }
  return String(err)
}
