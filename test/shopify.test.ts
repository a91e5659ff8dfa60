import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signShopifyBody } from '../src/integrations/shopify/hmac.js'
import { DIALECTS } from './databases.js'
import { startTestServer, type TestServer } from './harness.js'

const fixture = (name: string) => readFileSync(new URL(`../src/integrations/shopify/fixtures/${name}`, import.meta.url), 'utf8')
const SECRET = 'shpss_0123456789abcdef0123456789abcdef'

for (const dialect of DIALECTS) {
  describe(`${dialect}: Shopify webhooks`, () => {
    let s: TestServer
    let key: string
    let seq = 0

    const post = (topic: string, body: string | Buffer, opts: { secret?: string | null; webhookId?: string; tamper?: (b: Buffer) => Buffer; tenant?: string } = {}) => {
      const raw = Buffer.from(body)
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-shopify-topic': topic,
        'x-shopify-webhook-id': opts.webhookId ?? `wh-${dialect}-${++seq}`,
        'x-shopify-shop-domain': 'kando-test.myshopify.com',
        'x-shopify-api-version': '2026-07',
      }
      if (opts.secret !== null) headers['x-shopify-hmac-sha256'] = signShopifyBody(raw, opts.secret ?? SECRET)
      return s.call('POST', `/webhooks/shopify/${opts.tenant ?? 'shop'}`, { rawBody: opts.tamper ? opts.tamper(raw) : raw, headers })
    }
    const stored = async () => Number((await s.kando.db.kysely.selectFrom('shopify_webhooks').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
    const orders = async () => (await s.call('GET', '/api/v1/orders?limit=200', { key })).body.items as any[]
    const byExternal = async (id: string) => (await orders()).find((o) => o.externalId === id)

    beforeAll(async () => {
      s = await startTestServer(dialect)
      key = (await s.kando.tenants.create({ slug: 'shop', name: 'Shop', shopifySecret: SECRET })).apiKey.key
      await s.kando.tenants.create({ slug: 'other', name: 'Other', shopifySecret: 'another-secret' })
    })
    afterAll(async () => s?.close())

    it("takes in Shopify's documented orders/create sample with its 64-bit ids intact", async () => {
      const res = await post('orders/create', fixture('orders-create.sample.json'))
      expect(res.status).toBe(200)
      expect(res.body).toEqual({ outcome: 'accepted' })
      await s.kando.queue.drain()
      const order = await byExternal('820982911946154508')
      expect(order).toBeDefined()
      expect(order.source).toBe('shopify')
      expect(order.currency).toBe('USD')
      const customer = (await s.call('GET', `/api/v1/customers/${order.customerId}`, { key })).body
      expect(customer.externalIds).toEqual({ shopify: '115310627314723954' })
    })

    it('maps a real-shaped Japanese order: prefecture, 〒, E.164 phone, tags and delivery attributes', async () => {
      expect((await post('orders/create', fixture('jp-order-cod-partial.json'))).status).toBe(200)
      await s.kando.queue.drain()
      const summary = await byExternal('6123456789013')
      const order = (await s.call('GET', `/api/v1/orders/${summary.id}`, { key })).body
      expect(order.number).toBe('#1002')
      expect(order.shippingAddress).toMatchObject({ postalCode: '150-0002', prefectureCode: '13', region: '東京都', city: '渋谷区', country: 'JP' })
      expect(order.tags).toEqual(['ギフト', '代引き'])
      expect(order.attributes).toMatchObject({ 配送希望日: '2025-03-20', 配送時間帯: '14-16時' })
      // Cash on delivery is confirmed at once; a partial fulfilment in the snapshot moves it on.
      expect(order.status).toBe('partially_shipped')
      expect(order.history.map((h: any) => h.to)).toEqual(['placed', 'confirmed', 'partially_shipped'])
      expect(order.history.map((h: any) => h.from)).toEqual([null, 'placed', 'confirmed'])
      expect(order.version).toBe(3)
      const events = (await s.call('GET', `/api/v1/events?subject=${order.id}`, { key })).body.items
      expect(events.map((e: any) => [e.type, e.data.to ?? null])).toEqual([['order.placed', null], ['order.confirmed', 'confirmed'], ['order.updated', 'partially_shipped']])
      const customer = (await s.call('GET', `/api/v1/customers/${order.customerId}`, { key })).body
      expect(customer.phone).toBe('+819012345678')
    })

    it('a fulfilment that ships the remaining lines makes the order shipped', async () => {
      const f = JSON.parse(fixture('jp-fulfillment-yamato.json'))
      // Ship what was still open on #1002 (the fixture ships the first line, already shipped in the snapshot).
      // The fixture's number fails Yamato's check digit; this parcel carries a valid one.
      const body = JSON.stringify({ ...f, id: 5212345678999, tracking_number: '4444-1375-8703', tracking_numbers: ['4444-1375-8703'], line_items: [
        { ...f.line_items[0], id: 14234567890202, sku: 'FLT-100', quantity: 2 },
        { ...f.line_items[0], id: 14234567890203, sku: null, quantity: 1 },
      ] }).replace(/"order_id":\s*"?6123456789013"?/, '"order_id":6123456789013')
      expect((await post('fulfillments/create', body)).status).toBe(200)
      await s.kando.queue.drain()
      const order = (await s.call('GET', `/api/v1/orders/${(await byExternal('6123456789013')).id}`, { key })).body
      expect(order.status).toBe('shipped')
      const types = (await s.call('GET', `/api/v1/events?subject=${order.id}`, { key })).body.items.map((e: any) => e.type)
      expect(types).toContain('order.updated')
      // The fulfilment is a shipment: Yamato from the company name, the number checked, Shopify's status as an event.
      const shipments = (await s.call('GET', `/api/v1/orders/${order.id}/shipments`, { key })).body.items
      const fromThis = shipments.find((x: any) => x.externalId === '5212345678999')
      expect(fromThis).toMatchObject({ source: 'shopify', carrier: 'yamato', trackingNumber: '444413758703', status: 'picked_up' })
      expect(fromThis.lines.reduce((n: number, l: any) => n + l.quantity, 0)).toBe(3)
      // fulfillments/update with Shopify's delivered status, twice: delivered once; every parcel arrived, so the order is delivered.
      const update = JSON.stringify({ ...f, id: 5212345678999, tracking_number: '444413758703', tracking_numbers: ['444413758703'], shipment_status: 'delivered', updated_at: '2025-03-17T11:02:00+09:00', line_items: [{ ...f.line_items[0], id: 14234567890202, sku: 'FLT-100', quantity: 2 }] })
        .replace(/"order_id":\s*"?6123456789013"?/, '"order_id":6123456789013')
      expect((await post('fulfillments/update', update)).status).toBe(200)
      expect((await post('fulfillments/update', update)).status).toBe(200)
      await s.kando.queue.drain()
      const after = (await s.call('GET', `/api/v1/shipments/${fromThis.id}`, { key })).body
      expect(after.status).toBe('delivered')
      expect(after.events.filter((e: any) => e.status === 'delivered')).toHaveLength(1)
      const delivered = (await s.call('GET', `/api/v1/events?type=shipment.delivered&subject=${fromThis.id}`, { key })).body.items
      expect(delivered).toHaveLength(1)
    })

    it('a fulfilment processed by several runs at once counts its units once', async () => {
      const order = JSON.parse(fixture('jp-order-paid-tokyo.json'))
      const body = JSON.stringify({ ...order, id: 6123456780001, name: '#2001', fulfillment_status: null,
        line_items: [{ ...order.line_items[0], id: 777001, quantity: 2, fulfillable_quantity: 2, current_quantity: 2, fulfillment_status: null }] })
      await post('orders/create', body)
      await s.kando.queue.drain()
      const f = JSON.parse(fixture('jp-fulfillment-yamato.json'))
      const fBody = JSON.stringify({ ...f, id: 5212345670001, order_id: 6123456780001, line_items: [{ ...f.line_items[0], id: 777001, quantity: 1 }] })
      const webhookId = `f-race-${dialect}`
      const tenant = await s.kando.tenants.find('shop')
      // Stored as if received, but left to the three runs below (the running worker never sees a job).
      await s.kando.scope(tenant.id).insertInto('shopify_webhooks', {
        webhook_id: webhookId, topic: 'fulfillments/create', shop_domain: null, body: fBody, received_at: new Date().toISOString(), processed_at: null, outcome: null,
      }).execute()
      await Promise.all([1, 2, 3].map(() => s.kando.shopify.process(tenant.id, webhookId)))
      await s.kando.queue.drain()
      const o = (await s.call('GET', `/api/v1/orders/${(await byExternal('6123456780001')).id}`, { key })).body
      expect(o.lines[0].shippedQuantity).toBe(1)
      expect(o.status).toBe('partially_shipped')
      // One shipment however many runs; the shop's number fails Yamato's check digit, so it is kept
      // as the shop sent it, under carrier "other" with the shop's tracking link.
      const shipments = (await s.call('GET', `/api/v1/orders/${o.id}/shipments`, { key })).body.items
      expect(shipments).toHaveLength(1)
      expect(shipments[0]).toMatchObject({ carrier: 'other', trackingNumber: '412345678901', trackingUrl: f.tracking_url })
    })

    it('a webhook delivered 5 times makes one order', async () => {
      const body = fixture('jp-order-paid-tokyo.json')
      const before = await stored()
      const outcomes = []
      for (let i = 0; i < 5; i++) outcomes.push((await post('orders/create', body, { webhookId: `retry-${dialect}` })).body.outcome)
      expect(outcomes).toEqual(['accepted', 'duplicate', 'duplicate', 'duplicate', 'duplicate'])
      expect(await stored()).toBe(before + 1)
      // Shopify also sends orders/updated and orders/paid for the same order under new webhook ids.
      await post('orders/updated', body)
      await post('orders/paid', body)
      await s.kando.queue.drain()
      expect((await orders()).filter((o) => o.externalId === '6123456789012')).toHaveLength(1)
      expect((await byExternal('6123456789012')).status).toBe('confirmed')
    })

    it('orders/cancelled cancels; a refund becomes refund.issued', async () => {
      await post('orders/create', fixture('jp-order-cancelled-osaka.json'))
      await s.kando.queue.drain()
      const order = await byExternal(String(JSON.parse(fixture('jp-order-cancelled-osaka.json')).id))
      expect(order.status).toBe('cancelled')
      expect(order.shippingAddress.prefectureCode).toBe('27')

      await post('refunds/create', fixture('refunds-create.sample.json'))
      await s.kando.queue.drain()
      const sample = await byExternal('820982911946154508')
      const events = (await s.call('GET', `/api/v1/events?subject=${sample.id}&type=refund.issued`, { key })).body.items
      expect(events).toHaveLength(1)
      expect(events[0].data).toMatchObject({ orderExternalId: '820982911946154508', currency: 'USD' })
    })

    describe('signature check happens before anything is parsed or stored', () => {
      const body = () => fixture('jp-order-paid-tokyo.json').replace('6123456789012', '6123456789999')
      const cases: Array<[string, Parameters<typeof post>[2]]> = [
        ['wrong secret', { secret: 'not-the-secret' }],
        ['body altered by one byte', { tamper: (b) => { const c = Buffer.from(b); c[c.length - 3] = c[c.length - 3]! ^ 1; return c } }],
        ['header missing', { secret: null }],
        ["another tenant's secret", { secret: 'another-secret' }],
        ['unknown tenant', { tenant: 'nobody' }],
      ]
      for (const [name, opts] of cases) {
        it(`${name} → 401, nothing stored`, async () => {
          const before = await stored()
          const jobs = await s.kando.queue.counts()
          const res = await post('orders/create', body(), opts)
          expect(res.status).toBe(401)
          expect(res.headers.get('content-type')).toMatch(/problem\+json/)
          expect(res.body.code).toBe('WEBHOOK_SIGNATURE_INVALID')
          expect(await stored()).toBe(before)
          expect(await s.kando.queue.counts()).toEqual(jobs)
        })
      }
      it('the right secret on the same body is accepted', async () => {
        expect((await post('orders/create', body())).body.outcome).toBe('accepted')
      })
      it('a signed body that is not JSON is acknowledged and recorded as rejected, not retried forever', async () => {
        expect((await post('orders/create', '{"id": 1,')).status).toBe(200)
        await s.kando.queue.drain()
        const row = await s.kando.db.kysely.selectFrom('shopify_webhooks').selectAll().where('body', '=', '{"id": 1,').executeTakeFirstOrThrow()
        expect(row.outcome).toMatch(/^rejected:/)
        expect(await s.kando.queue.deadJobs()).toEqual([])
      })
    })

    it('acknowledges an unknown topic with 200 and stores nothing', async () => {
      const before = await stored()
      const res = await post('products/create', '{"id": 1}')
      expect(res.status).toBe(200)
      expect(res.body.outcome).toBe('ignored_topic')
      expect(await stored()).toBe(before)
    })
  })
}
