import { mkdirSync } from 'node:fs'
import type { Browser, BrowserContext, Locator, Page, Response } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumAvailable, formatViolations, launchChromium, runAxe } from './browser.js'
import { DIALECTS } from './databases.js'
import { sampleOrder, startTestServer, type TestServer } from './harness.js'

/**
 * The customer's returns portal `/r/:tenant` from the real server and database, in Debian's
 * Chromium: with JavaScript off a customer finds the order by number and email, picks an item,
 * a reason, an exchange for another size in stock and a pickup slot, and lands on the status page
 * with the RMA number (in Japanese and in English); a wrong email reveals nothing and creates
 * nothing; photo rules and fake photos are refused on the page with what was typed kept; hostile
 * terms and notes stay text; axe finds no serious or critical violation on any page.
 */
const HOSTILE = '<img src=x onerror=alert(1)>"><script>alert(2)</script>'
const LOC = 'loc_saitama_kuki'

/** What the brand's policy is in these tests (the hostile test swaps only the terms). */
const POLICY = {
  terms: { ja: '商品到着後14日以内、未使用品に限り返品・交換を承ります。\n返送料はお客様のご負担となります。', en: 'Unused items may be returned or exchanged within 14 days of delivery.\nYou pay the return shipping.' },
  windowDays: 14,
  approval: { autoApproveUpTo: 100_000 },
  fraud: { manyReturnsIn90Days: null, highValue: null },
  limits: { maxReturnsPer90Days: null },
}

/** A 300 × 200 JPEG carrying GPS EXIF, as a phone writes it. */
async function jpegWithGps(): Promise<Buffer> {
  const raw = Buffer.alloc(300 * 200 * 3, 120)
  return sharp(raw, { raw: { width: 300, height: 200, channels: 3 } }).jpeg({ quality: 90 })
    .withExif({ IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '35/1 39/1 3096/100', GPSLongitudeRef: 'E', GPSLongitude: '139/1 44/1 4344/100' } })
    .toBuffer()
}

/** Tomorrow in Japan, 'YYYY-MM-DD' (the first pickup date offered). */
function tomorrowInTokyo(): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date())
  return new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
}

const withoutJs = new WeakSet<Page>()

/**
 * Axe on the page as it is; the test fails on serious or critical violations. A page with
 * JavaScript off is audited as a copy (what was typed written into its attributes) at the same
 * address with JavaScript on, as test/reviews-browser.test.ts explains.
 */
async function expectAccessible(page: Page, what: string): Promise<void> {
  let target = page
  let copy: BrowserContext | undefined
  if (withoutJs.has(page)) {
    await page.evaluate(() => {
      for (const el of document.querySelectorAll('input, textarea, select')) {
        if (el instanceof HTMLTextAreaElement) el.textContent = el.value
        else if (el instanceof HTMLSelectElement) for (const o of el.options) o.toggleAttribute('selected', o.selected)
        else if (el instanceof HTMLInputElement && (el.type === 'radio' || el.type === 'checkbox')) el.toggleAttribute('checked', el.checked)
        else if (el instanceof HTMLInputElement && el.type !== 'file') el.setAttribute('value', el.value)
      }
    })
    const body = await page.content()
    const href = page.url()
    copy = await page.context().browser()!.newContext({ viewport: page.viewportSize(), bypassCSP: true })
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

/** Clicks a submit button and waits for the page the server sends back; returns the POST's response. */
async function submit(page: Page, button: Locator): Promise<Response> {
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.request().resourceType() === 'document'),
    page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() }),
    button.click(),
  ])
  await page.waitForLoadState('load')
  return res
}

const TEXT = {
  ja: {
    orderNumber: 'ご注文番号', contact: 'メールアドレスまたは電話番号', find: 'ご注文を探す', orderTitle: '返品・交換のお申し込み', terms: '返品についてのご案内（返品特約）',
    quantity: '返品する数量', condition: '商品の状態', exchangeFor: '交換後のサイズ・色（交換をご希望の場合）', reason: '理由', note: '詳しい状況（任意）', photos: '商品の写真',
    exchange: '交換', pickup: '集荷（ご自宅まで取りに伺います）', pickupDate: '集荷のご希望日', pickupSlot: '集荷の時間帯', submit: '返品を申し込む',
    statusTitle: '返品のお申し込み状況', approved: '承認済み', slot: '14時〜16時', writeRma: '返品番号', exchangeTo: '交換後：オーガニックTシャツ / L',
    notFound: 'ご注文番号とメールアドレス（または電話番号）の組み合わせが見つかりませんでした。入力内容をご確認ください。',
    sizeFit: 'サイズが合わない', received: 'お申し込みを受け付けました。', paid: '返送料はお客様のご負担です',
  },
  en: {
    orderNumber: 'Order number', contact: 'Email or phone number', find: 'Find my order', orderTitle: 'Return or exchange', terms: 'Our return terms',
    quantity: 'Quantity to return', condition: 'Condition', exchangeFor: 'Exchange for (if you choose an exchange)', reason: 'Reason', note: 'Tell us more (optional)', photos: 'Photos of the item',
    exchange: 'Exchange', pickup: 'Pickup (the carrier collects it from your home)', pickupDate: 'Pickup date', pickupSlot: 'Pickup time', submit: 'Send return request',
    statusTitle: 'Your return', approved: 'Approved', slot: '14:00–16:00', writeRma: 'Write the return number', exchangeTo: 'Exchange for: オーガニックTシャツ / L',
    notFound: 'No order matches that order number and email address (or phone number). Please check what you entered.',
    sizeFit: 'Size or fit', received: 'We received your request.', paid: 'You pay the return shipping',
  },
} as const

for (const dialect of DIALECTS) {
  describe.skipIf(!chromiumAvailable)(`${dialect}: the returns portal in Chromium`, () => {
    let s: TestServer
    let key: string
    let tenantId: string
    let browser: Browser
    let n = 0
    let seq = 0
    const slug = `rtb-${dialect}`
    const contexts: BrowserContext[] = []

    const call = (method: string, path: string, body?: unknown) => s.call(method, path, { key, body })
    const returnsOf = async (orderId: string) => (await call('GET', `/api/v1/returns?orderId=${orderId}`)).body.items as Array<Record<string, any>>

    /** An order of a T-shirt in M and a hand cream, delivered today, with its own customer. */
    async function deliveredOrder(locale: 'ja' | 'en' = 'ja'): Promise<{ id: string; number: string; email: string }> {
      const id = `rtb-${dialect}-${++n}`
      const email = `${id}@example.jp`
      const customer = { email, phone: `090-0000-${String(1000 + n)}`, firstName: '花子', lastName: '山田', locale }
      const res = await call('POST', '/api/v1/orders', sampleOrder(id, {
        status: 'confirmed', customer,
        lines: [
          { sku: 'TEE-M', title: 'オーガニックTシャツ', variantTitle: 'M', quantity: 1, unitPrice: 4400 },
          { sku: 'KD-CARE-YUZU', title: 'ハンドクリーム 柚子 50g', quantity: 1, unitPrice: 2200 },
        ],
        total: 6600, shippingTotal: 0,
      }))
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(300)
      const sh = (await call('POST', `/api/v1/orders/${res.body.id}/shipments`, { carrier: 'yamato', origin: { location: LOC } })).body
      expect(sh.id, JSON.stringify(sh)).toMatch(/^shp_/)
      const ev = await call('POST', `/api/v1/shipments/${sh.id}/events`, { events: [{ status: 'delivered', rawStatus: '配達完了', occurredAt: new Date().toISOString() }] })
      expect(ev.body.shipment.status).toBe('delivered')
      return { id: res.body.id, number: `#${id}`, email }
    }

    async function open(opts: { js: boolean; lang?: 'ja' | 'en' }): Promise<{ page: Page; dialogs: string[] }> {
      // bypassCSP: axe is injected as a script, which the pages' CSP (rightly) refuses.
      const ctx = await browser.newContext({ javaScriptEnabled: opts.js, bypassCSP: true, viewport: { width: 390, height: 844 }, locale: opts.lang === 'en' ? 'en-US' : 'ja-JP' })
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

    /** Lookup form → the order page (asserts the redirect). */
    async function findOrder(page: Page, lang: 'ja' | 'en', order: { number: string; email: string }): Promise<void> {
      const t = TEXT[lang]
      expect((await page.goto(`${s.url}/r/${slug}${lang === 'en' ? '?lang=en' : ''}`))?.status()).toBe(200)
      await page.getByLabel(t.orderNumber).fill(order.number)
      await page.getByLabel(t.contact).fill(order.email)
      const res = await submit(page, page.getByRole('button', { name: t.find }))
      expect(res.status()).toBe(303)
      expect(page.url()).toMatch(new RegExp(`/r/${slug}/o/[A-Za-z0-9_-]{20,}`))
    }

    const tee = (page: Page) => page.getByRole('group', { name: /オーガニックTシャツ/ })
    const reasonSelect = (page: Page, label: string) => page.getByRole('combobox', { name: new RegExp(`^${label}`) })

    beforeAll(async () => {
      s = await startTestServer(dialect)
      await s.kando.inventory.seedDemoNetwork()
      const created = await s.kando.tenants.create({ slug, name: '木漏れ日アパレル' })
      key = created.apiKey.key
      tenantId = created.tenant.id
      const product = await call('POST', '/api/v1/products', { title: 'オーガニックTシャツ', productType: 'Tシャツ', variants: [
        { sku: 'TEE-S', title: 'S', price: 4400, currency: 'JPY' }, { sku: 'TEE-M', title: 'M', price: 4400, currency: 'JPY' }, { sku: 'TEE-L', title: 'L', price: 4400, currency: 'JPY' },
      ] })
      expect(product.status, JSON.stringify(product.body)).toBeLessThan(300)
      // L in stock (the exchange), S sold out (shown, not choosable).
      const snap = await call('POST', '/api/v1/stock/snapshots', { locationId: LOC, seq: ++seq, items: [{ sku: 'TEE-L', onHand: 50 }, { sku: 'TEE-S', onHand: 0 }] })
      expect(snap.status, JSON.stringify(snap.body)).toBe(200)
      const set = await call('PUT', '/api/v1/return-settings', { policy: POLICY })
      expect(set.status, JSON.stringify(set.body)).toBe(200)
      browser = await launchChromium()
      mkdirSync('test-artifacts', { recursive: true })
    }, 60_000)
    afterAll(async () => {
      for (const c of contexts) await c.close().catch(() => undefined)
      await browser?.close()
      await s?.close()
    })

    for (const lang of ['ja', 'en'] as const) {
      it(`${lang}: with JavaScript off, order number + email → a T-shirt exchanged for L, picked up 14–16 → the status page with the RMA`, async () => {
        const t = TEXT[lang]
        const order = await deliveredOrder(lang)
        const { page, dialogs } = await open({ js: false, lang })
        await findOrder(page, lang, order)
        await expectAccessible(page, `order page (${lang})`)
        expect(await page.locator('html').getAttribute('lang')).toBe(lang)
        expect(await page.locator('h1').innerText()).toBe(t.orderTitle)
        // The brand's terms come before anything is chosen.
        const terms = page.getByRole('region', { name: t.terms })
        expect(await terms.innerText()).toContain(POLICY.terms[lang].split('\n')[0])
        const form = page.locator('form')
        expect(await terms.evaluate((el, f) => !!(el.compareDocumentPosition(f!) & Node.DOCUMENT_POSITION_FOLLOWING), await form.elementHandle())).toBe(true)
        await page.screenshot({ path: `test-artifacts/returns-order-${dialect}-${lang}.png`, fullPage: true })

        const line = tee(page)
        await line.getByLabel(t.quantity).selectOption('1')
        await line.getByLabel(t.condition).selectOption('opened')
        const exchange = line.getByLabel(t.exchangeFor)
        // S is sold out: listed, not choosable.
        const options = await exchange.locator('option').evaluateAll((os) => os.map((o) => ({ text: o.textContent ?? '', disabled: (o as HTMLOptionElement).disabled })))
        expect(options.find((o) => o.text.startsWith('S'))?.disabled).toBe(true)
        expect(options.find((o) => o.text.startsWith('L'))?.disabled).toBe(false)
        await exchange.selectOption({ label: options.find((o) => o.text.startsWith('L'))!.text })
        await reasonSelect(page, t.reason).selectOption({ label: t.sizeFit })
        await page.getByLabel(t.note).fill(lang === 'ja' ? '少し小さかったです。' : 'A little small.')
        await page.getByRole('radio', { name: t.exchange }).check()
        await page.getByRole('radio', { name: t.pickup }).check()
        await page.getByLabel(t.pickupDate).fill(tomorrowInTokyo())
        await page.getByLabel(t.pickupSlot).selectOption('14-16')

        const orderUrl = page.url()
        const res = await submit(page, page.getByRole('button', { name: t.submit }))
        expect(res.status()).toBe(303)
        expect(page.url()).toMatch(new RegExp(`/r/${slug}/s/[A-Za-z0-9_-]{43}`))
        const statusPath = new URL(page.url()).pathname
        expect(await page.locator('h1').innerText()).toBe(t.statusTitle)
        expect(await page.getByRole('status').innerText()).toContain(t.received)
        const [ret] = await returnsOf(order.id)
        expect(ret).toMatchObject({ status: 'approved', resolution: 'exchange', method: 'pickup', pickup: { date: tomorrowInTokyo(), slot: '14-16' }, reason: { code: 'size_fit' } })
        expect(ret!.lines).toHaveLength(1)
        expect(ret!.lines[0]).toMatchObject({ sku: 'TEE-M', quantity: 1, condition: 'opened', exchange: { sku: 'TEE-L' } })
        const main = await page.locator('main').innerText()
        expect(await page.locator('#rma').innerText()).toBe(ret!.rma)
        expect(ret!.rma).toMatch(/^R-/)
        expect(main).toContain(t.approved)
        expect(main).toContain(t.slot)
        expect(main).toContain(t.writeRma)
        expect(main).toContain(t.exchangeTo)
        expect(main).toContain(t.paid)
        // The explanation names the item, not an internal line id.
        expect(main).not.toMatch(/oli_/)
        await expectAccessible(page, `status page (${lang})`)
        await page.screenshot({ path: `test-artifacts/returns-status-${dialect}-${lang}.png`, fullPage: true })
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)

        // Back on the order page: the return is listed with a link to its status; the T-shirt is not offered again.
        await page.goto(orderUrl)
        expect(new URL(await page.getByRole('link', { name: ret!.rma }).getAttribute('href') ?? '', s.url).pathname).toBe(statusPath)
        expect(await tee(page).getByLabel(t.quantity).count()).toBe(0)
        expect(dialogs).toEqual([])
      })
    }

    it('the lookup page is accessible; a wrong email for a real order number gets the same neutral answer as an unknown number, and no return', async () => {
      const order = await deliveredOrder()
      const { page } = await open({ js: false })
      expect((await page.goto(`${s.url}/r/${slug}`))?.status()).toBe(200)
      await expectAccessible(page, 'lookup page')
      const t = TEXT.ja
      const tryLookup = async (number: string, email: string) => {
        await page.getByLabel(t.orderNumber).fill(number)
        await page.getByLabel(t.contact).fill(email)
        const res = await submit(page, page.getByRole('button', { name: t.find }))
        return { status: res.status(), alert: await page.getByRole('alert').innerText(), url: page.url() }
      }
      const wrong = await tryLookup(order.number, 'someone-else@example.jp')
      expect(wrong.status).toBe(404)
      expect(wrong.alert).toContain(t.notFound)
      expect(wrong.url).toBe(`${s.url}/r/${slug}`)
      // What was typed stays, tied to the message.
      expect(await page.getByLabel(t.contact).inputValue()).toBe('someone-else@example.jp')
      expect(await page.getByLabel(t.contact).getAttribute('aria-describedby')).toContain('lookup-err')
      await expectAccessible(page, 'lookup page with the not-found message')
      const unknown = await tryLookup('#no-such-order', order.email)
      expect(unknown).toEqual({ ...wrong, status: 404 })
      expect(await returnsOf(order.id)).toEqual([])
      // An order link of another brand's order, or a made-up one: the same 404.
      expect((await page.goto(`${s.url}/r/${slug}/o/${'x'.repeat(43)}`))?.status()).toBe(404)
    })

    it('a reason that needs photos without one is refused on the page with the choices kept; with a photo it goes through, stored without EXIF', async () => {
      const t = TEXT.ja
      const order = await deliveredOrder()
      const { page, dialogs } = await open({ js: false })
      await findOrder(page, 'ja', order)
      const line = tee(page)
      await line.getByLabel(t.quantity).selectOption('1')
      await line.getByLabel(t.condition).selectOption('damaged')
      await reasonSelect(page, t.reason).selectOption('defective')
      await page.getByLabel(t.note).fill('縫い目がほつれていました。')
      await page.getByRole('radio', { name: /返金/ }).check()
      await page.getByRole('radio', { name: /持ち込み/ }).check()
      const res = await submit(page, page.getByRole('button', { name: t.submit }))
      expect(res.status()).toBe(422)
      const alert = page.getByRole('alert')
      expect(await alert.innerText()).toContain('「不良品」の場合は、商品の写真を1枚以上添付してください。')
      // The summary links to the field; the field names its error.
      expect(await alert.getByRole('link').first().getAttribute('href')).toBe('#photos')
      const photos = page.getByLabel(t.photos)
      expect(await photos.getAttribute('aria-invalid')).toBe('true')
      expect(await photos.getAttribute('aria-describedby')).toContain('photos-err')
      expect(await photos.getAttribute('accept')).toBe('image/*')
      // Everything chosen is still chosen.
      expect(await tee(page).getByLabel(t.quantity).inputValue()).toBe('1')
      expect(await tee(page).getByLabel(t.condition).inputValue()).toBe('damaged')
      expect(await reasonSelect(page, t.reason).inputValue()).toBe('defective')
      expect(await page.getByLabel(t.note).inputValue()).toBe('縫い目がほつれていました。')
      expect(await page.getByRole('radio', { name: /返金/ }).isChecked()).toBe(true)
      expect(await page.getByRole('radio', { name: /持ち込み/ }).isChecked()).toBe(true)
      await expectAccessible(page, 'order page with an error')
      expect(await returnsOf(order.id)).toEqual([])

      const photo = await jpegWithGps()
      await photos.setInputFiles({ name: 'IMG_0001.JPG', mimeType: 'image/jpeg', buffer: photo })
      const ok = await submit(page, page.getByRole('button', { name: t.submit }))
      expect(ok.status()).toBe(303)
      const [ret] = await returnsOf(order.id)
      expect(ret).toMatchObject({ reason: { code: 'defective', note: '縫い目がほつれていました。' }, resolution: 'refund', method: 'dropoff', shippingPaidBy: 'brand', photos: 1 })
      const row = await s.kando.db.kysely.selectFrom('return_media').select(['id', 'data', 'mime']).where('return_id', '=', ret!.id).executeTakeFirstOrThrow()
      const meta = await sharp(Buffer.from(row.data)).metadata()
      expect(meta.exif).toBeUndefined()
      expect([meta.width, meta.height]).toEqual([300, 200])
      expect(await page.locator('main').innerText()).toContain('返送料はショップが負担します')
      expect(dialogs).toEqual([])
    })

    it('an HTML file named photo.jpg is refused with a message naming it (415), the typed text kept, nothing created', async () => {
      const t = TEXT.ja
      const order = await deliveredOrder()
      const { page, dialogs } = await open({ js: false })
      await findOrder(page, 'ja', order)
      await tee(page).getByLabel(t.quantity).selectOption('1')
      await reasonSelect(page, t.reason).selectOption('damaged')
      await page.getByLabel(t.note).fill('箱がつぶれていました。')
      await page.getByRole('radio', { name: /返金/ }).check()
      await page.getByRole('radio', { name: /持ち込み/ }).check()
      const fake = Buffer.from('<!doctype html><html><body><script>alert(1)</script><p>not a photo</p></body></html>')
      await page.getByLabel(t.photos).setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: fake })
      const res = await submit(page, page.getByRole('button', { name: t.submit }))
      expect(res.status()).toBe(415)
      const alert = page.getByRole('alert')
      expect(await alert.innerText()).toContain('「photo.jpg」は写真として読み込めませんでした')
      expect(await page.getByLabel(t.note).inputValue()).toBe('箱がつぶれていました。')
      expect(await page.locator('#photos-hint').innerText()).toContain('もう一度選んでください')
      await expectAccessible(page, 'order page with a refused upload')
      expect(await returnsOf(order.id)).toEqual([])
      expect(dialogs).toEqual([])
    })

    it('the size chosen for the exchange sells out before the form is sent: the page says so and nothing is created', async () => {
      const t = TEXT.ja
      const order = await deliveredOrder()
      const { page } = await open({ js: false })
      await findOrder(page, 'ja', order)
      await tee(page).getByLabel(t.quantity).selectOption('1')
      const exchange = tee(page).getByLabel(t.exchangeFor)
      const label = (await exchange.locator('option').allTextContents()).find((o) => o.startsWith('L'))!
      await exchange.selectOption({ label })
      await reasonSelect(page, t.reason).selectOption('size_fit')
      await page.getByRole('radio', { name: t.exchange }).check()
      await page.getByRole('radio', { name: /持ち込み/ }).check()
      const gone = await call('POST', '/api/v1/stock/snapshots', { locationId: LOC, seq: ++seq, items: [{ sku: 'TEE-L', onHand: 0 }] })
      expect(gone.status).toBe(200)
      try {
        const res = await submit(page, page.getByRole('button', { name: t.submit }))
        expect([409, 422]).toContain(res.status())
        expect(await page.getByRole('alert').innerText()).toContain('選んだサイズ・色は在庫がなくなりました')
        expect(await tee(page).getByLabel(t.exchangeFor).getAttribute('aria-invalid')).toBe('true')
        // Now listed as sold out, and not chosen any more.
        const options = await tee(page).getByLabel(t.exchangeFor).locator('option').evaluateAll((os) => os.map((o) => ({ text: o.textContent ?? '', disabled: (o as HTMLOptionElement).disabled })))
        expect(options.find((o) => o.text.startsWith('L'))?.disabled).toBe(true)
        expect(await returnsOf(order.id)).toEqual([])
      } finally {
        await call('POST', '/api/v1/stock/snapshots', { locationId: LOC, seq: ++seq, items: [{ sku: 'TEE-L', onHand: 50 }] })
      }
    })

    it('hostile terms and a hostile note stay text on the order page, the error page and the status page', async () => {
      const scope = s.kando.scope(tenantId)
      await s.kando.returns.updateSettings(scope, { policy: { ...POLICY, terms: { ja: `${HOSTILE}\n${HOSTILE}`, en: HOSTILE } } })
      try {
        const t = TEXT.ja
        const order = await deliveredOrder()
        // JavaScript on: an injected handler or script would run and open a dialog.
        const { page, dialogs } = await open({ js: true })
        const noInjection = async (where: string) => {
          await page.waitForTimeout(100)
          expect(dialogs, where).toEqual([])
          expect(await page.locator('img[src="x"]').count(), where).toBe(0)
          expect(await page.locator('script').count(), where).toBe(0)
        }
        await findOrder(page, 'ja', order)
        await noInjection('order page')
        expect(await page.getByRole('region', { name: t.terms }).innerText()).toContain(HOSTILE)
        // The error state echoes the note back into the textarea.
        await page.getByLabel(t.note).fill(`${HOSTILE}\n</textarea>${HOSTILE}`)
        await page.getByRole('radio', { name: /返金/ }).check()
        const bad = await submit(page, page.getByRole('button', { name: t.submit }))
        expect(bad.status()).toBe(422)
        await noInjection('order page with errors')
        expect(await page.getByLabel(t.note).inputValue()).toBe(`${HOSTILE}\n</textarea>${HOSTILE}`)
        await expectAccessible(page, 'order page with hostile terms and errors')

        await tee(page).getByLabel(t.quantity).selectOption('1')
        await reasonSelect(page, t.reason).selectOption('changed_mind')
        await page.getByRole('radio', { name: /持ち込み/ }).check()
        const ok = await submit(page, page.getByRole('button', { name: t.submit }))
        expect(ok.status()).toBe(303)
        await noInjection('status page')
        expect(await page.locator('main').innerText()).toContain(HOSTILE)
        const [ret] = await returnsOf(order.id)
        expect(ret!.reason.note).toBe(`${HOSTILE}\n</textarea>${HOSTILE}`)
        const res = await fetch(page.url())
        expect(res.headers.get('cache-control')).toBe('private, no-store')
        expect(res.headers.get('x-robots-tag')).toBe('noindex')
        expect(res.headers.get('referrer-policy')).toBe('no-referrer')
        expect(res.headers.get('content-security-policy')).toContain("default-src 'none'")
      } finally {
        await s.kando.returns.updateSettings(scope, { policy: POLICY })
      }
    })

    it('an order link from a message opens the order page; repeated wrong lookups from one address are slowed down (429)', async () => {
      const order = await deliveredOrder()
      const token = (await call('GET', `/api/v1/orders/${order.id}`)).body.trackingToken as string
      expect(token).toBeTruthy()
      const { page } = await open({ js: false })
      const res = await page.goto(`${s.url}/r/${slug}?o=${token}`)
      expect(res?.status()).toBe(200)
      expect(page.url()).toBe(`${s.url}/r/${slug}/o/${token}`)
      expect(await page.locator('h1').innerText()).toBe(TEXT.ja.orderTitle)

      // Last test of the suite: this blocks lookups from 127.0.0.1 for a while.
      const lookup = (contact: string) => fetch(`${s.url}/r/${slug}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ orderNumber: order.number, contact }), redirect: 'manual' })
      // Five wrong guesses per address (two were made by an earlier test), then 429 with Retry-After.
      const statuses: number[] = []
      for (let i = 0; i < 6; i++) statuses.push((await lookup(`guess-${i}@example.jp`)).status)
      expect(statuses[0]).toBe(404)
      expect(statuses.at(-1)).toBe(429)
      expect(statuses.filter((x) => x === 404).length).toBeLessThanOrEqual(5)
      expect(Number((await lookup('again@example.jp')).headers.get('retry-after'))).toBeGreaterThan(0)
      // Blocked means blocked: the right email is not checked either, so it reveals nothing.
      expect((await lookup(order.email)).status).toBe(429)
    })
  })
}
