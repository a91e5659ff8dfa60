import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DIALECTS } from './databases.js'
import { sampleOrder, startTestServer, type TestServer } from './harness.js'

for (const dialect of DIALECTS) {
  describe(`${dialect}: HTTP API`, () => {
    let s: TestServer
    let keyA: string
    let keyB: string

    const countRows = async (table: 'orders' | 'events' | 'order_lines' | 'customers' | 'idempotency_keys') =>
      Number((await s.kando.db.kysely.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)

    beforeAll(async () => {
      s = await startTestServer(dialect)
      keyA = (await s.kando.tenants.create({ slug: 'brand-a', name: 'Brand A' })).apiKey.key
      keyB = (await s.kando.tenants.create({ slug: 'brand-b', name: 'Brand B' })).apiKey.key
    })
    afterAll(async () => s?.close())

    it('answers /healthz with the database it checked', async () => {
      const res = await s.call('GET', '/healthz')
      expect(res.status).toBe(200)
      expect(res.body).toEqual({ status: 'ok', database: dialect, queue: dialect === 'sqlite' ? 'sqlite' : 'pg-boss' })
    })

    it('serves Prometheus metrics and the OpenAPI document generated from the route schemas', async () => {
      const metrics = await s.call('GET', '/metrics')
      expect(metrics.status).toBe(200)
      expect(metrics.body).toContain('kando_http_request_duration_seconds')
      const doc = await s.call('GET', '/docs/json')
      expect(doc.status).toBe(200)
      expect(doc.body.openapi).toBe('3.1.0')
      const post = doc.body.paths['/api/v1/orders'].post
      expect(post.requestBody.content['application/json'].schema.properties.lines.type).toBe('array')
      expect(doc.body.paths['/webhooks/shopify/{tenant}']).toBeDefined()
      // Notifications are documented from their schemas too.
      expect(doc.body.paths['/api/v1/messages'].post.requestBody.content['application/json'].schema.properties.type.enum).toContain('shipment_shipped')
      expect(doc.body.paths['/api/v1/templates/preview'].post).toBeDefined()
      expect(doc.body.paths['/api/v1/customers/{id}/consents'].post).toBeDefined()
      for (const path of ['/api/v1/stock/snapshots', '/api/v1/stock/deltas', '/api/v1/orders/{id}/allocation', '/api/v1/fulfillment/waves', '/api/v1/fulfillment/parcels/{id}/shipped']) expect(doc.body.paths[path].post).toBeDefined()
      expect(doc.body.paths['/api/v1/fulfillment/labels/{format}'].get.parameters.find((p: { name: string }) => p.name === 'format').schema.enum).toEqual(['yamato-b2', 'sagawa-ehiden', 'sagawa-ehiden2'])
      expect(doc.body.paths['/api/v1/operator/locations/{id}'].put).toBeDefined()
    })

    it('refuses requests without a valid key, as problem+json', async () => {
      const none = await s.call('GET', '/api/v1/orders')
      expect(none.status).toBe(401)
      expect(none.headers.get('content-type')).toMatch(/^application\/problem\+json/)
      expect(none.body).toMatchObject({ status: 401, code: 'API_KEY_MISSING' })
      const wrong = await s.call('GET', '/api/v1/orders', { key: 'kando_sk_notarealkeyatall' })
      expect(wrong.body.code).toBe('API_KEY_INVALID')
    })

    it('a revoked key stops working at once', async () => {
      const t = await s.kando.tenants.find('brand-a')
      const extra = await s.kando.tenants.createApiKey(t.id, 'temp')
      expect((await s.call('GET', '/api/v1/tenant', { key: extra.key })).body.slug).toBe('brand-a')
      expect(await s.kando.tenants.revokeApiKey(extra.id)).toBe(true)
      expect((await s.call('GET', '/api/v1/tenant', { key: extra.key })).status).toBe(401)
    })

    it('creates an order, upserts its customer and catalog, and records history and events', async () => {
      const res = await s.call('POST', '/api/v1/orders', { key: keyA, body: sampleOrder('1001') })
      expect(res.status).toBe(201)
      const o = res.body
      expect(o).toMatchObject({ status: 'placed', source: 'api', externalId: '1001', total: 5990, subtotal: 5440, currency: 'JPY', email: 'hanako.yamada@example.jp' })
      expect(o.id).toMatch(/^ord_[0-9a-z]{26}$/)
      expect(o.lines.map((l: any) => [l.sku, l.quantity, l.unitPrice])).toEqual([['KD-COF-DRIP10', 2, 1620], ['KD-CARE-YUZU', 1, 2200]])
      expect(o.lines.every((l: any) => /^var_/.test(l.variantId))).toBe(true)
      expect(o.history).toEqual([expect.objectContaining({ from: null, to: 'placed', actor: 'api:brand-a' })])
      const customer = await s.call('GET', `/api/v1/customers/${o.customerId}`, { key: keyA })
      expect(customer.body).toMatchObject({ email: 'hanako.yamada@example.jp', phone: '+819012345678', lastName: '山田' })
      const variant = await s.call('GET', '/api/v1/variants/by-sku/KD-CARE-YUZU', { key: keyA })
      expect(variant.body).toMatchObject({ sku: 'KD-CARE-YUZU', price: 2200, currency: 'JPY' })
      const events = await s.call('GET', `/api/v1/events?subject=${o.id}`, { key: keyA })
      expect(events.body.items.map((e: any) => e.type)).toEqual(['order.placed'])
    })

    it('recognises a returning customer by shop id, then email, then phone', async () => {
      const key = (await s.kando.tenants.create({ slug: `people-${dialect}`, name: 'People' })).apiKey.key
      const order = (id: string, customer: Record<string, unknown>) =>
        s.call('POST', '/api/v1/orders', { key, body: sampleOrder(id, { customer }) }).then((r) => r.body.customerId as string)
      const a = await order('c1', { externalId: 'shop-1', email: 'a@example.jp' })
      expect(await order('c2', { externalId: 'shop-1', email: 'new-address@example.jp' })).toBe(a) // same shop id, new email
      expect(await order('c3', { email: 'A@Example.jp' })).toBe(a) // email, any case
      const b = await order('c4', { phone: '03-1234-5678' })
      expect(b).not.toBe(a)
      expect(await order('c5', { phone: '+81 3 1234 5678', firstName: '次郎' })).toBe(b) // same number, other spelling
      const people = (await s.call('GET', '/api/v1/customers', { key })).body.items
      expect(people).toHaveLength(2)
      expect(people.find((p: any) => p.id === a)).toMatchObject({ email: 'a@example.jp', externalIds: { api: 'shop-1' } })
      expect(people.find((p: any) => p.id === b)).toMatchObject({ phone: '+81312345678', firstName: '次郎' })
    })

    it('is idempotent on the shop order id: a repeat returns the same order, never a second one', async () => {
      const first = await s.call('POST', '/api/v1/orders', { key: keyA, body: sampleOrder('2001') })
      const again = await s.call('POST', '/api/v1/orders', { key: keyA, body: sampleOrder('2001') })
      expect(first.status).toBe(201)
      expect(again.status).toBe(200)
      expect(again.body.id).toBe(first.body.id)
      const list = await s.call('GET', '/api/v1/orders?limit=200', { key: keyA })
      expect(list.body.items.filter((o: any) => o.externalId === '2001')).toHaveLength(1)
    })

    it('replays an Idempotency-Key and refuses the key with a different body', async () => {
      const body = sampleOrder('3001')
      const a = await s.call('POST', '/api/v1/orders', { key: keyA, body, headers: { 'idempotency-key': 'k-3001' } })
      const b = await s.call('POST', '/api/v1/orders', { key: keyA, body, headers: { 'idempotency-key': 'k-3001' } })
      expect(a.status).toBe(201)
      expect(b.status).toBe(201)
      expect(b.headers.get('idempotent-replayed')).toBe('true')
      expect(b.body.id).toBe(a.body.id)
      const c = await s.call('POST', '/api/v1/orders', { key: keyA, body: sampleOrder('3002'), headers: { 'idempotency-key': 'k-3001' } })
      expect(c.status).toBe(409)
      expect(c.body.code).toBe('IDEMPOTENCY_KEY_REUSED')
      expect((await s.call('GET', '/api/v1/orders?limit=200', { key: keyA })).body.items.some((o: any) => o.externalId === '3002')).toBe(false)
    })

    it('concurrent retries of one new order make one order', async () => {
      const results = await Promise.all(Array.from({ length: 8 }, () => s.call('POST', '/api/v1/orders', { key: keyA, body: sampleOrder('4001') })))
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1)
      expect(results.filter((r) => r.status === 201)).toHaveLength(1)
    })

    it('walks the lifecycle; an illegal move answers 409 and changes nothing', async () => {
      const o = (await s.call('POST', '/api/v1/orders', { key: keyA, body: sampleOrder('5001') })).body
      const confirmed = await s.call('POST', `/api/v1/orders/${o.id}/transitions`, { key: keyA, body: { to: 'confirmed' } })
      expect(confirmed.status).toBe(200)
      expect(confirmed.body.status).toBe('confirmed')
      const shipped = await s.call('POST', `/api/v1/orders/${o.id}/transitions`, { key: keyA, body: { to: 'shipped' } })
      expect(shipped.body.status).toBe('shipped')
      const before = (await s.call('GET', `/api/v1/orders/${o.id}`, { key: keyA })).body
      const eventsBefore = await countRows('events')
      const illegal = await s.call('POST', `/api/v1/orders/${o.id}/cancel`, { key: keyA, body: { reason: 'too late' } })
      expect(illegal.status).toBe(409)
      expect(illegal.body).toMatchObject({ code: 'ORDER_TRANSITION_NOT_ALLOWED', currentStatus: 'shipped', allowed: ['delivered'] })
      const after = (await s.call('GET', `/api/v1/orders/${o.id}`, { key: keyA })).body
      expect(after).toEqual(before)
      expect(await countRows('events')).toBe(eventsBefore)
      expect(after.history.map((h: any) => h.to)).toEqual(['placed', 'confirmed', 'shipped'])
      const types = (await s.call('GET', `/api/v1/events?subject=${o.id}`, { key: keyA })).body.items.map((e: any) => e.type)
      expect(types).toEqual(['order.placed', 'order.confirmed', 'order.updated'])
    })

    it('keeps tenants apart: another brand’s order is 404 exactly like a missing one', async () => {
      const o = (await s.call('POST', '/api/v1/orders', { key: keyA, body: sampleOrder('6001') })).body
      const theirs = await s.call('GET', `/api/v1/orders/${o.id}`, { key: keyB })
      const missing = await s.call('GET', `/api/v1/orders/ord_00000000000000000000000000`, { key: keyB })
      expect(theirs.status).toBe(404)
      expect(missing.status).toBe(404)
      expect(theirs.body.code).toBe(missing.body.code)
      const write = await s.call('POST', `/api/v1/orders/${o.id}/cancel`, { key: keyB, body: {} })
      expect(write.status).toBe(404)
      expect((await s.call('GET', `/api/v1/orders/${o.id}`, { key: keyA })).body.status).toBe('placed')
      const listB = await s.call('GET', '/api/v1/orders', { key: keyB })
      expect(listB.body.items).toEqual([])
      expect((await s.call('GET', `/api/v1/customers/${o.customerId}`, { key: keyB })).status).toBe(404)
      expect((await s.call('GET', `/api/v1/events?subject=${o.id}`, { key: keyB })).body.items).toEqual([])
      // The same shop order id in another brand is another order.
      const same = await s.call('POST', '/api/v1/orders', { key: keyB, body: sampleOrder('6001') })
      expect(same.status).toBe(201)
      expect(same.body.id).not.toBe(o.id)
    })

    it('lists with filters and cursor pagination, newest first', async () => {
      const key = (await s.kando.tenants.create({ slug: `pager-${dialect}`, name: 'Pager' })).apiKey.key
      const ids: string[] = []
      for (let i = 0; i < 7; i++) ids.push((await s.call('POST', '/api/v1/orders', { key, body: sampleOrder(`p${i}`) })).body.id)
      await s.call('POST', `/api/v1/orders/${ids[2]}/transitions`, { key, body: { to: 'confirmed' } })
      const seen: string[] = []
      let cursor: string | null = null
      do {
        const res: any = await s.call('GET', `/api/v1/orders?limit=3${cursor ? `&cursor=${cursor}` : ''}`, { key })
        seen.push(...res.body.items.map((o: any) => o.id))
        cursor = res.body.nextCursor
      } while (cursor)
      expect(seen).toEqual([...ids].reverse())
      const confirmed = await s.call('GET', '/api/v1/orders?status=confirmed', { key })
      expect(confirmed.body.items.map((o: any) => o.id)).toEqual([ids[2]])
      const bad = await s.call('GET', '/api/v1/orders?cursor=bm9wZQ', { key })
      expect(bad.status).toBe(422)
      const badStatus = await s.call('GET', '/api/v1/orders?status=lost', { key })
      expect(badStatus.status).toBe(422)
      expect(badStatus.body.errors[0].pointer).toBe('/querystring/status')
    })

    describe('bad input gets a clear 4xx and leaves nothing half-written', () => {
      const cases: Array<[string, () => Parameters<TestServer['call']>[2], number, string | RegExp]> = [
        ['malformed JSON', () => ({ rawBody: '{"externalId": "x",', headers: { 'content-type': 'application/json' } }), 400, 'MALFORMED_JSON'],
        ['wrong content type', () => ({ rawBody: 'externalId=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
        ['oversized body', () => ({ body: sampleOrder('big', { note: 'あ'.repeat(100_000) }) }), 413, 'BODY_TOO_LARGE'],
        ['unknown field', () => ({ body: sampleOrder('u1', { colour: 'red' }) }), 422, 'VALIDATION_FAILED'],
        ['bad enum value', () => ({ body: sampleOrder('u2', { status: 'paid' }) }), 422, 'VALIDATION_FAILED'],
        ['negative quantity', () => ({ body: sampleOrder('u3', { lines: [{ sku: 'X', title: 'x', quantity: -1, unitPrice: 100 }] }) }), 422, 'VALIDATION_FAILED'],
        ['broken UTF-8', () => ({ rawBody: Buffer.concat([Buffer.from('{"externalId":"'), Buffer.from([0xe3, 0x81]), Buffer.from('","x":1}')]), headers: { 'content-type': 'application/json' } }), 400, 'BODY_NOT_UTF8'],
        ['prototype pollution', () => ({ rawBody: '{"externalId":"p","__proto__":{"admin":true}}', headers: { 'content-type': 'application/json' } }), 400, 'MALFORMED_JSON'],
        ['empty body', () => ({ rawBody: '', headers: { 'content-type': 'application/json' } }), 400, /EMPTY/],
      ]
      for (const [name, opts, status, code] of cases) {
        it(name, async () => {
          const before = await Promise.all([countRows('orders'), countRows('events'), countRows('order_lines'), countRows('customers')])
          const res = await s.call('POST', '/api/v1/orders', { key: keyA, ...opts() })
          expect(res.status).toBe(status)
          expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
          expect(res.body.code).toMatch(code)
          expect(res.body.detail.length).toBeGreaterThan(10)
          expect(await Promise.all([countRows('orders'), countRows('events'), countRows('order_lines'), countRows('customers')])).toEqual(before)
        })
      }

      it('names the failing fields as JSON pointers', async () => {
        const res = await s.call('POST', '/api/v1/orders', { key: keyA, body: sampleOrder('f1', { colour: 'red', lines: [{ sku: 'X', title: 'x', quantity: 0, unitPrice: 1.5 }] }) })
        expect(res.status).toBe(422)
        const pointers = res.body.errors.map((e: any) => e.pointer)
        expect(pointers).toEqual(expect.arrayContaining(['/body', '/body/lines/0/quantity', '/body/lines/0/unitPrice']))
        expect(res.body.errors.find((e: any) => e.pointer === '/body').message).toContain('colour')
      })

      it('an unknown route is problem+json 404', async () => {
        const res = await s.call('GET', '/api/v2/nothing')
        expect(res.status).toBe(404)
        expect(res.body.code).toBe('ROUTE_NOT_FOUND')
      })
    })

    it('creates and updates products; rejects a mistyped JAN', async () => {
      const product = {
        externalId: 'p-1', title: '美濃焼 マグカップ', tags: ['器'], replenishAfterDays: 30,
        variants: [{ sku: 'MUG-AI', barcode: '4901234567894', title: '藍', price: 3300, currency: 'JPY', weightGrams: 350 }],
      }
      const created = await s.call('POST', '/api/v1/products', { key: keyA, body: product })
      expect(created.status).toBe(201)
      expect(created.body.variants[0]).toMatchObject({ sku: 'MUG-AI', barcode: '4901234567894', price: 3300 })
      const updated = await s.call('POST', '/api/v1/products', { key: keyA, body: { ...product, title: '美濃焼 マグカップ 藍' } })
      expect(updated.status).toBe(200)
      expect(updated.body.id).toBe(created.body.id)
      const bad = await s.call('POST', '/api/v1/products', { key: keyA, body: { ...product, externalId: 'p-2', variants: [{ ...product.variants[0], sku: 'MUG-2', barcode: '4901234567895' }] } })
      expect(bad.status).toBe(422)
      expect(bad.body.errors[0].pointer).toBe('/body/variants/0/barcode')
      expect((await s.call('GET', `/api/v1/products/${created.body.id}`, { key: keyB })).status).toBe(404)
    })
  })
}
