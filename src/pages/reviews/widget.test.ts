import { mkdirSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { chromiumAvailable, formatViolations, launchChromium, runAxe, type AxeViolation } from '../../../test/browser.js'
import { WIDGET_ETAG, WIDGET_JS } from './widget.ts' // not .js: vite would load the browser file of that name

const ARTIFACTS = 'test-artifacts'
const MOBILE = { width: 390, height: 844 }

interface Media { kind: 'image' | 'video'; url: string; width: number; height: number }
interface Review {
  id: string; rating: number; title: string | null; body: string; author: string; verified: boolean
  source: 'kando' | 'import' | 'api'; variant: string | null; createdAt: string; helpful: number
  media: Media[]; reply: { body: string; at: string } | null
}

const HOSTILE = {
  title: '<img src=x onerror=alert(1)>',
  body: '</script><script>alert(2)</script>',
  author: '"><svg onload=alert(3)>',
  variant: "<img src=x onerror=alert('variant')>",
  reply: '<script>alert(5)</script><svg><script>alert(6)</script></svg>',
}

const REVIEWS: Review[] = [
  {
    id: 'rev_001', rating: 5, title: '香りが最高', body: '毎朝飲んでいます。\n香ばしくて飲みやすいです。', author: '山田 様', verified: true,
    source: 'kando', variant: '100g', createdAt: '2026-11-20T03:00:00.000Z', helpful: 3,
    media: [
      { kind: 'image', url: '/media/reviews/med_photo1', width: 1600, height: 1200 },
      { kind: 'image', url: '/media/reviews/med_photo2', width: 1200, height: 1600 },
    ],
    reply: { body: 'ご愛飲ありがとうございます。\nまたのご利用をお待ちしております。', at: '2026-11-21T01:00:00.000Z' },
  },
  {
    id: 'rev_hostile', rating: 1, title: HOSTILE.title, body: HOSTILE.body, author: HOSTILE.author, verified: false,
    // 16:30 UTC on the 18th is the 19th in Tokyo: the widget must show and publish the Japanese day.
    source: 'import', variant: HOSTILE.variant, createdAt: '2026-11-18T16:30:00.000Z', helpful: 1,
    media: [
      { kind: 'image', url: 'javascript:alert(7)', width: 10, height: 10 },
      { kind: 'video', url: 'data:video/mp4;base64,AAAA', width: 10, height: 10 },
    ],
    reply: { body: HOSTILE.reply, at: '2026-11-19T00:00:00.000Z' },
  },
  {
    id: 'rev_003', rating: 4, title: null, body: 'おいしいです。', author: '佐藤 様', verified: true, source: 'api', variant: null,
    createdAt: '2026-11-10T10:00:00.000Z', helpful: 2, media: [{ kind: 'video', url: '/media/reviews/med_video', width: 1280, height: 720 }], reply: null,
  },
  ...[4, 5, 6, 7].map((n): Review => ({
    id: `rev_00${n}`, rating: n === 7 ? 3 : 5, title: `レビュー${n}`, body: `本文${n}`, author: `購入者${n} 様`, verified: n % 2 === 0,
    source: 'kando', variant: '200g', createdAt: `2026-10-0${n}T00:00:00.000Z`, helpful: 0, media: [], reply: null,
  })),
]

const SORTS = ['helpful', 'newest', 'rating_desc', 'rating_asc']
const ORDER: Record<string, (a: Review, b: Review) => number> = {
  helpful: (a, b) => b.helpful - a.helpful || b.createdAt.localeCompare(a.createdAt),
  newest: (a, b) => b.createdAt.localeCompare(a.createdAt),
  rating_desc: (a, b) => b.rating - a.rating || b.createdAt.localeCompare(a.createdAt),
  rating_asc: (a, b) => a.rating - b.rating || b.createdAt.localeCompare(a.createdAt),
}

/** The public reviews JSON, built exactly like the contract the widget reads. */
function reviewsBody(product: string, q: URLSearchParams): unknown {
  const empty = product === 'prd_empty'
  const sort = ORDER[q.get('sort') ?? ''] ? q.get('sort')! : 'helpful'
  let list = empty ? [] : [...REVIEWS].sort(ORDER[sort])
  if (q.get('filter') === 'photos') list = list.filter((r) => r.media.length > 0)
  const page = Math.max(1, Number(q.get('page') ?? 1))
  const limit = Math.max(1, Number(q.get('limit') ?? 5))
  return {
    product: { id: product, title: '有機ほうじ茶 100g', imageUrl: empty ? null : '/media/products/p.jpg' },
    summary: empty
      ? { count: 0, average: 0, distribution: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 }, withMedia: 0 }
      : { count: 128, average: 4.6, distribution: { 1: 2, 2: 3, 3: 9, 4: 30, 5: 84 }, withMedia: 17 },
    socialProof: { boughtThisWeek: empty ? 0 : 12 },
    reviews: list.slice((page - 1) * limit, page * limit),
    page: { page, limit, total: list.length, hasMore: page * limit < list.length },
    sorts: SORTS,
    filters: ['photos'],
  }
}

interface Seen { method: string; path: string; query: URLSearchParams; origin: string | undefined }

describe.skipIf(!chromiumAvailable)('reviews widget in Chromium (shop page on another origin)', () => {
  let api: Server
  let shop: Server
  let apiBase: string
  let shopBase: string
  let browser: Browser
  let png: Buffer
  const seen: Seen[] = []
  const votes = new Map<string, Set<string>>()
  const voteBodies: unknown[] = []

  function cors(req: IncomingMessage, res: ServerResponse): void {
    // Only the shop's origin, as the real server's allow-list would.
    if (req.headers.origin === shopBase) res.setHeader('access-control-allow-origin', shopBase).setHeader('vary', 'Origin')
  }
  function json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body))
  }
  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    return Buffer.concat(chunks).toString('utf8')
  }

  function shopPage(q: URLSearchParams): string {
    const lang = q.get('lang') === 'en' ? 'en' : 'ja'
    const product = q.get('product') ?? 'prd_123'
    const apiAttr = q.get('api') === 'default' ? '' : ` api="${apiBase}"`
    return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>有機ほうじ茶 100g | 木漏れ日茶舗</title>
<style>body{font-family:system-ui,sans-serif;margin:0;padding:1rem;color:#222;background:#fff}main{max-width:48rem;margin:0 auto}</style>
<script src="${apiBase}/widget/reviews.js" defer></script></head>
<body><main><h1>${lang === 'ja' ? '有機ほうじ茶 100g' : 'Organic hojicha 100g'}</h1><p>${lang === 'ja' ? '京都の茶畑から。' : 'From Kyoto tea fields.'}</p>
<kando-reviews shop="komorebi" product="${product}" lang="${lang}" limit="3"${apiAttr}></kando-reviews></main></body></html>`
  }

  beforeAll(async () => {
    png = await sharp({ create: { width: 160, height: 120, channels: 3, background: { r: 120, g: 80, b: 40 } } }).png().toBuffer()
    api = createServer((req, res) => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://x')
        seen.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, origin: req.headers.origin })
        cors(req, res)
        if (url.pathname === '/widget/reviews.js') {
          return void res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', etag: WIDGET_ETAG }).end(WIDGET_JS)
        }
        if (url.pathname.startsWith('/media/')) return void res.writeHead(200, { 'content-type': 'image/png' }).end(png)
        const list = /^\/public\/v1\/komorebi\/products\/([^/]+)\/reviews$/.exec(url.pathname)
        if (list && req.method === 'GET') {
          const product = decodeURIComponent(list[1]!)
          if (product === 'prd_err') return json(res, 500, { error: 'boom' })
          return json(res, 200, reviewsBody(product, url.searchParams))
        }
        const helpful = /^\/public\/v1\/komorebi\/reviews\/([^/]+)\/helpful$/.exec(url.pathname)
        if (helpful && req.method === 'OPTIONS') {
          return void res.writeHead(204, {
            'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type', 'access-control-max-age': '600',
          }).end()
        }
        if (helpful && req.method === 'POST') {
          const id = decodeURIComponent(helpful[1]!)
          const review = REVIEWS.find((r) => r.id === id)
          if (!review) return json(res, 404, { error: 'not found' })
          if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return json(res, 415, { error: 'json only' })
          let body: unknown
          try {
            body = JSON.parse(await readBody(req))
          } catch {
            return json(res, 400, { error: 'bad json' })
          }
          voteBodies.push(body)
          const visitor = (body as { visitor?: unknown })?.visitor
          if (typeof visitor !== 'string' || !/^[0-9a-f]{32}$/.test(visitor)) return json(res, 400, { error: 'visitor' })
          const set = votes.get(id) ?? new Set<string>()
          set.add(visitor) // a second vote from the same visitor counts once
          votes.set(id, set)
          return json(res, 200, { helpful: review.helpful + set.size })
        }
        res.writeHead(404).end()
      })()
    })
    shop = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x')
      if (url.pathname !== '/shop') return void res.writeHead(404).end()
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(shopPage(url.searchParams))
    })
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve))
    await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve))
    apiBase = `http://127.0.0.1:${(api.address() as AddressInfo).port}`
    shopBase = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`
    browser = await launchChromium()
    mkdirSync(ARTIFACTS, { recursive: true })
  })

  afterAll(async () => {
    await browser?.close()
    await new Promise((resolve) => api?.close(resolve))
    await new Promise((resolve) => shop?.close(resolve))
  })

  beforeEach(() => {
    seen.length = 0
  })

  interface Opened { page: Page; context: BrowserContext; dialogs: string[]; errors: string[] }

  /** Opens the shop page; any JS dialog (an injected alert) or page error is recorded. */
  async function open(query: string, context?: BrowserContext): Promise<Opened> {
    context ??= await browser.newContext({ viewport: MOBILE, locale: 'ja-JP', timezoneId: 'America/Los_Angeles' })
    const page = await context.newPage()
    const dialogs: string[] = []
    const errors: string[] = []
    page.on('dialog', (d) => {
      dialogs.push(d.message())
      void d.dismiss()
    })
    page.on('pageerror', (e) => errors.push(String(e)))
    await page.goto(`${shopBase}/shop?${query}`, { waitUntil: 'load' })
    return { page, context, dialogs, errors }
  }
  const widget = (page: Page) => page.locator('kando-reviews')
  const articles = (page: Page) => page.locator('kando-reviews article')
  const reviewRequests = () => seen.filter((s) => s.method === 'GET' && s.path.endsWith('/reviews'))
  async function ready(page: Page, count = 3): Promise<void> {
    await articles(page).nth(count - 1).waitFor()
  }
  async function jsonLd(page: Page): Promise<string[]> {
    return page.locator('script[type="application/ld+json"]').evaluateAll((els) => els.map((e) => e.textContent ?? ''))
  }
  function seriousOf(vs: AxeViolation[], label: string): AxeViolation[] {
    const minor = vs.filter((v) => v.impact !== 'serious' && v.impact !== 'critical')
    if (minor.length) console.warn(`axe (minor/moderate) on ${label}:\n${formatViolations(minor)}`)
    return vs.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  }

  it('widget.js is under 15 KB and served as-is with a sha256 ETag', () => {
    const size = statSync(new URL('./widget.js', import.meta.url)).size
    expect(size).toBeLessThan(15_360)
    expect(Buffer.byteLength(WIDGET_JS)).toBe(size)
    expect(WIDGET_ETAG).toMatch(/^"sha256-[A-Za-z0-9_-]{43}"$/)
  })

  it('ja: summary, distribution, social proof, reviews with badge, variant, Tokyo date, reply and gallery', async () => {
    const { page, context, dialogs, errors } = await open('lang=ja')
    await ready(page)
    const text = await widget(page).innerText()
    for (const s of ['カスタマーレビュー', '5つ星のうち4.6', '128件のレビュー', 'この1週間で12人が購入しました', '参考になった順',
      '写真・動画付きのみ', '香りが最高', '山田 様', '購入者確認済み', '種類: 100g', '2026年11月20日', 'ショップからの返信',
      '参考になった (3)', 'もっと見る', '2026年11月19日']) {
      expect(text).toContain(s)
    }
    // Distribution: a list with the numbers as text, not only bar widths.
    const dist = await page.locator('kando-reviews ul[aria-label="評価の内訳"] li').allInnerTexts()
    expect(dist.map((d) => d.replace(/\s+/g, ' ').trim())).toEqual(['星5つ 84件', '星4つ 30件', '星3つ 9件', '星2つ 3件', '星1つ 2件'])
    // Stars are decorative; the text alternative is in the accessibility tree.
    expect(await page.locator('kando-reviews .kr-st').evaluateAll((els) => els.every((e) => e.getAttribute('aria-hidden') === 'true'))).toBe(true)
    // Line breaks in the body and the reply are kept.
    expect(await page.locator('kando-reviews .kr-body').first().innerText()).toBe('毎朝飲んでいます。\n香ばしくて飲みやすいです。')
    expect(await page.locator('kando-reviews .kr-rep').first().innerText()).toContain('ご愛飲ありがとうございます。\nまたのご利用をお待ちしております。')
    // Gallery: lazy thumbnails with meaningful alt, resolved against the api base; video without preloading.
    const imgs = await page.locator('kando-reviews .kr-med img').evaluateAll((els) =>
      els.map((e) => ({ alt: e.getAttribute('alt'), src: (e as HTMLImageElement).src, loading: e.getAttribute('loading'), href: e.closest('a')?.href })))
    expect(imgs).toEqual([
      { alt: 'レビュー写真1（山田 様）', src: `${apiBase}/media/reviews/med_photo1`, loading: 'lazy', href: `${apiBase}/media/reviews/med_photo1` },
      { alt: 'レビュー写真2（山田 様）', src: `${apiBase}/media/reviews/med_photo2`, loading: 'lazy', href: `${apiBase}/media/reviews/med_photo2` },
    ])
    const video = page.locator('kando-reviews video')
    await expect(video.getAttribute('preload')).resolves.toBe('none')
    await expect(video.evaluate((v: HTMLVideoElement) => v.controls)).resolves.toBe(true)
    await expect(video.getAttribute('aria-label')).resolves.toBe('レビュー動画1（佐藤 様）')
    // The full photo opens in a modal dialog; Esc closes it.
    await page.locator('kando-reviews .kr-med a').first().click()
    const dlg = page.locator('kando-reviews dialog')
    await expect(dlg.evaluate((d: HTMLDialogElement) => d.open)).resolves.toBe(true)
    await expect(dlg.locator('img').getAttribute('alt')).resolves.toBe('レビュー写真1（山田 様）')
    await page.keyboard.press('Escape')
    await expect(dlg.evaluate((d: HTMLDialogElement) => d.open)).resolves.toBe(false)
    // The GET was a simple cross-origin request: no preflight, asked with the widget's parameters.
    const [first] = reviewRequests()
    expect(first!.origin).toBe(shopBase)
    expect(Object.fromEntries(first!.query)).toEqual({ sort: 'helpful', page: '1', limit: '3', lang: 'ja' })
    expect(seen.filter((s) => s.method === 'OPTIONS' && s.path.endsWith('/reviews'))).toEqual([])
    // 44px targets and no sideways scrolling on a phone.
    const small = await page.locator('kando-reviews button:visible, kando-reviews select, kando-reviews label').evaluateAll((els) =>
      els.map((e) => e.getBoundingClientRect()).filter((r) => r.height < 44).length)
    expect(small).toBe(0)
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(MOBILE.width)
    await page.screenshot({ path: `${ARTIFACTS}/reviews-widget-ja.png`, fullPage: true })
    expect(dialogs).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  })

  it('hostile review strings stay text: no dialog, no injected element, handler or javascript: URL', async () => {
    const { page, context, dialogs, errors } = await open('lang=ja')
    await ready(page)
    await page.waitForTimeout(300)
    const found = await page.evaluate(() => {
      const w = document.querySelector('kando-reviews')!
      const all = [...w.querySelectorAll('*')]
      return {
        imgX: document.querySelectorAll('img[src="x"]').length,
        svgs: w.querySelectorAll('svg').length,
        scripts: w.querySelectorAll('script').length,
        handlers: all.flatMap((e) => [...e.attributes].filter((a) => a.name.startsWith('on')).map((a) => `${e.tagName} ${a.name}`)),
        urls: all.flatMap((e) => ['href', 'src'].map((n) => e.getAttribute(n) ?? '')).filter((u) => u && !/^https?:/.test(u)),
        text: (w as HTMLElement).innerText,
      }
    })
    expect(found.imgX).toBe(0)
    expect(found.svgs).toBe(0)
    expect(found.scripts).toBe(0)
    expect(found.handlers).toEqual([])
    expect(found.urls).toEqual([])
    for (const s of Object.values(HOSTILE)) expect(found.text).toContain(s)
    // The hostile review's javascript: image and data: video were dropped: it has no gallery.
    const hostile = articles(page).filter({ hasText: HOSTILE.body })
    await expect(hostile.locator('.kr-med').count()).resolves.toBe(0)
    await expect(hostile.locator('h3').innerText()).resolves.toBe(HOSTILE.title)
    expect(dialogs).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  })

  it('JSON-LD: one Product script with the aggregate rating; the hostile body is an escaped string; replaced on re-render', async () => {
    const { page, context, dialogs } = await open('lang=ja')
    await ready(page)
    let scripts = await jsonLd(page)
    expect(scripts).toHaveLength(1)
    const raw = scripts[0]!
    expect(raw).not.toMatch(/[<>&]/)
    expect(raw).toContain('\\u003c/script\\u003e')
    const ld = JSON.parse(raw) as Record<string, any>
    expect(ld['@context']).toBe('https://schema.org')
    expect(ld['@type']).toBe('Product')
    expect(ld.name).toBe('有機ほうじ茶 100g')
    expect(ld.image).toBe(`${apiBase}/media/products/p.jpg`)
    expect(ld.aggregateRating).toEqual({ '@type': 'AggregateRating', ratingValue: 4.6, reviewCount: 128, bestRating: 5, worstRating: 1 })
    expect(ld.review).toHaveLength(3)
    expect(ld.review[0]).toEqual({
      '@type': 'Review', author: { '@type': 'Person', name: '山田 様' }, datePublished: '2026-11-20',
      reviewRating: { '@type': 'Rating', ratingValue: 5, bestRating: 5 }, name: '香りが最高', reviewBody: '毎朝飲んでいます。\n香ばしくて飲みやすいです。',
    })
    const hostile = ld.review.find((r: { reviewBody: string }) => r.reviewBody === HOSTILE.body)
    expect(hostile).toMatchObject({ name: HOSTILE.title, author: { name: HOSTILE.author }, datePublished: '2026-11-19' })
    // Re-render (sort change): still exactly one script of ours.
    await page.locator('kando-reviews select').selectOption('newest')
    await expect.poll(() => reviewRequests().some((r) => r.query.get('sort') === 'newest')).toBe(true)
    await expect.poll(async () => (JSON.parse((await jsonLd(page))[0] ?? '{}').review ?? [])[0]?.name).toBe('香りが最高')
    scripts = await jsonLd(page)
    expect(scripts).toHaveLength(1)
    await expect(page.locator('script[data-kando-reviews="komorebi/prd_123"]').count()).resolves.toBe(1)
    // Removing the widget removes its JSON-LD.
    await widget(page).evaluate((e) => e.remove())
    expect(await jsonLd(page)).toEqual([])
    expect(dialogs).toEqual([])
    await context.close()
  })

  it('jsonld="off" emits no script', async () => {
    const { page, context } = await open('lang=ja')
    await ready(page)
    await widget(page).evaluate((e) => e.setAttribute('jsonld', 'off'))
    await expect.poll(() => reviewRequests().length).toBe(2)
    await ready(page)
    expect(await jsonLd(page)).toEqual([])
    await context.close()
  })

  it('sort and photos-only change the request; show more appends the next page and focuses it', async () => {
    const { page, context } = await open('lang=ja')
    await ready(page)
    expect(await articles(page).count()).toBe(3)
    await page.locator('kando-reviews select').selectOption('rating_asc')
    await expect.poll(() => reviewRequests().at(-1)?.query.get('sort')).toBe('rating_asc')
    await expect.poll(() => articles(page).first().locator('h3').innerText()).toBe(HOSTILE.title)
    await page.getByLabel('写真・動画付きのみ').check()
    await expect.poll(() => Object.fromEntries(reviewRequests().at(-1)!.query)).toEqual({ sort: 'rating_asc', filter: 'photos', page: '1', limit: '3', lang: 'ja' })
    await expect.poll(() => page.locator('kando-reviews [role=status]').innerText()).toBe('3件中3件を表示')
    await expect(page.getByRole('button', { name: 'もっと見る' }).isVisible()).resolves.toBe(false)
    await page.getByLabel('写真・動画付きのみ').uncheck()
    await page.locator('kando-reviews select').selectOption('helpful')
    await expect.poll(() => page.locator('kando-reviews [role=status]').innerText()).toBe('7件中3件を表示')
    const before = await articles(page).allInnerTexts()
    await page.getByRole('button', { name: 'もっと見る' }).click()
    await expect.poll(() => articles(page).count()).toBe(6)
    expect(Object.fromEntries(reviewRequests().at(-1)!.query)).toEqual({ sort: 'helpful', page: '2', limit: '3', lang: 'ja' })
    expect((await articles(page).allInnerTexts()).slice(0, 3)).toEqual(before)
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(await articles(page).nth(3).textContent())
    await page.getByRole('button', { name: 'もっと見る' }).click()
    await expect.poll(() => articles(page).count()).toBe(7)
    await expect(page.getByRole('button', { name: 'もっと見る' }).isVisible()).resolves.toBe(false)
    // JSON-LD follows the reviews shown.
    expect(JSON.parse((await jsonLd(page))[0]!).review).toHaveLength(7)
    await context.close()
  })

  it('helpful: POSTs the stored visitor id once, shows the new count, disables itself and stays disabled', async () => {
    votes.clear()
    voteBodies.length = 0
    const first = await open('lang=ja')
    await ready(first.page)
    const button = first.page.getByRole('button', { name: '参考になった (3)' })
    await button.click()
    await expect.poll(() => first.page.getByRole('button', { name: '参考になった (4)' }).isDisabled()).toBe(true)
    const visitor = await first.page.evaluate(() => localStorage.getItem('kando.visitor'))
    expect(visitor).toMatch(/^[0-9a-f]{32}$/)
    expect(voteBodies).toEqual([{ visitor }])
    // It went through a CORS preflight (JSON body) from the shop's origin.
    expect(seen.some((s) => s.method === 'OPTIONS' && s.path === '/public/v1/komorebi/reviews/rev_001/helpful' && s.origin === shopBase)).toBe(true)
    // Reloaded: remembered as voted.
    await first.page.reload()
    await ready(first.page)
    await expect(first.page.getByRole('button', { name: '参考になった (3)' }).isDisabled()).resolves.toBe(true)
    // The same visitor voting again (the remembered vote lost) is counted once by the server.
    await first.page.evaluate(() => localStorage.removeItem('kando.voted'))
    await first.page.reload()
    await ready(first.page)
    await first.page.getByRole('button', { name: '参考になった (3)' }).click()
    await expect.poll(() => first.page.getByRole('button', { name: '参考になった (4)' }).isDisabled()).toBe(true)
    expect(voteBodies).toEqual([{ visitor }, { visitor }])
    expect(votes.get('rev_001')?.size).toBe(1)
    expect(first.dialogs).toEqual([])
    await first.context.close()
  })

  it('shows a calm message and no JSON-LD when the API fails', async () => {
    const { page, context, errors } = await open('lang=ja&product=prd_err')
    await expect.poll(() => widget(page).innerText()).toBe('レビューを読み込めませんでした。')
    expect(await jsonLd(page)).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  })

  it('empty state: no reviews yet, no social proof, no controls, no JSON-LD', async () => {
    const { page, context } = await open('lang=ja&product=prd_empty')
    await expect.poll(() => widget(page).innerText()).toContain('まだレビューはありません。')
    const text = await widget(page).innerText()
    expect(text).not.toContain('購入しました')
    await expect(page.locator('kando-reviews select').isVisible()).resolves.toBe(false)
    expect(await jsonLd(page)).toEqual([])
    const serious = seriousOf(await runAxe(page), 'empty')
    expect(formatViolations(serious)).toBe('')
    await context.close()
  })

  it('en: complete English; the api defaults to the script origin', async () => {
    const { page, context } = await open('lang=en&api=default')
    await ready(page)
    const text = await widget(page).innerText()
    for (const s of ['Customer reviews', '4.6 out of 5 stars', '128 reviews', '12 people bought this in the past week', 'Most helpful',
      'With photos or videos only', 'Verified buyer', 'Variant: 100g', 'Nov 20, 2026', 'Reply from the shop', 'Helpful (3)', 'Show more', '5 stars']) {
      expect(text).toContain(s)
    }
    // Customer text stays as written; the widget's own words are all English.
    expect(text).not.toMatch(/カスタマーレビュー|参考になった|もっと見る|購入者確認済み|ショップからの返信|並べ替え/)
    expect(reviewRequests()[0]!.query.get('lang')).toBe('en')
    await expect(page.locator('kando-reviews section').getAttribute('lang')).resolves.toBe('en')
    // A second copy of the script on the page does not redefine the element.
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(String(e)))
    await page.addScriptTag({ url: `${apiBase}/widget/reviews.js` })
    await page.waitForTimeout(100)
    expect(errors).toEqual([])
    expect(await articles(page).count()).toBe(3)
    await context.close()
  })

  for (const lang of ['ja', 'en'] as const) {
    it(`${lang}: no serious or critical axe violation with the widget rendered (and with the photo dialog open)`, async () => {
      const { page, context, dialogs } = await open(`lang=${lang}`)
      await ready(page)
      const serious = seriousOf(await runAxe(page), `widget ${lang}`)
      expect(formatViolations(serious)).toBe('')
      await page.locator('kando-reviews .kr-med a').first().click()
      const open_ = seriousOf(await runAxe(page), `widget ${lang} dialog`)
      expect(formatViolations(open_)).toBe('')
      expect(dialogs).toEqual([])
      await context.close()
    })
  }

  it('keyboard: the focus ring is visible on the sort control', async () => {
    const { page, context } = await open('lang=ja')
    await ready(page)
    await page.keyboard.press('Tab')
    const ring = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement
      const cs = getComputedStyle(el)
      return { tag: el.tagName, style: cs.outlineStyle, width: parseFloat(cs.outlineWidth) }
    })
    expect(ring).toEqual({ tag: 'SELECT', style: 'solid', width: 3 })
    // The brand colour comes from --kando-accent.
    await widget(page).evaluate((e) => (e as HTMLElement).style.setProperty('--kando-accent', 'rgb(10, 20, 150)'))
    await expect(page.locator('kando-reviews .kr-more').evaluate((e) => getComputedStyle(e).color)).resolves.toBe('rgb(10, 20, 150)')
    await context.close()
  })
})
