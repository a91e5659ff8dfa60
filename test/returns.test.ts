import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import iconv from 'iconv-lite'
import { ManualClock } from '../src/platform/clock.js'
import { splitJapaneseAddress } from '../src/modules/returns/service.js'
import { DIALECTS } from './databases.js'
import { sampleOrder, startTestServer, type TestServer } from './harness.js'
import { startShopifyAdminStandIn, type ShopifyAdminStandIn } from './stand-ins/shopify-admin.js'

/**
 * Returns and exchanges through the API on both databases: the policy with a fake clock (the window
 * runs from delivery, not from the order), final sale and hygiene items, exchanges that take stock
 * (out of stock refused, the last unit to one of two requests), instant exchange escalation,
 * receiving twice refunding once through the Shopify stand-in, store credit once, restock by grade,
 * and isolation (someone else's order cannot be returned).
 */
const DAY = 86_400_000
const LOC = 'loc_saitama_kuki'

for (const dialect of DIALECTS) {
  describe(`${dialect}: returns and exchanges`, () => {
    let s: TestServer
    let shop: ShopifyAdminStandIn
    let key: string
    let keyB: string
    let tenantId: string
    const clock = new ManualClock(new Date('2026-11-02T01:00:00Z'))
    let n = 0

    const call = (method: string, path: string, body?: unknown, k = key) => s.call(method, path, { key: k, body })
    const stock = async (sku: string, onHand: number) => {
      const res = await call('POST', '/api/v1/stock/snapshots', { locationId: LOC, seq: ++n, items: [{ sku, onHand }] })
      expect(res.status, JSON.stringify(res.body)).toBe(200)
    }
    const level = async (sku: string) => (await call('GET', `/api/v1/stock?sku=${encodeURIComponent(sku)}&locationId=${LOC}`)).body.items[0] as { onHand: number; reserved: number; available: number } | undefined

    /** An order placed now, delivered `deliveredAfterDays` later (the clock moves there). */
    async function deliveredOrder(lines: Array<{ sku: string; title?: string; quantity?: number; unitPrice?: number; externalId?: string }>, opts: { deliveredAfterDays?: number; source?: string; externalId?: string; extra?: Record<string, unknown> } = {}) {
      const id = opts.externalId ?? `rt-${dialect}-${++n}`
      const body = sampleOrder(id, {
        status: 'confirmed', placedAt: clock.now().toISOString(), ...(opts.source ? { source: opts.source } : {}),
        lines: lines.map((l) => ({ sku: l.sku, title: l.title ?? `商品 ${l.sku}`, quantity: l.quantity ?? 1, unitPrice: l.unitPrice ?? 3000, ...(l.externalId ? { externalId: l.externalId } : {}) })),
        total: lines.reduce((t, l) => t + (l.unitPrice ?? 3000) * (l.quantity ?? 1), 0), ...opts.extra,
      })
      const order = (await call('POST', '/api/v1/orders', body)).body
      expect(order.id, JSON.stringify(order)).toMatch(/^ord_/)
      clock.advance((opts.deliveredAfterDays ?? 0) * DAY)
      const sh = (await call('POST', `/api/v1/orders/${order.id}/shipments`, { carrier: 'yamato', origin: { location: LOC } })).body
      expect(sh.id, JSON.stringify(sh)).toMatch(/^shp_/)
      const ev = await call('POST', `/api/v1/shipments/${sh.id}/events`, { events: [{ status: 'delivered', rawStatus: '配達完了', occurredAt: clock.now().toISOString() }] })
      expect(ev.body.shipment.status).toBe('delivered')
      return (await call('GET', `/api/v1/orders/${order.id}`)).body as { id: string; number: string; lines: Array<{ id: string; sku: string; variantId: string; externalId: string | null }> }
    }
    const policy = (p: Record<string, unknown>, refunds?: Record<string, unknown>) => call('PUT', '/api/v1/return-settings', { policy: p, ...(refunds ? { refunds } : {}) })
    const request = (orderId: string, body: Record<string, unknown>, k = key) => call('POST', `/api/v1/orders/${orderId}/returns`, body, k)

    beforeAll(async () => {
      shop = await startShopifyAdminStandIn({ orders: [] })
      s = await startTestServer(dialect, {}, { clock, shopifyAdminUrl: shop.url })
      await s.kando.inventory.seedDemoNetwork()
      const a = await s.kando.tenants.create({ slug: `rt-a-${dialect}`, name: '木漏れ日アパレル' })
      key = a.apiKey.key
      tenantId = a.tenant.id
      keyB = (await s.kando.tenants.create({ slug: `rt-b-${dialect}`, name: 'Other brand' })).apiKey.key
      // A T-shirt in three sizes (the exchange choices), a final-sale item and a hygiene item.
      const tee = await call('POST', '/api/v1/products', { title: 'オーガニックTシャツ', productType: 'Tシャツ', tags: ['apparel'], variants: [
        { sku: 'TEE-S', title: 'S', price: 4400, currency: 'JPY' }, { sku: 'TEE-M', title: 'M', price: 4400, currency: 'JPY' }, { sku: 'TEE-L', title: 'L', price: 4400, currency: 'JPY' },
      ] })
      expect(tee.status, JSON.stringify(tee.body)).toBeLessThan(300)
      await call('POST', '/api/v1/products', { title: 'アウトレット ソックス', tags: ['final-sale'], variants: [{ sku: 'SOCK-OUT', title: 'Default Title', price: 990, currency: 'JPY' }] })
      await call('POST', '/api/v1/products', { title: 'フェイスマスク', productType: 'cosmetics', variants: [{ sku: 'MASK-1', title: 'Default Title', price: 1500, currency: 'JPY' }] })
      const set = await policy({
        terms: { ja: '商品到着後14日以内、未使用品に限り返品・交換を承ります。', en: 'Unused items may be returned or exchanged within 14 days of delivery.' },
        windowDays: 14,
        rules: [{ id: 'sale', kind: 'final_sale', match: { tags: ['final-sale'] }, since: '2026-01-01' }, { id: 'hygiene', kind: 'hygiene', match: { productTypes: ['cosmetics'] } }],
        approval: { autoApproveUpTo: 100_000 },
        fraud: { manyReturnsIn90Days: null, highValue: null },
        limits: { maxReturnsPer90Days: null },
      })
      expect(set.status, JSON.stringify(set.body)).toBe(200)
    }, 60_000)
    afterAll(async () => {
      await s?.close()
      await shop?.close()
    })

    it('the window runs from delivery: day 14 after delivery is returnable even when it is day 17 after the order; day 15 is not', async () => {
      const order = await deliveredOrder([{ sku: 'TEE-M' }], { deliveredAfterDays: 3 })
      clock.advance(13 * DAY) // day 14 counting the day of delivery
      const options = (await call('GET', `/api/v1/orders/${order.id}/return-options`)).body
      expect(options.terms.ja).toContain('14日以内')
      expect(options.lines[0].returnable).toBe(1)
      const pre = await call('POST', `/api/v1/orders/${order.id}/returns/preview`, { lines: [{ lineId: order.lines[0]!.id, quantity: 1 }], reason: 'size_fit', resolution: 'refund', method: 'dropoff' })
      expect(pre.status, JSON.stringify(pre.body)).toBe(200)
      expect(pre.body.eligible).toBe(true)
      clock.advance(DAY)
      const late = await request(order.id, { lines: [{ lineId: order.lines[0]!.id, quantity: 1 }], reason: 'size_fit', resolution: 'refund', method: 'dropoff' })
      expect(late.status).toBe(422)
      expect(late.body.code).toBe('RETURN_NOT_ALLOWED')
      expect(late.body.detail).toMatch(/window|期間/i)
      // A defect is still the brand's to take back (defect window, 30 days by default), at its cost.
      const defect = await s.kando.returns.request(s.kando.scope(tenantId), order.id, { lines: [{ lineId: order.lines[0]!.id, quantity: 1, condition: 'damaged' }], reason: 'defective', resolution: 'refund', method: 'dropoff' }, {
        actor: 'customer', photos: [{ kind: 'image', mime: 'image/jpeg', data: Buffer.from([0xff, 0xd8, 0xff, 0xd9]), width: 1, height: 1 }],
      })
      expect(defect.return.shippingPaidBy).toBe('brand')
      expect(defect.return.status).toBe('approved')
      expect(defect.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
      const seen = await s.kando.returns.byToken(defect.token)
      expect(seen?.view.rma).toBe(defect.return.rma)
      // The customer hears of it: the approved message carries the RMA and a link to the status page.
      await s.kando.queue.drain(10_000)
      const msg = await s.kando.db.kysely.selectFrom('messages').select(['payload']).where('tenant_id', '=', tenantId).where('order_id', '=', order.id).where('type', '=', 'return_approved').executeTakeFirst()
      expect(msg, 'return_approved message').toBeDefined()
      const ctx = JSON.parse(msg!.payload).ctx
      expect(ctx.return.number).toBe(defect.return.rma)
      expect(ctx.links.returnStatus).toMatch(new RegExp(`/r/rt-a-${dialect}/s/[A-Za-z0-9_-]{43}$`))
      const page = await fetch(ctx.links.returnStatus.replace(/^https?:\/\/[^/]+/, s.url))
      expect(page.status).toBe(200)
      expect(await page.text()).toContain(defect.return.rma)
      // Nothing was written for the refused request.
      expect((await call('GET', `/api/v1/returns?orderId=${order.id}`)).body.items).toHaveLength(1)
    })

    it('final sale and hygiene items: refused with the reason; an unopened hygiene item may come back; photos are required for a defect', async () => {
      const order = await deliveredOrder([{ sku: 'SOCK-OUT', unitPrice: 990 }, { sku: 'MASK-1', unitPrice: 1500, quantity: 2 }])
      const [sock, mask] = order.lines
      const sale = await request(order.id, { lines: [{ lineId: sock!.id, quantity: 1, condition: 'unopened' }], reason: 'changed_mind', resolution: 'refund', method: 'dropoff' })
      expect(sale.status).toBe(422)
      expect(sale.body.errors[0].pointer).toBe('/lines/0')
      expect(sale.body.errors[0].message).toMatch(/final sale/i)
      const opened = await request(order.id, { lines: [{ lineId: mask!.id, quantity: 1, condition: 'opened' }], reason: 'changed_mind', resolution: 'refund', method: 'dropoff' })
      expect(opened.status).toBe(422)
      expect(opened.body.errors[0].message).toMatch(/hygiene|unopened/i)
      const noPhoto = await request(order.id, { lines: [{ lineId: sock!.id, quantity: 1, condition: 'damaged' }], reason: 'damaged', resolution: 'refund', method: 'dropoff' })
      expect(noPhoto.status).toBe(422)
      expect(noPhoto.body.code).toBe('RETURN_PHOTOS_REQUIRED')
      const unopened = await request(order.id, { lines: [{ lineId: mask!.id, quantity: 2, condition: 'unopened' }], reason: 'changed_mind', resolution: 'store_credit', method: 'pickup', pickup: { date: '2026-12-01', slot: '14-16' } })
      expect(unopened.status, JSON.stringify(unopened.body)).toBe(201)
      expect(unopened.body).toMatchObject({ status: 'approved', shippingPaidBy: 'customer', pickup: { date: '2026-12-01', slot: '14-16' }, itemsValue: 3000, creditAmount: 3300 })
      // More than was bought is refused; so is the same unit twice.
      const again = await request(order.id, { lines: [{ lineId: mask!.id, quantity: 1, condition: 'unopened' }], reason: 'changed_mind', resolution: 'refund', method: 'dropoff' })
      expect(again.status).toBe(422)
    })

    it('exchange: out of stock is refused with a clear reason; in stock takes the unit at once; the last unit goes to one of two requests', async () => {
      await stock('TEE-L', 0)
      await stock('TEE-S', 1)
      const options = await call('GET', `/api/v1/orders/${(await deliveredOrder([{ sku: 'TEE-M' }])).id}/return-options`)
      const choices = options.body.lines[0].exchangeFor as Array<{ sku: string; available: number; variantId: string }>
      expect(choices.map((c) => c.sku).sort()).toEqual(['TEE-L', 'TEE-S'])
      expect(choices.find((c) => c.sku === 'TEE-L')!.available).toBe(0)
      const large = choices.find((c) => c.sku === 'TEE-L')!.variantId
      const small = choices.find((c) => c.sku === 'TEE-S')!.variantId

      const o1 = await deliveredOrder([{ sku: 'TEE-M' }])
      const none = await request(o1.id, { lines: [{ lineId: o1.lines[0]!.id, quantity: 1, exchangeVariantId: large }], reason: 'size_fit', resolution: 'exchange', method: 'dropoff' })
      expect(none.status).toBe(409)
      expect(none.body.code).toBe('EXCHANGE_OUT_OF_STOCK')
      expect(none.body.detail).toMatch(/out of stock/)
      expect(none.body.detail).toContain('TEE-L')

      // Two customers want the last S at the same moment: one gets it, the other a clear 409.
      const o2 = await deliveredOrder([{ sku: 'TEE-M' }])
      const both = await Promise.all([o1, o2].map((o) => request(o.id, { lines: [{ lineId: o.lines[0]!.id, quantity: 1, exchangeVariantId: small }], reason: 'size_fit', resolution: 'exchange', method: 'dropoff' })))
      expect(both.map((b) => b.status).sort()).toEqual([201, 409])
      expect(both.find((b) => b.status === 409)!.body.code).toBe('EXCHANGE_OUT_OF_STOCK')
      expect(await level('TEE-S')).toMatchObject({ onHand: 1, reserved: 1 })
      const won = both.find((b) => b.status === 201)!.body
      expect(won.exchangeOrderId).toBeNull() // not instant: the replacement waits for the original

      // The original arrives, graded A: it goes back on the shelf and the replacement order is released.
      await stock('TEE-M', 5)
      expect((await call('POST', `/api/v1/returns/${won.id}/receive`, { locationId: LOC })).status).toBe(200)
      const done = await call('POST', `/api/v1/returns/${won.id}/inspect`, { lines: [{ lineId: won.lines[0].id, grade: 'A' }] })
      expect(done.status, JSON.stringify(done.body)).toBe(200)
      expect(done.body.status).toBe('resolved')
      expect(done.body.exchangeOrderId).toMatch(/^ord_/)
      expect(await level('TEE-M')).toMatchObject({ onHand: 6 })
      const replacement = (await call('GET', `/api/v1/orders/${done.body.exchangeOrderId}/allocation`)).body
      expect(replacement.parcels.length).toBe(1)
      // The hold became the replacement's own reservation: still one unit reserved, not two.
      expect(await level('TEE-S')).toMatchObject({ onHand: 1, reserved: 1 })
    })

    it('instant exchange: the replacement ships at approval; if the original does not come back in time the case escalates', async () => {
      await policy({ windowDays: 14, instantExchange: { enabled: true, returnWithinDays: 7, onMissing: 'charge' }, fraud: { manyReturnsIn90Days: null, highValue: null }, limits: { maxReturnsPer90Days: null } })
      await stock('TEE-S', 3)
      const order = await deliveredOrder([{ sku: 'TEE-M' }])
      const opts = (await call('GET', `/api/v1/orders/${order.id}/return-options`)).body
      const small = opts.lines[0].exchangeFor.find((c: { sku: string }) => c.sku === 'TEE-S').variantId
      const res = await request(order.id, { lines: [{ lineId: order.lines[0]!.id, quantity: 1, exchangeVariantId: small }], reason: 'size_fit', resolution: 'exchange', method: 'dropoff' })
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      expect(res.body).toMatchObject({ status: 'approved', instant: true })
      expect(res.body.exchangeOrderId).toMatch(/^ord_/)
      expect(Date.parse(res.body.returnBy) - clock.now().getTime()).toBe(7 * DAY)
      clock.advance(6 * DAY)
      expect(await s.kando.returns.sweepOverdue()).toBe(0)
      clock.advance(DAY + 1000)
      expect(await s.kando.returns.sweepOverdue()).toBe(1)
      const after = (await call('GET', `/api/v1/returns/${res.body.id}`)).body
      expect(after.status).toBe('escalated')
      expect(after.note).toMatch(/charge 3000 JPY/)
      expect(after.history.map((h: { action: string }) => h.action)).toEqual(['request', 'approve', 'exchange_released', 'escalate'])
      const events = (await call('GET', `/api/v1/events?type=return.escalated`)).body
      expect(JSON.stringify(events)).toContain(res.body.rma)
      // A late parcel still counts: receiving an escalated case is allowed.
      expect((await call('POST', `/api/v1/returns/${res.body.id}/receive`, { locationId: LOC })).body.status).toBe('received')
      await policy({ windowDays: 14, fraud: { manyReturnsIn90Days: null, highValue: null }, limits: { maxReturnsPer90Days: null } })
    })

    it('a Shopify order: the receipt arriving twice (and the refund job running twice) refunds exactly once', async () => {
      const ext = `${7_100_000_000_000 + n}`
      shop.orders.set(ext, { id: ext, currency: 'JPY', lineItems: [{ id: '13500000000001', title: 'Tシャツ', priceMinor: 4400, quantity: 1, refundedQuantity: 0 }], shippingMinor: 550, shippingRefundedMinor: 0, transactions: [{ id: '5900000000001', kind: 'sale', status: 'success', amountMinor: 4950, gateway: 'shopify_payments', refundedMinor: 0 }] })
      await policy({ windowDays: 14, fraud: { manyReturnsIn90Days: null, highValue: null }, limits: { maxReturnsPer90Days: null } }, { via: 'shopify', shopDomain: 'komorebi.myshopify.com', accessToken: 'shpat_test_token', locationId: '655441491' })
      const settings = (await call('GET', '/api/v1/return-settings')).body
      expect(settings.refunds).toEqual({ via: 'shopify', shopDomain: 'komorebi.myshopify.com', hasAccessToken: true, locationId: '655441491' })
      expect(JSON.stringify(settings)).not.toContain('shpat_test_token')
      const order = await deliveredOrder([{ sku: 'TEE-M', unitPrice: 4400, externalId: '13500000000001' }], { source: 'shopify', externalId: ext })
      const ret = (await request(order.id, { lines: [{ lineId: order.lines[0]!.id, quantity: 1 }], reason: 'changed_mind', resolution: 'refund', method: 'dropoff' })).body
      expect(ret.status).toBe('approved')
      const receipts = await Promise.all([1, 2].map(() => call('POST', `/api/v1/returns/${ret.id}/receive`, { locationId: LOC, reference: 'scan-1' })))
      expect(receipts.map((r) => r.status)).toEqual([200, 200])
      expect(receipts.map((r) => r.body.repeated).sort()).toEqual([false, true])
      const inspected = await Promise.all([1, 2].map(() => call('POST', `/api/v1/returns/${ret.id}/inspect`, { lines: [{ lineId: ret.lines[0].id, grade: 'B' }] })))
      expect(inspected.map((r) => r.status)).toEqual([200, 200])
      await s.kando.queue.drain(10_000)
      const done = (await call('GET', `/api/v1/returns/${ret.id}`)).body
      expect(done.refund.status).toBe('issued')
      expect(shop.refunds).toHaveLength(1)
      expect(shop.refunds[0]).toMatchObject({ orderId: ext })
      expect(shop.refunds[0]!.transactions[0]!.amountMinor).toBe(4400)
      expect(shop.refunds[0]!.lines[0]).toMatchObject({ lineItemId: '13500000000001', quantity: 1, restockType: 'return', locationId: '655441491' })
      expect(done.refund.reference).toBe(shop.refunds[0]!.id)
      // The job again (a retry after a crash): the key finds the refund already there.
      await (s.kando.returns as unknown as { refund(t: string, r: string): Promise<void> }).refund(tenantId, ret.id)
      await s.kando.scope(tenantId).updateTable('returns').set({ refund_status: 'pending' }).where('id', '=', ret.id).execute()
      await (s.kando.returns as unknown as { refund(t: string, r: string): Promise<void> }).refund(tenantId, ret.id)
      expect(shop.refunds).toHaveLength(1)
      const history = done.history.filter((h: { action: string }) => h.action === 'receive' || h.action === 'refund_issued')
      expect(history.map((h: { action: string }) => h.action)).toEqual(['receive', 'refund_issued'])
      expect(await level('TEE-M')).toBeDefined()
      await policy({ windowDays: 14, fraud: { manyReturnsIn90Days: null, highValue: null }, limits: { maxReturnsPer90Days: null } }, { via: 'manual' })
    })

    it('a return request ends the built-in review request for that order: no review request is sent', async () => {
      const scope = s.kando.scope(tenantId)
      const flow = await s.kando.flows.create(scope, { builtin: 'review_request', locale: 'ja', options: { waitDays: 2 } })
      await s.kando.flows.activate(scope, flow.id, {})
      try {
        const kept = await deliveredOrder([{ sku: 'TEE-M' }], { externalId: `rt-kept-${dialect}`, extra: { customer: { email: 'taro.sato@example.jp', firstName: '太郎', lastName: '佐藤', locale: 'ja' } } })
        const returned = await deliveredOrder([{ sku: 'TEE-M' }], { externalId: `rt-back-${dialect}` })
        await s.kando.flows.runDue()
        const ret = await request(returned.id, { lines: [{ lineId: returned.lines[0]!.id, quantity: 1 }], reason: 'size_fit', resolution: 'refund', method: 'dropoff' })
        expect(ret.status).toBe(201)
        await s.kando.queue.drain(10_000)
        await s.kando.flows.runDue()
        clock.advance(3 * DAY)
        await s.kando.flows.runDue()
        await s.kando.queue.drain(10_000)
        const sent = async (orderId: string) => (await s.kando.db.kysely.selectFrom('messages').select('id').where('tenant_id', '=', tenantId).where('order_id', '=', orderId).where('type', '=', 'review_request').execute()).length
        expect(await sent(kept.id)).toBe(1)
        expect(await sent(returned.id)).toBe(0)
        const traits = await s.kando.customers.traits(scope, ret.body.customerId)
        expect(traits['returns.open']).toBe(true)
      } finally {
        await s.kando.flows.archive(scope, flow.id)
      }
    })

    it('the built-in satisfaction survey after a return: the day after it is settled, one e-mail whose 1–5 links answer a CSAT about that return', async () => {
      const scope = s.kando.scope(tenantId)
      const flow = await s.kando.flows.create(scope, { builtin: 'return_csat', locale: 'ja' })
      await s.kando.flows.activate(scope, flow.id, {})
      const email = `hanako.csat.${dialect}@example.jp`
      try {
        const order = await deliveredOrder([{ sku: 'TEE-S' }, { sku: 'TEE-M' }], { extra: { customer: { email, firstName: '花子', lastName: '山田', locale: 'ja' } } })
        const ret = (await request(order.id, { lines: [{ lineId: order.lines[0]!.id, quantity: 1 }], reason: 'size_fit', resolution: 'store_credit', method: 'dropoff' })).body
        expect(ret.id, JSON.stringify(ret)).toMatch(/^ret_/)
        await call('POST', `/api/v1/returns/${ret.id}/receive`, { locationId: LOC })
        expect((await call('POST', `/api/v1/returns/${ret.id}/inspect`, { lines: [{ lineId: ret.lines[0].id, grade: 'A' }] })).body.status).toBe('resolved')
        const sent = () => s.kando.db.kysely.selectFrom('messages').select(['id', 'status']).where('tenant_id', '=', tenantId).where('order_id', '=', order.id).where('type', '=', 'csat_survey').execute()
        await s.kando.queue.drain(10_000)
        await s.kando.flows.runDue()
        expect(await sent()).toHaveLength(0) // not at once
        // A day, then the next 10:00 in Tokyo (this clock stands at 10:00 JST: two days later).
        clock.advance(DAY + 1000)
        await s.kando.flows.runDue()
        expect(await sent()).toHaveLength(0)
        clock.advance(DAY)
        await s.kando.flows.runDue()
        await s.kando.queue.drain(10_000)
        expect(await sent()).toHaveLength(1)
        let mail: { id: string; subject: string } | undefined
        for (let i = 0; i < 100 && !mail; i++) {
          mail = (await s.kando.notifications.mailbox(scope, { limit: 10, to: email })).find((m) => m.subject.includes('アンケート'))
          if (!mail) await new Promise((r) => setTimeout(r, 100))
        }
        expect(mail?.subject).toBe('【アンケートのお願い】木漏れ日アパレルの対応についてお聞かせください')
        const html = (await s.kando.notifications.mail(scope, mail!.id))!.html
        expect(html).toContain(`返品番号 ${ret.rma}`)
        const links = [...html.matchAll(/href="([^"]*\/nps\/[A-Za-z0-9_-]{43}\?score=(\d))"/g)]
        expect(links.map((m) => Number(m[2]))).toEqual([1, 2, 3, 4, 5])
        // The link names the installation's public URL; the test server listens elsewhere.
        const two = new URL(links[1]![1]!.replaceAll('&amp;', '&'))
        const answer = await fetch(`${s.url}${two.pathname}${two.search}`)
        expect(answer.status).toBe(200)
        expect(await answer.text()).toContain('今回の対応にどのくらい満足されましたか。')
        const responses = (await call('GET', '/api/v1/surveys/responses?kind=csat')).body.items
        expect(responses.find((r: { subject: string }) => r.subject === `return:${ret.id}`)).toMatchObject({ score: 2, orderId: order.id, location: LOC, carrier: 'yamato' })
        // Once per order: a second return of the same order, settled too, is not surveyed again.
        const again = (await request(order.id, { lines: [{ lineId: order.lines[1]!.id, quantity: 1 }], reason: 'size_fit', resolution: 'store_credit', method: 'dropoff' })).body
        await call('POST', `/api/v1/returns/${again.id}/receive`, { locationId: LOC })
        expect((await call('POST', `/api/v1/returns/${again.id}/inspect`, { lines: [{ lineId: again.lines[0].id, grade: 'A' }] })).body.status).toBe('resolved')
        await s.kando.queue.drain(10_000)
        clock.advance(2 * DAY)
        await s.kando.flows.runDue()
        await s.kando.queue.drain(10_000)
        expect(await sent()).toHaveLength(1)
      } finally {
        await s.kando.flows.archive(scope, flow.id)
      }
    })

    it('return labels: the carrier file (CP932) has the RMA, the customer as sender and the brand’s return address as recipient', async () => {
      const missing = await call('GET', '/api/v1/returns/labels/yamato-b2')
      expect(missing.status).toBe(422)
      expect(missing.body.code).toBe('LABEL_SENDER_MISSING')
      expect((await call('PUT', '/api/v1/fulfillment/settings', { labelSender: { name: '木漏れ日アパレル 返品係', phone: '048-123-4567', postalCode: '346-0028', address: '埼玉県久喜市河原代1-2 久喜物流センター' } })).status).toBe(200)
      const order = await deliveredOrder([{ sku: 'TEE-M' }], { externalId: '5001' })
      const ret = (await request(order.id, { lines: [{ lineId: order.lines[0]!.id, quantity: 1 }], reason: 'size_fit', resolution: 'refund', method: 'pickup', pickup: { date: '2026-12-24', slot: 'am' } })).body
      for (const format of ['yamato-b2', 'sagawa-ehiden'] as const) {
        const res = await fetch(`${s.url}/api/v1/returns/labels/${format}`, { headers: { authorization: `Bearer ${key}` } })
        expect(res.status).toBe(200)
        expect(res.headers.get('content-type')).toMatch(/Windows-31J/)
        const text = iconv.decode(Buffer.from(await res.arrayBuffer()), 'CP932')
        const row = text.split('\r\n').find((l) => l.includes(ret.rma))
        expect(row, `${format}: ${text.slice(0, 400)}`).toBeDefined()
        expect(row).toContain('久喜市')
        expect(row).toContain('山田')
        expect(row).toContain('返品')
      }
      expect(splitJapaneseAddress('埼玉県久喜市河原代1-2 久喜物流センター')).toEqual({ prefecture: '埼玉県', city: '久喜市', rest: '河原代1-2 久喜物流センター' })
      expect(splitJapaneseAddress('東京都渋谷区神宮前1-2-3')).toEqual({ prefecture: '東京都', city: '渋谷区', rest: '神宮前1-2-3' })
      // Once the parcel has a tracking number it is no longer in the file.
      await call('POST', `/api/v1/returns/${ret.id}/parcel`, { carrier: 'yamato', trackingNumber: '438012345671' })
      const after = iconv.decode(Buffer.from(await (await fetch(`${s.url}/api/v1/returns/labels/yamato-b2`, { headers: { authorization: `Bearer ${key}` } })).arrayBuffer()), 'CP932')
      expect(after).not.toContain(ret.rma)
    })

    it('the same request sent twice with one idempotency key (a double click) opens one case', async () => {
      const order = await deliveredOrder([{ sku: 'TEE-M', quantity: 2 }])
      const body = { lines: [{ lineId: order.lines[0]!.id, quantity: 1 }], reason: 'size_fit', resolution: 'refund' as const, method: 'dropoff' as const, idempotencyKey: 'form-0123456789abcdef' }
      const both = await Promise.all([request(order.id, body), request(order.id, body)])
      expect(both.map((b) => b.status)).toEqual([201, 201])
      expect(both[0]!.body.id).toBe(both[1]!.body.id)
      const again = await s.kando.returns.request(s.kando.scope(tenantId), order.id, body, { actor: 'customer' })
      expect(again.return.id).toBe(both[0]!.body.id)
      expect((await s.kando.returns.byToken(again.token))?.view.id).toBe(again.return.id)
      expect((await call('GET', `/api/v1/returns?orderId=${order.id}`)).body.items).toHaveLength(1)
      // Without a key, a second request is a second case (the other unit).
      const { idempotencyKey: _k, ...plain } = body
      expect((await request(order.id, plain)).status).toBe(201)
      expect((await call('GET', `/api/v1/returns?orderId=${order.id}`)).body.items).toHaveLength(2)
    })

    it('someone else’s order cannot be returned: wrong email, another brand’s key, another brand’s order id', async () => {
      const order = await deliveredOrder([{ sku: 'TEE-M' }])
      const scope = s.kando.scope(tenantId)
      expect(await s.kando.returns.findOrder(scope, order.number, 'someone.else@example.jp')).toBeUndefined()
      expect(await s.kando.returns.findOrder(scope, order.number, '090-0000-0000')).toBeUndefined()
      const found = await s.kando.returns.findOrder(scope, order.number, 'hanako.yamada@example.jp')
      expect(found?.orderId).toBe(order.id)
      expect(await s.kando.returns.findOrder(s.kando.scope((await s.kando.tenants.find(`rt-b-${dialect}`)).id), order.number, 'hanako.yamada@example.jp')).toBeUndefined()
      const other = await request(order.id, { lines: [{ lineId: order.lines[0]!.id, quantity: 1 }], reason: 'size_fit', resolution: 'refund', method: 'dropoff' }, keyB)
      expect(other.status).toBe(404)
      expect((await call('GET', `/api/v1/orders/${order.id}/return-options`, undefined, keyB)).status).toBe(404)
      expect((await call('GET', `/api/v1/returns?orderId=${order.id}`)).body.items).toHaveLength(0)
    })

    it('keep-the-item refunds without a parcel; store credit is issued once; bad input is a clear 422 writing nothing; analytics count it all', async () => {
      await policy({ windowDays: 14, keepItem: { maxUnitValue: 2000 }, fraud: { manyReturnsIn90Days: null, highValue: null }, limits: { maxReturnsPer90Days: null } })
      const order = await deliveredOrder([{ sku: 'MASK-1', unitPrice: 1500 }, { sku: 'TEE-M', unitPrice: 4400 }])
      const photo = [{ kind: 'image' as const, mime: 'image/jpeg', data: Buffer.from([0xff, 0xd8, 0xff, 0xd9]), width: 1, height: 1 }]
      const keep = await s.kando.returns.request(s.kando.scope(tenantId), order.id, { lines: [{ lineId: order.lines[0]!.id, quantity: 1, condition: 'damaged' }], reason: 'damaged', resolution: 'refund', method: 'keep' }, { actor: 'customer', photos: photo })
      expect(keep.return).toMatchObject({ status: 'resolved', method: 'keep', refundAmount: 1500, refund: { status: 'manual' } })
      const recorded = await call('POST', `/api/v1/returns/${keep.return.id}/refunded`, { reference: 'bank-transfer-0042' })
      expect(recorded.body.refund).toEqual({ status: 'issued', reference: 'bank-transfer-0042' })
      expect((await call('POST', `/api/v1/returns/${keep.return.id}/refunded`, { reference: 'again' })).body.refund.reference).toBe('bank-transfer-0042')
      // A 4,400 yen item is above the keep-item limit: it must come back.
      const tooDear = await request(order.id, { lines: [{ lineId: order.lines[1]!.id, quantity: 1, condition: 'damaged' }], reason: 'changed_mind', resolution: 'refund', method: 'keep' })
      expect(tooDear.status).toBe(422)
      expect(tooDear.body.code).toBe('RETURN_KEEP_NOT_OFFERED')
      const bad = await request(order.id, { lines: [{ lineId: order.lines[1]!.id, quantity: 0 }], reason: 'SIZE!', resolution: 'refund', method: 'pickup' })
      expect(bad.status).toBe(422)
      expect(bad.headers.get('content-type')).toMatch(/application\/problem\+json/)
      expect(bad.body.errors.map((f: { pointer: string }) => f.pointer).sort()).toEqual(['/lines/0/quantity', '/pickup', '/reason'])

      const credit = (await request(order.id, { lines: [{ lineId: order.lines[1]!.id, quantity: 1 }], reason: 'size_fit', resolution: 'store_credit', method: 'dropoff' })).body
      await call('POST', `/api/v1/returns/${credit.id}/receive`, { locationId: LOC })
      const graded = (await call('POST', `/api/v1/returns/${credit.id}/inspect`, { lines: [{ lineId: credit.lines[0].id, grade: 'C', note: '汚れあり' }] })).body
      expect(graded.status).toBe('resolved')
      expect(graded.storeCredit).toMatchObject({ amount: 4840 })
      expect(graded.storeCredit.code).toMatch(/^KC-[A-Z0-9]{16}$/)
      expect(graded.lines[0]).toMatchObject({ grade: 'C', restockedAt: null, inspectionNote: '汚れあり' })
      expect((await call('POST', `/api/v1/returns/${credit.id}/resolve`)).body.storeCredit.code).toBe(graded.storeCredit.code)
      const credits = await s.kando.scope(tenantId).selectFrom('store_credits').selectAll().where('return_id', '=', credit.id).execute()
      expect(credits).toHaveLength(1)

      const stats = (await call('GET', '/api/v1/returns/analytics')).body
      expect(stats.returns, JSON.stringify(stats)).toBeGreaterThanOrEqual(6)
      expect(stats.byResolution.exchange).toBeGreaterThanOrEqual(2)
      expect(stats.bySku.find((x: { key: string }) => x.key === 'TEE-M').returned).toBeGreaterThanOrEqual(3)
      expect(stats.byReason.size_fit).toBeGreaterThanOrEqual(3)
      expect(stats.revenueRetained).toBeGreaterThan(0)
      expect(stats.byCentre[0].locationId).toBe(LOC)
      expect(stats.requestToRefundHours.count).toBeGreaterThanOrEqual(1)
      // The customer's trait follows the open cases; the review-request flow reads it.
      const customerId = keep.return.customerId!
      const traits = await s.kando.customers.traits(s.kando.scope(tenantId), customerId)
      expect(typeof traits['returns.open']).toBe('boolean')
    })
  })
}
