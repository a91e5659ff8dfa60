import { html, SafeHtml } from '../../platform/html.js'
import type { ShipmentStatus } from '../../modules/tracking/status.js'
import type { Lang, TrackingCtaView, TrackingLineView, TrackingPageView, TrackingShipmentView } from './view.js'

// ---------------------------------------------------------------------------------------------
// Colour: brand colours arrive "validated", but the renderer checks again (defence in depth) and
// makes sure text and buttons drawn in them meet WCAG 2.2 AA contrast.

/** Page background; brand colours are checked against it (it is darker than the white cards). */
export const PAGE_BG = '#f6f5f2'
/** Used when the brand colour is missing or not a #rgb/#rrggbb colour. Contrast on PAGE_BG: 5.7:1. */
export const SAFE_PRIMARY = '#2f6f4f'

/** `#rgb` / `#rrggbb` → [r, g, b] (0–255), anything else → null. */
export function parseHexColor(value: unknown): [number, number, number] | null {
  if (typeof value !== 'string') return null
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value.trim())
  if (!m) return null
  const hex = m[1]!.length === 3 ? [...m[1]!].map((c) => c + c).join('') : m[1]!
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number]
}

function toHex(rgb: readonly number[]): string {
  return `#${rgb.map((c) => Math.round(Math.min(255, Math.max(0, c))).toString(16).padStart(2, '0')).join('')}`
}

/** WCAG 2.x relative luminance of an sRGB colour. */
export function relativeLuminance([r, g, b]: readonly [number, number, number]): number {
  const lin = (c: number) => {
    const s = c / 255
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
  }
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

/** WCAG contrast ratio (1–21) of two #rgb/#rrggbb colours; NaN when either is not a colour. */
export function contrastRatio(a: string, b: string): number {
  const ca = parseHexColor(a)
  const cb = parseHexColor(b)
  if (!ca || !cb) return NaN
  const [hi, lo] = [relativeLuminance(ca), relativeLuminance(cb)].sort((x, y) => y - x) as [number, number]
  return (hi + 0.05) / (lo + 0.05)
}

/**
 * A colour usable as text (and as a button background under white text) on `against`: the brand
 * colour itself when it passes `minRatio`, else the same hue darkened step by step until it does;
 * `fallback` when the value is not a #rgb/#rrggbb colour.
 * @example readableColor('#7fb069', '#ffffff', 4.5, '#2f6f4f') // → a darker green
 */
export function readableColor(value: unknown, against: string, minRatio: number, fallback: string): string {
  const rgb = parseHexColor(value)
  if (!rgb) return fallback
  for (let k = 1; k >= 0; k -= 0.02) {
    const c = toHex(rgb.map((v) => v * k))
    if (contrastRatio(c, against) >= minRatio && contrastRatio(c, '#ffffff') >= minRatio) return c
  }
  return fallback
}

// ---------------------------------------------------------------------------------------------
// Fonts: a conservative family list, every family re-quoted, so nothing can leave the declaration.

const GENERIC_FONTS = new Set(['serif', 'sans-serif', 'monospace', 'cursive', 'fantasy', 'system-ui', 'ui-serif', 'ui-sans-serif', 'ui-monospace', 'ui-rounded'])
// Fonts that hold both Latin and Japanese come before generic system-ui: when system-ui is a
// Latin-only face (DejaVu on Linux), every Japanese run goes through font fallback, which cost
// ~2 s of simulated main-thread layout in Lighthouse. Apple devices still get San Francisco + Hiragino.
export const SYSTEM_FONTS = '-apple-system,BlinkMacSystemFont,"Hiragino Sans","Hiragino Kaku Gothic ProN","Noto Sans CJK JP","Noto Sans JP","Yu Gothic UI","Yu Gothic",Meiryo,system-ui,sans-serif'

/** A CSS font-family list made only of letters, digits, spaces, `-` and `_` (quotes allowed around a family); null when anything else appears. */
export function safeFontFamily(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > 200) return null
  const families = value.split(',').map((f) => f.trim())
  if (families.length > 8) return null
  const out: string[] = []
  for (const f of families) {
    const m = /^(?:"([\p{L}\p{N} _-]+)"|'([\p{L}\p{N} _-]+)'|([\p{L}\p{N} _-]+))$/u.exec(f)
    if (!m) return null
    const name = (m[1] ?? m[2] ?? m[3]!).trim()
    if (!name) return null
    out.push(m[3] !== undefined && GENERIC_FONTS.has(name.toLowerCase()) ? name.toLowerCase() : `"${name}"`)
  }
  return out.join(',')
}

// ---------------------------------------------------------------------------------------------
// URLs: only http(s) (absolute, protocol-relative or same-site relative), plus mailto:/tel: where asked.

/** The URL when it is safe to put in href/src (http, https, or relative), else null. `javascript:` and `data:` never pass. */
export function safeUrl(value: unknown, extraProtocols: readonly string[] = []): string | null {
  if (typeof value !== 'string') return null
  const v = value.trim()
  // A real URL has these percent-encoded; one that carries them is a trick, not a link.
  if (!v || v.length > 2048 || /[\s"'<>`\\\u0000-\u001f\u007f]/.test(v)) return null
  let parsed: URL
  try {
    parsed = new URL(v, 'https://kando.invalid/')
  } catch {
    return null
  }
  return parsed.protocol === 'https:' || parsed.protocol === 'http:' || extraProtocols.includes(parsed.protocol) ? v : null
}

const formatters = new Map<string, Intl.DateTimeFormat>()
/** Intl.DateTimeFormat is costly to build (~0.5 ms); one per locale, options and zone, reused. */
function dtf(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = locale + JSON.stringify(options)
  let f = formatters.get(key)
  if (!f) formatters.set(key, (f = new Intl.DateTimeFormat(locale, options)))
  return f
}
const validZones = new Set<string>()

function safeTimeZone(tz: unknown): string {
  if (typeof tz === 'string' && validZones.has(tz)) return tz
  if (typeof tz === 'string') {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz })
      validZones.add(tz)
      return tz
    } catch {
      /* fall through */
    }
  }
  return 'Asia/Tokyo'
}

// ---------------------------------------------------------------------------------------------
// Words.

type StatusText = { label: string; desc: string }

const STATUS: Record<Lang, Record<ShipmentStatus, StatusText>> = {
  ja: {
    label_created: { label: '伝票番号発行済み', desc: '発送の準備ができました。配送業者へのお引き渡し後、追跡情報が更新されます。' },
    picked_up: { label: '集荷済み', desc: '配送業者が荷物をお預かりしました。' },
    in_transit: { label: '輸送中', desc: 'お届け先の地域へ向けて輸送しています。' },
    out_for_delivery: { label: '配達中', desc: '本日お届けに伺います。' },
    delivery_failed: { label: 'ご不在のため持ち帰り', desc: 'ご不在のため荷物を持ち帰りました。不在票または配送業者のページから再配達をご依頼ください。' },
    held_at_depot: { label: '営業所で保管中', desc: '配送業者の営業所でお預かりしています。受け取り方法は配送業者のページでご確認ください。' },
    delivered: { label: 'お届け済み', desc: 'お届けが完了しました。' },
    returned_to_sender: { label: 'ショップへ返送', desc: '荷物はショップへ返送されています。詳しくはショップへお問い合わせください。' },
    exception: { label: '要確認', desc: 'お届けに支障が生じています。配送業者のページをご確認いただくか、ショップへお問い合わせください。' },
  },
  en: {
    label_created: { label: 'Label created', desc: 'Your parcel is ready to ship. Tracking updates once the carrier picks it up.' },
    picked_up: { label: 'Picked up', desc: 'The carrier has your parcel.' },
    in_transit: { label: 'In transit', desc: 'Your parcel is on its way to your area.' },
    out_for_delivery: { label: 'Out for delivery', desc: 'Your parcel will be delivered today.' },
    delivery_failed: { label: 'Missed delivery', desc: 'Nobody was home, so the driver took the parcel back. Please arrange redelivery from the notice or the carrier’s page.' },
    held_at_depot: { label: 'Held at depot', desc: 'The carrier is holding your parcel at their depot. See the carrier’s page for how to collect it.' },
    delivered: { label: 'Delivered', desc: 'Your parcel has been delivered.' },
    returned_to_sender: { label: 'Returned to the shop', desc: 'The parcel is on its way back to the shop. Please contact the shop for details.' },
    exception: { label: 'Needs attention', desc: 'There is a problem with the delivery. Please check the carrier’s page or contact the shop.' },
  },
}

const TEXT = {
  ja: {
    title: '配送状況',
    colon: '：',
    description: 'ご注文の配送状況',
    order: 'ご注文番号',
    placedAt: 'ご注文日',
    switchLang: 'English',
    switchLangCode: 'en',
    orderStatus: {
      placed: 'ご注文を受け付けました', confirmed: 'ご注文を確定しました', allocated: '出荷の準備をしています', partially_shipped: '一部の商品を発送しました',
      shipped: '発送しました', delivered: 'お届けしました', completed: 'お届けしました', cancelled: 'このご注文はキャンセルされました',
    },
    cancelledBody: 'ご不明な点がございましたら、下記のお問い合わせ先までご連絡ください。',
    parcels: (n: number, delivered: number) => (n > 1 ? `${n}個の荷物に分けてお届けします（お届け済み ${delivered}個）` : ''),
    parcel: (i: number, n: number) => (n > 1 ? `荷物 ${i}/${n}` : 'お荷物'),
    notShipped: '出荷準備中',
    notShippedDesc: 'ショップで出荷の準備をしています。',
    steps: ['発送準備', '輸送中', '配達中', 'お届け済み'],
    stepsLabel: '配送の進み具合',
    done: '（完了）',
    current: '（現在）',
    estimate: 'お届け予定日',
    deliveredAt: 'お届け日時',
    timeSlot: 'お届け時間帯',
    late: 'お知らせ：お届けに遅れが見込まれます。ご迷惑をおかけして申し訳ございません。',
    leaveAt: '置き配',
    pickup: '受け取り場所',
    cod: '代金引換',
    codNote: '（お届け時にお支払いください）',
    carrier: '配送業者',
    trackingNumber: '伝票番号',
    carrierLink: (c: string) => `${c}のサイトで配送状況を見る`,
    newTab: '（新しいタブで開きます）',
    history: '配送履歴',
    latest: '最新',
    carrierSaid: '配送業者の表示：',
    moreHistory: (n: number) => `これまでの履歴を表示（${n}件）`,
    items: 'この荷物の商品',
    unshipped: '出荷準備中の商品',
    qty: (n: number) => `数量 ${n}`,
    shipTo: 'お届け先',
    honorific: ' 様',
    ctas: 'ショップからのお知らせ',
    help: 'お問い合わせ',
    email: 'メール',
    web: 'お問い合わせページ',
    phone: '電話',
    hours: '受付時間',
  },
  en: {
    title: 'Delivery status',
    colon: ': ',
    description: 'Delivery status of your order',
    order: 'Order',
    placedAt: 'Placed',
    switchLang: '日本語',
    switchLangCode: 'ja',
    orderStatus: {
      placed: 'We have received your order', confirmed: 'Your order is confirmed', allocated: 'We are preparing your order', partially_shipped: 'Part of your order has shipped',
      shipped: 'Your order has shipped', delivered: 'Your order has been delivered', completed: 'Your order has been delivered', cancelled: 'This order was cancelled',
    },
    cancelledBody: 'If you have any questions, please contact us below.',
    parcels: (n: number, delivered: number) => (n > 1 ? `Your order comes in ${n} parcels (${delivered} delivered)` : ''),
    parcel: (i: number, n: number) => (n > 1 ? `Parcel ${i} of ${n}` : 'Your parcel'),
    notShipped: 'Preparing to ship',
    notShippedDesc: 'The shop is preparing this parcel.',
    steps: ['Preparing', 'In transit', 'Out for delivery', 'Delivered'],
    stepsLabel: 'Delivery progress',
    done: ' (done)',
    current: ' (current)',
    estimate: 'Estimated delivery',
    deliveredAt: 'Delivered',
    timeSlot: 'Time slot',
    late: 'Note: this parcel is running late. We are sorry for the wait.',
    leaveAt: 'Leave at door',
    pickup: 'Pickup point',
    cod: 'Cash on delivery',
    codNote: ' (pay on delivery)',
    carrier: 'Carrier',
    trackingNumber: 'Tracking number',
    carrierLink: (c: string) => `Track this parcel on the ${c} website`,
    newTab: ' (opens in a new tab)',
    history: 'Tracking history',
    latest: 'Latest',
    carrierSaid: 'Carrier says: ',
    moreHistory: (n: number) => `Show earlier updates (${n})`,
    items: 'In this parcel',
    unshipped: 'Items being prepared',
    qty: (n: number) => `Qty ${n}`,
    shipTo: 'Shipping to',
    honorific: '',
    ctas: 'From the shop',
    help: 'Need help?',
    email: 'Email',
    web: 'Help page',
    phone: 'Phone',
    hours: 'Hours',
  },
} as const

type Text = (typeof TEXT)[Lang]

/** Order of the progress steps; null = not on the happy path (returned). */
const STEP_OF: Record<ShipmentStatus, number | null> = {
  label_created: 0, picked_up: 1, in_transit: 1, out_for_delivery: 2, delivery_failed: 2, held_at_depot: 2, exception: 2, delivered: 3, returned_to_sender: null,
}

/** Statuses after which an estimate or a "late" notice no longer means anything. */
const SETTLED = new Set<string>(['delivered', 'returned_to_sender'])

function statusText(lang: Lang, status: string): StatusText {
  return (STATUS[lang] as Record<string, StatusText | undefined>)[status] ?? STATUS[lang].exception
}

const STATUS_CLASS = new Set<string>(['delivered', 'delivery_failed', 'held_at_depot', 'exception', 'returned_to_sender', 'out_for_delivery'])

// ---------------------------------------------------------------------------------------------
// Formatting.

const CJK = /[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]/

/** On the English page, Japanese text (carrier words, product names) is marked lang="ja" so screen readers read it right. */
function txt(lang: Lang, value: string | null | undefined): SafeHtml | string {
  const s = value ?? ''
  return lang === 'en' && CJK.test(s) ? html`<span lang="ja">${s}</span>` : s
}

function dateTime(iso: string | null, lang: Lang, timeZone: string): SafeHtml | '' {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  const label = lang === 'ja'
    ? dtf('ja-JP', { month: 'long', day: 'numeric', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(d)
    : dtf('en-US', { month: 'short', day: 'numeric', weekday: 'short', hour: 'numeric', minute: '2-digit', timeZone }).format(d)
  return html`<time datetime="${d.toISOString()}">${label}</time>`
}

function day(ymd: string | null, lang: Lang): { iso: string; label: string } | null {
  if (!ymd || !/^\d{4}-\d{2}-\d{2}$/.test(ymd)) return null
  const d = new Date(`${ymd}T00:00:00Z`)
  if (Number.isNaN(d.getTime())) return null
  const label = lang === 'ja'
    ? dtf('ja-JP', { month: 'long', day: 'numeric', weekday: 'short', timeZone: 'UTC' }).format(d)
    : dtf('en-US', { month: 'short', day: 'numeric', weekday: 'short', timeZone: 'UTC' }).format(d)
  return { iso: ymd, label }
}

function placedDate(iso: string, lang: Lang, timeZone: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  return dtf(lang === 'ja' ? 'ja-JP' : 'en-US', { year: 'numeric', month: 'long', day: 'numeric', timeZone }).format(d)
}

/** Minor units → localised currency string; '' for an unknown currency. */
export function formatMoney(minor: number, currency: string, lang: Lang): string {
  if (!Number.isFinite(minor) || !/^[A-Z]{3}$/.test(currency)) return ''
  try {
    const nf = new Intl.NumberFormat(lang === 'ja' ? 'ja-JP' : 'en-US', { style: 'currency', currency })
    return nf.format(minor / 10 ** (nf.resolvedOptions().maximumFractionDigits ?? 0))
  } catch {
    return ''
  }
}

// ---------------------------------------------------------------------------------------------
// Page shell (shared with lookup.ts).

/** Inline CSS for every tracking page: mobile first, system fonts, no external resources. */
const CSS = `*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:${PAGE_BG};color:#1f1f1f;font:16px/1.7 var(--font,${SYSTEM_FONTS});overflow-wrap:anywhere}
a{color:var(--p)}
a:focus-visible,summary:focus-visible,input:focus-visible,button:focus-visible{outline:3px solid #1f1f1f;outline-offset:2px;box-shadow:0 0 0 5px #fff}
.top{background:#fff;border-top:4px solid var(--a,var(--p));border-bottom:1px solid #e3e1dc}
.top>div,main,.foot>div{max-width:600px;margin:0 auto;padding:0 16px}
.top>div{display:flex;align-items:center;justify-content:space-between;gap:12px;min-height:60px}
.brand{font-weight:700;font-size:1.05rem}
.brand img{display:block;height:36px;width:auto;max-width:180px;object-fit:contain}
.lang{display:inline-flex;align-items:center;min-height:44px;min-width:44px;padding:0 8px;font-size:.9rem}
main{padding-top:16px;padding-bottom:24px}
h1{font-size:1.4rem;line-height:1.4;margin:8px 0 4px}
h2{font-size:1.15rem;line-height:1.4;margin:0 0 8px}
h3{font-size:1rem;margin:20px 0 8px}
p{margin:0 0 8px}
.muted{color:#595959;font-size:.9rem}
.card{background:#fff;border:1px solid #e3e1dc;border-radius:12px;padding:16px;margin:16px 0}
.summary{border-left:6px solid var(--p)}
.summary .big{font-size:1.15rem;font-weight:700;margin:0}
.badge{display:inline-block;font-weight:700;font-size:1.05rem;padding:2px 10px;border-radius:999px;border:2px solid currentColor;color:var(--p);background:#fff}
.st-delivered{color:#1e6b3a}.st-delivery_failed,.st-held_at_depot,.st-exception,.st-returned_to_sender{color:#8a4b00}
.steps{list-style:none;display:flex;gap:4px;padding:0;margin:12px 0}
.steps li{flex:1;font-size:.8rem;line-height:1.35;padding-top:8px;border-top:4px dashed #c9c6bf;color:#595959}
.steps .done{border-top-style:solid;border-color:var(--p);color:#1f1f1f}
.steps [aria-current]{font-weight:700}
dl{margin:12px 0;display:grid;gap:6px}
dl div{display:flex;flex-wrap:wrap;gap:0 12px}
dt{color:#595959;min-width:7.5em}
dd{margin:0;font-weight:700}
.late{background:#fff8e6;border:1px solid #e5c170;border-radius:8px;padding:8px 12px;color:#5c4400}
.carrier{border-top:1px solid #e3e1dc;margin-top:12px;padding-top:12px}
.mono{font-variant-numeric:tabular-nums;letter-spacing:.03em}
.btn{display:inline-flex;align-items:center;justify-content:center;min-height:44px;padding:8px 16px;border-radius:8px;background:var(--p);color:#fff;font-weight:700;text-decoration:none;text-align:center}
.btn:hover{text-decoration:underline}
.btn2{display:inline-flex;align-items:center;min-height:44px;padding:6px 0;font-weight:700}
.tl{list-style:none;margin:0;padding:0 0 0 14px;border-left:2px solid #d8d5ce}
.tl li{position:relative;padding:0 0 12px 10px}
.tl li::before{content:"";position:absolute;left:-25px;top:.55em;width:12px;height:12px;border-radius:50%;background:#fff;border:2px solid #8c8880}
.tl li.now::before{background:var(--p);border-color:var(--p)}
.tl p{margin:0}
.new{font-size:.75rem;font-weight:700;border:1px solid currentColor;border-radius:4px;padding:0 4px;margin-left:6px;color:var(--p)}
details{margin-top:4px}
summary{cursor:pointer;padding:10px 0;color:var(--p);font-weight:700}
.items{list-style:none;padding:0;margin:0}
.items li{display:flex;gap:12px;align-items:center;padding:8px 0;border-top:1px solid #eeece8}
.items li:first-child{border-top:0}
.items img{flex:none;border-radius:6px;background:#eeece8;object-fit:cover}
.items .t{flex:1}
.items .q{white-space:nowrap;color:#595959;font-size:.9rem}
.cta{display:grid;gap:8px}
.cta img{width:100%;height:auto;border-radius:8px}
.foot{background:#fff;border-top:1px solid #e3e1dc;padding:8px 0 32px}
.foot ul{list-style:none;padding:0;margin:0}
.foot li{padding:4px 0}
.foot a{display:inline-flex;align-items:center;min-height:44px}
.vh{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
label{display:block;font-weight:700;margin:16px 0 4px}
input{display:block;width:100%;min-height:48px;padding:8px 12px;font:inherit;border:2px solid #767676;border-radius:8px;background:#fff;color:#1f1f1f}
input[aria-invalid=true]{border-color:#b00020}
.err{color:#b00020;font-weight:700}
.hint{color:#595959;font-size:.9rem;margin:4px 0 0}
button{margin-top:20px;min-height:48px;width:100%;border:0;border-radius:8px;background:var(--p);color:#fff;font:inherit;font-weight:700;cursor:pointer}
@media (min-width:720px){h1{font-size:1.6rem}.card{padding:20px 24px}}
@media (prefers-reduced-motion:reduce){*{animation:none!important;transition:none!important;scroll-behavior:auto!important}}`

export interface ShellOptions {
  lang: Lang
  title: string
  brandName: string
  /** Already checked colours/fonts; see `brandStyle`. */
  style: string
  header: SafeHtml
  main: SafeHtml
  footer?: SafeHtml | null
  /** More CSS for this page (a constant of the calling module, never input). */
  extraCss?: string
}

/** The full HTML document around a page: landmarks, meta (viewport, noindex), inline CSS. */
export function pageShell(o: ShellOptions): string {
  return html`<!doctype html>
<html lang="${o.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex,nofollow"><link rel="icon" href="data:,"><meta name="referrer" content="same-origin"><meta name="description" content="${o.title} | ${o.brandName}">
<title>${o.title} | ${o.brandName}</title><style>${styleBlock()}${o.extraCss ? new SafeHtml(o.extraCss) : ''}</style></head>
<body style="${o.style}"><header class="top"><div>${o.header}</div></header>
<main>${o.main}</main>
${o.footer ? html`<footer class="foot"><div>${o.footer}</div></footer>` : ''}</body></html>`.toString()
}

// The CSS is a constant of this file (no input interpolated), so it goes in raw.
const STYLE = new SafeHtml(CSS)
function styleBlock(): SafeHtml {
  return STYLE
}

/** CSS custom properties for the brand, every value re-validated: `--p` readable primary, `--a` accent, `--font`. */
export function brandStyle(brand: { primaryColor?: unknown; accentColor?: unknown; fontFamily?: unknown } | null): string {
  const p = readableColor(brand?.primaryColor, PAGE_BG, 4.5, SAFE_PRIMARY)
  // The accent is only a decorative stripe: 3:1 against white keeps it visible; else the primary.
  const a = parseHexColor(brand?.accentColor) ? readableColor(brand?.accentColor, '#ffffff', 3, p) : p
  const font = safeFontFamily(brand?.fontFamily)
  return `--p:${p};--a:${a}${font ? `;--font:${font},${SYSTEM_FONTS}` : ''}`
}

/** Header contents: brand (logo with alt, or name) and the language switch. */
export function headerHtml(lang: Lang, brandName: string, logoUrl: string | null, switchLangHref: string | null): SafeHtml {
  const t = TEXT[lang]
  const logo = safeUrl(logoUrl)
  const sw = switchLangHref ? safeUrl(switchLangHref) : null
  return html`<p class="brand" style="margin:0">${logo ? html`<img src="${logo}" alt="${brandName}" height="36">` : txt(lang, brandName)}</p>
${sw ? html`<a class="lang" href="${sw}" hreflang="${t.switchLangCode}" lang="${t.switchLangCode}">${t.switchLang}</a>` : ''}`
}

export function langOf(v: unknown): Lang {
  return v === 'en' ? 'en' : 'ja'
}

// ---------------------------------------------------------------------------------------------
// The tracking page.

/**
 * The customer's tracking page for one order: every parcel, its status, timeline and estimate.
 * Pure and server-rendered (no JavaScript); every string from the view is escaped, and URLs,
 * colours and fonts are re-validated here.
 * @example reply.type('text/html; charset=utf-8').send(renderTrackingPage(view))
 */
export function renderTrackingPage(view: TrackingPageView): string {
  const lang = langOf(view.lang)
  const t = TEXT[lang]
  const tz = safeTimeZone(view.timeZone)
  const cancelled = view.order.status === 'cancelled'
  const shipments = view.shipments ?? []
  const delivered = shipments.filter((s) => s.status === 'delivered').length
  const placed = placedDate(view.order.placedAt, lang, tz)
  const overall = (t.orderStatus as Record<string, string>)[view.order.status] ?? t.orderStatus.placed

  const summary = html`<section class="card summary" aria-labelledby="h-summary">
<h1 id="h-summary">${t.title}</h1>
<p class="muted">${t.order} <strong>${txt(lang, view.order.number)}</strong>${placed ? html` · ${t.placedAt} ${placed}` : ''}</p>
<div role="status"><p class="big">${overall}</p>${cancelled ? html`<p>${t.cancelledBody}</p>` : shipments.length > 1 ? html`<p>${t.parcels(shipments.length, delivered)}</p>` : ''}</div>
</section>`

  const parcels = shipments.map((s) => parcelHtml(s, lang, t, tz, cancelled))
  const unshipped = !cancelled && view.unshippedLines.length > 0
    ? html`<section class="card" aria-labelledby="h-unshipped"><h2 id="h-unshipped">${t.unshipped}</h2>
<p><span class="badge">${t.notShipped}</span></p><p class="muted">${t.notShippedDesc}</p>${itemsHtml(view.unshippedLines, lang, t)}</section>`
    : ''
  const to = view.order.shipTo
  const shipTo = to && (to.name || to.region || to.city)
    ? html`<section class="card" aria-labelledby="h-shipto"><h2 id="h-shipto">${t.shipTo}</h2><p>${to.name ? html`${txt(lang, to.name)}${t.honorific}<br>` : ''}${txt(lang, `${to.region ?? ''}${to.city ?? ''}`)}</p></section>`
    : ''
  const ctas = view.ctas.length > 0
    ? html`<section aria-labelledby="h-ctas"><h2 id="h-ctas" style="margin-top:24px">${t.ctas}</h2>${view.ctas.map((c, i) => ctaHtml(c, i, lang))}</section>`
    : ''

  return pageShell({
    lang,
    title: t.title,
    brandName: view.brand.name,
    style: brandStyle(view.brand),
    header: headerHtml(lang, view.brand.name, view.brand.logoUrl, view.switchLangHref),
    main: html`${summary}${parcels}${unshipped}${shipTo}${ctas}`,
    footer: helpHtml(view.brand.support, lang, t),
  })
}

function parcelHtml(s: TrackingShipmentView, lang: Lang, t: Text, tz: string, cancelled: boolean): SafeHtml {
  const id = `p${Number(s.index) || 0}`
  const st = s.status ? statusText(lang, s.status) : { label: t.notShipped, desc: t.notShippedDesc }
  const cls = s.status && STATUS_CLASS.has(s.status) ? `badge st-${s.status}` : 'badge'
  const settled = s.status !== null && SETTLED.has(s.status)
  // Unknown statuses (a bad row) count as "needs attention" (step 2); returned has no step (null).
  const step = !s.status ? -1 : s.status in STEP_OF ? STEP_OF[s.status] : 2

  const steps = step === null
    ? ''
    : html`<ol class="steps" aria-label="${t.stepsLabel}">${t.steps.map((label, i) => {
        const current = i === step
        return html`<li${i <= step ? html` class="done"` : ''}${current ? html` aria-current="step"` : ''}>${label}<span class="vh">${current ? t.current : i < step ? t.done : ''}</span></li>`
      })}</ol>`

  const est = s.estimate && !settled && !cancelled ? estimateLabel(s.estimate, lang) : null
  const deliveredAt = s.status === 'delivered' ? dateTime(s.deliveredAt ?? s.statusAt, lang, tz) : ''
  const o = s.options
  const cod = o.codAmount !== null && !settled ? formatMoney(o.codAmount, o.currency, lang) : ''
  const facts = [
    deliveredAt ? html`<div><dt>${t.deliveredAt}</dt><dd>${deliveredAt}</dd></div>` : '',
    est ? html`<div><dt>${t.estimate}</dt><dd>${est}</dd></div>` : '',
    s.timeSlotLabel && !settled ? html`<div><dt>${t.timeSlot}</dt><dd>${txt(lang, s.timeSlotLabel)}</dd></div>` : '',
    o.leaveAt ? html`<div><dt>${t.leaveAt}</dt><dd>${txt(lang, o.leaveAt)}</dd></div>` : '',
    o.pickupPoint ? html`<div><dt>${t.pickup}</dt><dd>${txt(lang, o.pickupPoint)}</dd></div>` : '',
    cod ? html`<div><dt>${t.cod}</dt><dd>${cod}<span class="muted" style="font-weight:400">${t.codNote}</span></dd></div>` : '',
  ].filter((f) => f !== '')
  const late = s.estimate && !settled && !cancelled && (s.estimate.late || s.estimate.trendingLate) ? html`<p class="late">${t.late}</p>` : ''

  const link = safeUrl(s.carrierUrl)
  const carrier = html`<div class="carrier"><p>${t.carrier}${t.colon}${txt(lang, s.carrierName)}${s.serviceName ? (lang === 'ja' ? html`（${s.serviceName}）` : html` (${txt(lang, s.serviceName)})`) : ''}${s.trackingNumber ? html`<br>${t.trackingNumber}${t.colon}<span class="mono">${s.trackingNumber}</span>` : ''}</p>
${link ? html`<a class="btn2" href="${link}" target="_blank" rel="noopener noreferrer">${t.carrierLink(s.carrierName)}<span class="vh">${t.newTab}</span></a>` : ''}</div>`

  return html`<section class="card" aria-labelledby="${id}-h">
<h2 id="${id}-h">${t.parcel(s.index, s.count)}</h2>
<p><span class="${cls}">${st.label}</span></p><p>${st.desc}</p>
${steps}${facts.length ? html`<dl>${facts}</dl>` : ''}${late}${carrier}
${s.events.length ? timelineHtml(s.events, lang, t, tz, `${id}-t`) : ''}
${s.lines.length ? html`<h3>${t.items}</h3>${itemsHtml(s.lines, lang, t)}` : ''}
</section>`
}

function estimateLabel(e: NonNullable<TrackingShipmentView['estimate']>, lang: Lang): SafeHtml | null {
  const from = day(e.earliest, lang)
  const to = day(e.latest, lang)
  if (from && to && from.iso !== to.iso) {
    return html`<time datetime="${from.iso}">${from.label}</time>${lang === 'ja' ? '〜' : ' – '}<time datetime="${to.iso}">${to.label}</time>`
  }
  const d = day(e.date, lang)
  return d ? html`<time datetime="${d.iso}">${d.label}</time>` : null
}

const VISIBLE_EVENTS = 5

function timelineHtml(events: TrackingShipmentView['events'], lang: Lang, t: Text, tz: string, id: string): SafeHtml {
  const item = (e: TrackingShipmentView['events'][number], i: number) => {
    const label = statusText(lang, e.status).label
    const when = dateTime(e.occurredAt, lang, tz)
    return html`<li${i === 0 ? html` class="now"` : ''}><p><strong>${label}</strong>${i === 0 ? html`<span class="new">${t.latest}</span>` : ''}</p>
${e.rawText ? html`<p class="muted"><span class="vh">${t.carrierSaid}</span>「${txt(lang, e.rawText)}」</p>` : ''}<p class="muted">${when}${when && e.location ? ' · ' : ''}${txt(lang, e.location)}</p></li>`
  }
  const head = events.slice(0, VISIBLE_EVENTS)
  const rest = events.slice(VISIBLE_EVENTS)
  return html`<h3 id="${id}">${t.history}</h3><ol class="tl" aria-labelledby="${id}">${head.map(item)}</ol>
${rest.length ? html`<details><summary>${t.moreHistory(rest.length)}</summary><ol class="tl" start="${VISIBLE_EVENTS + 1}" aria-labelledby="${id}">${rest.map((e, i) => item(e, i + VISIBLE_EVENTS))}</ol></details>` : ''}`
}

function itemsHtml(lines: TrackingLineView[], lang: Lang, t: Text): SafeHtml {
  return html`<ul class="items">${lines.map((l) => {
    const img = safeUrl(l.imageUrl)
    // alt="": the title is right beside the picture, so naming it again would only repeat it.
    return html`<li>${img ? html`<img src="${img}" alt="" width="56" height="56" loading="lazy" decoding="async">` : ''}<span class="t">${txt(lang, l.title)}${l.variantTitle ? html`<br><span class="muted">${txt(lang, l.variantTitle)}</span>` : ''}</span><span class="q">${t.qty(l.quantity)}</span></li>`
  })}</ul>`
}

function ctaHtml(c: TrackingCtaView, i: number, lang: Lang): SafeHtml {
  const href = safeUrl(c.href)
  const img = safeUrl(c.imageUrl)
  const id = `cta${i}`
  return html`<section class="card cta" aria-labelledby="${id}">
${img ? html`<img src="${img}" alt="" width="560" height="200" loading="lazy" decoding="async">` : ''}<h3 id="${id}" style="margin:0">${txt(lang, c.title)}</h3>
${c.body ? html`<p>${txt(lang, c.body)}</p>` : ''}${href ? html`<p style="margin:0"><a class="btn" href="${href}">${txt(lang, c.label)}</a></p>` : ''}</section>`
}

function helpHtml(support: TrackingPageView['brand']['support'], lang: Lang, t: Text): SafeHtml | null {
  const email = support.email && /^[^\s@<>"'(),;:\\]+@[^\s@<>"'(),;:\\]+$/.test(support.email) ? support.email : null
  const url = safeUrl(support.url)
  const tel = support.phone ? support.phone.replace(/[^0-9+]/g, '') : ''
  const rows = [
    email ? html`<li>${t.email}${t.colon}<a href="mailto:${email}">${email}</a></li>` : '',
    url ? html`<li><a href="${url}">${t.web}</a></li>` : '',
    // A number we cannot dial is still shown, as text.
    support.phone ? html`<li>${t.phone}${t.colon}${tel.length >= 6 ? html`<a href="tel:${tel}">${support.phone}</a>` : support.phone}</li>` : '',
    support.hours ? html`<li>${t.hours}${t.colon}${txt(lang, support.hours)}</li>` : '',
  ].filter((r) => r !== '')
  if (rows.length === 0) return null
  return html`<h2 style="margin-top:16px">${t.help}</h2><ul>${rows}</ul>`
}
