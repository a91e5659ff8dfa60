import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { demoYamatoNumber, ensureDemoTenant, runDemo } from '../src/demo.js'
import { DIALECTS } from './databases.js'
import { startTestServer, testConfig, type TestServer } from './harness.js'

describe('demo tracking numbers', () => {
  it('are 12-digit Yamato numbers whose last digit is the rest mod 7', () => {
    for (let i = 0; i < 200; i++) {
      const n = demoYamatoNumber()
      expect(n).toMatch(/^\d{12}$/)
      expect(Number(BigInt(n.slice(0, 11)) % 7n)).toBe(Number(n[11]))
    }
  })
})

for (const dialect of DIALECTS) {
  describe(`${dialect}: the demo`, () => {
    let s: TestServer
    const lines: string[] = []
    beforeAll(async () => {
      s = await startTestServer(dialect)
    })
    afterAll(async () => s?.close())

    it('an empty installation gets a demo brand, a key that works and a tracking link that opens', async () => {
      await ensureDemoTenant(s.kando, (l) => lines.push(l))
      const key = lines.join('\n').match(/kando_sk_[A-Za-z0-9_-]{43}/)?.[0]
      expect(key).toBeDefined()
      const orders = await s.call('GET', '/api/v1/orders', { key })
      expect(orders.body.items).toHaveLength(1)
      const link = lines.join('\n').match(/\/t\/[A-Za-z0-9_-]{43}/)?.[0]
      const page = await fetch(s.url + link)
      expect(page.status).toBe(200)
      const html = await page.text()
      expect(html).toContain('配送状況')
      // The first order has a Yamato parcel already moving (the simulated carrier, in real time).
      const tenant = await s.kando.tenants.find('demo')
      const [first] = await s.kando.orders.list(s.kando.scope(tenant.id), { limit: 1 })
      const [parcel] = await s.kando.tracking.forOrder(s.kando.scope(tenant.id), first!.id)
      expect(parcel).toMatchObject({ carrier: 'yamato', source: 'demo' })
      expect(parcel!.events.length).toBeGreaterThan(0)
      expect(parcel!.events.at(-1)!.rawStatus).toBe('荷物受付')
      expect(html).toContain('荷物受付')
      // The printed storefront JSON answers with the demo reviews; the widget script is served.
      const reviews = lines.join('\n').match(/http:\/\/[^ ]+(\/public\/v1\/demo\/products\/prod_[0-9a-z]+\/reviews)/)?.[1]
      const json = await (await fetch(s.url + reviews)).json()
      expect(json.summary).toMatchObject({ count: 3, average: 4.7 })
      expect((await fetch(s.url + '/widget/reviews.js')).headers.get('content-type')).toContain('javascript')
      // A second start only reminds: no second brand, no key printed.
      const again: string[] = []
      await ensureDemoTenant(s.kando, (l) => again.push(l))
      expect(again.join('\n')).not.toMatch(/kando_sk_/)
      expect(await s.kando.tenants.list()).toHaveLength(1)
    })

    it('feeds signed orders, fulfilments and cancellations through the real webhook endpoint; every one applies', async () => {
      const log = console.log
      const printed: string[] = []
      console.log = (line: string) => void printed.push(String(line))
      try {
        // A carrier day every 50 ms: parcels shipped during the run arrive before it ends.
        await runDemo(s.kando, testConfig('unused', { publicUrl: s.url }), { tenant: 'demo', orders: 12, intervalMs: 0, daySeconds: 0.05 })
      } finally {
        console.log = log
      }
      await s.kando.queue.drain()
      const tenant = await s.kando.tenants.find('demo')
      const orders = await s.kando.orders.list(s.kando.scope(tenant.id), { limit: 100 })
      expect(orders).toHaveLength(13)
      const statuses = orders.map((o) => o.status)
      expect(statuses.every((st) => ['confirmed', 'shipped', 'delivered', 'cancelled'].includes(st))).toBe(true)
      // The parcels moved: every shipment has carrier events, and the moves were printed.
      const shipments = await s.kando.tracking.list(s.kando.scope(tenant.id), { limit: 100 })
      expect(shipments.length).toBeGreaterThanOrEqual(1)
      for (const sh of shipments) expect(sh.events.length, `${sh.id} ${sh.source}`).toBeGreaterThan(0)
      expect(shipments.find((sh) => sh.source === 'demo')!.status).toBe('delivered')
      expect(printed.some((l) => /🚚 #\d+ ヤマト運輸 \d{4}-\d{4}-\d{4}: 配達完了 \(.+\)/.test(l))).toBe(true)
      const webhooks = await s.kando.db.kysely.selectFrom('shopify_webhooks').select(['outcome']).execute()
      expect(webhooks.length).toBeGreaterThanOrEqual(12)
      expect(webhooks.every((w) => w.outcome && !w.outcome.startsWith('rejected'))).toBe(true)
    })
  })
}
