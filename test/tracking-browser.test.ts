import { mkdirSync } from 'node:fs'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumAvailable, formatViolations, launchChromium, runAxe } from './browser.js'
import { DIALECTS } from './databases.js'
import { sampleOrder, startTestServer, type TestServer } from './harness.js'

const hostile = '<img src=x onerror=alert(1)>"><script>alert(2)</script>'

// The real page from the real server and database, in Debian's Chromium: what a customer opens.
for (const dialect of DIALECTS) {
  describe.skipIf(!chromiumAvailable)(`${dialect}: the tracking page of a real order in Chromium`, () => {
    let s: TestServer
    let browser: Browser
    let token: string
    let hostileToken: string
    const ago = (h: number) => new Date(Date.now() - h * 3600_000).toISOString()

    beforeAll(async () => {
      s = await startTestServer(dialect)
      const key = (await s.kando.tenants.create({ slug: 'brw', name: '木漏れ日茶舗' })).apiKey.key
      await s.call('PUT', '/api/v1/tracking/settings', {
        key,
        body: {
          brand: { primaryColor: '#7a4b2a', accentColor: '#c98a2b' },
          support: { email: 'support@komorebi.example.jp', hours: '平日 10:00〜17:00' },
          ctas: [
            { id: 'line', kind: 'line_friend', title: { ja: 'LINEで配送状況を受け取る', en: 'Get updates on LINE' }, label: { ja: '友だち追加', en: 'Add friend' }, url: 'https://line.example.jp/add' },
            { id: 'review', kind: 'review', show: 'after_delivery', title: { ja: 'レビューを書く' }, label: { ja: 'レビューする' }, url: 'https://komorebi.example.jp/review' },
          ],
        },
      })
      const order = (await s.call('POST', '/api/v1/orders', { key, body: sampleOrder('brw-1', { status: 'confirmed' }) })).body
      token = order.trackingToken
      const [a, b] = order.lines
      const p1 = (await s.call('POST', `/api/v1/orders/${order.id}/shipments`, { key, body: { trackingNumber: '444413758703', origin: { prefectureCode: '11', cutoff: '15:00' }, timeSlot: '14-16', lines: [{ orderLineId: a.id, quantity: 2 }], readyAt: ago(30) } })).body
      await s.call('POST', `/api/v1/orders/${order.id}/shipments`, { key, body: { carrier: 'japan_post', service: 'yupack', trackingNumber: '405548424886', options: { leaveAt: '宅配ボックス' }, lines: [{ orderLineId: b.id, quantity: 1 }], readyAt: ago(30) } })
      await s.call('POST', `/api/v1/shipments/${p1.id}/events`, {
        key,
        body: { events: [
          { rawStatus: '荷物受付', location: '埼玉ベース店', occurredAt: ago(28) },
          { rawStatus: '作業店通過', location: '羽田クロノゲート', occurredAt: ago(16) },
          { rawStatus: '配達中', location: '渋谷神宮前センター', occurredAt: ago(4) },
          { rawStatus: '持戻（ご不在）', location: '渋谷神宮前センター', occurredAt: ago(2) },
        ] },
      })
      const h = (await s.call('POST', '/api/v1/orders', {
        key,
        body: sampleOrder('brw-2', { status: 'confirmed', shippingAddress: { name: hostile, postalCode: '150-0001', prefectureCode: '13', region: hostile, city: hostile, country: 'JP' }, lines: [{ sku: 'X-1', title: hostile, variantTitle: hostile, quantity: 1, unitPrice: 1000 }], total: 1000 }),
      })).body
      hostileToken = h.trackingToken
      await s.call('POST', `/api/v1/orders/${h.id}/shipments`, { key, body: { carrier: 'yamato', trackingNumber: '123456789013', options: { leaveAt: hostile.slice(0, 50) } } })
      browser = await launchChromium()
      mkdirSync('test-artifacts', { recursive: true })
    })
    afterAll(async () => {
      await browser?.close()
      await s?.close()
    })

    for (const lang of ['ja', 'en'] as const) {
      it(`${lang}: no serious or critical accessibility violation, both parcels shown, screenshot saved`, async () => {
        const page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: lang === 'ja' ? 'ja-JP' : 'en-US' })
        const res = await page.goto(`${s.url}/t/${token}?lang=${lang}`)
        expect(res?.status()).toBe(200)
        const violations = await runAxe(page)
        const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
        expect(bad, formatViolations(bad)).toEqual([])
        const text = await page.locator('main').innerText()
        expect(text).toContain(lang === 'ja' ? 'ヤマト運輸' : 'Yamato')
        expect(text).toContain('4444-1375-8703')
        expect(text).toContain(lang === 'ja' ? '日本郵便' : 'Japan Post')
        await page.screenshot({ path: `test-artifacts/tracking-real-${dialect}-${lang}.png`, fullPage: true })
        await page.close()
      })
    }

    it('hostile strings from the order stay text: no dialog, no injected element', async () => {
      const page = await browser.newPage()
      let dialogs = 0
      page.on('dialog', (d) => {
        dialogs++
        void d.dismiss()
      })
      await page.goto(`${s.url}/t/${hostileToken}`)
      await page.waitForTimeout(200)
      expect(dialogs).toBe(0)
      expect(await page.locator('img[src="x"]').count()).toBe(0)
      expect(await page.locator('script').count()).toBe(0)
      expect(await page.locator('main').innerText()).toContain('<img src=x onerror=alert(1)>')
      await page.close()
    })

    it('works with JavaScript off, and the page weighs under 50 KB before images', async () => {
      const ctx = await browser.newContext({ javaScriptEnabled: false, locale: 'ja-JP' })
      const page = await ctx.newPage()
      const res = await page.goto(`${s.url}/t/${token}`)
      const body = await res!.body()
      expect(body.length).toBeLessThan(50 * 1024)
      expect(await page.locator('main').innerText()).toContain('お届け予定')
      await ctx.close()
    })
  })
}
