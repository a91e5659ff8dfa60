import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { SendRequest } from '../types.js'
import { parseRetryAfter, signWebhook, verifyWebhookSignature, WebhookSender } from './webhook.js'

const SECRET = 'whsec_test_0123456789'
const NOW_MS = Date.UTC(2026, 0, 15, 3, 0, 0)
const NOW_S = NOW_MS / 1000

interface Received {
  method: string
  url: string
  headers: IncomingHttpHeaders
  body: string
}

/** A brand's receiver: records every request and answers with whatever the test sets. */
let server: Server
let base: string
let received: Received[] = []
let answer: (res: ServerResponse) => void = (res) => res.end()

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      answer(res)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})
beforeEach(() => {
  received = []
  answer = (res) => res.writeHead(204).end()
})

function request(overrides: Partial<SendRequest> = {}, body = JSON.stringify({ type: 'shipment.delivered', data: { trackingNumber: '4455-6677-8899', note: '配達完了 ✓' } })): SendRequest {
  return {
    messageId: 'msg_01JH7XK2',
    tenantId: 'ten_1',
    attempt: 1,
    to: `${base}/hooks/kando`,
    content: { channel: 'webhook', body, secret: SECRET, eventType: 'shipment.delivered' },
    ...overrides,
  }
}

const sender = new WebhookSender({ now: () => NOW_MS })

describe('WebhookSender', () => {
  it('POSTs the exact body with the documented headers, and the signature verifies', async () => {
    const req = request()
    const outcome = await sender.send(req)
    expect(outcome).toEqual({ ok: true, response: 'HTTP 204' })
    expect(received).toHaveLength(1)
    const got = received[0]!
    expect(got.method).toBe('POST')
    expect(got.url).toBe('/hooks/kando')
    expect(got.headers['content-type']).toBe('application/json')
    expect(got.headers['user-agent']).toBe('Kando-Webhooks/1')
    expect(got.headers['kando-event-type']).toBe('shipment.delivered')
    expect(got.headers['kando-delivery']).toBe('msg_01JH7XK2')
    expect(req.content.channel === 'webhook' && got.body === req.content.body).toBe(true)
    const signature = String(got.headers['kando-signature'])
    expect(signature).toMatch(new RegExp(`^t=${NOW_S},v1=[0-9a-f]{64}$`))
    expect(verifyWebhookSignature(SECRET, signature, got.body, NOW_S)).toBe(true)
    // A receiver a little behind or ahead of our clock still accepts it.
    expect(verifyWebhookSignature(SECRET, signature, got.body, NOW_S + 299)).toBe(true)
    expect(verifyWebhookSignature(SECRET, signature, got.body, NOW_S - 299)).toBe(true)
  })

  it('a tampered body, another secret, an old or future timestamp, or a garbled header fail verification', async () => {
    await sender.send(request())
    const got = received[0]!
    const signature = String(got.headers['kando-signature'])
    expect(verifyWebhookSignature(SECRET, signature, got.body.replace('4455', '4456'), NOW_S)).toBe(false)
    expect(verifyWebhookSignature('whsec_other', signature, got.body, NOW_S)).toBe(false)
    expect(verifyWebhookSignature(SECRET, signature, got.body, NOW_S + 301)).toBe(false)
    expect(verifyWebhookSignature(SECRET, signature, got.body, NOW_S - 301)).toBe(false)
    expect(verifyWebhookSignature(SECRET, signature, got.body, NOW_S + 3600, 7200)).toBe(true)
    // Moving the timestamp forward without re-signing breaks the MAC.
    const forged = signature.replace(`t=${NOW_S}`, `t=${NOW_S + 600}`)
    expect(verifyWebhookSignature(SECRET, forged, got.body, NOW_S + 600)).toBe(false)
    for (const bad of ['', 'v1=abc', `t=${NOW_S}`, `t=${NOW_S},v1=zz`, `t=x,v1=${'0'.repeat(64)}`]) expect(verifyWebhookSignature(SECRET, bad, got.body, NOW_S)).toBe(false)
  })

  it('accepts any matching v1 so a secret can be rotated', () => {
    const body = '{"a":1}'
    const oldSig = signWebhook('old', body, NOW_S)
    const newSig = signWebhook('new', body, NOW_S)
    const both = `${newSig},${oldSig.split(',')[1]}`
    expect(verifyWebhookSignature('old', both, body, NOW_S)).toBe(true)
    expect(verifyWebhookSignature('new', both, body, NOW_S)).toBe(true)
    expect(verifyWebhookSignature('neither', both, body, NOW_S)).toBe(false)
  })

  it('the same message signs with the same delivery id on a retry, and the signature follows the clock', async () => {
    let clock = NOW_MS
    const s = new WebhookSender({ now: () => clock })
    await s.send(request())
    clock += 90_000
    await s.send(request({ attempt: 2 }))
    expect(received.map((r) => r.headers['kando-delivery'])).toEqual(['msg_01JH7XK2', 'msg_01JH7XK2'])
    expect(received[1]!.headers['kando-signature']).toMatch(new RegExp(`^t=${NOW_S + 90},`))
  })

  it('500 is transient and honours Retry-After', async () => {
    answer = (res) => res.writeHead(503, { 'Retry-After': '30' }).end('maintenance')
    const outcome = await sender.send(request())
    expect(outcome).toEqual({ ok: false, permanent: false, retryAfterMs: 30_000, reason: 'webhook answered HTTP 503: maintenance' })
    answer = (res) => res.writeHead(500).end()
    const plain = await sender.send(request())
    expect(plain.ok === false && plain.permanent === false && plain.retryAfterMs === undefined).toBe(true)
  })

  it('408 and 429 are transient', async () => {
    for (const status of [408, 429]) {
      answer = (res) => res.writeHead(status).end()
      const outcome = await sender.send(request())
      expect(outcome.ok === false && outcome.permanent).toBe(false)
    }
  })

  it('410 is permanent and suppresses the endpoint', async () => {
    answer = (res) => res.writeHead(410).end('this endpoint was removed')
    expect(await sender.send(request())).toEqual({ ok: false, permanent: true, suppressAddress: true, reason: 'webhook endpoint gone (HTTP 410): this endpoint was removed' })
  })

  it('other 4xx are permanent, with the status and the first 200 characters of the answer', async () => {
    const long = `{"error":"bad payload","detail":"${'x'.repeat(400)}"}`
    answer = (res) => res.writeHead(400, { 'Content-Type': 'application/json' }).end(long)
    const outcome = await sender.send(request())
    expect(outcome.ok).toBe(false)
    if (outcome.ok) return
    expect(outcome.permanent).toBe(true)
    expect(outcome.suppressAddress).toBeUndefined()
    expect(outcome.reason).toBe(`webhook answered HTTP 400: ${long.slice(0, 200)}`)
  })

  it('a redirect is not followed and is permanent', async () => {
    answer = (res) => res.writeHead(301, { Location: 'http://169.254.169.254/latest/meta-data' }).end()
    const outcome = await sender.send(request())
    expect(outcome.ok === false && outcome.permanent && outcome.reason.includes('redirect')).toBe(true)
    expect(received).toHaveLength(1)
  })

  it('a receiver that does not answer in time is transient', async () => {
    answer = () => {} // never answers
    const outcome = await new WebhookSender({ timeoutMs: 150, now: () => NOW_MS }).send(request())
    expect(outcome).toEqual({ ok: false, permanent: false, reason: 'webhook timed out after 150 ms' })
  })

  it('a refused connection is transient', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const outcome = await sender.send(request({ to: `http://127.0.0.1:${port}/x` }))
    expect(outcome.ok === false && outcome.permanent === false && outcome.reason.startsWith('webhook network error')).toBe(true)
  })

  it('refuses non-http(s) URLs, garbage and embedded credentials without sending', async () => {
    for (const to of ['ftp://example.com/x', 'file:///etc/passwd', 'javascript:alert(1)', 'not a url', `http://user:pw@127.0.0.1/x`]) {
      const outcome = await sender.send(request({ to }))
      expect(outcome.ok === false && outcome.permanent).toBe(true)
    }
    expect(received).toHaveLength(0)
  })
})

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and ignores garbage', () => {
    expect(parseRetryAfter('120')).toBe(120_000)
    expect(parseRetryAfter(new Date(NOW_MS + 45_000).toUTCString(), NOW_MS)).toBe(45_000)
    expect(parseRetryAfter(new Date(NOW_MS - 45_000).toUTCString(), NOW_MS)).toBe(0)
    expect(parseRetryAfter('soon')).toBeUndefined()
    expect(parseRetryAfter(null)).toBeUndefined()
  })
})
