import { describe, expect, it } from 'vitest'
import { escapeHtml } from '../../platform/html.js'
import { renderLookupPage, renderNotFoundPage, renderTooManyRequestsPage } from './lookup.js'
import {
  brandStyle, contrastRatio, formatMoney, PAGE_BG, parseHexColor, readableColor, renderTrackingPage, SAFE_PRIMARY, safeFontFamily, safeUrl,
} from './render.js'
import { hostileTrackingView, largeTrackingView, sampleTrackingView } from './sample.js'
import type { TrackingPageView, TrackingShipmentView } from './view.js'

/**
 * A small tag scanner, enough for the renderer's output: every attribute value is quoted and
 * escaped, so `>` never occurs inside a tag. The inline <style> (a constant) is cut out first.
 */
function scan(page: string) {
  const markup = page.replace(/<style>[\s\S]*?<\/style>/, '<style></style>')
  const tags: Array<{ name: string; attrs: Array<[string, string]> }> = []
  for (const m of markup.matchAll(/<([a-zA-Z][\w-]*)([^>]*)>/g)) {
    const attrs = [...m[2]!.matchAll(/\s([^\s=/>]+)(?:="([^"]*)")?/g)].map((a) => [a[1]!.toLowerCase(), a[2] ?? ''] as [string, string])
    tags.push({ name: m[1]!.toLowerCase(), attrs })
  }
  return { tags, text: markup.replace(/<[^>]*>/g, '') }
}

const ALLOWED_TAGS = new Set(['html', 'head', 'meta', 'link', 'title', 'style', 'body', 'header', 'main', 'footer', 'div', 'section', 'h1', 'h2', 'h3', 'p', 'strong', 'span', 'br', 'a', 'img', 'ol', 'ul', 'li', 'dl', 'dt', 'dd', 'time', 'details', 'summary', 'form', 'label', 'input', 'button'])
const ALLOWED_ATTRS = new Set(['lang', 'charset', 'name', 'content', 'style', 'class', 'id', 'href', 'hreflang', 'src', 'alt', 'width', 'height', 'loading', 'decoding', 'role', 'aria-labelledby', 'aria-label', 'aria-current', 'aria-describedby', 'aria-invalid', 'aria-required', 'datetime', 'target', 'rel', 'start', 'method', 'action', 'novalidate', 'for', 'type', 'required', 'autocomplete', 'autocapitalize', 'spellcheck', 'maxlength', 'value'])

function assertNoInjection(page: string) {
  const { tags } = scan(page)
  expect(page.toLowerCase()).not.toContain('<script')
  expect(page.toLowerCase()).not.toContain('<svg')
  expect(tags.map((t) => t.name).filter((n) => !ALLOWED_TAGS.has(n))).toEqual([])
  expect(tags.flatMap((t) => t.attrs.map(([a]) => a)).filter((a) => !ALLOWED_ATTRS.has(a))).toEqual([])
  for (const t of tags) {
    for (const [a, v] of t.attrs) {
      // The one data: URL allowed is the empty favicon (`<link rel="icon" href="data:,">`), which saves a request that would 404.
      if (t.name === 'link') expect(t.attrs).toEqual([['rel', 'icon'], ['href', 'data:,']])
      else if (a === 'href' || a === 'src' || a === 'action') expect(v, `${t.name} ${a}`).not.toMatch(/^\s*(javascript|data|vbscript):/i)
    }
  }
}

describe('renderTrackingPage: hostile strings stay text', () => {
  for (const lang of ['ja', 'en'] as const) {
    it(`${lang}: no injected element, attribute, URL or style; every hostile field shows as escaped text`, () => {
      const page = renderTrackingPage(hostileTrackingView(lang))
      assertNoInjection(page)
      // Brand colours and font re-validated: both fall back, no --font.
      expect(page).toContain('<body style="--p:#2f6f4f;--a:#2f6f4f">')
      const { text } = scan(page)
      const fields = ['brand.name', 'order.number', 'shipTo.name', 'shipTo.region', 'shipTo.city', 'carrierName0', 'carrierName1', 'serviceName0', 'trackingNumber0',
        'timeSlotLabel1', 'leaveAt', 'pickupPoint', 'line.title', 'line.variant', 'event.rawText', 'event.location', 'unshipped.title', 'cta.title0', 'cta.body1', 'support.hours', 'support.phone']
      for (const f of fields) {
        expect(text, f).toContain(escapeHtml(`<script>alert("${f}")</script>"><img src=x onerror=alert('${f}')>`))
      }
      // Hostile URLs render no link at all; the relative one with a quote is refused too.
      expect(page).not.toContain('href="?lang')
      expect(page).not.toMatch(/href="[^"]*alert/)
    })
  }

  it('hostile brand name inside attributes (logo alt, meta description) stays inside the attribute', () => {
    const v = hostileTrackingView()
    const page = renderTrackingPage({ ...v, brand: { ...v.brand, logoUrl: 'https://cdn.example.jp/logo.png' } })
    assertNoInjection(page)
    const logo = scan(page).tags.find((t) => t.name === 'img' && t.attrs.some(([a, val]) => a === 'src' && val.includes('logo.png')))!
    expect(logo.attrs.map(([a]) => a)).toEqual(['src', 'alt', 'height'])
    expect(logo.attrs[1]![1]).toBe(escapeHtml(v.brand.name))
  })

  it('a hostile status or language from a bad row does not break the page', () => {
    const v = sampleTrackingView()
    const bad = {
      ...v,
      lang: '"><script>' as unknown as 'ja',
      order: { ...v.order, status: '<b>' as unknown as 'placed' },
      shipments: [{ ...v.shipments[1]!, status: '<i>' as unknown as 'delivered', events: [{ ...v.shipments[1]!.events[0]!, status: '<u>' as unknown as 'delivered' }] }],
    }
    const page = renderTrackingPage(bad)
    assertNoInjection(page)
    expect(page).toContain('<html lang="ja">')
    expect(page).toContain('要確認')
  })
})

describe('contrast helper', () => {
  it('computes WCAG contrast ratios', () => {
    expect(contrastRatio('#000', '#fff')).toBeCloseTo(21, 5)
    expect(contrastRatio('#fff', '#fff')).toBeCloseTo(1, 5)
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 2)
    expect(contrastRatio('#767676', '#ffffff')).toBeCloseTo(4.54, 2)
    expect(contrastRatio('red', '#fff')).toBeNaN()
  })

  it('parses only #rgb and #rrggbb', () => {
    expect(parseHexColor('#abc')).toEqual([0xaa, 0xbb, 0xcc])
    expect(parseHexColor('#7FB069')).toEqual([0x7f, 0xb0, 0x69])
    for (const bad of ['red', '#ggg', '#12345', '#1234567', 'rgb(0,0,0)', '#fff;}', '', null, 12]) expect(parseHexColor(bad)).toBeNull()
  })

  it('keeps a brand colour that passes, darkens one that does not, falls back on garbage', () => {
    expect(readableColor('#1d4f91', PAGE_BG, 4.5, SAFE_PRIMARY)).toBe('#1d4f91')
    const light = readableColor('#7fb069', PAGE_BG, 4.5, SAFE_PRIMARY)
    expect(light).not.toBe('#7fb069')
    expect(contrastRatio(light, PAGE_BG)).toBeGreaterThanOrEqual(4.5)
    expect(contrastRatio(light, '#ffffff')).toBeGreaterThanOrEqual(4.5)
    // Same hue, just darker: green stays the largest channel.
    const [r, g, b] = parseHexColor(light)!
    expect(g).toBeGreaterThan(r)
    expect(g).toBeGreaterThan(b)
    expect(readableColor('#ffffff', PAGE_BG, 4.5, SAFE_PRIMARY)).toMatch(/^#[0-9a-f]{6}$/)
    expect(contrastRatio(readableColor('#ffff00', PAGE_BG, 4.5, SAFE_PRIMARY), PAGE_BG)).toBeGreaterThanOrEqual(4.5)
    expect(readableColor('red', PAGE_BG, 4.5, SAFE_PRIMARY)).toBe(SAFE_PRIMARY)
    expect(contrastRatio(SAFE_PRIMARY, PAGE_BG)).toBeGreaterThanOrEqual(4.5)
  })

  it('brandStyle: bad colours fall back, a light one is darkened, fonts are re-quoted or dropped', () => {
    expect(brandStyle({ primaryColor: 'javascript:alert(1)', accentColor: 'expression(alert(1))', fontFamily: null })).toBe(`--p:${SAFE_PRIMARY};--a:${SAFE_PRIMARY}`)
    expect(brandStyle({ primaryColor: '#000', accentColor: '#e8c547', fontFamily: 'x;}</style>' })).toMatch(/^--p:#000000;--a:#[0-9a-f]{6}$/)
    const ok = brandStyle({ primaryColor: '#1d4f91', accentColor: '#1d4f91', fontFamily: `'Noto Serif JP', ヒラギノ明朝 ProN, serif` })
    expect(ok).toContain('--font:"Noto Serif JP","ヒラギノ明朝 ProN",serif,-apple-system')
  })

  it('safeFontFamily accepts plain family lists only', () => {
    expect(safeFontFamily('"Zen Kaku Gothic New", sans-serif')).toBe('"Zen Kaku Gothic New",sans-serif')
    for (const bad of ['a;b', 'x"y', '"unclosed', 'url(x)', 'a{}', 'a\\', 'a/*', '', 'a,,b', 'a:b', 'x'.repeat(201), '<b>']) expect(safeFontFamily(bad), bad).toBeNull()
  })

  it('safeUrl lets through http(s) and relative links only', () => {
    for (const ok of ['https://toi.kuronekoyamato.co.jp/cgi-bin/tneko?number00=1&number01=1', 'http://x.jp/', '/l/cta_1', '?lang=en', '//cdn.shopify.com/a.jpg']) expect(safeUrl(ok)).toBe(ok)
    for (const bad of ['javascript:alert(1)', 'JavaScript:alert(1)', ' javascript:alert(1)', 'jav\tascript:alert(1)', 'data:text/html,x', 'vbscript:x', '/l/x" onclick="x', '\\\\evil.com', 'mailto:a@b.c', '', null]) expect(safeUrl(bad), String(bad)).toBeNull()
    expect(safeUrl('mailto:a@b.c', ['mailto:'])).toBe('mailto:a@b.c')
  })
})

describe('renderTrackingPage: content', () => {
  const shipment = (v: TrackingPageView, i: number) => v.shipments[i]!
  const withShipment = (patch: Partial<TrackingShipmentView>, base = sampleTrackingView()): TrackingPageView => ({
    ...base,
    shipments: [{ ...shipment(base, 1), ...patch }],
  })

  it('ja: natural Japanese for a split order', () => {
    const page = renderTrackingPage(sampleTrackingView())
    expect(page).toContain('<html lang="ja">')
    expect(page).toContain('<meta name="viewport" content="width=device-width,initial-scale=1">')
    expect(page).toContain('<meta name="robots" content="noindex,nofollow">')
    for (const s of ['配送状況', 'ご注文番号', '#1042', '一部の商品を発送しました', '荷物 1/2', '荷物 2/2', 'お届け済み', '配達中', 'ご不在のため持ち帰り',
      '「ご不在のため持ち戻り」', '渋谷郵便局', 'お届け予定日', '11月27日(金)', '遅れが見込まれます', '18時〜20時', '置き配', '玄関前', 'ヤマト運輸', '4444-1375-8703',
      'ヤマト運輸のサイトで配送状況を見る', '出荷準備中', '季節の和菓子 詰め合わせ', '山田 花子 様', '東京都渋谷区', 'レビューを書く', 'お問い合わせ', 'support@komorebi-tea.example', '03-1234-5678', 'English']) {
      expect(page, s).toContain(s)
    }
    // Times are in the view's zone: 05:05Z is 14:05 in Tokyo.
    expect(page).toContain('11月26日(木) 14:05')
    // Only region + city, never the postal code or street.
    expect(page).not.toContain('150-0001')
    // Landmarks and a live status.
    for (const tag of ['<header', '<main>', '<footer', 'role="status"', '<ol class="tl"']) expect(page).toContain(tag)
  })

  it('en: complete English', () => {
    const page = renderTrackingPage(sampleTrackingView({ lang: 'en' }))
    expect(page).toContain('<html lang="en">')
    for (const s of ['Delivery status', 'Part of your order has shipped', 'Parcel 1 of 2', 'Delivered', 'Out for delivery', 'Missed delivery', 'Estimated delivery', 'Fri, Nov 27',
      'running late', 'Time slot', 'Yamato Transport', 'Track this parcel on the Yamato Transport website', 'Items being prepared', 'Shipping to', 'Need help?', '日本語']) {
      expect(page, s).toContain(s)
    }
    // Japanese carrier words are marked up for screen readers.
    expect(page).toContain('<span lang="ja">ご不在のため持ち戻り</span>')
    expect(page).not.toContain('様')
  })

  it('estimate: single date, window, late and trending late; hidden once delivered', () => {
    const est = { date: '2026-11-28', earliest: null, latest: null, late: false, trendingLate: false }
    const single = renderTrackingPage(withShipment({ estimate: est }))
    expect(single).toContain('<dt>お届け予定日</dt><dd><time datetime="2026-11-28">11月28日(土)</time></dd>')
    expect(single).not.toContain('遅れが見込まれます')
    const window = renderTrackingPage(withShipment({ estimate: { ...est, earliest: '2026-11-27', latest: '2026-11-29' } }))
    expect(window).toContain('11月27日(金)</time>〜<time datetime="2026-11-29">11月29日(日)')
    expect(renderTrackingPage(withShipment({ estimate: { ...est, earliest: '2026-11-28', latest: '2026-11-28' } }))).toContain('11月28日(土)</time></dd>')
    expect(renderTrackingPage(withShipment({ estimate: { ...est, trendingLate: true } }))).toContain('遅れが見込まれます')
    const enLate = renderTrackingPage(withShipment({ estimate: { ...est, late: true } }, sampleTrackingView({ lang: 'en' })))
    expect(enLate).toContain('running late')
    expect(enLate).toContain('Sat, Nov 28')
    const delivered = renderTrackingPage(withShipment({ status: 'delivered', deliveredAt: '2026-11-28T03:00:00Z', estimate: { ...est, late: true } }))
    expect(delivered).not.toContain('遅れが見込まれます')
    expect(delivered).not.toContain('お届け予定日')
    expect(delivered).toContain('<dt>お届け日時</dt><dd><time datetime="2026-11-28T03:00:00.000Z">11月28日(土) 12:00</time>')
  })

  it('delivery options: pickup point and cash on delivery in yen', () => {
    const page = renderTrackingPage(withShipment({ options: { leaveAt: null, pickupPoint: 'ファミリーマート 渋谷道玄坂店', codAmount: 3980, currency: 'JPY' } }))
    expect(page).toContain('<dt>受け取り場所</dt><dd>ファミリーマート 渋谷道玄坂店</dd>')
    expect(page).toContain('<dt>代金引換</dt><dd>￥3,980')
    expect(formatMoney(3980, 'JPY', 'en')).toBe('¥3,980')
    expect(formatMoney(1999, 'USD', 'en')).toBe('$19.99')
    expect(formatMoney(1, 'XX"', 'en')).toBe('')
  })

  it('links: carrier opens in a new tab without opener; CTAs and the language switch point where the view says', () => {
    const page = renderTrackingPage(sampleTrackingView())
    expect(page).toMatch(/<a class="btn2" href="https:\/\/toi\.kuronekoyamato\.co\.jp\/[^"]*" target="_blank" rel="noopener noreferrer">/)
    for (const href of ['/l/cta_review_1042', '/l/cta_guide_1042', '/l/cta_line_1042']) expect(page).toContain(`<a class="btn" href="${href}">`)
    expect(page).toContain('<a class="lang" href="?lang=en" hreflang="en" lang="en">English</a>')
    expect(page).toContain('<a href="tel:0312345678">')
    // Item pictures: sized, lazy, and alt="" because the title is right beside them.
    expect(page).toContain('<img src="/_sample/sencha.svg" alt="" width="56" height="56" loading="lazy" decoding="async">')
    expect(page).toContain('<img src="/_sample/logo.svg" alt="木漏れ日茶舗"')
  })

  it('a parcel not yet handed over reads 出荷準備中; a returned one shows no progress bar', () => {
    const pending = renderTrackingPage(withShipment({ status: null, statusAt: null, events: [], carrierUrl: null, trackingNumber: null }))
    expect(pending).toContain('<span class="badge">出荷準備中</span>')
    expect(pending).not.toContain('配送履歴')
    const returned = renderTrackingPage(withShipment({ status: 'returned_to_sender' }))
    expect(returned).toContain('ショップへ返送')
    expect(returned).not.toContain('class="steps"')
  })

  it('cancelled order: a clear message, no estimate, nothing "being prepared"', () => {
    const v = sampleTrackingView()
    const page = renderTrackingPage({ ...v, order: { ...v.order, status: 'cancelled' } })
    expect(page).toMatch(/<div role="status"><p class="big">このご注文はキャンセルされました<\/p>/)
    expect(page).not.toContain('お届け予定日')
    expect(page).not.toContain('出荷準備中の商品')
    const en = renderTrackingPage({ ...sampleTrackingView({ lang: 'en' }), order: { ...v.order, status: 'cancelled' } })
    expect(en).toContain('This order was cancelled')
  })

  it('page weight: a large order (10 lines × 2 parcels × 20 events) stays under 50 KB, no external CSS/JS/fonts', () => {
    for (const lang of ['ja', 'en'] as const) {
      const page = renderTrackingPage(largeTrackingView(lang))
      const bytes = Buffer.byteLength(page, 'utf8')
      expect(bytes).toBeLessThan(50 * 1024)
      expect(page).not.toMatch(/<link rel="stylesheet|<script|@import|@font-face|url\(/i)
      expect(page.match(/<li class="now">/g)).toHaveLength(2)
    }
    expect(Buffer.byteLength(renderTrackingPage(sampleTrackingView()))).toBeLessThan(20 * 1024)
  })

  it('older events fold into <details> (works without JavaScript)', () => {
    const page = renderTrackingPage(largeTrackingView())
    expect(page).toContain('<summary>これまでの履歴を表示（15件）</summary>')
  })
})

describe('lookup, not found, too many requests', () => {
  it('lookup form: labelled inputs with autocomplete; errors tied to both fields', () => {
    const clean = renderLookupPage({ lang: 'ja', brandName: '木漏れ日茶舗', action: '/track/lookup' })
    expect(clean).toContain('<label for="orderNumber">ご注文番号')
    expect(clean).toContain('<label for="contact">メールアドレスまたは電話番号')
    expect(clean).toContain('autocomplete="email"')
    expect(clean).not.toContain('role="alert"')
    expect(clean).not.toContain('aria-invalid="true"')
    const page = renderLookupPage({ lang: 'ja', brandName: '木漏れ日茶舗', action: '/track/lookup', error: 'not_found', values: { orderNumber: '#1042', contact: 'a@b.jp' } })
    expect(page.match(/aria-describedby="[a-zA-Z]+-hint lookup-error" aria-invalid="true"/g)).toHaveLength(2)
    expect(page).toContain('id="lookup-error"')
    expect(page).toContain('value="#1042"')
    const limited = renderLookupPage({ lang: 'en', brandName: 'Shop', action: '/track/lookup', error: 'rate_limited' })
    expect(limited).toContain('Too many attempts')
    expect(limited).not.toContain('aria-invalid="true"')
  })

  it('lookup form escapes what the customer typed', () => {
    const page = renderLookupPage({ lang: 'ja', brandName: '<script>x</script>', action: 'javascript:alert(1)', error: 'invalid', values: { orderNumber: '"><script>alert(1)</script>', contact: `' onfocus='alert(1)` } })
    assertNoInjection(page)
    expect(page).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"')
    expect(page).toContain('action=""')
  })

  it('404 and 429 pages', () => {
    const nf = renderNotFoundPage('ja', { lookupHref: '/track' })
    expect(nf).toContain('ページが見つかりません')
    expect(nf).toContain('href="/track"')
    expect(renderNotFoundPage('en')).toContain('Page not found')
    expect(renderTooManyRequestsPage('ja', 90)).toContain('2分ほどしてから、もう一度お試しください')
    expect(renderTooManyRequestsPage('en', 30)).toContain('try again in about 30 seconds')
    expect(renderTooManyRequestsPage('en', Number.NaN)).toContain('in a little while')
  })
})
