import { mkdirSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumAvailable, formatViolations, launchChromium, runAxe, type AxeViolation } from '../../../test/browser.js'
import { renderLookupPage, renderNotFoundPage, renderTooManyRequestsPage } from './lookup.js'
import { renderTrackingPage } from './render.js'
import { hostileTrackingView, SAMPLE_ASSETS, sampleTrackingView } from './sample.js'

const PAGES: Record<string, () => string> = {
  '/ja': () => renderTrackingPage(sampleTrackingView()),
  '/en': () => renderTrackingPage(sampleTrackingView({ lang: 'en' })),
  '/hostile': () => renderTrackingPage(hostileTrackingView()),
  '/hostile-en': () => renderTrackingPage(hostileTrackingView('en')),
  // Hostile brand name in attributes (logo alt) with a real logo URL.
  '/hostile-logo': () => {
    const v = hostileTrackingView()
    return renderTrackingPage({ ...v, brand: { ...v.brand, logoUrl: '/_sample/logo.svg' } })
  },
  '/cancelled': () => renderTrackingPage(sampleTrackingView({ order: { ...sampleTrackingView().order, status: 'cancelled' } })),
  '/lookup': () => renderLookupPage({ lang: 'ja', brandName: '木漏れ日茶舗', action: '/track/lookup' }),
  '/lookup-error': () => renderLookupPage({ lang: 'ja', brandName: '木漏れ日茶舗', action: '/track/lookup', error: 'not_found', values: { orderNumber: '#1042', contact: 'hanako@example.com' } }),
  '/lookup-en-limited': () => renderLookupPage({ lang: 'en', brandName: 'Komorebi Tea', action: '/track/lookup', error: 'rate_limited' }),
  '/404': () => renderNotFoundPage('ja', { lookupHref: '/track' }),
  '/429': () => renderTooManyRequestsPage('en', 90),
}
/** A page that must fail axe: proves the harness really checks (not served in the loop below). */
const BAD_PAGE = '<!doctype html><html><head><title>x</title></head><body><p style="color:#bbb;background:#fff">low contrast</p><img src="/_sample/logo.svg"><a href="/x"></a></body></html>'

const VIEWPORTS = { mobile: { width: 390, height: 844 }, desktop: { width: 1280, height: 900 } } as const
const ARTIFACTS = 'test-artifacts'

describe.skipIf(!chromiumAvailable)('tracking page in Chromium', () => {
  let server: Server
  let base: string
  let browser: Browser

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!
      const asset = SAMPLE_ASSETS[path]
      if (asset) return void res.writeHead(200, { 'content-type': 'image/svg+xml' }).end(asset)
      const page = path === '/bad' ? () => BAD_PAGE : PAGES[path]
      if (!page) return void res.writeHead(404).end()
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page())
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    browser = await launchChromium()
    mkdirSync(ARTIFACTS, { recursive: true })
  })

  afterAll(async () => {
    await browser?.close()
    await new Promise((resolve) => server?.close(resolve))
  })

  /** Opens a page and fails on any JS dialog (an injected alert would open one). */
  async function open(path: string, viewport: { width: number; height: number }, javaScriptEnabled = true) {
    const context = await browser.newContext({ viewport, javaScriptEnabled, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' })
    const page = await context.newPage()
    const dialogs: string[] = []
    const errors: string[] = []
    page.on('dialog', (d) => {
      dialogs.push(d.message())
      void d.dismiss()
    })
    page.on('pageerror', (e) => errors.push(String(e)))
    await page.goto(base + path, { waitUntil: 'load' })
    return { page, context, dialogs, errors }
  }

  function seriousOf(vs: AxeViolation[], label: string): AxeViolation[] {
    const minor = vs.filter((v) => v.impact !== 'serious' && v.impact !== 'critical')
    if (minor.length) console.warn(`axe (minor/moderate) on ${label}:\n${formatViolations(minor)}`)
    return vs.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  }

  for (const path of Object.keys(PAGES)) {
    for (const [name, viewport] of Object.entries(VIEWPORTS)) {
      it(`${path} at ${name}: no serious or critical axe violation (WCAG 2.2 AA)`, async () => {
        const { page, context, dialogs } = await open(path, viewport)
        const serious = seriousOf(await runAxe(page), `${path} ${name}`)
        expect(formatViolations(serious)).toBe('')
        expect(dialogs).toEqual([])
        if (name === 'mobile' && (path === '/ja' || path === '/en')) {
          await page.screenshot({ path: `${ARTIFACTS}/tracking${path.replace('/', '-')}.png`, fullPage: true })
        }
        await context.close()
      })
    }
  }

  it('the axe harness reports violations (sanity check on a bad page)', async () => {
    const { page, context } = await open('/bad', VIEWPORTS.mobile)
    const ids = (await runAxe(page)).map((v) => v.id).sort()
    expect(ids).toEqual(expect.arrayContaining(['color-contrast', 'html-has-lang', 'image-alt', 'link-name']))
    await context.close()
  })

  it('ja page: status, both parcels, estimate and late notice are shown in Japanese', async () => {
    const { page, context } = await open('/ja', VIEWPORTS.mobile)
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('ja')
    const status = await page.getByRole('status').innerText()
    expect(status).toContain('一部の商品を発送しました')
    const text = await page.locator('main').innerText()
    for (const s of ['荷物 1/2', '荷物 2/2', 'お届け済み', '配達中', 'ご不在のため持ち帰り', 'お届け予定日', '11月27日(金)', '遅れが見込まれます', '出荷準備中', '山田 花子 様']) {
      expect(text).toContain(s)
    }
    // Headings go h1 → h2 → h3 without skipping a level.
    const levels = await page.locator('h1,h2,h3,h4,h5,h6').evaluateAll((hs) => hs.map((h) => Number(h.tagName[1])))
    expect(levels[0]).toBe(1)
    levels.forEach((l, i) => i > 0 && expect(l - levels[i - 1]!).toBeLessThanOrEqual(1))
    // Every link and button is at least 24×24 CSS px (WCAG 2.2 target size), except links inside running text.
    const small = await page.locator('a.btn, a.btn2, a.lang, .foot a, summary').evaluateAll((els) =>
      els.map((e) => e.getBoundingClientRect()).filter((r) => r.height < 24 || r.width < 24).length)
    expect(small).toBe(0)
    // No horizontal scrolling on a phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await context.close()
  })

  it('en page is complete English', async () => {
    const { page, context } = await open('/en', VIEWPORTS.mobile)
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en')
    const text = await page.locator('main').innerText()
    for (const s of ['Delivery status', 'Parcel 1 of 2', 'Delivered', 'Out for delivery', 'Missed delivery', 'Estimated delivery', 'Fri, Nov 27', 'running late']) {
      expect(text).toContain(s)
    }
    await context.close()
  })

  for (const path of ['/hostile', '/hostile-en', '/hostile-logo']) {
    it(`${path}: hostile strings stay text — no dialog, no script, no injected element or handler`, async () => {
      const { page, context, dialogs, errors } = await open(path, VIEWPORTS.mobile)
      await page.waitForTimeout(300)
      expect(dialogs).toEqual([])
      expect(errors).toEqual([])
      const found = await page.evaluate(() => {
        const all = [...document.querySelectorAll('*')]
        return {
          scripts: document.querySelectorAll('script').length,
          svgs: document.querySelectorAll('svg').length,
          handlers: all.flatMap((e) => [...e.attributes].filter((a) => a.name.startsWith('on')).map((a) => `${e.tagName} ${a.name}`)),
          jsUrls: all.filter((e) => e.tagName !== 'LINK').flatMap((e) => ['href', 'src', 'action'].map((n) => e.getAttribute(n) ?? '')).filter((u) => /^\s*(javascript|data|vbscript):/i.test(u)),
          imgs: [...document.images].map((i) => i.getAttribute('src')),
          brandVars: document.body.getAttribute('style'),
          text: document.body.innerText,
        }
      })
      expect(found.scripts).toBe(0)
      expect(found.svgs).toBe(0)
      expect(found.handlers).toEqual([])
      expect(found.jsUrls).toEqual([])
      expect(found.brandVars).toBe('--p:#2f6f4f;--a:#2f6f4f')
      expect(found.imgs.every((s) => s === '/_sample/logo.svg')).toBe(true)
      expect(found.text).toContain(`<script>alert("order.number")</script>"><img src=x onerror=alert('order.number')>`)
      await context.close()
    })
  }

  it('works with JavaScript disabled: status and estimated delivery are visible', async () => {
    const { page, context } = await open('/ja', VIEWPORTS.mobile, false)
    await expect(page.getByRole('status').isVisible()).resolves.toBe(true)
    expect(await page.getByRole('status').innerText()).toContain('一部の商品を発送しました')
    const edd = page.locator('dt', { hasText: 'お届け予定日' })
    await expect(edd.isVisible()).resolves.toBe(true)
    expect(await page.locator('main').innerText()).toContain('11月27日(金)')
    // Older history is behind <details>, which opens without JavaScript.
    await page.locator('summary').first().click()
    await expect(page.locator('details ol').first().isVisible()).resolves.toBe(true)
    await context.close()
  })

  it('keyboard focus is visible on links', async () => {
    const { page, context } = await open('/ja', VIEWPORTS.desktop)
    await page.keyboard.press('Tab')
    const outline = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement
      const cs = getComputedStyle(el)
      return { tag: el.tagName, style: cs.outlineStyle, width: parseFloat(cs.outlineWidth) }
    })
    expect(outline.tag).toBe('A')
    expect(outline.style).toBe('solid')
    expect(outline.width).toBeGreaterThanOrEqual(2)
    await context.close()
  })

  it('lookup form: labelled inputs, autocomplete, errors tied to the fields', async () => {
    const { page, context } = await open('/lookup-error', VIEWPORTS.mobile)
    const order = page.getByLabel('ご注文番号')
    const contact = page.getByLabel('メールアドレスまたは電話番号')
    await expect(order.getAttribute('aria-invalid')).resolves.toBe('true')
    await expect(contact.getAttribute('autocomplete')).resolves.toBe('email')
    await expect(order.inputValue()).resolves.toBe('#1042')
    const describedBy = (await contact.getAttribute('aria-describedby'))!.split(' ')
    expect(describedBy).toContain('lookup-error')
    expect(await page.locator('#lookup-error').innerText()).toContain('見つかりませんでした')
    await expect(page.getByRole('alert').count()).resolves.toBe(1)
    await context.close()
  })
})
