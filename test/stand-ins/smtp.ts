/**
 * A real SMTP server (smtp-server) in the test process, standing in for a mail provider's
 * submission endpoint. It keeps every accepted message's bytes exactly as received, can refuse
 * chosen recipients at RCPT (as a provider does for an unknown user) and can answer the next
 * DATA commands with an error (a provider's 421/451 or a 5xx).
 *
 * Parsing: by default each message is parsed with mailparser before the server answers 250, so
 * a 250 the client saw means the message is already in `messages`, `parsed` included. Parsing
 * costs about 1 ms a message in this process, as much as composing one does; a throughput
 * benchmark or a crash test of thousands of messages starts the stand-in with `parse: 'lazy'`:
 * the raw bytes and the Message-ID are still kept before the 250, and `parse()` parses on demand
 * (`parsed` then throws until `parse()` has been awaited for that message).
 */
import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer, type SMTPServerOptions } from 'smtp-server'

export interface StandInMessage {
  /** The DATA bytes exactly as received (dot-unstuffed, CRLF line ends, without the final dot). */
  raw: Buffer
  envelope: { from: string; to: string[] }
  /** Message-ID header value, `<…>`, read from the raw header block. */
  messageId?: string
  /** The queue id the stand-in gave in its 250 reply (`250 2.0.0 Ok: queued as <queueId>`). */
  queueId: string
  /** The message parsed by mailparser (see the module comment for `parse: 'lazy'`). */
  readonly parsed: ParsedMail
  /** Parses the message (once) and returns it. */
  parse(): Promise<ParsedMail>
}

/** A transaction the stand-in refused, kept so a test can see that the attempt reached it. */
export interface StandInRejection {
  stage: 'mail' | 'rcpt' | 'data'
  envelope: { from: string; to: string[] }
  /** The reply line sent, e.g. `550 5.1.1 <a@b>: Recipient address rejected: User unknown`. */
  reply: string
}

export interface SmtpStandInOptions {
  /** Require AUTH PLAIN/LOGIN with these credentials (offered over plain TCP: a test server). */
  auth?: { user: string; pass: string }
  /** Refuse these recipients at RCPT with the given reply, e.g. `550 5.1.1 User unknown`. */
  rejectRecipients?: Map<string, string>
  /** Refuse these senders at MAIL FROM with the given reply, e.g. `553 5.7.1 Sender address rejected: not owned by user`. */
  rejectSenders?: Map<string, string>
  /** 'eager' (default): parse before answering 250. 'lazy': parse on `parse()`. */
  parse?: 'eager' | 'lazy'
}

export interface SmtpStandIn {
  port: number
  /** smtp://127.0.0.1:port, with the credentials when `auth` was given. */
  url: string
  messages: StandInMessage[]
  rejections: StandInRejection[]
  /** Answer the next `times` DATA commands with `code message` instead of accepting them. */
  failNext(code: number, message: string, times: number): void
  /** Resolves once `n` messages have been accepted; rejects after `timeoutMs` (default 10 s). */
  waitFor(n: number, timeoutMs?: number): Promise<void>
  close(): Promise<void>
}

class SmtpReplyError extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message)
  }
}

/** Splits `550 5.1.1 text` into the reply code and the rest (which smtp-server sends after it). */
function replyError(reply: string): SmtpReplyError {
  const match = /^([2-5]\d\d)[ -]?(.*)$/s.exec(reply.trim())
  if (!match) throw new TypeError(`SMTP stand-in: a reply must start with a 3-digit code: ${JSON.stringify(reply)}`)
  return new SmtpReplyError(Number(match[1]), match[2]!)
}

/** The Message-ID header from the header block, unfolded; no MIME parsing needed. */
function headerMessageId(raw: Buffer): string | undefined {
  let end = raw.indexOf('\r\n\r\n')
  if (end < 0) end = raw.length
  const head = raw.subarray(0, end).toString('latin1').replace(/\r\n[ \t]+/g, ' ')
  const match = /^message-id:[ \t]*(.*)$/im.exec(head)
  return match ? match[1]!.trim() : undefined
}

let queueCounter = 0
/** A Postfix-shaped queue id (hex), unique within the process. */
function nextQueueId(): string {
  queueCounter += 1
  return `${Date.now().toString(16).toUpperCase()}${queueCounter.toString(16).toUpperCase().padStart(5, '0')}`
}

/**
 * Starts the stand-in on 127.0.0.1 on a free port.
 *
 * @example
 * const smtp = await startSmtpStandIn()
 * const sender = new SmtpEmailSender(smtp.url)
 * await sender.send(request)
 * expect(smtp.messages[0]!.parsed.subject).toBe('…')
 * await sender.close(); await smtp.close()
 */
export async function startSmtpStandIn(opts: SmtpStandInOptions = {}): Promise<SmtpStandIn> {
  const messages: StandInMessage[] = []
  const rejections: StandInRejection[] = []
  const failures: Array<{ code: number; message: string }> = []
  const waiters = new Set<{ n: number; resolve: () => void }>()
  const rejectRecipients = new Map<string, SmtpReplyError>()
  for (const [address, reply] of opts.rejectRecipients ?? []) rejectRecipients.set(address.toLowerCase(), replyError(reply))
  const rejectSenders = new Map<string, SmtpReplyError>()
  for (const [address, reply] of opts.rejectSenders ?? []) rejectSenders.set(address.toLowerCase(), replyError(reply))
  const lazy = opts.parse === 'lazy'

  const accepted = (message: StandInMessage): void => {
    messages.push(message)
    for (const waiter of waiters) if (messages.length >= waiter.n) waiter.resolve()
  }

  const serverOptions: SMTPServerOptions = {
    logger: false,
    // Close pooled client connections at once on close() (0 would mean the 30 s default).
    closeTimeout: 1,
    disabledCommands: opts.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !opts.auth,
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass) return callback(null, { user: auth.username })
      callback(new SmtpReplyError(535, '5.7.8 Authentication credentials invalid'))
    },
    onMailFrom(address, _session, callback) {
      const refusal = rejectSenders.get(address.address.toLowerCase())
      if (!refusal) return callback()
      rejections.push({ stage: 'mail', envelope: { from: address.address, to: [] }, reply: `${refusal.responseCode} ${refusal.message}` })
      callback(refusal)
    },
    onRcptTo(address, session, callback) {
      const refusal = rejectRecipients.get(address.address.toLowerCase())
      if (!refusal) return callback()
      const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : ''
      rejections.push({ stage: 'rcpt', envelope: { from, to: [address.address] }, reply: `${refusal.responseCode} ${refusal.message}` })
      callback(refusal)
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('error', (err: Error) => callback(err))
      stream.on('end', () => {
        const raw = Buffer.concat(chunks)
        const envelope = { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) }
        const failure = failures.shift()
        if (failure) {
          rejections.push({ stage: 'data', envelope, reply: `${failure.code} ${failure.message}` })
          return callback(new SmtpReplyError(failure.code, failure.message))
        }
        const queueId = nextQueueId()
        let parsed: ParsedMail | undefined
        let parsing: Promise<ParsedMail> | undefined
        const message: StandInMessage = {
          raw,
          envelope,
          messageId: headerMessageId(raw),
          queueId,
          get parsed(): ParsedMail {
            if (!parsed) throw new Error('SMTP stand-in (parse: lazy): await message.parse() before reading parsed')
            return parsed
          },
          parse() {
            parsing ??= simpleParser(raw).then((p) => (parsed = p))
            return parsing
          },
        }
        const reply = `2.0.0 Ok: queued as ${queueId}`
        if (lazy) {
          accepted(message)
          return callback(null, reply)
        }
        message.parse().then(
          () => {
            accepted(message)
            callback(null, reply)
          },
          (err: Error) => callback(new SmtpReplyError(554, `5.6.0 stand-in could not parse the message: ${err.message}`)),
        )
      })
    },
  }
  const server = new SMTPServer(serverOptions)
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  // Errors on single connections (a client dropping mid-session) are the client's business.
  server.on('error', () => {})
  const address = server.server.address()
  if (!address || typeof address === 'string') throw new Error('SMTP stand-in: no TCP address')
  const port = address.port
  const credentials = opts.auth ? `${encodeURIComponent(opts.auth.user)}:${encodeURIComponent(opts.auth.pass)}@` : ''

  return {
    port,
    url: `smtp://${credentials}127.0.0.1:${port}`,
    messages,
    rejections,
    failNext(code, message, times) {
      for (let i = 0; i < times; i++) failures.push({ code, message })
    },
    waitFor(n, timeoutMs = 10_000) {
      if (messages.length >= n) return Promise.resolve()
      return new Promise<void>((resolve, reject) => {
        const waiter = {
          n,
          resolve: () => {
            clearTimeout(timer)
            waiters.delete(waiter)
            resolve()
          },
        }
        const timer = setTimeout(() => {
          waiters.delete(waiter)
          reject(new Error(`SMTP stand-in: ${messages.length} of ${n} messages after ${timeoutMs} ms`))
        }, timeoutMs)
        waiters.add(waiter)
      })
    },
    close() {
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
