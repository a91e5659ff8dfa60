import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Clock } from '../src/platform/clock.js'
import { verifyWebhookSignature } from '../src/modules/notifications/channels/webhook.js'
import { DIALECTS } from './databases.js'
import { sampleOrder, startTestServer, type TestServer } from './harness.js'
import { startLineStandIn, type LineStandIn } from './stand-ins/line.js'
import { startSmtpStandIn, type SmtpStandIn } from './stand-ins/smtp.js'
import { startSmsStandIn, type SmsStandIn } from './stand-ins/sms.js'

/** Real time, shifted when a test needs another hour of the day (quiet hours). */
class ShiftedClock implements Clock {
  private offset = 0
  now(): Date {
    return new Date(Date.now() + this.offset)
  }
  set(at: string): void {
    this.offset = Date.parse(at) - Date.now()
  }
  reset(): void {
    this.offset = 0
  }
}

const mod7 = (body: string) => `${body}${Number(BigInt(body) % 7n)}`
const LINE_USER = 'U' + 'a1'.repeat(16)

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: notifications`, () => {
    let s: TestServer
    let smtp: SmtpStandIn
    let line: LineStandIn
    let sms: SmsStandIn
    let key: string
    let keyB: string
    let tenantId: string
    const clock = new ShiftedClock()
    let n = 0

    const call = (method: string, path: string, body?: unknown, k = key) => s.call(method, path, { key: k, body })
    const newOrder = async (customer: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => {
      const id = `ntf-${dialect}-${++n}`
      const base = sampleOrder(id)
      const res = await call('POST', '/api/v1/orders', { ...base, status: 'confirmed', customer: { ...base.customer, email: `${id}@example.jp`, phone: undefined, ...customer }, ...extra })
      expect(res.status).toBe(201)
      return res.body
    }
    const messagesOf = async (q: string) => (await call('GET', `/api/v1/messages?${q}&limit=100`)).body.items as Array<Record<string, any>>
    const settle = async (q: string, count = 1) =>
      until(`messages ${q}`, async () => {
        const items = await messagesOf(q)
        return items.length >= count && items.every((m) => !['queued', 'sending'].includes(m.status)) && items
      })
    const mailsTo = (addr: string) => smtp.messages.filter((m) => m.envelope.to.includes(addr))

    beforeAll(async () => {
      smtp = await startSmtpStandIn({ rejectRecipients: new Map([['nobody@example.jp', '550 5.1.1 <nobody@example.jp>: Recipient address rejected: User unknown']]) })
      line = await startLineStandIn({ tokens: ['line-test-token'] })
      sms = await startSmsStandIn()
      // Links in messages use the server's own address, so provider callbacks (Twilio's) reach it.
      // The webhook receiver in these tests listens on 127.0.0.1, as a self-hoster's internal system would.
      s = await startTestServer(dialect, { smtpUrl: smtp.url, lineApiUrl: line.url, smsApiUrl: sms.url, publicUrl: 'https://kando.example', webhooksAllowPrivate: true }, { clock })
      const a = await s.kando.tenants.create({ slug: 'ntf-a', name: '感動ストア' })
      key = a.apiKey.key
      tenantId = a.tenant.id
      keyB = (await s.kando.tenants.create({ slug: 'ntf-b', name: 'Other brand' })).apiKey.key
      // Quiet hours are tested on their own (with a shifted clock); elsewhere the time of day must not matter.
      const put = await call('PUT', '/api/v1/notifications/settings', { settings: { sender: { name: '感動ストア 🌸', email: 'shop@kando-store.example', postalAddress: '〒150-0001 東京都渋谷区神宮前1-2-3' }, quietHours: null, marketingCap: { count: 2, perHours: 24 } } })
      expect(put.status).toBe(200)
    })
    afterAll(async () => {
      await s?.close()
      await smtp?.close()
      await line?.close()
      await sms?.close()
    })

    it('a shipment sends the shipping email with the tracking link: subject, multipart, no unsubscribe headers on transactional mail', async () => {
      const order = await newOrder()
      const sh = await call('POST', `/api/v1/orders/${order.id}/shipments`, { carrier: 'yamato', trackingNumber: mod7('55501000001'), timeSlot: '14-16', origin: { prefectureCode: '11' } })
      expect(sh.status).toBe(201)
      const [confirmed, shipped] = await Promise.all([settle(`orderId=${order.id}&type=order_confirmed`), settle(`orderId=${order.id}&type=shipment_shipped`)])
      expect(confirmed[0]).toMatchObject({ status: 'sent', channel: 'email', category: 'transactional' })
      expect(shipped[0]).toMatchObject({ status: 'sent', channel: 'email', recipient: order.email, attempts: 1, summary: '🚚 ご注文の商品を発送しました' })
      const mail = smtp.messages.find((m) => m.messageId?.includes(shipped[0]!.id))!
      expect(mail).toBeDefined()
      const p = await mail.parse()
      expect(p.subject).toBe('🚚 ご注文の商品を発送しました')
      const rawHead = mail.raw.toString('latin1').split('\r\n\r\n')[0]!
      expect(rawHead).toMatch(/^Subject: =\?UTF-8\?[BQ]\?/im) // RFC 2047, no raw 8-bit in the header
      expect(rawHead).toMatch(/^Content-Type: multipart\/alternative/im)
      expect(p.from?.value[0]).toMatchObject({ name: '感動ストア 🌸', address: 'shop@kando-store.example' })
      expect(p.text).toContain(mod7('55501000001'))
      expect(p.html).toContain(`https://kando.example/t/${order.trackingToken}?utm_source=kando&amp;utm_medium=email&amp;utm_campaign=shipment_shipped&amp;m=${shipped[0]!.id}`)
      expect(p.text).toContain('14時〜16時')
      expect(p.headers.has('list-unsubscribe')).toBe(false)
      expect(p.headers.has('list-unsubscribe-post')).toBe(false)
      // message.sent is in the outbox
      const evts = (await call('GET', `/api/v1/events?type=message.sent&subject=${shipped[0]!.id}&limit=10`)).body.items
      expect(evts).toHaveLength(1)

      // Opened: the pixel in the mail. A forged tag changes nothing; the real one moves sent → opened.
      const pixel = p.html ? /<img src="https:\/\/kando\.example(\/o\/[^"]+\.gif)"/.exec(p.html as string)?.[1] : undefined
      expect(pixel).toMatch(/^\/o\/msg_[0-9a-z]{26}\.[A-Za-z0-9_-]{22}\.gif$/)
      const forged = pixel!.replace(/\.[A-Za-z0-9_-]{22}\.gif$/, '.AAAAAAAAAAAAAAAAAAAAAA.gif')
      expect((await fetch(s.url + forged)).headers.get('content-type')).toBe('image/gif')
      expect((await call('GET', `/api/v1/messages/${shipped[0]!.id}`)).body.status).toBe('sent')
      expect((await fetch(s.url + pixel!)).status).toBe(200)
      expect((await call('GET', `/api/v1/messages/${shipped[0]!.id}`)).body.status).toBe('opened')
      // Clicked: the tracking link in the mail carries the message id.
      const link = new URL(/https:\/\/kando\.example\/t\/[^"\s<>]+/.exec(p.text as string)![0])
      expect(link.searchParams.get('m')).toBe(shipped[0]!.id)
      expect((await fetch(s.url + link.pathname + link.search)).status).toBe(200)
      await until('clicked', async () => (await call('GET', `/api/v1/messages/${shipped[0]!.id}`)).body.status === 'clicked')
      expect((await call('GET', `/api/v1/events?type=link.clicked&subject=${shipped[0]!.id}&limit=10`)).body.items).toHaveLength(1)
      expect((await call('GET', `/api/v1/events?type=message.opened&subject=${shipped[0]!.id}&limit=10`)).body.items).toHaveLength(1)
    })

    it('the same message for the same thing is sent once, however often it is asked for', async () => {
      const order = await newOrder()
      await settle(`orderId=${order.id}&type=order_confirmed`)
      const again = await Promise.all([1, 2, 3].map(() => call('POST', '/api/v1/messages', { type: 'order_confirmed', orderId: order.id })))
      expect(again.map((r) => r.status)).toEqual([200, 200, 200])
      const list = await settle(`orderId=${order.id}&type=order_confirmed`)
      expect(list).toHaveLength(1)
      expect(mailsTo(order.email)).toHaveLength(1)
    })

    it('marketing without opt-in is never sent and the reason is logged; with opt-in it carries one-click unsubscribe, which works without login', async () => {
      const order = await newOrder()
      const customerId = order.customerId as string
      await settle(`orderId=${order.id}&type=order_confirmed`)
      const ask = (campaign: string) => call('POST', '/api/v1/messages', { type: 'marketing_announcement', customerId, subjectRef: campaign, announcement: { title: '冬の新作ブレンド', body: '12月限定の新作をご用意しました。', ctaLabel: '見てみる', ctaUrl: 'https://shop.example/winter' } })
      const first = await ask(`winter-${n}`)
      expect(first.status).toBe(201)
      expect(first.body).toMatchObject({ status: 'skipped', channel: null })
      expect(first.body.reason).toContain('email: no marketing opt-in')
      const before = mailsTo(order.email).length

      const granted = await call('POST', `/api/v1/customers/${customerId}/consents`, { channel: 'email', granted: true, source: 'checkout', evidence: 'ニュースレターを受け取る（チェックあり）' })
      expect(granted.body).toMatchObject({ changed: true, current: { granted: true, source: 'checkout' } })
      const second = await ask(`spring-${n}`)
      expect(second.body.status).toBe('queued')
      const [sent] = await settle(`customerId=${customerId}&type=marketing_announcement&status=sent`)
      const mail = mailsTo(order.email).find((m) => m.messageId?.includes(sent!.id))!
      expect(mailsTo(order.email).length).toBe(before + 1)
      const p = await mail.parse()
      const head = mail.raw.toString('latin1').split('\r\n\r\n')[0]!.replace(/\r\n[ \t]+/g, ' ')
      const listUnsub = head.match(/^List-Unsubscribe: (.*)$/im)?.[1] ?? ''
      expect(listUnsub).toMatch(/https:\/\/kando\.example\/p\/[A-Za-z0-9_-]{43}\/unsubscribe/)
      expect(head).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/im)
      expect(p.html).toContain('〒150-0001 東京都渋谷区神宮前1-2-3') // sender's address (特定電子メール法)
      expect(p.text).toMatch(/https:\/\/kando\.example\/p\/[A-Za-z0-9_-]{43}/) // a visible unsubscribe link

      // One-click, as a mail provider posts it: no cookie, no key.
      const path = new URL(listUnsub.replace(/^<|>$/g, '')).pathname
      const res = await fetch(s.url + path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' })
      expect(res.status).toBe(200)
      const consents = (await call('GET', `/api/v1/customers/${customerId}/consents`)).body
      expect(consents.current.email).toMatchObject({ granted: false, source: 'one_click' })
      expect(consents.history.map((h: { granted: boolean }) => h.granted)).toEqual([true, false])
      const third = await ask(`summer-${n}`)
      expect(third.body.status).toBe('skipped')
      // A GET of the link (a mail scanner following it) changes nothing.
      await call('POST', `/api/v1/customers/${customerId}/consents`, { channel: 'email', granted: true })
      expect((await fetch(s.url + path)).status).toBe(200)
      expect((await call('GET', `/api/v1/customers/${customerId}/consents`)).body.current.email.granted).toBe(true)
    })

    it('frequency cap: the third marketing message in 24 h is skipped with the reason', async () => {
      const order = await newOrder()
      const customerId = order.customerId as string
      await call('POST', `/api/v1/customers/${customerId}/consents`, { channel: 'email', granted: true })
      const out = []
      for (const c of ['a', 'b', 'c']) {
        out.push((await call('POST', '/api/v1/messages', { type: 'marketing_announcement', customerId, subjectRef: `cap-${c}-${n}`, announcement: { title: 'お知らせ', body: '本文' } })).body)
      }
      expect(out.map((m) => m.status)).toEqual(['queued', 'queued', 'skipped'])
      expect(out[2].reason).toContain('frequency cap')
    })

    it('quiet hours: marketing decided at 22:30 JST is held until 08:00 JST, then sent', async () => {
      const order = await newOrder()
      const customerId = order.customerId as string
      await call('POST', `/api/v1/customers/${customerId}/consents`, { channel: 'email', granted: true })
      await call('PUT', '/api/v1/notifications/settings', { settings: { sender: { name: '感動ストア 🌸', email: 'shop@kando-store.example', postalAddress: '〒150-0001 東京都渋谷区神宮前1-2-3' }, quietHours: { start: '21:00', end: '08:00' }, marketingCap: null } })
      try {
        clock.set('2030-01-15T13:30:00Z') // 22:30 in Tokyo
        const m = (await call('POST', '/api/v1/messages', { type: 'marketing_announcement', customerId, subjectRef: `night-${n}`, announcement: { title: '夜のお知らせ', body: '本文' } })).body
        expect(m).toMatchObject({ status: 'queued', sendAfter: '2030-01-15T23:00:00.000Z' })
        expect(m.reason).toContain('quiet hours')
        // A send job that comes early sends nothing.
        await s.kando.notifications.deliver(tenantId, m.id)
        expect((await call('GET', `/api/v1/messages/${m.id}`)).body.status).toBe('queued')
        expect(mailsTo(order.email).filter((x) => x.messageId?.includes(m.id))).toHaveLength(0)
        clock.set('2030-01-15T23:00:05Z') // 08:00:05 in Tokyo
        // The worker may take its job now too (SQLite's queue reads the same clock): one of the two sends.
        await s.kando.notifications.deliver(tenantId, m.id)
        await until('sent', async () => (await call('GET', `/api/v1/messages/${m.id}`)).body.status === 'sent')
        expect((await call('GET', `/api/v1/messages/${m.id}`)).body).toMatchObject({ status: 'sent', attempts: 1 })
        expect(mailsTo(order.email).filter((x) => x.messageId?.includes(m.id))).toHaveLength(1)
        // Transactional messages are never held.
        clock.set('2030-01-15T14:00:00Z')
        const t = (await call('POST', '/api/v1/messages', { type: 'order_confirmed', orderId: order.id, subjectRef: `late-night-${n}` })).body
        expect(t.status).toBe('queued')
        expect(t.sendAfter.slice(0, 19)).toBe('2030-01-15T14:00:00')
      } finally {
        clock.reset()
        await call('PUT', '/api/v1/notifications/settings', { settings: { sender: { name: '感動ストア 🌸', email: 'shop@kando-store.example', postalAddress: '〒150-0001 東京都渋谷区神宮前1-2-3' }, quietHours: null, marketingCap: { count: 2, perHours: 24 } } })
      }
    })

    it('LINE first when linked: a Flex push with a button to the tracking page, the same retry key on a retry after 500 and 429', async () => {
      const put = await call('PUT', '/api/v1/notifications/settings', { credentials: { line: { channelAccessToken: 'line-test-token' } } })
      expect(put.body.credentials).toEqual({ line: true, sms: false })
      expect(JSON.stringify(put.body)).not.toContain('line-test-token')
      const order = await newOrder()
      await settle(`orderId=${order.id}&type=order_confirmed`) // by email: LINE is not linked yet
      expect((await call('PATCH', `/api/v1/customers/${order.customerId}`, { lineUserId: LINE_USER })).status).toBe(200)
      const seen = line.requests.length
      line.failNext(500, 1)
      const sh = await call('POST', `/api/v1/orders/${order.id}/shipments`, { carrier: 'yamato', trackingNumber: mod7('55501000002') })
      // The retry after the 500 comes 5 s later: meanwhile LINE starts to limit the rate.
      await until('the 500', async () => line.requests.slice(seen).some((r) => r.status === 500))
      line.failNext(429, 1, { 'retry-after': '1' })
      const [m] = await until('LINE message sent', async () => {
        const items = await messagesOf(`shipmentId=${sh.body.id}`)
        return items[0]?.status === 'sent' && items
      }, 30_000)
      expect(m, JSON.stringify(m)).toMatchObject({ channel: 'line', recipient: LINE_USER, attempts: 3 })
      const tries = line.requests.slice(seen)
      expect(tries.map((r) => r.status)).toEqual([500, 429, 200])
      expect(new Set(tries.map((r) => r.retryKey)).size).toBe(1)
      const push = line.pushes.find((p) => p.retryKey === tries[0]!.retryKey)!
      expect(line.pushes.filter((p) => p.retryKey === tries[0]!.retryKey)).toHaveLength(1)
      expect(push.headers.authorization).toBe('Bearer line-test-token')
      const flex = push.body.messages.find((x) => x.type === 'flex') as { contents: any; altText: string }
      expect(flex.altText.length).toBeLessThanOrEqual(400)
      const uris = JSON.stringify(flex.contents).match(/"uri":"([^"]+)"/g) ?? []
      expect(uris.some((u) => u.includes(`https://kando.example/t/${order.trackingToken}`))).toBe(true)
      const detail = (await call('GET', `/api/v1/messages/${m!.id}`)).body
      expect(detail.attempts_log.map((a: { outcome: string }) => a.outcome)).toEqual(['transient', 'transient', 'sent'])
      await call('PUT', '/api/v1/notifications/settings', { credentials: { line: null } })
    })

    it('events that arrive together after the delivery send the delivery message only', async () => {
      const order = await newOrder()
      const ago = (h: number) => new Date(Date.now() - h * 3600_000).toISOString()
      // The fulfilment and the carrier's catch-up in one transaction (as a carrier file with the
      // label and the scans would bring them): no consumer can see the parcel before its delivery.
      const scope = s.kando.scope(tenantId)
      const by = { source: 'api', actor: 'test' }
      const sh = await s.kando.db.transaction(async (trx) => {
        const { shipment } = await s.kando.tracking.createShipment(scope.with(trx), order.id, { carrier: 'yamato', trackingNumber: mod7('55501000009'), readyAt: ago(30) } as never, by)
        await s.kando.tracking.addEventCounts(scope.with(trx), shipment.id, [
          { rawStatus: '配達中', occurredAt: ago(4) }, { rawStatus: '持戻（ご不在）', occurredAt: ago(3) }, { rawStatus: '配達完了', occurredAt: ago(1) },
        ] as never, by)
        return shipment
      })
      expect((await call('GET', `/api/v1/shipments/${sh.id}`)).body.status).toBe('delivered')
      // One batch: shipment.created, then (depending on the calendar) shipment.delayed, then shipment.delivered.
      // One message per message-firing event of the parcel (shipment.created, maybe .delayed, .delivered).
      const fired = (await call('GET', `/api/v1/events?subject=${sh.id}&limit=50`)).body.items
        .filter((e: { type: string }) => ['shipment.created', 'shipment.delayed', 'shipment.delivered', 'shipment.out_for_delivery', 'shipment.delivery_failed'].includes(e.type)).length
      const all = await settle(`shipmentId=${sh.id}`, fired)
      const byType = Object.fromEntries(all.map((m) => [m.type, m]))
      expect(byType.shipment_delivered).toMatchObject({ status: 'sent' })
      for (const m of all.filter((x) => x.type !== 'shipment_delivered')) {
        expect(m).toMatchObject({ status: 'skipped' })
        expect(m.reason).toContain('superseded')
      }
      expect(byType.shipment_shipped).toBeDefined()
      expect(mailsTo(order.email).filter((m) => all.some((x) => m.messageId?.includes(x.id)))).toHaveLength(1)
    })

    it('SMS when there is only a phone number: sent through the Twilio-compatible API, then delivered or undelivered by signed status callbacks', async () => {
      await call('PUT', '/api/v1/notifications/settings', { credentials: { sms: { accountSid: sms.accountSid, authToken: sms.authToken, from: '+815012345678' } } })
      try {
        const order = await newOrder({ email: undefined, phone: '090-5555-0101' }, { email: undefined })
        const [m] = await settle(`orderId=${order.id}&type=order_confirmed`)
        expect(m).toMatchObject({ status: 'sent', channel: 'sms', recipient: '+819055550101' })
        const sent = sms.messages.find((x) => x.sid === m!.providerId)!
        expect(sent.body).toContain(order.number)
        expect(sent.statusCallback).toBe(`https://kando.example/webhooks/twilio/ntf-a/status`)
        // Twilio posts to the public URL; here the test server stands behind it.
        sent.statusCallback = `${s.url}/webhooks/twilio/ntf-a/status`
        // A callback signed over another URL than the one Kando gave is refused.
        expect(await sms.report(sent.sid, 'delivered')).toBe(403)
        expect((await call('GET', `/api/v1/messages/${m!.id}`)).body.status).toBe('sent')
        // Signed over Kando's URL, as Twilio does.
        const signedFor = `https://kando.example/webhooks/twilio/ntf-a/status`
        const params = { AccountSid: sms.accountSid, MessageSid: sent.sid, MessageStatus: 'delivered', To: sent.to }
        const { twilioSignature } = await import('./stand-ins/sms.js')
        const ok = await fetch(`${s.url}/webhooks/twilio/ntf-a/status`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(sms.authToken, signedFor, params) }, body: new URLSearchParams(params).toString() })
        expect(ok.status).toBe(204)
        expect((await call('GET', `/api/v1/messages/${m!.id}`)).body.status).toBe('delivered')
        expect((await call('GET', `/api/v1/events?type=message.delivered&subject=${m!.id}&limit=10`)).body.items).toHaveLength(1)

        const other = await newOrder({ email: undefined, phone: '090-5555-0102' }, { email: undefined })
        const [m2] = await settle(`orderId=${other.id}&type=order_confirmed`)
        const p2 = { AccountSid: sms.accountSid, MessageSid: m2!.providerId, MessageStatus: 'undelivered', ErrorCode: '30005', To: '+819055550102' }
        const bad = await fetch(`${s.url}/webhooks/twilio/ntf-a/status`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(sms.authToken, signedFor, p2) }, body: new URLSearchParams(p2).toString() })
        expect(bad.status).toBe(204)
        const after = (await call('GET', `/api/v1/messages/${m2!.id}`)).body
        expect(after).toMatchObject({ status: 'failed' })
        expect(after.reason).toContain('30005')
        const next = (await call('POST', '/api/v1/messages', { type: 'order_confirmed', orderId: other.id, subjectRef: `sms-again-${n}` })).body
        expect(next.reason).toContain('sms: address suppressed')
      } finally {
        await call('PUT', '/api/v1/notifications/settings', { credentials: { sms: null } })
      }
    })

    it('a rejected address fails at once with the server reason, is suppressed, and the next message skips email', async () => {
      const order = await newOrder({ email: 'nobody@example.jp' })
      const [m] = await settle(`orderId=${order.id}&type=order_confirmed`)
      expect(m).toMatchObject({ status: 'failed', attempts: 1 })
      expect(m!.reason).toContain('550 5.1.1')
      const next = (await call('POST', '/api/v1/messages', { type: 'order_confirmed', orderId: order.id, subjectRef: `again-${n}` })).body
      expect(next.status).toBe('skipped')
      expect(next.reason).toContain('email: address suppressed')
      const failed = (await call('GET', `/api/v1/events?type=message.failed&subject=${m!.id}&limit=10`)).body.items
      expect(failed).toHaveLength(1)
    })

    it('a DSN posted to the bounce endpoint marks the message bounced and suppresses the address', async () => {
      const order = await newOrder()
      const [m] = await settle(`orderId=${order.id}&type=order_confirmed`)
      const dsn = [
        'From: MAILER-DAEMON@mx.example.jp', `To: shop@kando-store.example`, 'Subject: Undelivered Mail Returned to Sender', 'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"', '', '--b1', 'Content-Type: text/plain', '', 'The mail could not be delivered.', '',
        '--b1', 'Content-Type: message/delivery-status', '', 'Reporting-MTA: dns; mx.example.jp', '', `Final-Recipient: rfc822; ${order.email}`, 'Action: failed', 'Status: 5.1.1',
        'Diagnostic-Code: smtp; 550 5.1.1 user unknown', '', '--b1', 'Content-Type: text/rfc822-headers', '', `Message-ID: <${m!.id}@kando-store.example>`, `To: ${order.email}`, '', '--b1--', '',
      ].join('\r\n')
      const res = await s.call('POST', '/api/v1/notifications/bounces', { key, rawBody: dsn, headers: { 'content-type': 'message/rfc822' } })
      expect(res.status).toBe(200)
      expect(res.body).toEqual({ messageId: m!.id, suppressed: true })
      expect((await call('GET', `/api/v1/messages/${m!.id}`)).body.status).toBe('bounced')
      const junk = await s.call('POST', '/api/v1/notifications/bounces', { key, rawBody: 'Subject: hi\r\n\r\nhello', headers: { 'content-type': 'message/rfc822' } })
      expect(junk.status).toBe(422)
      expect(junk.headers.get('content-type')).toContain('application/problem+json')
    })

    it('outgoing webhooks: signed, verifiable, retried after a 500', async () => {
      const got: Array<{ headers: Record<string, string | string[] | undefined>; body: string }> = []
      let failFirst = true
      const receiver: Server = createServer((req, res) => {
        let body = ''
        req.on('data', (c) => (body += c))
        req.on('end', () => {
          if (failFirst) {
            failFirst = false
            res.writeHead(500).end('oops')
            return
          }
          got.push({ headers: req.headers, body })
          res.writeHead(204).end()
        })
      })
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r))
      try {
        const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/kando`
        const ep = await call('POST', '/api/v1/webhook-endpoints', { url, eventTypes: ['order.cancelled'] })
        expect(ep.status).toBe(201)
        expect(ep.body.secret).toMatch(/^whsec_/)
        expect(JSON.stringify((await call('GET', '/api/v1/webhook-endpoints')).body)).not.toContain(ep.body.secret)
        // The endpoint cache holds for 5 s; a fresh endpoint is seen by events after that.
        await new Promise((r) => setTimeout(r, 5_100))
        const order = await newOrder()
        expect((await call('POST', `/api/v1/orders/${order.id}/cancel`, { reason: 'customer' })).status).toBe(200)
        await until('webhook delivery', async () => got.length > 0, 30_000)
        const d = got[0]!
        const body = JSON.parse(d.body)
        expect(body).toMatchObject({ type: 'order.cancelled', subject: order.id })
        expect(verifyWebhookSignature(ep.body.secret, String(d.headers['kando-signature']), d.body, Math.floor(Date.now() / 1000))).toBe(true)
        expect(verifyWebhookSignature(ep.body.secret, String(d.headers['kando-signature']), d.body.replace('cancelled', 'confirmed'), Math.floor(Date.now() / 1000))).toBe(false)
        expect(d.headers['kando-delivery']).toMatch(/^msg_/)
        expect((await call('DELETE', `/api/v1/webhook-endpoints/${ep.body.id}`)).status).toBe(204)
      } finally {
        await new Promise((r) => receiver.close(r))
      }
    }, 60_000)

    it('templates: preview with sample and real data, hostile names stay text, a broken template is refused with pointers, a saved one is used', async () => {
      const order = await newOrder({ firstName: '<script>alert(1)</script>', lastName: '"><img src=x onerror=alert(2)>' })
      const sample = await call('POST', '/api/v1/templates/preview', { type: 'shipment_shipped', channel: 'email', locale: 'en' })
      expect(sample.status).toBe(200)
      expect(sample.body.email.subject.length).toBeGreaterThan(3)
      const real = await call('POST', '/api/v1/templates/preview', { type: 'order_confirmed', channel: 'email', locale: 'ja', orderId: order.id })
      expect(real.status).toBe(200)
      expect(real.body.email.html).not.toContain('<script>alert(1)')
      expect(real.body.email.html).not.toContain('<img src=x')
      expect(real.body.email.html).toContain('&lt;script&gt;')
      expect(real.body.email.html).toContain(order.number)
      const broken = await call('PUT', '/api/v1/templates/order_confirmed/email/ja', { subject: 'ご注文 {{ order.number ', body: '<mj-section><mj-column><mj-text>{% if %}</mj-text></mj-column></mj-section>' })
      expect(broken.status).toBe(422)
      expect(broken.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(expect.arrayContaining(['/subject']))
      const good = await call('PUT', '/api/v1/templates/order_confirmed/email/ja', { subject: '【感動ストア】ご注文番号 {{ order.number }}', body: '<mj-section><mj-column><mj-text>{{ customer.lastName }} 様、ありがとうございます。</mj-text></mj-column></mj-section>' })
      expect(good.status).toBe(200)
      await new Promise((r) => setTimeout(r, 5_100)) // per-process template cache
      const order2 = await newOrder()
      const [m] = await settle(`orderId=${order2.id}&type=order_confirmed`)
      expect(m!.summary).toBe(`【感動ストア】ご注文番号 ${order2.number}`)
      expect((await call('DELETE', '/api/v1/templates/order_confirmed/email/ja')).status).toBe(204)
      expect((await call('DELETE', '/api/v1/templates/order_confirmed/email/ja')).status).toBe(404)
    }, 30_000)

    it("keeps brands apart: another brand's message, customer consent and preview data are 404", async () => {
      const order = await newOrder()
      const [m] = await settle(`orderId=${order.id}&type=order_confirmed`)
      expect((await call('GET', `/api/v1/messages/${m!.id}`, undefined, keyB)).status).toBe(404)
      expect((await call('GET', `/api/v1/messages?orderId=${order.id}`, undefined, keyB)).body.items).toEqual([])
      expect((await call('POST', `/api/v1/customers/${order.customerId}/consents`, { channel: 'email', granted: true }, keyB)).status).toBe(404)
      expect((await call('POST', '/api/v1/templates/preview', { type: 'order_confirmed', channel: 'email', orderId: order.id }, keyB)).status).toBe(404)
      expect((await call('POST', '/api/v1/messages', { type: 'order_confirmed', orderId: order.id }, keyB)).status).toBe(404)
    })
  })
}

describe('outgoing webhooks by default', () => {
  it('refuse internal addresses (loopback, private, metadata) with a pointer to the URL', async () => {
    const s = await startTestServer('sqlite')
    try {
      const { apiKey } = await s.kando.tenants.create({ slug: 'ssrf', name: 'x' })
      for (const url of ['http://127.0.0.1:9/hook', 'http://169.254.169.254/latest/meta-data/']) {
        const res = await s.call('POST', '/api/v1/webhook-endpoints', { key: apiKey.key, body: { url, eventTypes: ['order.placed'] } })
        expect(res.status).toBe(422)
        expect(res.body.errors[0].pointer).toBe('/url')
      }
    } finally {
      await s.close()
    }
  })
})

describe('without SMTP: the built-in dev mailbox', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer('sqlite')
  })
  afterAll(async () => s?.close())

  it('keeps the rendered mail in the database, readable through the API', async () => {
    const { apiKey } = await s.kando.tenants.create({ slug: 'mbx', name: '感動ストア' })
    const key = apiKey.key
    const order = (await s.call('POST', '/api/v1/orders', { key, body: { ...sampleOrder('mbx-1'), status: 'confirmed' } })).body
    await s.call('POST', `/api/v1/orders/${order.id}/shipments`, { key, body: { carrier: 'yamato', trackingNumber: mod7('55501000003') } })
    const list = await until('two mails', async () => {
      const items = (await s.call('GET', '/api/v1/dev-mailbox?limit=10', { key })).body.items
      return items.length >= 2 && items
    })
    const shipped = list.find((m: { subject: string }) => m.subject === '🚚 ご注文の商品を発送しました')
    expect(shipped).toMatchObject({ to: 'hanako.yamada@example.jp' })
    const one = (await s.call('GET', `/api/v1/dev-mailbox/${shipped.id}`, { key })).body
    expect(one.raw).toMatch(/^Subject: =\?UTF-8\?/m)
    expect(one.text).toContain(mod7('55501000003'))
    const page = await fetch(`${s.url}/api/v1/dev-mailbox/${shipped.id}/html`, { headers: { authorization: `Bearer ${key}` } })
    expect(page.headers.get('content-security-policy')).toContain('sandbox')
  })
})
