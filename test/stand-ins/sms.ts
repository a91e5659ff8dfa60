/**
 * A stand-in for Twilio Programmable Messaging's create-Message endpoint, written from Twilio's docs
 * (twilio.com/docs/messaging/api/message-resource, /docs/usage/twilios-response, and the error pages):
 * - `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, HTTP Basic auth AccountSid:AuthToken
 *   (bad credentials: 401 `{"code":20003,"message":"Authenticate",…}`);
 * - form-encoded `To`, `From` or `MessagingServiceSid`, `Body` (at most 1600 characters);
 * - 201 with the Message resource (`sid` "SM" + 32 hex, `status` "queued", RFC 2822 dates, `direction` outbound-api);
 * - errors as JSON `{code, message, more_info, status}`: 21604 no To, 21211 invalid To, 21603 no From,
 *   21602 no Body, 21617 Body over 1600, 21610 unsubscribed recipient, 20429 too many requests, 20404 unknown path.
 * Twilio validates the number against its numbering plan; the stand-in checks the E.164 shape only.
 */
import { createHmac, randomBytes } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface SmsMessage {
  sid: string
  accountSid: string
  to: string
  from: string | null
  messagingServiceSid: string | null
  body: string
  headers: IncomingHttpHeaders
  /** The StatusCallback URL the sender gave, if any. */
  statusCallback: string | null
}

export interface SmsRequestLog {
  status: number
  to: string | undefined
  body: string | undefined
}

export interface SmsStandIn {
  url: string
  /** The account the stand-in knows (also any in `accounts`). */
  accountSid: string
  authToken: string
  /** Accepted messages (201), in order. */
  messages: SmsMessage[]
  /** Every create request with the status it got. */
  requests: SmsRequestLog[]
  /** The next `times` requests get `status` (Twilio-shaped error body unless given) and nothing is recorded. */
  failNext(status: number, times: number, headers?: Record<string, string>, body?: unknown): void
  /** The next `times` requests are read and never answered. */
  stallNext(times: number): void
  /**
   * Reports a later status of an accepted message the way Twilio does: a form POST to its
   * StatusCallback, signed with X-Twilio-Signature (HMAC-SHA1 with the account's auth token over the
   * URL followed by the parameters sorted by name, each name then value; base64). Returns the HTTP status.
   */
  report(sid: string, status: 'sent' | 'delivered' | 'undelivered' | 'failed', errorCode?: number): Promise<number>
  close(): Promise<void>
}

/** Twilio's request signature (twilio.com/docs/usage/webhooks/webhooks-security). */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = url + Object.keys(params).sort().map((k) => k + params[k]).join('')
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64')
}

export interface SmsStandInOptions {
  /** Extra accounts, AccountSid → AuthToken. */
  accounts?: Record<string, string>
  /** Numbers that replied STOP: 21610. */
  unsubscribed?: string[]
}

const E164 = /^\+[1-9]\d{6,14}$/
const PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/
const DEFAULT_ERRORS: Record<number, { code: number; message: string }> = {
  429: { code: 20429, message: 'Too Many Requests' },
  500: { code: 20500, message: 'An internal server error has occurred' },
  503: { code: 20503, message: 'Service Unavailable' },
}

/** Starts the stand-in on 127.0.0.1 and a free port. */
export async function startSmsStandIn(opts: SmsStandInOptions = {}): Promise<SmsStandIn> {
  const accountSid = `AC${randomBytes(16).toString('hex')}`
  const authToken = randomBytes(16).toString('hex')
  const accounts = new Map<string, string>([[accountSid, authToken], ...Object.entries(opts.accounts ?? {})])
  const unsubscribed = new Set(opts.unsubscribed ?? [])
  const messages: SmsMessage[] = []
  const requests: SmsRequestLog[] = []
  const failures: Array<{ status: number; headers: Record<string, string>; body: unknown }> = []
  let stalls = 0

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0] ?? ''
      const sidInPath = PATH.exec(path)?.[1]
      const isForm = /^application\/x-www-form-urlencoded\s*(;|$)/i.test(req.headers['content-type'] ?? '')
      const params = isForm ? new URLSearchParams(Buffer.concat(chunks).toString('utf8')) : new URLSearchParams()
      const to = params.get('To') ?? undefined
      const text = params.get('Body') ?? undefined
      const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
        if (sidInPath) requests.push({ status, to, body: text })
        res.writeHead(status, { 'Content-Type': 'application/json', ...headers })
        res.end(JSON.stringify(body))
      }
      const error = (status: number, code: number, message: string): void =>
        send(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status })

      if (req.method !== 'POST' || !sidInPath) return error(404, 20404, `The requested resource ${path} was not found`)
      if (stalls > 0) {
        stalls--
        return
      }
      const failure = failures.shift()
      if (failure) return send(failure.status, failure.body, failure.headers)

      const [user, pass] = basicAuth(req.headers.authorization)
      if (!user || accounts.get(user) !== pass) return error(401, 20003, 'Authenticate')
      // Credentials for one account cannot act on another.
      if (user !== sidInPath) return error(403, 20003, 'Permission Denied')

      // Without a form body Twilio sees no parameters at all, so the first missing one is reported.
      if (!to) return error(400, 21604, "A 'To' phone number is required.")
      if (!E164.test(to)) return error(400, 21211, `The 'To' number ${to} is not a valid phone number.`)
      const from = params.get('From')
      const messagingServiceSid = params.get('MessagingServiceSid')
      if (!from && !messagingServiceSid) return error(400, 21603, "A 'From' phone number is required.")
      if (!text) return error(400, 21602, 'Message body is required.')
      if (text.length > 1600) return error(400, 21617, 'The concatenated message body exceeds the 1600 character limit.')
      if (unsubscribed.has(to)) return error(400, 21610, 'Attempt to send to unsubscribed recipient')

      const sid = `SM${randomBytes(16).toString('hex')}`
      const now = new Date().toUTCString().replace('GMT', '+0000')
      messages.push({ sid, accountSid: user, to, from, messagingServiceSid, body: text, headers: req.headers, statusCallback: params.get('StatusCallback') })
      send(201, {
        account_sid: user,
        api_version: '2010-04-01',
        body: text,
        date_created: now,
        date_sent: null,
        date_updated: now,
        direction: 'outbound-api',
        error_code: null,
        error_message: null,
        from: from ?? null,
        messaging_service_sid: messagingServiceSid,
        num_media: '0',
        // A Messaging Service has not picked a sender yet, so Twilio reports 0 segments at creation.
        num_segments: messagingServiceSid ? '0' : String(segments(text)),
        price: null,
        price_unit: 'USD',
        sid,
        status: messagingServiceSid ? 'accepted' : 'queued',
        subresource_uris: { media: `/2010-04-01/Accounts/${user}/Messages/${sid}/Media.json` },
        to,
        uri: `/2010-04-01/Accounts/${user}/Messages/${sid}.json`,
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    messages,
    requests,
    failNext(status, times, headers = {}, body) {
      const known = DEFAULT_ERRORS[status] ?? { code: status * 100, message: `HTTP ${status}` }
      const payload = body ?? { ...known, more_info: `https://www.twilio.com/docs/errors/${known.code}`, status }
      for (let i = 0; i < times; i++) failures.push({ status, headers, body: payload })
    },
    stallNext(times) {
      stalls += times
    },
    async report(sid, status, errorCode) {
      const m = messages.find((x) => x.sid === sid)
      if (!m?.statusCallback) throw new Error(`message ${sid} has no StatusCallback`)
      const params: Record<string, string> = {
        AccountSid: m.accountSid, ApiVersion: '2010-04-01', From: m.from ?? '+15005550006', MessageSid: sid, MessageStatus: status,
        SmsSid: sid, SmsStatus: status, To: m.to, ...(errorCode ? { ErrorCode: String(errorCode) } : {}),
      }
      const res = await fetch(m.statusCallback, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(accounts.get(m.accountSid)!, m.statusCallback, params), 'user-agent': 'TwilioProxy/1.1' },
        body: new URLSearchParams(params).toString(),
      })
      return res.status
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Approximate SMS segments: ASCII as GSM-7 (160, or 153 per part), anything else as UCS-2 (70, or 67). */
function segments(text: string): number {
  const gsm = /^[\x20-\x7e\n\r]*$/.test(text)
  const [single, part] = gsm ? [160, 153] : [70, 67]
  return text.length <= single ? 1 : Math.ceil(text.length / part)
}

function basicAuth(header: string | undefined): [string | undefined, string | undefined] {
  const encoded = /^Basic (.+)$/i.exec(header ?? '')?.[1]
  if (!encoded) return [undefined, undefined]
  const decoded = Buffer.from(encoded, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon < 0 ? [undefined, undefined] : [decoded.slice(0, colon), decoded.slice(colon + 1)]
}
