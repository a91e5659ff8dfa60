import { mkdirSync } from 'node:fs'
import type { Browser, BrowserContext, Locator, Page, Response } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumAvailable, formatViolations, launchChromium, runAxe } from './browser.js'
import { DIALECTS } from './databases.js'
import { sampleOrder, startTestServer, type TestServer } from './harness.js'

/**
 * The customer's review page and NPS page from the real server and database, in Debian's Chromium:
 * accessible (axe, WCAG 2.x A+AA) in Japanese and English, usable with JavaScript off (a real
 * multipart upload of a phone photo), hostile strings stay text, the upload error path keeps what
 * was typed, and a review can be withdrawn from the page.
 */
const HOSTILE_NAME = '<img src=x onerror=alert(1)>'
const HOSTILE_TITLE = '"><script>alert(2)</script>'
const HOSTILE = `${HOSTILE_NAME}${HOSTILE_TITLE}`

const FIT = { key: 'fit', label: { ja: 'サイズ感', en: 'Fit' }, options: [{ value: 'small', label: { ja: '小さめ', en: 'Small' } }, { value: 'true', label: { ja: 'ちょうどいい', en: 'True to size' } }, { value: 'large', label: { ja: '大きめ', en: 'Large' } }] }
const PROFILING = { key: 'usage', label: { ja: '主にどなたが使いますか', en: 'Who mostly uses it?' }, options: [{ value: 'self', label: { ja: 'ご自身', en: 'Myself' } }, { value: 'family', label: { ja: 'ご家族', en: 'Family' } }, { value: 'gift', label: { ja: 'プレゼント', en: 'A gift' } }, { value: 'none', label: { ja: '特になし', en: 'None of these' } }] }

/** A 300 × 200 JPEG carrying GPS EXIF (Tokyo), as a phone writes it. */
async function jpegWithGps(): Promise<Buffer> {
  const raw = Buffer.alloc(300 * 200 * 3, 150)
  return sharp(raw, { raw: { width: 300, height: 200, channels: 3 } }).jpeg({ quality: 90 })
    .withExif({ IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '35/1 39/1 3096/100', GPSLongitudeRef: 'E', GPSLongitude: '139/1 44/1 4344/100' } })
    .toBuffer()
}

/** Pages opened with JavaScript off. */
const withoutJs = new WeakSet<Page>()

/**
 * Axe on the page as it is: every violation printed, the test fails on serious or critical ones.
 * axe needs script and timers, which never run in a page with JavaScript off; these pages carry no
 * script of their own, so the live document (what was typed and chosen written into its attributes)
 * is audited in a copy at the same address, same viewport, with JavaScript on.
 */
async function expectAccessible(page: Page, what: string): Promise<void> {
  let target = page
  let copy: BrowserContext | undefined
  if (withoutJs.has(page)) {
    await page.evaluate(() => {
      for (const el of document.querySelectorAll('input, textarea')) {
        if (el instanceof HTMLTextAreaElement) el.textContent = el.value
        else if (el instanceof HTMLInputElement && (el.type === 'radio' || el.type === 'checkbox')) el.toggleAttribute('checked', el.checked)
        else if (el instanceof HTMLInputElement && el.type !== 'file') el.setAttribute('value', el.value)
      }
    })
    const body = await page.content()
    const href = page.url()
    copy = await page.context().browser()!.newContext({ viewport: page.viewportSize() })
    target = await copy.newPage()
    await target.route((u) => u.href === href, (r) => r.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body }))
    await target.goto(href)
  }
  try {
    const violations = await runAxe(target)
    const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    expect(bad, `${what}\n${formatViolations(violations)}`).toEqual([])
  } finally {
    await copy?.close()
  }
}

/** Clicks a submit button and waits for the page the server sends back; returns its response. */
async function submit(page: Page, button: Locator): Promise<Response> {
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.request().resourceType() === 'document'),
    page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() }),
    button.click(),
  ])
  await page.waitForLoadState('load')
  return res
}

for (const dialect of DIALECTS) {
  describe.skipIf(!chromiumAvailable)(`${dialect}: the review page and the NPS page in Chromium`, () => {
    let s: TestServer
    let key: string
    let browser: Browser
    let n = 0
    const contexts: BrowserContext[] = []

    const call = (method: string, path: string, body?: unknown) => s.call(method, path, { key, body })
    const tokenOf = (url: string) => url.split('/').pop()!.split('?')[0]!

    /** An order whose parcel was delivered (both lines on one shipment), with its own customer. */
    async function deliveredOrder(extra: Record<string, unknown> = {}, locale: 'ja' | 'en' = 'ja'): Promise<{ id: string }> {
      const id = `rvb-${dialect}-${++n}`
      const customer = { email: `${id}@example.jp`, firstName: '花子', lastName: '山田', locale }
      const res = await call('POST', '/api/v1/orders', sampleOrder(id, { status: 'confirmed', customer, ...extra }))
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(300)
      const sh = (await call('POST', `/api/v1/orders/${res.body.id}/shipments`, { carrier: 'yamato' })).body
      expect(sh.id, JSON.stringify(sh)).toMatch(/^shp_/)
      const ev = await call('POST', `/api/v1/shipments/${sh.id}/events`, { events: [{ status: 'delivered', rawStatus: '配達完了', occurredAt: new Date().toISOString() }] })
      expect(ev.body.shipment.status).toBe('delivered')
      return res.body
    }
    async function reviewToken(orderId: string): Promise<string> {
      const r = await call('POST', '/api/v1/review-links', { orderId })
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      return tokenOf(r.body.url)
    }
    async function npsToken(orderId: string): Promise<string> {
      const r = await call('POST', '/api/v1/surveys', { kind: 'nps', orderId })
      expect(r.status, JSON.stringify(r.body)).toBeLessThan(300)
      return tokenOf(r.body.url)
    }

    /** A phone-sized page; any JS dialog (an injected alert) is recorded and fails the test. */
    async function open(opts: { js: boolean; lang?: 'ja' | 'en' }): Promise<{ page: Page; dialogs: string[] }> {
      const ctx = await browser.newContext({ javaScriptEnabled: opts.js, viewport: { width: 390, height: 844 }, locale: opts.lang === 'en' ? 'en-US' : 'ja-JP' })
      contexts.push(ctx)
      const page = await ctx.newPage()
      if (!opts.js) withoutJs.add(page)
      const dialogs: string[] = []
      page.on('dialog', (d) => {
        dialogs.push(d.message())
        void d.dismiss()
      })
      return { page, dialogs }
    }

    /** The product section of the form (a region named by the product's heading). */
    const product = (page: Page, title: string) => page.getByRole('region', { name: title, exact: true })
    const productIdOf = (region: Locator) => region.locator('input[type=hidden][name^="product_"]').getAttribute('value')

    beforeAll(async () => {
      s = await startTestServer(dialect)
      key = (await s.kando.tenants.create({ slug: `rvb-${dialect}`, name: '木漏れ日茶舗' })).apiKey.key
      const settings = (await call('GET', '/api/v1/review-settings')).body
      const put = await call('PUT', '/api/v1/review-settings', { ...settings, fitQuestions: { '*': [FIT] }, profilingQuestion: PROFILING })
      expect(put.status, JSON.stringify(put.body)).toBe(200)
      browser = await launchChromium()
      mkdirSync('test-artifacts', { recursive: true })
    })
    afterAll(async () => {
      for (const c of contexts) await c.close().catch(() => undefined)
      await browser?.close()
      await s?.close()
    })

    for (const lang of ['ja', 'en'] as const) {
      it(`${lang}: the review page has no serious or critical accessibility violation and shows every question`, async () => {
        const order = await deliveredOrder({}, lang)
        const token = await reviewToken(order.id)
        const { page, dialogs } = await open({ js: true, lang })
        const res = await page.goto(`${s.url}/review/${token}`)
        expect(res?.status()).toBe(200)
        expect(await page.locator('html').getAttribute('lang')).toBe(lang)
        await expectAccessible(page, `review page (${lang})`)
        const first = product(page, '感動ブレンド ドリップバッグ 10袋')
        expect(await first.count()).toBe(1)
        expect(await product(page, 'ハンドクリーム 柚子 50g').count()).toBe(1)
        // A line without a variant title is not named twice (the catalogue's variant carries the line's title).
        expect(await first.getByText('感動ブレンド ドリップバッグ 10袋', { exact: true }).count()).toBe(1)
        // Every product has its five stars, and the fit question; the profiling question once.
        expect(await first.getByRole('radio').count()).toBe(5 + 4)
        expect(await first.getByRole('group', { name: lang === 'ja' ? 'サイズ感' : 'Fit' }).count()).toBe(1)
        const profiling = page.getByRole('group', { name: PROFILING.label[lang] })
        expect(await profiling.count()).toBe(1)
        // Every id once, and every option's label names its own radio (an option valued "none" too).
        const ids = await page.evaluate(() => [...document.querySelectorAll('[id]')].map((e) => e.id))
        expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([])
        for (const o of [...PROFILING.options.map((x) => x.label[lang]), lang === 'ja' ? '回答しない' : 'Prefer not to say']) {
          expect(await profiling.getByRole('radio', { name: o, exact: true }).count(), o).toBe(1)
        }
        expect(await first.getByRole('radio', { name: lang === 'ja' ? '星5つ・とても満足' : '5 stars · Excellent' }).count()).toBe(1)
        await page.screenshot({ path: `test-artifacts/review-page-${lang}.png`, fullPage: true })
        await profiling.locator('label', { hasText: PROFILING.options[3]!.label[lang] }).click()
        expect(await profiling.getByRole('radio', { name: PROFILING.options[3]!.label[lang], exact: true }).isChecked()).toBe(true)
        expect(await first.getByLabel(lang === 'ja' ? '写真・動画（任意）' : 'Photos and videos (optional)').getAttribute('type')).toBe('file')
        // Nothing on the page is wider than the phone.
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
        expect(dialogs).toEqual([])
      })
    }

    it('with JavaScript off a customer rates, writes, answers fit, attaches a phone photo and sends; the stored photo has no EXIF', async () => {
      const order = await deliveredOrder()
      const token = await reviewToken(order.id)
      const { page, dialogs } = await open({ js: false })
      expect((await page.goto(`${s.url}/review/${token}`))?.status()).toBe(200)
      const first = product(page, '感動ブレンド ドリップバッグ 10袋')
      const productId = await productIdOf(first)
      const otherId = await productIdOf(product(page, 'ハンドクリーム 柚子 50g'))
      expect(productId).toBeTruthy()

      // The radios are visually hidden: a person clicks the visible label.
      await first.locator('label', { hasText: '星5つ' }).click()
      expect(await first.getByRole('radio', { name: /星5つ/ }).isChecked()).toBe(true)
      await first.getByLabel('タイトル（任意）').pressSequentially('香りが最高')
      await first.getByLabel('レビュー本文（任意）').pressSequentially('毎朝の一杯が楽しみになりました。')
      await first.locator('label', { hasText: 'ちょうどいい' }).click()
      expect(await first.getByRole('radio', { name: 'ちょうどいい' }).isChecked()).toBe(true)
      await page.locator('label', { hasText: 'ご家族' }).click()
      const photo = await jpegWithGps()
      expect((await sharp(photo).metadata()).exif).toBeDefined()
      await first.getByLabel('写真・動画（任意）').setInputFiles({ name: 'IMG_0001.JPG', mimeType: 'image/jpeg', buffer: photo })

      const res = await submit(page, page.getByRole('button', { name: 'レビューを送信する' }))
      expect(res.status()).toBe(200)
      expect(await page.locator('h1').innerText()).toBe('レビューありがとうございます')
      expect(await page.getByRole('status').innerText()).toContain('感動ブレンド ドリップバッグ 10袋')
      await expectAccessible(page, 'thanks page')
      expect(dialogs).toEqual([])

      const items = (await call('GET', `/api/v1/reviews?productId=${productId}`)).body.items.filter((r: { orderId: string }) => r.orderId === order.id)
      expect(items).toHaveLength(1)
      expect(items[0]).toMatchObject({ rating: 5, title: '香りが最高', body: '毎朝の一杯が楽しみになりました。', fit: { fit: 'true' }, status: 'published', verified: true })
      expect(items[0].media).toHaveLength(1)
      const stored = await fetch(`${s.url}/media/reviews/${items[0].media[0].id}`)
      expect(stored.status).toBe(200)
      expect(stored.headers.get('content-type')).toMatch(/^image\//)
      const meta = await sharp(Buffer.from(await stored.arrayBuffer())).metadata()
      expect(meta.exif).toBeUndefined()
      expect([meta.width, meta.height]).toEqual([300, 200])
      // The other product was left blank: not reviewed.
      expect((await call('GET', `/api/v1/reviews?productId=${otherId}`)).body.items.filter((r: { orderId: string }) => r.orderId === order.id)).toEqual([])
    })

    it('hostile names and product titles stay text on the review page, the thanks page and after a hostile review is reloaded', async () => {
      const order = await deliveredOrder({
        customer: { email: `hostile-${dialect}@example.jp`, firstName: HOSTILE_NAME, lastName: HOSTILE_TITLE, locale: 'ja' },
        shippingAddress: { name: HOSTILE, postalCode: '150-0001', prefectureCode: '13', region: '東京都', city: '渋谷区', address1: '神宮前1-2-3', country: 'JP' },
        lines: [
          { sku: 'HX-IMG', title: HOSTILE_NAME, variantTitle: HOSTILE_TITLE, quantity: 1, unitPrice: 1000 },
          { sku: 'HX-SCR', title: HOSTILE_TITLE, quantity: 1, unitPrice: 1000 },
        ],
        total: 2000,
        shippingTotal: 0,
      })
      const token = await reviewToken(order.id)
      // JavaScript on: an injected handler or script would run and open a dialog.
      const { page, dialogs } = await open({ js: true })
      const noInjection = async (where: string) => {
        await page.waitForTimeout(100)
        expect(dialogs, where).toEqual([])
        expect(await page.locator('img[src="x"]').count(), where).toBe(0)
        expect(await page.locator('script').count(), where).toBe(0)
      }
      expect((await page.goto(`${s.url}/review/${token}`))?.status()).toBe(200)
      await noInjection('review page')
      const main = await page.locator('main').innerText()
      expect(main).toContain(HOSTILE_NAME)
      expect(main).toContain(HOSTILE_TITLE)
      const first = product(page, HOSTILE_NAME)
      expect(await first.count()).toBe(1)
      expect(await product(page, HOSTILE_TITLE).count()).toBe(1)

      await first.locator('label', { hasText: '星4つ' }).click()
      await first.getByLabel('タイトル（任意）').fill(HOSTILE)
      await first.getByLabel('レビュー本文（任意）').fill(`${HOSTILE}\n</textarea>${HOSTILE}`)
      expect((await submit(page, page.getByRole('button', { name: 'レビューを送信する' }))).status()).toBe(200)
      expect(await page.locator('h1').innerText()).toBe('レビューありがとうございます')
      await noInjection('thanks page')
      expect(await page.getByRole('status').innerText()).toContain(HOSTILE_NAME)

      await page.goto(`${s.url}/review/${token}`)
      await noInjection('review page with the hostile review')
      const again = product(page, HOSTILE_NAME)
      expect(await again.getByLabel('タイトル（任意）').inputValue()).toBe(HOSTILE)
      expect(await again.getByLabel('レビュー本文（任意）').inputValue()).toBe(`${HOSTILE}\n</textarea>${HOSTILE}`)
      expect(await again.getByRole('radio', { name: /星4つ/ }).isChecked()).toBe(true)
      await page.reload()
      await noInjection('reloaded')
    })

    it('with JavaScript off an HTML page named photo.jpg comes back as a 415 alert naming it, with the typed text kept', async () => {
      const order = await deliveredOrder()
      const token = await reviewToken(order.id)
      const { page, dialogs } = await open({ js: false })
      await page.goto(`${s.url}/review/${token}`)
      const first = product(page, '感動ブレンド ドリップバッグ 10袋')
      const productId = await productIdOf(first)
      await first.locator('label', { hasText: '星5つ' }).click()
      await first.getByLabel('タイトル（任意）').fill('写真付き')
      await first.getByLabel('レビュー本文（任意）').pressSequentially('写真もどうぞ。')
      await first.locator('label', { hasText: '大きめ' }).click()
      const fake = Buffer.from('<!doctype html><html><body><script>alert(1)</script><p>not a photo</p></body></html>')
      await first.getByLabel('写真・動画（任意）').setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: fake })

      const res = await submit(page, page.getByRole('button', { name: 'レビューを送信する' }))
      expect(res.status()).toBe(415)
      const alert = page.getByRole('alert')
      expect(await alert.count()).toBe(1)
      expect(await alert.innerText()).toContain('photo.jpg')
      const back = product(page, '感動ブレンド ドリップバッグ 10袋')
      expect(await back.getByLabel('レビュー本文（任意）').inputValue()).toBe('写真もどうぞ。')
      expect(await back.getByLabel('タイトル（任意）').inputValue()).toBe('写真付き')
      expect(await back.getByRole('radio', { name: /星5つ/ }).isChecked()).toBe(true)
      expect(await back.getByRole('radio', { name: '大きめ' }).isChecked()).toBe(true)
      await expectAccessible(page, 'review page with an upload error')
      expect(dialogs).toEqual([])
      const items = (await call('GET', `/api/v1/reviews?productId=${productId}`)).body.items.filter((r: { orderId: string }) => r.orderId === order.id)
      expect(items).toHaveLength(0)
    })

    for (const lang of ['ja', 'en'] as const) {
      it(`${lang}: the NPS link records 9 at once; with JavaScript off the comment is sent from the form`, async () => {
        const order = await deliveredOrder({}, lang)
        const token = await npsToken(order.id)
        const { page, dialogs } = await open({ js: false, lang })
        expect((await page.goto(`${s.url}/nps/${token}?score=9`))?.status()).toBe(200)
        expect(await page.locator('html').getAttribute('lang')).toBe(lang)
        expect(await page.getByRole('radio', { name: lang === 'ja' ? '9点' : '9', exact: true }).isChecked()).toBe(true)
        expect(await page.getByRole('radio', { checked: true }).count()).toBe(1)
        expect(await page.getByRole('status').innerText()).toBe(lang === 'ja' ? 'ご回答ありがとうございます。' : 'Thank you for your answer.')
        await expectAccessible(page, `NPS page (${lang})`)
        await page.screenshot({ path: `test-artifacts/nps-page-${lang}.png`, fullPage: true })

        const comment = lang === 'ja' ? '配送が早く、梱包も丁寧でした。' : 'Fast delivery, careful packing.'
        await page.getByLabel(lang === 'ja' ? 'ご意見' : 'Your comments').pressSequentially(comment)
        const res = await submit(page, page.getByRole('button', { name: lang === 'ja' ? '送信する' : 'Send' }))
        expect(res.status()).toBe(200)
        expect(await page.getByRole('status').innerText()).toBe(lang === 'ja' ? 'ご回答を受け付けました。貴重なご意見をありがとうございました。' : 'We received your answer. Thank you for your feedback.')
        await expectAccessible(page, `NPS saved (${lang})`)
        expect(dialogs).toEqual([])

        const answers = (await call('GET', '/api/v1/surveys/responses?kind=nps')).body.items.filter((a: { orderId: string }) => a.orderId === order.id)
        expect(answers).toHaveLength(1)
        expect(answers[0]).toMatchObject({ score: 9, comment, via: 'form' })
      })
    }

    it('a customer withdraws a review from the review page: confirm, then removed in the API', async () => {
      const order = await deliveredOrder()
      const token = await reviewToken(order.id)
      const { page, dialogs } = await open({ js: false })
      await page.goto(`${s.url}/review/${token}`)
      const first = product(page, '感動ブレンド ドリップバッグ 10袋')
      const productId = await productIdOf(first)
      await first.locator('label', { hasText: '星5つ' }).click()
      await first.getByLabel('レビュー本文（任意）').fill('取り下げる予定のレビュー')
      await submit(page, page.getByRole('button', { name: 'レビューを送信する' }))
      const [review] = (await call('GET', `/api/v1/reviews?productId=${productId}`)).body.items.filter((r: { orderId: string }) => r.orderId === order.id)
      expect(review).toMatchObject({ status: 'published' })

      // Back to the review page (the thanks page links to it), then the withdraw link.
      await page.getByRole('link', { name: 'レビューを書き直す' }).click()
      await page.waitForLoadState('load')
      const back = product(page, '感動ブレンド ドリップバッグ 10袋')
      expect(await back.locator('.status').innerText()).toBe('公開中')
      // Only the reviewed product offers the link.
      expect(await page.getByRole('link', { name: 'このレビューを取り下げる' }).count()).toBe(1)
      await back.getByRole('link', { name: 'このレビューを取り下げる' }).click()
      await page.waitForLoadState('load')
      expect(page.url()).toBe(`${s.url}/review/${token}/withdraw/${review.id}`)
      expect(await page.locator('h1').innerText()).toBe('レビューの取り下げ')
      // Opening the confirmation changes nothing.
      expect((await call('GET', `/api/v1/reviews/${review.id}`)).body.status).toBe('published')
      await expectAccessible(page, 'withdraw confirmation')
      const res = await submit(page, page.getByRole('button', { name: '取り下げる', exact: true }))
      expect(res.status()).toBe(200)
      expect(await page.getByRole('status').innerText()).toBe('レビューを取り下げました。')
      await expectAccessible(page, 'withdrawn')
      expect((await call('GET', `/api/v1/reviews/${review.id}`)).body.status).toBe('removed')

      await page.getByRole('link', { name: 'レビューのページに戻る' }).click()
      await page.waitForLoadState('load')
      const after = product(page, '感動ブレンド ドリップバッグ 10袋')
      expect(await after.locator('.status').innerText()).toBe('取り下げ済み')
      expect(await page.getByRole('link', { name: 'このレビューを取り下げる' }).count()).toBe(0)
      expect(dialogs).toEqual([])
    })
  })
}
