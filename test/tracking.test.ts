import iconv from 'iconv-lite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DIALECTS } from './databases.js'
import { sampleOrder, startTestServer, type TestServer } from './harness.js'

// Real-format Yamato numbers (12 digits, last = first 11 mod 7).
const YAMATO = ['444413758703', '123456789013', '249710000015']
const mod7 = (body: string) => `${body}${Number(BigInt(body) % 7n)}`

for (const dialect of DIALECTS) {
  describe(`${dialect}: shipments and tracking`, () => {
    let s: TestServer
    let keyA: string
    let keyB: string
    let n = 0
    const ago = (hours: number) => new Date(Date.now() - hours * 3600_000).toISOString()

    const newOrder = async (extra: Record<string, unknown> = {}) => {
      const res = await s.call('POST', '/api/v1/orders', { key: keyA, body: sampleOrder(`trk-${++n}`, { status: 'confirmed', ...extra }) })
      expect(res.status).toBe(201)
      return res.body
    }
    const ship = (orderId: string, body: Record<string, unknown>, key = keyA) => s.call('POST', `/api/v1/orders/${orderId}/shipments`, { key, body })
    const events = async (type: string, subject: string) =>
      (await s.call('GET', `/api/v1/events?type=${type}&subject=${subject}&limit=100`, { key: keyA })).body.items

    beforeAll(async () => {
      s = await startTestServer(dialect)
      keyA = (await s.kando.tenants.create({ slug: 'trk-a', name: '感動ストア' })).apiKey.key
      keyB = (await s.kando.tenants.create({ slug: 'trk-b', name: 'Other brand' })).apiKey.key
    })
    afterAll(async () => s?.close())

    it('creates a shipment: carrier detected from the number, link, estimate, events, order shipped', async () => {
      const order = await newOrder()
      const res = await ship(order.id, { trackingNumber: '4444-1375-8703', origin: { prefectureCode: '11', cutoff: '15:00' }, timeSlot: '14-16', options: { leaveAt: '玄関前' } })
      expect(res.status).toBe(201)
      const sh = res.body
      expect(sh).toMatchObject({ carrier: 'yamato', trackingNumber: '444413758703', status: 'label_created', timeSlot: '14-16', options: { leaveAt: '玄関前' } })
      expect(sh.trackingUrl).toContain('444413758703')
      expect(sh.estimate.date).toMatch(/^\d{4}-\d{2}-\d{2}$/)
      expect(sh.lines).toHaveLength(2)
      expect((await s.call('GET', `/api/v1/orders/${order.id}`, { key: keyA })).body.status).toBe('shipped')
      expect(await events('shipment.created', sh.id)).toHaveLength(1)
      expect(await events('shipment.label_created', sh.id)).toHaveLength(1)
    })

    it('refuses a mistyped number with the failing field, and writes nothing', async () => {
      const order = await newOrder()
      const wrong = `44441375870${(3 + 1) % 10}` // check digit one off
      const res = await ship(order.id, { carrier: 'yamato', trackingNumber: wrong })
      expect(res.status).toBe(422)
      expect(res.headers.get('content-type')).toContain('application/problem+json')
      expect(res.body.code).toBe('TRACKING_NUMBER_INVALID')
      expect(res.body.errors[0].pointer).toBe('/trackingNumber')
      expect((await s.call('GET', `/api/v1/orders/${order.id}/shipments`, { key: keyA })).body.items).toEqual([])
      expect((await s.call('GET', `/api/v1/orders/${order.id}`, { key: keyA })).body.status).toBe('confirmed')
      const slot = await ship(order.id, { carrier: 'yamato', trackingNumber: YAMATO[1], timeSlot: '12-14' })
      expect(slot.status).toBe(422)
      expect(slot.body.code).toBe('TIME_SLOT_NOT_OFFERED')
    })

    it('splits an order into parcels and never ships a line twice', async () => {
      const order = await newOrder()
      const [drip, cream] = order.lines
      const first = await ship(order.id, { carrier: 'yamato', trackingNumber: YAMATO[1], lines: [{ orderLineId: drip.id, quantity: 2 }] })
      expect(first.status).toBe(201)
      expect((await s.call('GET', `/api/v1/orders/${order.id}`, { key: keyA })).body.status).toBe('partially_shipped')
      const tooMany = await ship(order.id, { carrier: 'japan_post', trackingNumber: '405548424886', lines: [{ orderLineId: drip.id, quantity: 1 }] })
      expect(tooMany.status).toBe(422)
      expect(tooMany.body.errors[0]).toMatchObject({ pointer: '/lines/0/quantity' })
      const second = await ship(order.id, { carrier: 'japan_post', service: 'yupack', trackingNumber: '405548424886' })
      expect(second.status).toBe(201)
      expect(second.body.lines).toEqual([{ orderLineId: cream.id, quantity: 1 }])
      const third = await ship(order.id, { carrier: 'sagawa', trackingNumber: '512547514334' })
      expect(third.status).toBe(409)
      expect(third.body.code).toBe('NOTHING_TO_SHIP')
      const all = await s.call('GET', `/api/v1/orders/${order.id}/shipments`, { key: keyA })
      expect(all.body.items.map((x: { carrier: string }) => x.carrier)).toEqual(['yamato', 'japan_post'])
      expect((await s.call('GET', `/api/v1/orders/${order.id}`, { key: keyA })).body.status).toBe('shipped')
    })

    it('takes events out of order and repeated, changes nothing twice, never leaves delivered', async () => {
      const order = await newOrder()
      const sh = (await ship(order.id, { carrier: 'yamato', trackingNumber: mod7('24971000002'), readyAt: ago(50) })).body
      const post = (evs: unknown[]) => s.call('POST', `/api/v1/shipments/${sh.id}/events`, { key: keyA, body: { events: evs } })
      const delivered = { rawStatus: '配達完了', location: '渋谷センター', occurredAt: ago(2) }
      const r1 = await post([delivered])
      expect(r1.status).toBe(200)
      expect(r1.body).toMatchObject({ accepted: 1, duplicates: 0 })
      expect(r1.body.shipment.status).toBe('delivered')
      // An earlier scan arriving late, and the delivery again.
      const acceptedAt = ago(40)
      const r2 = await post([{ rawStatus: '作業店通過', occurredAt: ago(20) }, { rawStatus: '荷物受付', occurredAt: acceptedAt }, delivered])
      expect(r2.body).toMatchObject({ accepted: 2, duplicates: 1 })
      expect(r2.body.shipment.status).toBe('delivered')
      expect(r2.body.shipment.pickedUpAt).toBe(acceptedAt)
      // A scan after delivery does not move it back.
      const r3 = await post([{ status: 'in_transit', occurredAt: ago(1) }])
      expect(r3.body.shipment.status).toBe('delivered')
      expect(r3.body.shipment.events.map((e: { status: string }) => e.status)).toEqual(['in_transit', 'delivered', 'in_transit', 'picked_up'])
      expect(r3.body.shipment.events[1]).toMatchObject({ rawStatus: '配達完了', location: '渋谷センター' })
      expect(await events('shipment.delivered', sh.id)).toHaveLength(1)
      // The only parcel arrived: the order is delivered.
      expect((await s.call('GET', `/api/v1/orders/${order.id}`, { key: keyA })).body.status).toBe('delivered')
    })

    it('refuses unknown carrier words and future times, recording none of the batch', async () => {
      const order = await newOrder()
      const sh = (await ship(order.id, { carrier: 'yamato', trackingNumber: mod7('24971000003') })).body
      const res = await s.call('POST', `/api/v1/shipments/${sh.id}/events`, {
        key: keyA,
        body: { events: [{ rawStatus: '発送', occurredAt: ago(1) }, { rawStatus: 'よくわからない', occurredAt: ago(1) }, { status: 'in_transit', occurredAt: new Date(Date.now() + 86400_000).toISOString() }] },
      })
      expect(res.status).toBe(422)
      expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/events/1/rawStatus', '/events/2/occurredAt'])
      expect((await s.call('GET', `/api/v1/shipments/${sh.id}`, { key: keyA })).body.events).toEqual([])
    })

    it('concurrent event batches for one parcel all land, and it is delivered once', async () => {
      const order = await newOrder()
      const sh = (await ship(order.id, { carrier: 'yamato', trackingNumber: mod7('24971000008'), readyAt: ago(60) })).body
      // The same delivery scan twice: one timestamp, taken once (two ago(3) calls can straddle a millisecond).
      const deliveredAt = ago(3)
      const batches = [
        [{ rawStatus: '荷物受付', occurredAt: ago(50) }], [{ rawStatus: '発送', occurredAt: ago(45) }], [{ rawStatus: '作業店通過', occurredAt: ago(30) }],
        [{ rawStatus: '配達中', occurredAt: ago(5) }], [{ rawStatus: '配達完了', occurredAt: deliveredAt }], [{ rawStatus: '配達完了', occurredAt: deliveredAt }],
        [{ rawStatus: '作業店通過', occurredAt: ago(20) }], [{ rawStatus: '持戻（ご不在）', occurredAt: ago(4) }],
      ]
      const results = await Promise.all(batches.map((events) => s.call('POST', `/api/v1/shipments/${sh.id}/events`, { key: keyA, body: { events } })))
      expect(results.map((r) => r.status)).toEqual(batches.map(() => 200))
      expect(results.reduce((n, r) => n + r.body.accepted, 0)).toBe(7)
      const final = (await s.call('GET', `/api/v1/shipments/${sh.id}`, { key: keyA })).body
      expect(final.status).toBe('delivered')
      expect(final.events).toHaveLength(7)
      expect(await events('shipment.delivered', sh.id)).toHaveLength(1)
    })

    it("keeps brands apart: another brand's shipment is 404", async () => {
      const order = await newOrder()
      const sh = (await ship(order.id, { carrier: 'yamato', trackingNumber: mod7('24971000004') })).body
      expect((await s.call('GET', `/api/v1/shipments/${sh.id}`, { key: keyB })).status).toBe(404)
      expect((await s.call('POST', `/api/v1/shipments/${sh.id}/events`, { key: keyB, body: { events: [{ status: 'delivered', occurredAt: ago(1) }] } })).status).toBe(404)
      expect((await ship(order.id, { carrier: 'yamato', trackingNumber: mod7('24971000005') }, keyB)).status).toBe(404)
      expect((await s.call('GET', `/api/v1/shipments/${sh.id}`, { key: keyA })).body.status).toBe('label_created')
    })

    it('imports a Shift_JIS carrier status file: bad rows reported by line, a second import changes nothing', async () => {
      const order = await newOrder()
      const number = mod7('24971000006')
      await ship(order.id, { carrier: 'yamato', trackingNumber: number })
      const d = (h: number) => new Date(Date.now() - h * 3600_000 + 9 * 3600_000).toISOString()
      const day = (h: number) => d(h).slice(0, 10).replace(/-/g, '/')
      const time = (h: number) => d(h).slice(11, 16)
      const csv = [
        '伝票番号,荷物状況,日付,時刻,担当店名',
        `${number.slice(0, 4)}-${number.slice(4, 8)}-${number.slice(8)},荷物受付,${day(30)},${time(30)},埼玉ベース店`,
        `${number},作業店通過,${day(20)},${time(20)},羽田クロノゲート`,
        `${number},配達中,${day(3)},${time(3)},渋谷神宮前センター`,
        `999999999999,配達完了,${day(2)},${time(2)},どこか`,
        `${number},謎の状態,${day(2)},${time(2)},どこか`,
      ].join('\r\n')
      const bytes = iconv.encode(csv, 'Shift_JIS')
      const res = await s.call('POST', '/api/v1/tracking/imports?carrier=yamato', { key: keyA, rawBody: bytes, headers: { 'content-type': 'text/csv' } })
      expect(res.status).toBe(200)
      expect(res.body).toMatchObject({ rows: 5, accepted: 3, duplicates: 0, shipments: 1 })
      expect(res.body.errors).toEqual([
        { line: 5, message: 'no shipment with yamato tracking number 999999999999' },
        { line: 6, message: 'unknown yamato status "謎の状態"' },
      ])
      const again = await s.call('POST', '/api/v1/tracking/imports?carrier=yamato', { key: keyA, rawBody: bytes, headers: { 'content-type': 'text/csv' } })
      expect(again.body).toMatchObject({ accepted: 0, duplicates: 3 })
      const shipments = (await s.call('GET', `/api/v1/orders/${order.id}/shipments`, { key: keyA })).body.items
      expect(shipments[0].status).toBe('out_for_delivery')
      expect(shipments[0].events[0]).toMatchObject({ rawStatus: '配達中', location: '渋谷神宮前センター' })
    })

    it('serves the tracking page in Japanese with each parcel, and English on request', async () => {
      const order = await newOrder()
      const sh = (await ship(order.id, { carrier: 'yamato', trackingNumber: YAMATO[0], timeSlot: '19-21' })).body
      await s.call('POST', `/api/v1/shipments/${sh.id}/events`, { key: keyA, body: { events: [{ rawStatus: '配達中', occurredAt: ago(1) }] } })
      const page = await fetch(`${s.url}/t/${order.trackingToken}`)
      expect(page.status).toBe(200)
      const text = await page.text()
      expect(text).toContain('lang="ja"')
      expect(text).toContain('ヤマト運輸')
      expect(text).toContain('4444-1375-8703')
      expect(text).toContain('19時〜21時')
      expect(text).not.toContain(order.id)
      const en = await (await fetch(`${s.url}/t/${order.trackingToken}`, { headers: { 'accept-language': 'en-US,en;q=0.9' } })).text()
      expect(en).toContain('lang="en"')
      expect(en).toContain('Yamato')
    })

    it('a guessed token gets 404, repeated guessing gets 429', async () => {
      const guesses = []
      const guess = (url: string) => s.app.inject({ method: 'GET', url, remoteAddress: '10.9.9.9' })
      for (let i = 0; i < 22; i++) guesses.push((await guess(`/t/${'x'.repeat(40)}${String(i).padStart(3, '0')}`)).statusCode)
      expect(guesses.slice(0, 20).every((st) => st === 404)).toBe(true)
      expect(guesses.slice(20)).toEqual([429, 429])
      const blocked = await guess('/t/whatever')
      expect(blocked.statusCode).toBe(429)
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0)
      // Another address is not affected.
      expect((await s.app.inject({ method: 'GET', url: '/t/whatever', remoteAddress: '10.9.9.10' })).statusCode).toBe(404)
    })

    it('escapes hostile customer strings on the page', async () => {
      const hostile = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
      const order = await newOrder({ shippingAddress: { name: hostile, postalCode: '150-0001', prefectureCode: '13', region: '東京都', city: hostile, country: 'JP' } })
      const text = await (await s.app.inject({ method: 'GET', url: `/t/${order.trackingToken}` })).body
      expect(text).not.toContain('<script>alert(1)')
      expect(text).not.toContain('<img src=x')
      expect(text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    })

    it('CTA links go through a tracked redirect that appends UTM parameters, and views and clicks are counted', async () => {
      const put = await s.call('PUT', '/api/v1/tracking/settings', {
        key: keyA,
        body: {
          brand: { primaryColor: '#8a2d3b' },
          ctas: [{ id: 'review', kind: 'review', title: { ja: 'レビューを書く', en: 'Write a review' }, label: { ja: 'レビューする', en: 'Review' }, url: 'https://shop.example.jp/review?ref=trk' }],
        },
      })
      expect(put.status).toBe(200)
      const order = await newOrder()
      const text = await (await s.app.inject({ method: 'GET', url: `/t/${order.trackingToken}` })).body
      const href = /href="(\/l\/[A-Za-z0-9_-]{22}\?t=[^"]+)"/.exec(text.replace(/&amp;/g, '&'))?.[1]
      expect(href).toBeDefined()
      const go = await s.app.inject({ method: 'GET', url: href! })
      expect(go.statusCode).toBe(302)
      const dest = new URL(go.headers.location as string)
      expect(dest.origin + dest.pathname).toBe('https://shop.example.jp/review')
      expect(Object.fromEntries(dest.searchParams)).toEqual({ ref: 'trk', utm_source: 'kando', utm_medium: 'tracking_page', utm_campaign: 'review', utm_content: 'review' })
      expect(dest.toString()).not.toContain(order.trackingToken)
      expect((await s.app.inject({ method: 'GET', url: '/l/AAAAAAAAAAAAAAAAAAAAAA' })).statusCode).toBe(404)
      const summary = await s.kando.tracking.activitySummary(s.kando.scope((await s.kando.tenants.find('trk-a')).id), ago(1))
      expect(summary.pageViews).toBeGreaterThanOrEqual(1)
      expect(summary.clicks).toEqual([{ ctaId: 'review', clicks: 1 }])
      const bad = await s.call('PUT', '/api/v1/tracking/settings', { key: keyA, body: { brand: { primaryColor: 'red;}</style><script>' } } })
      expect(bad.status).toBe(422)
    })

    it('finds an order by number and email or phone, and slows down guessing', async () => {
      const order = await newOrder()
      const form = (orderNumber: string, contact: string, ip = '10.0.0.1') =>
        s.app.inject({ method: 'POST', url: '/track/trk-a', remoteAddress: ip, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ orderNumber, contact }).toString() })
      const ok = await form(order.number.replace('#', '＃'), 'hanako.yamada@example.jp')
      expect(ok.statusCode).toBe(303)
      expect(ok.headers.location).toContain(`/t/${order.trackingToken}`)
      expect((await form(order.number, '０９０-１２３４-５６７８')).statusCode).toBe(303)
      expect((await s.app.inject({ method: 'GET', url: '/track/trk-a' })).statusCode).toBe(200)
      const tries = []
      for (let i = 0; i < 6; i++) tries.push((await form(order.number, `wrong${i}@example.jp`, `10.0.1.${i}`)).statusCode)
      // The order number itself is now protected, whichever address asks.
      expect(tries).toEqual([404, 404, 404, 404, 404, 429])
      const blocked = await form(order.number, 'wrong9@example.jp', '10.0.2.1')
      expect(blocked.statusCode).toBe(429)
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0)
    })

    it('the watch sweep flags a parcel never picked up and one past its estimate, once', async () => {
      const order = await newOrder()
      const sh = (await ship(order.id, { carrier: 'yamato', trackingNumber: mod7('24971000007'), readyAt: ago(24 * 8) })).body
      expect(sh.watch).toEqual(expect.arrayContaining(['not_picked_up']))
      expect(sh.late).toBe(true)
      await s.kando.db.kysely.updateTable('shipments').set({ next_check_at: ago(1) }).where('id', '=', sh.id).execute()
      await s.kando.tracking.sweep()
      await s.kando.tracking.sweep()
      expect(await events('shipment.delayed', sh.id)).toHaveLength(1)
      const late = await s.call('GET', '/api/v1/shipments?late=true', { key: keyA })
      expect(late.body.items.map((x: { id: string }) => x.id)).toContain(sh.id)
    })
  })
}
