import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startLineStandIn, type LineStandIn } from '../../../../test/stand-ins/line.js'
import type { LineMessage, SendRequest } from '../types.js'
import { LineSender, lineRetryKey } from './line.js'

const TOKEN = 'tenant-a-channel-token'
const USER = 'U4af4980629cb0c3d7e2f14a0c9e6e9f1'
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

const flex: LineMessage = {
  type: 'flex',
  altText: 'ご注文の商品を発送しました',
  contents: {
    type: 'bubble',
    body: { type: 'box', layout: 'vertical', contents: [{ type: 'text', text: 'ヤマト運輸 4455-6677-8899' }] },
    footer: {
      type: 'box',
      layout: 'vertical',
      contents: [{ type: 'button', style: 'primary', action: { type: 'uri', label: '配送状況を見る', uri: 'https://brand.example/t/abc123' } }],
    },
  },
}

let line: LineStandIn
let sender: LineSender
let n = 0

beforeAll(async () => {
  line = await startLineStandIn({ tokens: [TOKEN], unknownUsers: ['U00000000000000000000000000000000'] })
  sender = new LineSender({ baseURL: line.url })
})
afterAll(async () => {
  await sender.close()
  await line.close()
})
beforeEach(() => {
  line.pushes.length = 0
  line.requests.length = 0
})

function request(messages: LineMessage[], overrides: Partial<SendRequest> = {}): SendRequest {
  return {
    messageId: `msg_line_${++n}`,
    tenantId: 'ten_a',
    attempt: 1,
    to: USER,
    content: { channel: 'line', line: { messages } },
    credentials: { channelAccessToken: TOKEN },
    ...overrides,
  }
}

describe('lineRetryKey', () => {
  it('is a v4-shaped UUID, the same for the same message and different for another', () => {
    const a = lineRetryKey('msg_01')
    expect(a).toMatch(UUID_V4)
    expect(lineRetryKey('msg_01')).toBe(a)
    expect(lineRetryKey('msg_02')).not.toBe(a)
    expect(lineRetryKey('msg_02')).toMatch(UUID_V4)
  })
})

describe('LineSender against the LINE stand-in', () => {
  it('pushes text and a flex message with a URI button, with the bearer token and the retry key', async () => {
    const req = request([{ type: 'text', text: 'ご注文ありがとうございます 🎉' }, flex])
    const outcome = await sender.send(req)
    expect(line.pushes).toHaveLength(1)
    const push = line.pushes[0]!
    expect(outcome).toMatchObject({ ok: true, providerId: push.requestId })
    expect(push.headers.authorization).toBe(`Bearer ${TOKEN}`)
    expect(push.headers['content-type']).toMatch(/^application\/json/)
    expect(push.retryKey).toBe(lineRetryKey(req.messageId))
    expect(push.retryKey).toMatch(UUID_V4)
    expect(push.body).toEqual({ to: USER, messages: [{ type: 'text', text: 'ご注文ありがとうございます 🎉' }, flex] })
  })

  it('a retry after a 500 carries the same retry key and is delivered once', async () => {
    const req = request([{ type: 'text', text: 'shipped' }])
    line.failNext(500, 1)
    const first = await sender.send(req)
    expect(first.ok === false && first.permanent === false).toBe(true)
    expect(line.pushes).toHaveLength(0)
    const second = await sender.send({ ...req, attempt: 2 })
    expect(second.ok).toBe(true)
    expect(line.requests.map((r) => r.status)).toEqual([500, 200])
    expect(line.requests[0]!.retryKey).toBe(line.requests[1]!.retryKey)
    expect(line.requests[0]!.retryKey).toMatch(UUID_V4)
    expect(line.pushes).toHaveLength(1)
  })

  it('429 is transient with Retry-After, and the retry uses the same key', async () => {
    const req = request([{ type: 'text', text: 'out for delivery' }])
    line.failNext(429, 1, { 'Retry-After': '7' })
    const first = await sender.send(req)
    expect(first).toEqual({ ok: false, permanent: false, retryAfterMs: 7000, reason: 'LINE 429: The API rate limit has been exceeded. Try again later.' })
    line.failNext(429, 1)
    const second = await sender.send({ ...req, attempt: 2 })
    expect(second.ok === false && second.permanent === false && second.retryAfterMs === undefined).toBe(true)
    const third = await sender.send({ ...req, attempt: 3 })
    expect(third.ok).toBe(true)
    expect(new Set(line.requests.map((r) => r.retryKey))).toEqual(new Set([lineRetryKey(req.messageId)]))
    expect(line.pushes).toHaveLength(1)
  })

  it('sending the same message again after success gets 409, reported as sent, and LINE keeps one push', async () => {
    const req = request([{ type: 'text', text: 'delivered' }])
    const first = await sender.send(req)
    expect(first.ok).toBe(true)
    const again = await sender.send({ ...req, attempt: 2 })
    expect(line.requests.map((r) => r.status)).toEqual([200, 409])
    expect(again).toMatchObject({ ok: true, providerId: line.pushes[0]!.requestId })
    expect(line.pushes).toHaveLength(1)
    // A different message to the same user is a new push.
    expect((await sender.send(request([{ type: 'text', text: 'delivered' }]))).ok).toBe(true)
    expect(line.pushes).toHaveLength(2)
  })

  it('more than 5 messages is permanent, with LINE’s detail in the reason', async () => {
    const six = Array.from({ length: 6 }, (_, i): LineMessage => ({ type: 'text', text: `m${i}` }))
    const outcome = await sender.send(request(six))
    expect(outcome.ok).toBe(false)
    if (outcome.ok) return
    expect(outcome.permanent).toBe(true)
    expect(outcome.reason).toBe('LINE 400: The request body has 1 error(s) [messages: Size must be between 1 and 5]')
    expect(line.pushes).toHaveLength(0)
  })

  it('a text over 5000 characters is permanent, naming the property', async () => {
    // 4999 + one surrogate-pair emoji = 5001 UTF-16 units: LINE counts the emoji as 2.
    const outcome = await sender.send(request([{ type: 'text', text: 'a' }, { type: 'text', text: `${'あ'.repeat(4999)}📦` }]))
    expect(outcome.ok === false && outcome.permanent).toBe(true)
    expect(outcome.ok === false && outcome.reason).toBe('LINE 400: The request body has 1 error(s) [messages[1].text: Length must be between 0 and 5000]')
    const exactly = await sender.send(request([{ type: 'text', text: `${'あ'.repeat(4998)}📦` }]))
    expect(exactly.ok).toBe(true)
  })

  it('a flex button with a non-web URI scheme is permanent, with the JSON pointer LINE gives', async () => {
    const bad = structuredClone(flex) as Extract<LineMessage, { type: 'flex' }>
    ;(bad.contents as { footer: { contents: Array<{ action: { uri: string } }> } }).footer.contents[0]!.action.uri = 'javascript:alert(1)'
    const outcome = await sender.send(request([bad]))
    expect(outcome.ok === false && outcome.permanent).toBe(true)
    expect(outcome.ok === false && outcome.reason).toBe(
      'LINE 400: A message (messages[0]) in the request body is invalid [/footer/contents/0/action/uri: invalid uri scheme]',
    )
  })

  it('a flex message without altText is permanent', async () => {
    const outcome = await sender.send(request([{ ...flex, altText: '' }]))
    expect(outcome.ok === false && outcome.permanent && outcome.reason.includes('messages[0].altText: May not be empty')).toBe(true)
  })

  it('a malformed user id is permanent', async () => {
    const outcome = await sender.send(request([{ type: 'text', text: 'hi' }], { to: 'taro@example.com' }))
    expect(outcome.ok === false && outcome.permanent && outcome.reason.includes("The property, 'to'")).toBe(true)
  })

  it('a user id unknown to the provider is permanent but does not suppress the address', async () => {
    const outcome = await sender.send(request([{ type: 'text', text: 'hi' }], { to: 'U00000000000000000000000000000000' }))
    expect(outcome).toEqual({ ok: false, permanent: true, reason: 'LINE 400: Failed to send messages' })
  })

  it('a token LINE does not know is permanent, with LINE’s message', async () => {
    const outcome = await sender.send(request([{ type: 'text', text: 'hi' }], { credentials: { channelAccessToken: 'revoked-token' } }))
    expect(outcome.ok === false && outcome.permanent).toBe(true)
    expect(outcome.ok === false && outcome.reason).toMatch(/^LINE 401: Authentication failed\. .*channel access token rejected/)
    expect(line.requests[0]!.authorization).toBe('Bearer revoked-token')
  })

  it('one client per token: two tenants each send with their own token', async () => {
    line.tokens.add('tenant-b-token')
    await sender.send(request([{ type: 'text', text: 'a' }]))
    await sender.send(request([{ type: 'text', text: 'b' }], { credentials: { channelAccessToken: 'tenant-b-token' } }))
    await sender.send(request([{ type: 'text', text: 'c' }]))
    expect(line.pushes.map((p) => p.headers.authorization)).toEqual([`Bearer ${TOKEN}`, 'Bearer tenant-b-token', `Bearer ${TOKEN}`])
  })

  it('a bounded client cache still sends with the right token after eviction', async () => {
    line.tokens.add('tenant-c-token')
    const small = new LineSender({ baseURL: line.url, maxClients: 1 })
    for (const token of [TOKEN, 'tenant-c-token', TOKEN]) {
      expect((await small.send(request([{ type: 'text', text: 'x' }], { credentials: { channelAccessToken: token } }))).ok).toBe(true)
    }
    expect(line.pushes.map((p) => p.headers.authorization)).toEqual([`Bearer ${TOKEN}`, 'Bearer tenant-c-token', `Bearer ${TOKEN}`])
  })

  it('a missing token is permanent and nothing is sent', async () => {
    const outcome = await sender.send(request([{ type: 'text', text: 'hi' }], { credentials: {} }))
    expect(outcome.ok === false && outcome.permanent && outcome.reason.includes('channelAccessToken')).toBe(true)
    expect(line.requests).toHaveLength(0)
  })

  it('the monthly quota (429 "monthly limit") is permanent; the rate limit is not', async () => {
    line.failNext(429, 1, {}, { message: 'You have reached your monthly limit.' })
    const outcome = await sender.send(request([{ type: 'text', text: 'hi' }]))
    expect(outcome.ok === false && outcome.permanent && outcome.reason.includes('monthly')).toBe(true)
  })

  it('503 with Retry-After is transient and keeps the delay', async () => {
    line.failNext(503, 1, { 'Retry-After': '12' })
    const outcome = await sender.send(request([{ type: 'text', text: 'hi' }]))
    expect(outcome).toMatchObject({ ok: false, permanent: false, retryAfterMs: 12_000 })
  })

  it('a LINE that does not answer in time is transient', async () => {
    line.stallNext(1)
    const quick = new LineSender({ baseURL: line.url, timeoutMs: 150 })
    const outcome = await quick.send(request([{ type: 'text', text: 'slow' }]))
    expect(outcome.ok === false && outcome.permanent === false && outcome.reason.startsWith('LINE timeout')).toBe(true)
    expect(line.pushes).toHaveLength(0)
  })

  it('a push LINE accepted but whose answer was lost is not sent twice: the retry gets 409 and reports it sent', async () => {
    const req = request([{ type: 'text', text: 'accepted, answer lost' }])
    line.stallNext(1, true)
    const quick = new LineSender({ baseURL: line.url, timeoutMs: 150 })
    const first = await quick.send(req)
    expect(first.ok === false && first.permanent === false).toBe(true)
    const retry = await quick.send({ ...req, attempt: 2 })
    expect(retry).toMatchObject({ ok: true, providerId: line.pushes[0]!.requestId })
    expect(line.requests.map((r) => r.status)).toEqual([200, 409])
    expect(line.pushes).toHaveLength(1)
  })

  it('a refused connection is transient', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const outcome = await new LineSender({ baseURL: `http://127.0.0.1:${port}` }).send(request([{ type: 'text', text: 'hi' }]))
    expect(outcome.ok === false && outcome.permanent === false && outcome.reason.startsWith('LINE network error')).toBe(true)
  })
})
