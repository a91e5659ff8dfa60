/**
 * A stand-in for the LINE Messaging API push endpoint (`POST /v2/bot/message/push`), written from:
 * - LINE's OpenAPI spec (line/line-openapi messaging-api.yml, see /work/shared/research/line.md): PushMessageRequest
 *   `to` + `messages` (1..5), ErrorResponse `{message, details?: [{message, property}], sentMessages?}`, the
 *   X-Line-Retry-Key header (format uuid) and the 200/400/403/409/429 answers;
 * - developers.line.biz "Retry failed API requests" and the reference's retry-key section: once a request with a
 *   key is accepted, a request with the same key is not executed again and gets 409, header
 *   `x-line-accepted-request-id` and `{"message":"The retry key is already accepted","sentMessages":[…]}`;
 *   keys are kept for 24 hours (not modelled here);
 * - the reference's common specs: every answer carries `x-line-request-id`; 401 for a bad token; 429 when over the
 *   rate limit; the FAQ: a push to a user who blocked the account answers 200 (nothing is delivered), a push to a
 *   user id that does not exist answers 400 "Failed to send messages"; a text's length counts UTF-16 code units;
 * - LINE's answers as seen in public bug reports and SDK tests: "Authentication failed. Confirm that the access
 *   token in the authorization header is valid.", "The request body has N error(s)" with details such as
 *   `{"message":"Length must be between 0 and 5000","property":"messages[0].text"}` or "May not be empty",
 *   "The property, 'to', in the request body is invalid …", and for Flex contents
 *   "A message (messages[0]) in the request body is invalid" with JSON-pointer properties such as
 *   `{"message":"invalid uri scheme","property":"/footer/contents/0/action/uri"}`.
 * Wording we could not confirm (the invalid retry key, the 1..5 size detail, the container type detail) is ours and
 * marked below; clients must key on the status, not on these strings.
 */
import { randomInt, randomUUID } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface LinePush {
  headers: IncomingHttpHeaders
  body: { to: string; messages: Array<Record<string, unknown>>; [key: string]: unknown }
  retryKey: string | undefined
  /** The x-line-request-id we answered with. */
  requestId: string
}

export interface LineRequestLog {
  status: number
  retryKey: string | undefined
  authorization: string | undefined
  requestId: string
}

export interface LineStandIn {
  url: string
  /** Accepted pushes (200), in order. */
  pushes: LinePush[]
  /** Every request to the push endpoint with the status it got, accepted or not. */
  requests: LineRequestLog[]
  /** Channel access tokens the stand-in knows; add or remove freely. */
  tokens: Set<string>
  /** The next `times` requests get `status` (with these headers / body) and are not recorded as pushes. */
  failNext(status: number, times: number, headers?: Record<string, string>, body?: unknown): void
  /**
   * The next `times` requests are read and never answered (to test client timeouts). With `accept`, each is
   * processed first (a valid push is recorded and its retry key remembered): LINE sent it, and the answer was lost.
   */
  stallNext(times: number, accept?: boolean): void
  close(): Promise<void>
}

export interface LineStandInOptions {
  /** Known channel access tokens (default: 'line-test-token'). */
  tokens?: string[]
  /** Well-formed user ids that do not exist for this provider: push answers 400 "Failed to send messages". */
  unknownUsers?: string[]
}

interface Detail {
  message: string
  property: string
}

const PUSH_PATH = '/v2/bot/message/push'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
/** User, group and room ids: a letter and 32 lowercase hex digits. */
const RECEIVER_ID = /^[UCR][0-9a-f]{32}$/
const URI_SCHEMES = new Set(['http:', 'https:', 'line:', 'tel:'])
const DEFAULT_BODIES: Record<number, unknown> = {
  429: { message: 'The API rate limit has been exceeded. Try again later.' },
  500: { message: 'Internal server error' },
  502: { message: 'Bad Gateway' },
  503: { message: 'Service Unavailable' },
}

/** Starts the stand-in on 127.0.0.1 and a free port. */
export async function startLineStandIn(opts: LineStandInOptions = {}): Promise<LineStandIn> {
  const tokens = new Set(opts.tokens ?? ['line-test-token'])
  const unknownUsers = new Set(opts.unknownUsers ?? [])
  const pushes: LinePush[] = []
  const requests: LineRequestLog[] = []
  const accepted = new Map<string, { requestId: string; sentMessages: Array<{ id: string }> }>()
  const failures: Array<{ status: number; headers: Record<string, string>; body: unknown }> = []
  const stalls: boolean[] = []

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const requestId = randomUUID()
      const retryKey = header(req.headers, 'x-line-retry-key')
      const stall = req.method === 'POST' && req.url === PUSH_PATH ? stalls.shift() : undefined
      const send = (status: number, body: unknown, extra: Record<string, string> = {}): void => {
        if (req.url === PUSH_PATH) requests.push({ status, retryKey, authorization: header(req.headers, 'authorization'), requestId })
        // A stalled request is never answered; close() drops the socket.
        if (stall === undefined) reply(res, status, body, { 'x-line-request-id': requestId, ...extra })
      }
      if (req.method !== 'POST' || req.url !== PUSH_PATH) return send(404, { message: 'Not found' })
      if (stall === false) return
      const failure = failures.shift()
      if (failure) return send(failure.status, failure.body, failure.headers)

      const authorization = header(req.headers, 'authorization')
      if (!authorization) return send(401, { message: "Authorization header required. Must follow the scheme, 'Authorization: Bearer <ACCESS TOKEN>'" })
      const token = /^Bearer (.+)$/.exec(authorization)?.[1]
      if (!token || !tokens.has(token)) return send(401, { message: 'Authentication failed. Confirm that the access token in the authorization header is valid.' })

      const contentType = header(req.headers, 'content-type') ?? ''
      if (!/^application\/json\s*(;|$)/i.test(contentType)) return send(400, { message: `The content type, ${contentType || '(none)'}, is not supported` })

      // Our wording: LINE's exact message for a malformed key is not in the sources we read.
      if (retryKey !== undefined && !UUID.test(retryKey)) return send(400, { message: 'The retry key must be a UUID in hexadecimal format' })
      const previous = retryKey === undefined ? undefined : accepted.get(retryKey.toLowerCase())
      if (previous) return send(409, { message: 'The retry key is already accepted', sentMessages: previous.sentMessages }, { 'x-line-accepted-request-id': previous.requestId })

      let body: unknown
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      } catch {
        return send(400, { message: 'The request body could not be parsed as JSON (line: 1, column: 1)' })
      }
      const problem = validatePush(body)
      if (problem) return send(400, problem)
      const push = body as LinePush['body']
      if (unknownUsers.has(push.to)) return send(400, { message: 'Failed to send messages' })

      const sentMessages = push.messages.map(() => ({ id: `${randomInt(1e8, 1e9)}${randomInt(1e8, 1e9)}` }))
      if (retryKey !== undefined) accepted.set(retryKey.toLowerCase(), { requestId, sentMessages })
      pushes.push({ headers: req.headers, body: push, retryKey, requestId })
      send(200, { sentMessages })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    pushes,
    requests,
    tokens,
    failNext(status, times, headers = {}, body) {
      for (let i = 0; i < times; i++) failures.push({ status, headers, body: body ?? DEFAULT_BODIES[status] ?? { message: `HTTP ${status}` } })
    },
    stallNext(times, accept = false) {
      for (let i = 0; i < times; i++) stalls.push(accept)
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** LINE's 400 answer for a push body, or undefined when it is acceptable. */
function validatePush(body: unknown): { message: string; details?: Detail[] } | undefined {
  if (!isObject(body)) return { message: 'The request body has 1 error(s)', details: [{ message: 'May not be null', property: 'body' }] }
  const details: Detail[] = []
  if (typeof body.to !== 'string' || body.to === '') details.push({ message: 'May not be empty', property: 'to' })
  const messages = body.messages
  if (!Array.isArray(messages) || messages.length < 1 || messages.length > 5) {
    // Our wording, in the style of LINE's "Length must be between 0 and 5000"; the limits are the spec's.
    details.push({ message: 'Size must be between 1 and 5', property: 'messages' })
  } else {
    messages.forEach((m, i) => details.push(...validateMessageShape(m, `messages[${i}]`)))
  }
  if (details.length > 0) return { message: `The request body has ${details.length} error(s)`, details }

  if (!RECEIVER_ID.test(body.to as string)) return { message: "The property, 'to', in the request body is invalid (line: -, column: -)" }
  for (const [i, m] of (messages as Array<Record<string, unknown>>).entries()) {
    if (m.type !== 'flex') continue
    const flexDetails = validateFlexContainer(m.contents as Record<string, unknown>)
    if (flexDetails.length > 0) return { message: `A message (messages[${i}]) in the request body is invalid`, details: flexDetails }
  }
  return undefined
}

function validateMessageShape(m: unknown, at: string): Detail[] {
  if (!isObject(m)) return [{ message: 'May not be null', property: at }]
  if (m.type === 'text') {
    if (typeof m.text !== 'string' || m.text === '') return [{ message: 'May not be empty', property: `${at}.text` }]
    // String length counts UTF-16 code units, as LINE does (a surrogate-pair emoji is 2 characters).
    if (m.text.length > 5000) return [{ message: 'Length must be between 0 and 5000', property: `${at}.text` }]
    return []
  }
  if (m.type === 'flex') {
    const out: Detail[] = []
    if (typeof m.altText !== 'string' || m.altText === '') out.push({ message: 'May not be empty', property: `${at}.altText` })
    else if (m.altText.length > 400) out.push({ message: 'Length must be between 0 and 400', property: `${at}.altText` })
    if (!isObject(m.contents)) out.push({ message: 'May not be null', property: `${at}.contents` })
    return out
  }
  // Only the types Kando sends are modelled; anything else is refused as LINE refuses an unknown type.
  return [{ message: 'Must be one of the following values: [text, flex]', property: `${at}.type` }]
}

/** Flex checks: the container type, and every URI action's scheme. Properties are JSON pointers into `contents`. */
function validateFlexContainer(contents: Record<string, unknown>): Detail[] {
  if (contents.type !== 'bubble' && contents.type !== 'carousel') return [{ message: 'must be one of [bubble, carousel]', property: '/type' }] // our wording
  if (contents.type === 'carousel' && (!Array.isArray(contents.contents) || contents.contents.length === 0)) {
    return [{ message: 'must be specified', property: '/contents' }]
  }
  const out: Detail[] = []
  walk(contents, '', (node, pointer) => {
    if (node.type !== 'uri') return
    const uri = node.uri
    let scheme: string | undefined
    try {
      scheme = typeof uri === 'string' ? new URL(uri).protocol : undefined
    } catch {
      scheme = undefined
    }
    if (scheme === undefined) out.push({ message: 'invalid uri', property: `${pointer}/uri` })
    if (scheme === undefined || !URI_SCHEMES.has(scheme)) out.push({ message: 'invalid uri scheme', property: `${pointer}/uri` })
  })
  return out
}

function walk(node: unknown, pointer: string, visit: (node: Record<string, unknown>, pointer: string) => void): void {
  if (Array.isArray(node)) {
    node.forEach((child, i) => walk(child, `${pointer}/${i}`, visit))
    return
  }
  if (!isObject(node)) return
  visit(node, pointer)
  for (const [key, child] of Object.entries(node)) walk(child, `${pointer}/${key}`, visit)
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}
