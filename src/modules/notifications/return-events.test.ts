/** Return events → messages: the return's facts reach the template data, link providers get the return id. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DIALECTS } from '../../../test/databases.js'
import { sampleOrder, startTestServer, type TestServer } from '../../../test/harness.js'
import { fromJson } from '../../platform/db/json.js'
import type { TenantDb } from '../../platform/tenancy.js'
import { WEBHOOK_EVENT_TYPES } from './service.js'
import type { MessageContext, MessageType } from './types.js'

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

it('return.escalated can be subscribed to by webhooks', () => {
  expect(WEBHOOK_EVENT_TYPES).toContain('return.escalated')
})

for (const dialect of DIALECTS) {
  describe(`${dialect}: messages about returns`, () => {
    let s: TestServer
    let key: string
    let scope: TenantDb
    let n = 0
    const asked: Array<{ type: MessageType; orderId: string | null; returnId: string | null }> = []

    beforeAll(async () => {
      s = await startTestServer(dialect, { publicUrl: 'https://kando.example' })
      const a = await s.kando.tenants.create({ slug: 'ret-msg', name: '感動ストア' })
      key = a.apiKey.key
      scope = s.kando.scope(a.tenant.id)
      s.kando.notifications.addLinkProvider(async (_tx, m) => {
        asked.push({ type: m.type, orderId: m.orderId, returnId: m.returnId })
        return m.returnId ? { returnStatus: `https://kando.example/r/status/${m.returnId}` } : {}
      })
    }, 60_000)
    afterAll(async () => {
      await s?.close()
    })

    const newOrder = async () => {
      const id = `ret-msg-${dialect}-${++n}`
      const res = await s.call('POST', '/api/v1/orders', { key, body: { ...sampleOrder(id), status: 'confirmed', customer: { ...sampleOrder(id).customer, email: `${id}@example.jp`, phone: undefined } } })
      expect(res.status).toBe(201)
      return res.body as { id: string }
    }
    const emit = (type: string, subject: string, data: Record<string, unknown>) =>
      s.kando.db.transaction((trx) => s.kando.events.appendAll(scope.with(trx), [{ type, subject, data }]))
    /** The messages of `type` about the order, with the template data each was queued with. */
    const messages = (orderId: string, type: MessageType, count = 1) =>
      until(`${count} ${type}`, async () => {
        const rows = await scope.selectFrom('messages').select(['id', 'subject_ref', 'payload', 'status']).where('order_id', '=', orderId).where('type', '=', type).execute()
        return rows.length >= count && rows.map((r) => ({ subjectRef: r.subject_ref, status: r.status, ctx: fromJson<{ ctx: MessageContext }>(r.payload, { ctx: {} as MessageContext }).ctx }))
      })

    it('return.approved: the RMA, pickup day and slot, who pays, instant, and the return status link', async () => {
      const order = await newOrder()
      await emit('return.approved', 'ret_a1', {
        returnId: 'ret_a1', rma: 'R-1042-1', orderId: order.id, method: 'pickup', pickupDate: '2026-11-28', pickupSlot: 'am',
        shippingPaidBy: 'customer', instant: true, exchangeOrderId: null,
      })
      const [m] = await messages(order.id, 'return_approved')
      expect(m!.subjectRef).toBe('return:ret_a1')
      expect(m!.ctx.return).toEqual({ number: 'R-1042-1', method: 'pickup', pickupDate: '11月28日(土)', pickupSlot: '午前中', shippingPaidBy: 'customer', instant: true })
      expect(m!.ctx.links.returnStatus).toBe('https://kando.example/r/status/ret_a1')
      expect(asked).toContainEqual({ type: 'return_approved', orderId: order.id, returnId: 'ret_a1' })
      const r = await s.kando.notifications.engine.render('return_approved', 'email', 'ja', m!.ctx)
      if (r.channel !== 'email') throw new Error('not email')
      expect(r.email.text).toContain('11月28日(土)の午前中に配送業者が集荷にうかがいます。')
      expect(r.email.text).toContain('返送料はお客様のご負担となります。')
      expect(r.email.text).toContain('返品状況を確認する <https://kando.example/r/status/ret_a1>')
    })

    it('return.resolved and refund.issued: amounts in the order\'s currency, the store credit code', async () => {
      const order = await newOrder()
      await emit('return.resolved', 'ret_b1', {
        returnId: 'ret_b1', rma: 'R-2001-1', orderId: order.id, resolution: 'store_credit', refundAmount: 0, creditAmount: 3560, exchangeOrderId: null,
        storeCredit: { code: 'KC-TESTCODE', amount: 3560 },
      })
      await emit('refund.issued', 'ret_b1', { returnId: 'ret_b1', rma: 'R-2001-1', orderId: order.id, refundId: 'ret_b1', amount: 1200, currency: 'JPY', reference: 'manual' })
      const [resolved] = await messages(order.id, 'return_resolved')
      expect(resolved!.ctx.return).toEqual({ number: 'R-2001-1', resolution: 'store_credit', creditCode: 'KC-TESTCODE', creditAmount: '￥3,560' })
      const [refund] = await messages(order.id, 'refund_issued')
      expect(refund!.subjectRef).toBe('refund:ret_b1')
      expect(refund!.ctx.return).toMatchObject({ number: 'R-2001-1', refundAmount: '￥1,200' })
      expect(refund!.ctx.refund).toEqual({ amount: '￥1,200' })
      expect(refund!.ctx.links.returnStatus).toBe('https://kando.example/r/status/ret_b1')
    })

    it('each return on an order gets its own message; a refund outside returns has no return', async () => {
      const order = await newOrder()
      await emit('return.received', 'ret_c1', { returnId: 'ret_c1', rma: 'R-3001-1', orderId: order.id, locationId: null })
      await emit('return.received', 'ret_c2', { returnId: 'ret_c2', rma: 'R-3001-2', orderId: order.id, locationId: null })
      const received = await messages(order.id, 'return_received', 2)
      expect(received.map((m) => m.ctx.return?.number).sort()).toEqual(['R-3001-1', 'R-3001-2'])
      // A refund recorded on the order itself (Shopify), not through a return.
      await emit('refund.issued', order.id, { orderId: order.id, refundId: 'shp-1', amount: 500, currency: 'JPY' })
      const [refund] = await messages(order.id, 'refund_issued')
      expect(refund!.ctx).not.toHaveProperty('return')
      expect(refund!.ctx.links).not.toHaveProperty('returnStatus')
      expect(asked).toContainEqual({ type: 'refund_issued', orderId: order.id, returnId: null })
    })
  })
}
