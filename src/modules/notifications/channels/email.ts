/**
 * The email channel: hands a rendered email to an SMTP server through nodemailer's pooled
 * transport and turns the server's answer into a SendOutcome. `composeMime` builds the same
 * message without sending it (the built-in dev mailbox).
 */
import { createTransport, type NodemailerError, type SendMailOptions, type SMTPPoolOptions, type Transporter } from 'nodemailer'
import MailComposer from 'nodemailer/lib/mail-composer'
import type { SMTPPoolSentMessageInfo } from 'nodemailer'
import { isAddressFailure } from '../bounces.js'
import type { ChannelSender, SendOutcome, SendRequest } from '../types.js'

export interface SmtpEmailSenderOptions {
  /** Connections kept open to the server (nodemailer default 5). */
  maxConnections?: number
  /** Messages per connection before it is replaced (nodemailer default 100). */
  maxMessages?: number
  /** Sign every message (relaxed/relaxed, rsa-sha256; covers List-Unsubscribe and -Post). */
  dkim?: { domainName: string; keySelector: string; privateKey: string }
  /** Connect, greeting and socket inactivity timeout in ms (default 60 s; a hung server is a transient failure). */
  timeoutMs?: number
}

/** Where an smtp:// or smtps:// URL points. */
export interface SmtpEndpoint {
  host: string
  port: number
  /** smtps:// is TLS from the first byte (465); smtp:// upgrades with STARTTLS when offered. */
  secure: boolean
  auth?: { user: string; pass: string }
}

/**
 * Parses `smtp://user:pass@host:port` or `smtps://…`; user and password are percent-decoded.
 *
 * @example parseSmtpUrl('smtps://apikey:s%40cret@smtp.example.com') // { host: 'smtp.example.com', port: 465, secure: true, auth: { user: 'apikey', pass: 's@cret' } }
 */
export function parseSmtpUrl(smtpUrl: string): SmtpEndpoint {
  let url: URL
  try {
    url = new URL(smtpUrl)
  } catch (cause) {
    throw new TypeError('SMTP URL is not a URL (expected smtp://user:pass@host:port)', { cause })
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new TypeError(`SMTP URL must start with smtp:// or smtps://, not ${url.protocol}//`)
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  if (!host) throw new TypeError('SMTP URL has no host')
  const secure = url.protocol === 'smtps:'
  const endpoint: SmtpEndpoint = { host, port: url.port ? Number(url.port) : secure ? 465 : 587, secure }
  if (url.username) endpoint.auth = { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
  return endpoint
}

/** Headers this module sets itself: a caller's value would break the idempotency key or the addressing. */
const RESERVED_HEADERS = new Set(['message-id', 'x-kando-message-id', 'from', 'to', 'cc', 'bcc', 'subject', 'date', 'mime-version', 'content-type', 'content-transfer-encoding', 'dkim-signature'])
/** One addr-spec and nothing else: no display name, list separator, comment or whitespace. */
const SINGLE_ADDRESS = /^[^\s@<>,;:"()[\]\\]+@[^\s@<>,;:"()[\]\\]+$/
/** The left part of our msg-id: dot-atom text, so `<id@domain>` is a valid Message-ID. */
const MSG_ID_LEFT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$/

/**
 * The nodemailer message options for a request, shared by `send` and `composeMime` so the two
 * cannot drift. Throws TypeError for a request this channel cannot take (a caller's bug).
 */
function mailOptions(req: SendRequest): SendMailOptions {
  if (req.content.channel !== 'email') throw new TypeError(`email channel got ${req.content.channel} content`)
  if (!req.from) throw new TypeError('email needs req.from')
  if (!MSG_ID_LEFT.test(req.messageId)) throw new TypeError(`messageId ${JSON.stringify(req.messageId)} cannot be the left part of a Message-ID`)
  const at = req.from.address.lastIndexOf('@')
  const domain = req.from.address.slice(at + 1)
  if (at < 1 || !domain) throw new TypeError(`From address ${JSON.stringify(req.from.address)} has no domain`)
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(req.headers ?? {})) {
    if (RESERVED_HEADERS.has(name.toLowerCase())) throw new TypeError(`header ${name} is set by the email channel, not the caller`)
    headers[name] = value
  }
  headers['X-Kando-Message-Id'] = req.messageId
  const { subject, html, text } = req.content.email
  return {
    from: { name: req.from.name, address: req.from.address },
    to: req.to,
    // The envelope is given, not derived from the headers, so it is exactly one recipient.
    envelope: { from: req.from.address, to: [req.to] },
    subject,
    // text before html: multipart/alternative puts the preferred (last) part last.
    text,
    html,
    // The same on every attempt: a receiver (and our bounce parser) can tie a copy to its message.
    messageId: `<${req.messageId}@${domain}>`,
    date: new Date(),
    headers,
    // Content is always strings here; never let a value be read as a file path or URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  }
}

/**
 * The message as `send` would put it on the wire (without a DKIM signature), for the dev mailbox.
 * Multipart boundaries and the Date header differ between two builds; everything else is equal.
 */
export async function composeMime(req: SendRequest): Promise<Buffer> {
  return new MailComposer(mailOptions(req)).compile().build()
}

/** The queue id in a 250 reply, for the common MTAs and providers; undefined when none is recognised. */
export function queueIdFromReply(reply: string): string | undefined {
  const patterns = [
    /queued as ([\w.-]+)/i, // Postfix, SendGrid: 250 2.0.0 Ok: queued as 4F2A1B3C
    /\bid=([\w.-]+)/i, // Exim: 250 OK id=1rAbCd-000Xyz-12
    /^250 2\.0\.0 OK\s+\d+\s+(\S+) - gsmtp/i, // Gmail: 250 2.0.0 OK  1700000000 a1b2si.12 - gsmtp
    /^250 Ok ([\w-]{20,})\s*$/i, // Amazon SES: 250 Ok 0100018b…-000000
    /^250 2\.0\.0 (\w+) Message accepted/i, // Sendmail: 250 2.0.0 3AEB1234 Message accepted for delivery
  ]
  for (const pattern of patterns) {
    const match = pattern.exec(reply.trim())
    if (match) return match[1]
  }
  return undefined
}

/** The enhanced status code (RFC 3463) at the start of an SMTP reply, e.g. `5.1.1`. */
function enhancedCode(reply: string): string | undefined {
  return /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(reply.trim())?.[1]
}

/** The failure as kept in the message log: the server's reply, or the client's error code and message. */
function failureReason(err: NodemailerError): string {
  if (err.response) return err.response
  return `${err.code ?? 'ERROR'}${err.timeoutType ? ` (${err.timeoutType})` : ''}: ${err.message}`
}

/**
 * What an SMTP failure means for the message. 4xx, 503 and every failure without a reply
 * (refused connection, timeout, dropped socket, TLS, DNS) are transient: retrying the same
 * message later can succeed. So are rejected credentials (535): an operator fixes them, and the
 * customer's mail should still go out then. 5xx are permanent, except mailbox full (5.2.2, and a
 * bare 552 that RFC 5321 §4.5.3.1.10 says to read as 452): RFC 3463 calls a full mailbox a
 * persistent transient condition its owner can clear, so it is retried and, if it never clears,
 * fails after the retries without suppressing the address. The address is suppressed only when
 * the reply is about the recipient (`isAddressFailure`: 5.1.x other than the sender's
 * 5.1.7/5.1.8, 5.2.1 disabled, 5.4.x routing), or, with no enhanced code or the uninformative
 * 5.0.0, on 550/551/553; never for a 5.7.x policy or spam block, and never for a refusal of our
 * sender at MAIL FROM.
 */
function failureOutcome(err: NodemailerError): SendOutcome {
  const reason = failureReason(err)
  const code = err.responseCode
  if (err.code === 'EAUTH' || err.code === 'ENOAUTH') return { ok: false, permanent: false, reason }
  // The server announced a SIZE limit in EHLO and the message is over it: it will never fit.
  if (code === undefined && err.code === 'EMESSAGE' && /size larger than allowed/i.test(err.message)) return { ok: false, permanent: true, reason }
  if (code === undefined || code < 500 || code === 503) return { ok: false, permanent: false, reason }
  const enhanced = enhancedCode(reason)
  if (enhanced === '5.2.2' || (code === 552 && !enhanced)) return { ok: false, permanent: false, reason }
  const aboutRecipient = err.command !== 'MAIL FROM'
  const suppressAddress = aboutRecipient && (enhanced && enhanced !== '5.0.0' ? isAddressFailure(enhanced) : code === 550 || code === 551 || code === 553)
  return suppressAddress ? { ok: false, permanent: true, reason, suppressAddress: true } : { ok: false, permanent: true, reason }
}

/**
 * Sends email through one SMTP server with a pool of connections.
 *
 * @example
 * const sender = new SmtpEmailSender('smtps://apikey:secret@smtp.example.com', { maxConnections: 5 })
 * const outcome = await sender.send({ messageId: 'msg_1', tenantId, attempt: 1, to: 'a@example.jp',
 *   from: { name: 'ショップ', address: 'shop@example.jp' }, content: { channel: 'email', email: { subject, html, text } } })
 * await sender.close()
 */
export class SmtpEmailSender implements ChannelSender {
  readonly channel = 'email' as const
  readonly #transport: Transporter<SMTPPoolSentMessageInfo, SMTPPoolOptions>

  constructor(smtpUrl: string, options: SmtpEmailSenderOptions = {}) {
    const endpoint = parseSmtpUrl(smtpUrl)
    const timeoutMs = options.timeoutMs ?? 60_000
    this.#transport = createTransport({
      pool: true,
      host: endpoint.host,
      port: endpoint.port,
      secure: endpoint.secure,
      ...(endpoint.auth ? { auth: endpoint.auth } : {}),
      ...(options.maxConnections ? { maxConnections: options.maxConnections } : {}),
      ...(options.maxMessages ? { maxMessages: options.maxMessages } : {}),
      ...(options.dkim ? { dkim: options.dkim } : {}),
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      disableFileAccess: true,
      disableUrlAccess: true,
    })
  }

  /** Hands one message to the server; resolves with the server's verdict, never rejects for it. */
  async send(req: SendRequest): Promise<SendOutcome> {
    const message = mailOptions(req)
    if (!SINGLE_ADDRESS.test(req.to)) return { ok: false, permanent: true, reason: `not a single email address: ${JSON.stringify(req.to)}`, suppressAddress: true }
    try {
      const info = await this.#transport.sendMail(message)
      const providerId = queueIdFromReply(info.response)
      return providerId ? { ok: true, providerId, response: info.response } : { ok: true, response: info.response }
    } catch (err) {
      return failureOutcome(err as NodemailerError)
    }
  }

  /** Closes the pooled connections. */
  async close(): Promise<void> {
    this.#transport.close()
  }
}
