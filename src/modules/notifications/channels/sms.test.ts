import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startSmsStandIn, type SmsStandIn } from '../../../../test/stand-ins/sms.js'
import type { SendOutcome, SendRequest } from '../types.js'
import { SmsSender, TwilioSmsProvider, type SmsProvider } from './sms.js'

const TO = '+819012345678'
const FROM = '+15005550006'
const STOPPED = '+819099998888'

let twilio: SmsStandIn
let sender: SmsSender
let n = 0

beforeAll(async () => {
  twilio = await startSmsStandIn({ unsubscribed: [STOPPED] })
  sender = new SmsSender(new TwilioSmsProvider({ baseURL: twilio.url }))
})
afterAll(async () => {
  await sender.close()
  await twilio.close()
})
beforeEach(() => {
  twilio.messages.length = 0
  twilio.requests.length = 0
})

function request(text: string, overrides: Partial<SendRequest> = {}): SendRequest {
  return {
    messageId: `msg_sms_${++n}`,
    tenantId: 'ten_a',
    attempt: 1,
    to: TO,
    content: { channel: 'sms', sms: { text } },
    credentials: { accountSid: twilio.accountSid, authToken: twilio.authToken, from: FROM },
    ...overrides,
  }
}

describe('SmsSender with Twilio against the Twilio stand-in', () => {
  it('sends To, From and Body with Basic auth and reports the Message SID', async () => {
    const outcome = await sender.send(request('【ブランド】ご注文の商品を発送しました https://brand.example/t/abc'))
    expect(twilio.messages).toHaveLength(1)
    const msg = twilio.messages[0]!
    expect(outcome).toEqual({ ok: true, providerId: msg.sid, response: 'Twilio 201 queued' })
    expect(msg.sid).toMatch(/^SM[0-9a-f]{32}$/)
    expect(msg).toMatchObject({ accountSid: twilio.accountSid, to: TO, from: FROM, messagingServiceSid: null, body: '【ブランド】ご注文の商品を発送しました https://brand.example/t/abc' })
    expect(msg.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(msg.headers.authorization).toBe(`Basic ${Buffer.from(`${twilio.accountSid}:${twilio.authToken}`).toString('base64')}`)
  })

  it('a Messaging Service SID as `from` is sent as MessagingServiceSid', async () => {
    const service = `MG${'a1'.repeat(16)}`
    const req = request('hello')
    const outcome = await sender.send({ ...req, credentials: { ...req.credentials, from: service } })
    expect(outcome.ok).toBe(true)
    expect(twilio.messages[0]).toMatchObject({ from: null, messagingServiceSid: service })
  })

  it('an invalid number is permanent and suppresses the address', async () => {
    const outcome = await sender.send(request('hi', { to: '090-1234-5678' }))
    expect(outcome).toEqual({
      ok: false,
      permanent: true,
      suppressAddress: true,
      reason: "Twilio 400 21211: The 'To' number 090-1234-5678 is not a valid phone number. (invalid 'To' number)",
    })
    expect(twilio.messages).toHaveLength(0)
  })

  it('an unsubscribed recipient (21610) is permanent and suppresses the address', async () => {
    const outcome = await sender.send(request('hi', { to: STOPPED }))
    expect(outcome).toMatchObject({ ok: false, permanent: true, suppressAddress: true })
    expect(outcome.ok === false && outcome.reason.startsWith('Twilio 400 21610: Attempt to send to unsubscribed recipient')).toBe(true)
  })

  it('a body over 1600 characters is permanent but keeps the address', async () => {
    const outcome = await sender.send(request('x'.repeat(1601)))
    expect(outcome).toEqual({ ok: false, permanent: true, reason: 'Twilio 400 21617: The concatenated message body exceeds the 1600 character limit.' })
    expect((await sender.send(request('x'.repeat(1600)))).ok).toBe(true)
  })

  it('429 is transient and honours Retry-After; the next attempt goes through', async () => {
    twilio.failNext(429, 1, { 'Retry-After': '3' })
    const req = request('rate limited')
    const first = await sender.send(req)
    expect(first).toEqual({ ok: false, permanent: false, retryAfterMs: 3000, reason: 'Twilio 429 20429: Too Many Requests' })
    expect(twilio.messages).toHaveLength(0)
    expect((await sender.send({ ...req, attempt: 2 })).ok).toBe(true)
    expect(twilio.requests.map((r) => r.status)).toEqual([429, 201])
  })

  it('500 is transient and says the outcome is unknown', async () => {
    twilio.failNext(500, 1)
    const outcome = await sender.send(request('boom'))
    expect(outcome.ok === false && outcome.permanent === false).toBe(true)
    expect(outcome.ok === false && outcome.reason).toBe('Twilio 500 20500: An internal server error has occurred (outcome unknown, the SMS may have been sent)')
  })

  it('a wrong auth token is permanent (20003), not suppressing', async () => {
    const req = request('hi')
    const outcome = await sender.send({ ...req, credentials: { ...req.credentials, authToken: 'wrong' } })
    expect(outcome).toEqual({ ok: false, permanent: true, reason: 'Twilio 401 20003: Authenticate (authentication failed: check the Account SID and Auth Token)' })
    expect(twilio.messages).toHaveLength(0)
  })

  it('credentials of an account the stand-in does not know are refused the same way', async () => {
    const req = request('hi')
    const outcome = await sender.send({ ...req, credentials: { ...req.credentials, accountSid: `AC${'0'.repeat(32)}` } })
    expect(outcome.ok === false && outcome.permanent && outcome.reason.startsWith('Twilio 401 20003')).toBe(true)
  })

  it('missing credentials are permanent and nothing is sent', async () => {
    const outcome = await sender.send(request('hi', { credentials: { accountSid: twilio.accountSid } }))
    expect(outcome).toEqual({ ok: false, permanent: true, reason: 'Twilio credentials missing: authToken, from' })
    expect(twilio.requests).toHaveLength(0)
  })

  it('a Twilio that does not answer in time is transient, flagged as possibly sent', async () => {
    twilio.stallNext(1)
    const quick = new SmsSender(new TwilioSmsProvider({ baseURL: twilio.url, timeoutMs: 150 }))
    const outcome = await quick.send(request('slow'))
    expect(outcome.ok === false && outcome.permanent === false && outcome.reason.includes('outcome unknown')).toBe(true)
  })

  it('empty text is refused before calling the provider', async () => {
    const outcome = await sender.send(request('  '))
    expect(outcome.ok === false && outcome.permanent).toBe(true)
    expect(twilio.requests).toHaveLength(0)
  })
})

describe('SmsSender', () => {
  it('passes to, text, the message id as reference and the credentials to its provider', async () => {
    const calls: unknown[][] = []
    const fake: SmsProvider = {
      name: 'Fake',
      async send(...args): Promise<SendOutcome> {
        calls.push(args)
        return { ok: true, providerId: 'fake-1' }
      },
    }
    const outcome = await new SmsSender(fake).send(request('hello', { messageId: 'msg_ref_1', credentials: { k: 'v' } }))
    expect(outcome).toEqual({ ok: true, providerId: 'fake-1' })
    expect(calls).toEqual([[TO, 'hello', 'msg_ref_1', { k: 'v' }]])
  })

  it('turns a provider that throws into a transient outcome', async () => {
    const broken: SmsProvider = {
      name: 'Broken',
      send: async () => {
        throw new Error('bug')
      },
    }
    expect(await new SmsSender(broken).send(request('x'))).toEqual({ ok: false, permanent: false, reason: 'Broken adapter failed: bug' })
  })
})
