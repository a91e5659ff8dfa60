import { html, type SafeHtml } from '../../platform/html.js'
import type { ReturnOptions, ReturnView } from '../../modules/returns/index.js'
import { timeSlotLabel, type TimeSlot } from '../../modules/tracking/index.js'
import { REVIEW_CSS, type Brand } from '../reviews/render.js'
import { brandStyle, formatMoney, headerHtml, pageShell } from '../tracking/render.js'
import type { Lang } from '../tracking/view.js'

export type { Brand }

/** The pickup slots a carrier's 集荷 offers (codes of the request schema). */
export const PICKUP_SLOTS = ['am', '14-16', '16-18', '18-20', '19-21'] as const satisfies readonly TimeSlot[]
export type PickupSlot = (typeof PICKUP_SLOTS)[number]
export const CONDITIONS = ['unopened', 'opened', 'used', 'damaged'] as const
export type Condition = (typeof CONDITIONS)[number]

/** What the customer typed and chose, to show again when the form comes back. */
export interface ReturnFormValues {
  lines: Record<string, { quantity?: string; condition?: string; exchange?: string }>
  reason?: string
  note?: string
  resolution?: string
  method?: string
  pickupDate?: string
  pickupSlot?: string
  /** The form's idempotency key: sent twice (a double click), the request opens one case. */
  requestKey?: string
}

/** An error tied to the form control with this element id (the summary links to it). */
export interface FieldError {
  field: string
  message: string
}

/** Keeping the item (refund without sending it back): when the brand offers it at all. */
export interface KeepOffer {
  reasons: string[]
  maxUnitValue: number
}

export type LookupError = 'not_found' | 'invalid' | 'rate_limited'

const TEXT = {
  ja: {
    lookupTitle: '返品・交換のお申し込み',
    lookupIntro: 'ご注文番号と、ご注文時のメールアドレスまたは電話番号を入力してください。',
    orderNumber: 'ご注文番号',
    orderHint: '例：#1042（ご注文確認メールに記載されています）',
    contact: 'メールアドレスまたは電話番号',
    contactHint: '例：hanako@example.com または 090-1234-5678',
    required: '（必須）',
    find: 'ご注文を探す',
    lookupErrorTitle: 'ご注文を確認できませんでした',
    lookupErrors: {
      not_found: 'ご注文番号とメールアドレス（または電話番号）の組み合わせが見つかりませんでした。入力内容をご確認ください。',
      invalid: 'ご注文番号と、メールアドレスまたは電話番号を入力してください。',
      rate_limited: '短時間に何度もお試しいただいたため、一時的に受付を止めています。しばらくしてからもう一度お試しください。',
    },
    orderTitle: '返品・交換のお申し込み',
    orderLine: (n: string, d: string) => `ご注文番号 ${n}・ご注文日 ${d}`,
    lead: '返品・交換する商品と数量、理由、ご希望の対応を選んで、お申し込みください。',
    openTitle: 'お申し込み済みの返品',
    termsTitle: '返品についてのご案内（返品特約）',
    termsLead: 'お申し込みの前に、ショップの返品条件をご確認ください。',
    statutoryTitle: '返品についてのご案内',
    statutory: [
      'このショップは返品特約を定めていないため、特定商取引法に基づき、商品到着日を含む8日以内であれば返品をお申し込みいただけます。',
      '返送料はお客様のご負担となります。ただし、不良品・配送中の破損・ご注文と違う商品の場合は、ショップが負担します。',
    ],
    itemsTitle: '返品する商品',
    unitPrice: (p: string, n: number) => `${p} × ${n}点`,
    quantity: '返品する数量',
    quantityOption: (n: number) => (n === 0 ? '返品しない' : `${n}点`),
    condition: '商品の状態',
    conditions: { unopened: '未開封', opened: '開封済み（未使用）', used: '使用済み', damaged: '傷・汚れ・破損あり' } as Record<Condition, string>,
    alreadyReturned: (n: number) => `うち${n}点は返品のお申し込み済みです。`,
    exchangeFor: '交換後のサイズ・色（交換をご希望の場合）',
    choose: '選んでください',
    inStock: (n: number) => `在庫あり（${n}点）`,
    outOfStock: '在庫なし',
    priceDiff: (p: string) => `・${p}`,
    reasonTitle: '返品の理由',
    reason: '理由',
    photosNeeded: '（写真が必要です）',
    note: '詳しい状況（任意）',
    noteHint: 'サイズ感や不具合の様子などをお書きください。',
    photos: '商品の写真',
    photosHint: (needs: string) => `${needs ? `「${needs}」の場合は、商品の写真を1枚以上添付してください。` : ''}6枚まで、1枚15MBまで。写真の位置情報は削除して保存します。`,
    photosAgain: '前回選んだ写真は送信されていません。お手数ですが、もう一度選んでください。',
    resolutionTitle: 'ご希望の対応',
    exchange: '交換',
    exchangeHint: '上で選んだサイズ・色の商品をお送りします。',
    storeCredit: 'ストアクレジット',
    storeCreditHint: (bonus: number) => (bonus > 0 ? `次回のお買い物に使えるクレジットです。返金より${bonus}%お得です。` : '次回のお買い物に使えるクレジットです。'),
    refund: '返金',
    refundHint: 'ご注文時のお支払い方法へ返金します。',
    refundBrandOnly: '返金は、不良品・配送中の破損・ご注文と違う商品の場合に承ります。',
    methodTitle: '返送の方法',
    pickup: '集荷（ご自宅まで取りに伺います）',
    pickupDate: '集荷のご希望日',
    pickupDateHint: (min: string, max: string) => `${min}から${max}までの日付を選んでください。`,
    pickupSlot: '集荷の時間帯',
    dropoff: '持ち込み（宅配便の営業所・コンビニから発送）',
    dropoffHint: 'お近くの営業所またはコンビニエンスストアからお送りください。',
    keep: '返送不要（商品はお手元に）',
    keepHint: (reasons: string, max: string) => `「${reasons}」で、1点${max}以下の商品に限り、商品を返送せずに対応します。`,
    submit: '返品を申し込む',
    noneReturnable: 'このご注文には、いま返品をお申し込みいただける商品がありません。',
    errorTitle: 'お申し込みを受け付けられませんでした。次の点をご確認ください。',
    statusTitle: '返品のお申し込み状況',
    received: 'お申し込みを受け付けました。このページのURLを保存しておくと、いつでも状況を確認できます。',
    rma: '返品番号（RMA）',
    statusLabel: '状況',
    statuses: {
      requested: '受付済み', approved: '承認済み', rejected: 'お受けできませんでした', received: '到着済み', inspected: '検品済み',
      resolved: '完了', cancelled: '取り消し済み', escalated: '確認中',
    } as Record<string, string>,
    statusText: {
      requested: 'お申し込みを受け付けました。',
      review: '担当者が内容を確認しています。確認が済みしだい、ご連絡します。商品はまだお送りにならないでください。',
      approved: '返品を承認しました。',
      rejected: '申し訳ありませんが、今回の返品はお受けできませんでした。',
      received: '返品された商品が届きました。検品をお待ちください。',
      inspected: '検品が終わりました。',
      resolved: 'お手続きが完了しました。',
      cancelled: 'このお申し込みは取り消されました。',
      escalated: '担当者が確認しています。',
    } as Record<string, string>,
    nextTitle: '次にしていただくこと',
    nextPickup: (date: string, slot: string) => `${date}の${slot}に、配送業者が集荷に伺います。`,
    nextDropoff: 'お近くの宅配便の営業所またはコンビニエンスストアから、商品をお送りください。',
    writeRma: (rma: string) => `箱の見やすいところと送り状の品名欄に、返品番号「${rma}」をお書きください。`,
    pack: '商品はお届け時の状態に近い形で梱包してください。',
    paidByBrand: '返送料はショップが負担します（着払いでお送りください）。',
    paidByCustomer: '返送料はお客様のご負担です（元払いでお送りください）。',
    nextKeep: '商品のご返送は不要です。お手元の商品はそのままお使いいただくか、処分してください。',
    nextWait: '承認のご連絡をお待ちください。承認後に、お送りいただく方法をご案内します。',
    nextNone: '現在、お客様にしていただくことはありません。',
    itemsBack: '返品する商品',
    itemLine: (n: number) => `${n}点`,
    exchangeTo: (t: string) => `交換後：${t}`,
    resolution: '対応',
    resolutions: { exchange: '交換', store_credit: 'ストアクレジット', refund: '返金' } as Record<string, string>,
    amount: '金額',
    refundAmount: (a: string) => `${a}を返金します`,
    creditAmount: (a: string, bonus: number) => `${a}分のストアクレジット${bonus > 0 ? `（返金より${bonus}%お得）` : ''}`,
    exchangePay: (a: string) => `差額${a}をお支払いいただきます`,
    exchangeBack: (a: string) => `差額${a}を返金します`,
    creditCode: 'クレジットコード',
    refundIssued: '返金の手続きが完了しました。',
    method: '返送方法',
    methods: { pickup: '集荷', dropoff: '持ち込み', keep: '返送不要' } as Record<string, string>,
    reasonLabel: '理由',
    noteLabel: '詳しい状況',
    explanationTitle: '判断の内容',
    another: '別のご注文の返品を申し込む',
    back: 'ご注文の返品ページに戻る',
    notFound: 'ページが見つかりません',
    notFoundBody: 'リンクの有効期限が切れているか、URLが正しくない可能性があります。お手数ですが、ご注文番号からもう一度お探しください。',
    lookupLink: 'ご注文番号から返品を申し込む',
    tooMany: 'アクセスが集中しています',
    tooManyBody: '短時間に多くのアクセスがあったため、一時的に表示を止めています。しばらくしてからもう一度お試しください。',
  },
  en: {
    lookupTitle: 'Return or exchange an item',
    lookupIntro: 'Enter your order number and the email address or phone number you used when ordering.',
    orderNumber: 'Order number',
    orderHint: 'For example #1042 (it is in your order confirmation email)',
    contact: 'Email or phone number',
    contactHint: 'For example hanako@example.com or 090-1234-5678',
    required: ' (required)',
    find: 'Find my order',
    lookupErrorTitle: 'We could not find that order',
    lookupErrors: {
      not_found: 'No order matches that order number and email address (or phone number). Please check what you entered.',
      invalid: 'Please enter your order number and an email address or phone number.',
      rate_limited: 'Too many attempts in a short time. Please wait a little and try again.',
    },
    orderTitle: 'Return or exchange',
    orderLine: (n: string, d: string) => `Order ${n} · placed ${d}`,
    lead: 'Choose the items and quantities to return, the reason and what you would like instead, then send your request.',
    openTitle: 'Returns already requested',
    termsTitle: 'Our return terms',
    termsLead: 'Please read the shop’s return terms before you send a request.',
    statutoryTitle: 'About returns',
    statutory: [
      'This shop has not set its own return terms, so under Japan’s Act on Specified Commercial Transactions you may return items within 8 days of receiving them, counting the day they arrived.',
      'You pay the return shipping, unless the item is defective, was damaged in transit or is not what you ordered: then the shop pays.',
    ],
    itemsTitle: 'Items to return',
    unitPrice: (p: string, n: number) => `${p} × ${n}`,
    quantity: 'Quantity to return',
    quantityOption: (n: number) => (n === 0 ? 'Do not return' : String(n)),
    condition: 'Condition',
    conditions: { unopened: 'Unopened', opened: 'Opened, not used', used: 'Used', damaged: 'Scratched, stained or broken' } as Record<Condition, string>,
    alreadyReturned: (n: number) => `${n} of these already have a return request.`,
    exchangeFor: 'Exchange for (if you choose an exchange)',
    choose: 'Choose',
    inStock: (n: number) => `in stock (${n})`,
    outOfStock: 'out of stock',
    priceDiff: (p: string) => ` · ${p}`,
    reasonTitle: 'Reason for the return',
    reason: 'Reason',
    photosNeeded: ' (photos needed)',
    note: 'Tell us more (optional)',
    noteHint: 'For example how it fits, or what is wrong with it.',
    photos: 'Photos of the item',
    photosHint: (needs: string) => `${needs ? `For “${needs}”, add at least one photo of the item. ` : ''}Up to 6 photos, 15 MB each. Location data is removed from photos.`,
    photosAgain: 'The photos you chose before were not sent. Please choose them again.',
    resolutionTitle: 'What would you like instead?',
    exchange: 'Exchange',
    exchangeHint: 'We send you the size or colour you chose above.',
    storeCredit: 'Store credit',
    storeCreditHint: (bonus: number) => (bonus > 0 ? `Credit for your next order, worth ${bonus}% more than a refund.` : 'Credit for your next order.'),
    refund: 'Refund',
    refundHint: 'Paid back to the payment method of your order.',
    refundBrandOnly: 'Refunds are for defective, damaged or wrong items.',
    methodTitle: 'How the item comes back',
    pickup: 'Pickup (the carrier collects it from your home)',
    pickupDate: 'Pickup date',
    pickupDateHint: (min: string, max: string) => `Choose a date from ${min} to ${max}.`,
    pickupSlot: 'Pickup time',
    dropoff: 'Drop-off (at a carrier counter or a convenience store)',
    dropoffHint: 'Send it from a nearby carrier counter or convenience store.',
    keep: 'Keep the item (no need to send it back)',
    keepHint: (reasons: string, max: string) => `For “${reasons}”, on items up to ${max} each, you do not need to send the item back.`,
    submit: 'Send return request',
    noneReturnable: 'Nothing in this order can be returned right now.',
    errorTitle: 'We could not accept your request. Please check the following.',
    statusTitle: 'Your return',
    received: 'We received your request. Bookmark this page to check on your return at any time.',
    rma: 'Return number (RMA)',
    statusLabel: 'Status',
    statuses: {
      requested: 'Received', approved: 'Approved', rejected: 'Declined', received: 'Arrived', inspected: 'Inspected',
      resolved: 'Completed', cancelled: 'Cancelled', escalated: 'Under review',
    } as Record<string, string>,
    statusText: {
      requested: 'We received your request.',
      review: 'A member of our team is checking your request and will contact you. Please do not send the item yet.',
      approved: 'Your return is approved.',
      rejected: 'We are sorry, but we could not accept this return.',
      received: 'Your item arrived at our warehouse. We will check it shortly.',
      inspected: 'We have checked your item.',
      resolved: 'Your return is complete.',
      cancelled: 'This return was cancelled.',
      escalated: 'A member of our team is looking into it.',
    } as Record<string, string>,
    nextTitle: 'What to do next',
    nextPickup: (date: string, slot: string) => `The carrier will collect the parcel on ${date}, ${slot}.`,
    nextDropoff: 'Take the parcel to a nearby carrier counter or convenience store.',
    writeRma: (rma: string) => `Write the return number “${rma}” on the box and in the item field of the shipping label.`,
    pack: 'Pack the item much as it arrived.',
    paidByBrand: 'The shop pays the return shipping (send it cash on delivery / 着払い).',
    paidByCustomer: 'You pay the return shipping (prepaid / 元払い).',
    nextKeep: 'You do not need to send the item back. Keep it or dispose of it.',
    nextWait: 'Please wait for our approval; we will then tell you how to send the item.',
    nextNone: 'Nothing to do for now.',
    itemsBack: 'Items',
    itemLine: (n: number) => `× ${n}`,
    exchangeTo: (t: string) => `Exchange for: ${t}`,
    resolution: 'Resolution',
    resolutions: { exchange: 'Exchange', store_credit: 'Store credit', refund: 'Refund' } as Record<string, string>,
    amount: 'Amount',
    refundAmount: (a: string) => `${a} refunded`,
    creditAmount: (a: string, bonus: number) => `${a} in store credit${bonus > 0 ? ` (${bonus}% more than a refund)` : ''}`,
    exchangePay: (a: string) => `You pay the difference of ${a}`,
    exchangeBack: (a: string) => `The difference of ${a} is refunded`,
    creditCode: 'Credit code',
    refundIssued: 'Your refund has been issued.',
    method: 'Return method',
    methods: { pickup: 'Pickup', dropoff: 'Drop-off', keep: 'Keep the item' } as Record<string, string>,
    reasonLabel: 'Reason',
    noteLabel: 'Details',
    explanationTitle: 'How we decided',
    another: 'Return items from another order',
    back: 'Back to the order’s return page',
    notFound: 'Page not found',
    notFoundBody: 'The link may have expired or be incomplete. Please find your order again with its order number.',
    lookupLink: 'Find your order to return an item',
    tooMany: 'Too many requests',
    tooManyBody: 'We received too many requests in a short time. Please wait a little and try again.',
  },
} as const

const RETURN_CSS = `${REVIEW_CSS}
select{min-height:48px}
.legend{font-size:1.15rem;font-weight:700;line-height:1.4;margin:0 0 8px}
.line{border-top:1px solid #e3e1dc;padding-top:12px;margin-top:12px}
.line:first-of-type{border-top:0;padding-top:0;margin-top:0}
.line h3{margin:0}
.choice{display:flex;gap:10px;align-items:flex-start;margin:12px 0 0}
.choice input{width:24px;height:24px;min-height:0;flex:none;margin:12px 0 0}
.choice label{margin:0;padding:8px 0 0}
.choice .hint{margin:0}
.sub{margin:0 0 0 34px}
.errs a{color:#b00020;font-weight:700}
.errs ul{margin:0;padding-left:1.2em}
.terms p{margin:0 0 8px}
.code{font-size:1.2rem}
[aria-invalid=true]{border-color:#b00020}
button{width:100%}
.note{font-weight:400;white-space:pre-wrap}`

const shell = (lang: Lang, brand: Brand, title: string, main: SafeHtml, switchHref: string | null) =>
  pageShell({ lang, title, brandName: brand.name, style: brandStyle({ primaryColor: brand.primaryColor }), header: headerHtml(lang, brand.name, brand.logoUrl, switchHref), main, extraCss: RETURN_CSS })

function dateIn(iso: string, zone: string, lang: Lang): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  return new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', { timeZone: zone, year: 'numeric', month: 'long', day: 'numeric' }).format(d)
}

/** A calendar date 'YYYY-MM-DD' with its weekday, as the customer reads it. */
export function calendarDate(ymd: string, lang: Lang): string {
  const d = new Date(`${ymd}T00:00:00Z`)
  if (Number.isNaN(d.getTime())) return ymd
  return new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', { timeZone: 'UTC', year: 'numeric', month: 'long', day: 'numeric', weekday: 'short' }).format(d)
}

/** Text with line breaks as paragraphs (each escaped). */
function paragraphs(text: string): SafeHtml {
  return html`${text.split(/\r?\n+/).filter((p) => p.trim()).map((p) => html`<p>${p}</p>`)}`
}

/** The `aria-describedby` / `aria-invalid` pair of a control with an error. */
function described(errors: Map<string, string>, id: string, hint?: string): SafeHtml {
  const ids = [hint, errors.has(id) ? `${id}-err` : undefined].filter(Boolean).join(' ')
  return html`${ids ? html` aria-describedby="${ids}"` : ''}${errors.has(id) ? html` aria-invalid="true"` : ''}`
}

function fieldError(errors: Map<string, string>, id: string): SafeHtml | '' {
  const m = errors.get(id)
  return m ? html`<p class="err" id="${id}-err">${m}</p>` : ''
}

function errorSummary(title: string, errors: readonly FieldError[]): SafeHtml | '' {
  if (!errors.length) return ''
  return html`<div class="card errs" role="alert" id="errors"><h2>${title}</h2><ul>${errors.map((e) => html`<li><a href="#${e.field}">${e.message}</a></li>`)}</ul></div>`
}

/** "（M）" in Japanese, " (M)" in English. */
const paren = (lang: Lang, text: string) => (lang === 'ja' ? `（${text}）` : ` (${text})`)
const selected = (on: boolean) => (on ? html` selected` : '')
const checked = (on: boolean) => (on ? html` checked` : '')

// ------------------------------------------------------------------------------------ lookup

/** `/r/:tenant`: find the order by its number and the email or phone it was placed with. */
export function renderLookupPage(o: { lang: Lang; brand: Brand; action: string; switchHref: string; error?: LookupError | null; values?: { orderNumber: string; contact: string } }): string {
  const t = TEXT[o.lang]
  const error = o.error ?? null
  // A bad combination concerns both fields; rate limiting neither.
  const both = error === 'not_found' || error === 'invalid'
  const desc = (hint: string) => html` aria-describedby="${both ? `${hint} lookup-err` : hint}"${both ? html` aria-invalid="true"` : ''}`
  const main = html`<h1>${t.lookupTitle}</h1>
<p>${t.lookupIntro}</p>
${error ? html`<div class="card errs" role="alert"><h2>${t.lookupErrorTitle}</h2><p class="err" id="lookup-err">${t.lookupErrors[error]}</p></div>` : ''}
<form class="card" method="post" action="${o.action}" novalidate>
<label for="orderNumber">${t.orderNumber}<span class="vh">${t.required}</span></label>
<input id="orderNumber" name="orderNumber" type="text" required aria-required="true" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="64" value="${o.values?.orderNumber ?? ''}"${desc('orderNumber-hint')}>
<p class="hint" id="orderNumber-hint">${t.orderHint}</p>
<label for="contact">${t.contact}<span class="vh">${t.required}</span></label>
<input id="contact" name="contact" type="text" required aria-required="true" autocomplete="email" spellcheck="false" autocapitalize="none" maxlength="254" value="${o.values?.contact ?? ''}"${desc('contact-hint')}>
<p class="hint" id="contact-hint">${t.contactHint}</p>
<button type="submit">${t.find}</button>
</form>`
  return shell(o.lang, o.brand, t.lookupTitle, main, o.switchHref)
}

// ------------------------------------------------------------------------------------ the order

export interface OrderPageInput {
  lang: Lang
  brand: Brand
  /** Where the form posts. */
  action: string
  switchHref: string
  options: ReturnOptions
  /** Status page path per open return id. */
  statusLinks?: Map<string, string>
  keep: KeepOffer | null
  /** Pickup dates offered, 'YYYY-MM-DD' in the brand's zone. */
  pickupRange: { min: string; max: string }
  values?: ReturnFormValues
  errors?: FieldError[]
  /** Photos were chosen but the form came back: the browser does not keep them. */
  photosDropped?: boolean
  /** A fresh idempotency key for a new form (a form sent back keeps its own in `values`). */
  requestKey: string
}

/** `/r/:tenant/o/:token`: the brand's terms first, then one form for the whole request. No JavaScript. */
export function renderOrderPage(o: OrderPageInput): string {
  const { lang, options } = o
  const t = TEXT[lang]
  const v: ReturnFormValues = o.values ?? { lines: {} }
  const errs = o.errors ?? []
  const errors = new Map<string, string>()
  for (const e of errs) if (!errors.has(e.field)) errors.set(e.field, e.message)
  const money = (minor: number) => formatMoney(minor, options.order.currency, lang)
  const returnable = options.lines.some((l) => l.returnable > 0)

  const terms = options.terms
    ? html`<section class="card terms" aria-labelledby="terms-h"><h2 id="terms-h">${t.termsTitle}</h2><p class="muted">${t.termsLead}</p>${paragraphs(options.terms[lang])}</section>`
    : html`<section class="card terms" aria-labelledby="terms-h"><h2 id="terms-h">${t.statutoryTitle}</h2>${t.statutory.map((p) => html`<p>${p}</p>`)}</section>`

  const open = options.openReturns.length
    ? html`<section class="card" aria-labelledby="open-h"><h2 id="open-h">${t.openTitle}</h2><ul>${options.openReturns.map((r) => {
      const href = o.statusLinks?.get(r.id)
      return html`<li>${href ? html`<a href="${href}" class="mono">${r.rma}</a>` : html`<span class="mono">${r.rma}</span>`}${lang === 'ja' ? '：' : ': '}${t.statuses[r.status] ?? r.status}</li>`
    })}</ul></section>`
    : ''

  const lines = options.lines.map((l, i) => {
    const lv = v.lines[l.lineId] ?? {}
    const qty = Number(lv.quantity ?? 0)
    const exchange = options.resolutions.exchange && l.exchangeFor.length > 0 && l.returnable > 0
    return html`<div class="line" role="group" aria-labelledby="l-${i}">
<h3 id="l-${i}">${l.title}${l.variantTitle ? html`<span class="muted">${paren(lang, l.variantTitle)}</span>` : ''}</h3>
<p class="muted">${t.unitPrice(money(l.unitPrice), l.purchased)}${l.alreadyReturned > 0 ? html` ${t.alreadyReturned(l.alreadyReturned)}` : ''}</p>
${l.returnable > 0
  ? html`<input type="hidden" name="line_${i}" value="${l.lineId}">
${fieldError(errors, `qty-${i}`)}<label for="qty-${i}">${t.quantity}</label>
<select id="qty-${i}" name="qty_${i}"${described(errors, `qty-${i}`, `why-${i}`)}>${Array.from({ length: l.returnable + 1 }, (_, n) => html`<option value="${n}"${selected(qty === n)}>${t.quantityOption(n)}</option>`)}</select>
<p class="hint" id="why-${i}">${l.why[lang]}</p>
<label for="cond-${i}">${t.condition}</label>
<select id="cond-${i}" name="cond_${i}">${CONDITIONS.map((c) => html`<option value="${c}"${selected((lv.condition ?? 'opened') === c)}>${t.conditions[c]}</option>`)}</select>
${exchange ? html`${fieldError(errors, `ex-${i}`)}<label for="ex-${i}">${t.exchangeFor}</label>
<select id="ex-${i}" name="ex_${i}"${described(errors, `ex-${i}`)}><option value="">${t.choose}</option>${l.exchangeFor.map((x) => {
    const diff = x.unitPrice - l.unitPrice
    const price = diff === 0 ? '' : t.priceDiff(`${diff > 0 ? '+' : '−'}${money(Math.abs(diff))}`)
    return html`<option value="${x.variantId}"${x.available > 0 ? '' : html` disabled`}${selected(lv.exchange === x.variantId && x.available > 0)}>${x.title}${paren(lang, `${x.available > 0 ? t.inStock(x.available) : t.outOfStock}${price}`)}</option>`
  })}</select>` : ''}`
  : html`<p class="hint" id="why-${i}">${l.why[lang]}</p>`}
</div>`
  })

  const photoReasons = options.reasons.filter((r) => r.photosRequired).map((r) => r.label[lang]).join(lang === 'ja' ? '」「' : '”, “')
  const reason = html`<section class="card" aria-labelledby="reason-h"><h2 id="reason-h">${t.reasonTitle}</h2>
${fieldError(errors, 'reason')}<label for="reason">${t.reason}<span class="vh">${t.required}</span></label>
<select id="reason" name="reason" required aria-required="true"${described(errors, 'reason')}><option value="">${t.choose}</option>${options.reasons.map((r) => html`<option value="${r.code}"${selected(v.reason === r.code)}>${r.label[lang]}${r.photosRequired ? t.photosNeeded : ''}</option>`)}</select>
${fieldError(errors, 'note')}<label for="note">${t.note}</label>
<textarea id="note" name="note" maxlength="2000" rows="4"${described(errors, 'note', 'note-hint')}>${v.note ?? ''}</textarea>
<p class="hint" id="note-hint">${t.noteHint}</p>
${fieldError(errors, 'photos')}<label for="photos">${t.photos}</label>
<input type="file" id="photos" name="photos" accept="image/*" multiple${described(errors, 'photos', 'photos-hint')}>
<p class="hint" id="photos-hint">${t.photosHint(photoReasons)}${o.photosDropped ? html` <strong>${t.photosAgain}</strong>` : ''}</p>
</section>`

  const refundForAll = options.resolutions.refund || options.terms === null
  const choice = (name: string, value: string, label: string, hint: string | null, extra: SafeHtml | '' = '') => html`<div class="choice"><input type="radio" id="${name}-${value}" name="${name}" value="${value}"${checked((name === 'resolution' ? v.resolution : v.method) === value)}${hint ? html` aria-describedby="${name}-${value}-hint"` : ''}><div><label for="${name}-${value}">${label}</label>${hint ? html`<p class="hint" id="${name}-${value}-hint">${hint}</p>` : ''}</div></div>${extra}`
  const resolution = html`<section class="card"><fieldset id="resolution"${described(errors, 'resolution')}><legend class="legend">${t.resolutionTitle}</legend>
${fieldError(errors, 'resolution')}
${options.resolutions.exchange ? choice('resolution', 'exchange', t.exchange, t.exchangeHint) : ''}
${options.resolutions.storeCredit ? choice('resolution', 'store_credit', t.storeCredit, t.storeCreditHint(options.resolutions.storeCreditBonusPercent)) : ''}
${choice('resolution', 'refund', t.refund, refundForAll ? t.refundHint : t.refundBrandOnly)}
</fieldset></section>`

  const pickupFields = html`<div class="sub">
${fieldError(errors, 'pickup-date')}<label for="pickup-date">${t.pickupDate}</label>
<input type="date" id="pickup-date" name="pickup_date" min="${o.pickupRange.min}" max="${o.pickupRange.max}" value="${v.pickupDate ?? ''}"${described(errors, 'pickup-date', 'pickup-date-hint')}>
<p class="hint" id="pickup-date-hint">${t.pickupDateHint(calendarDate(o.pickupRange.min, lang), calendarDate(o.pickupRange.max, lang))}</p>
${fieldError(errors, 'pickup-slot')}<label for="pickup-slot">${t.pickupSlot}</label>
<select id="pickup-slot" name="pickup_slot"${described(errors, 'pickup-slot')}><option value="">${t.choose}</option>${PICKUP_SLOTS.map((s) => html`<option value="${s}"${selected(v.pickupSlot === s)}>${timeSlotLabel(s, lang)}</option>`)}</select>
</div>`
  const keepReasons = o.keep ? o.keep.reasons.map((code) => options.reasons.find((r) => r.code === code)?.label[lang] ?? code).join(lang === 'ja' ? '」「' : '”, “') : ''
  const method = html`<section class="card"><fieldset id="method"${described(errors, 'method')}><legend class="legend">${t.methodTitle}</legend>
${fieldError(errors, 'method')}
${choice('method', 'pickup', t.pickup, null, pickupFields)}
${choice('method', 'dropoff', t.dropoff, t.dropoffHint)}
${o.keep ? choice('method', 'keep', t.keep, t.keepHint(keepReasons, money(o.keep.maxUnitValue))) : ''}
</fieldset></section>`

  const main = html`<h1>${t.orderTitle}</h1>
<p class="muted">${t.orderLine(options.order.number ?? '', dateIn(options.order.placedAt, o.brand.timeZone, lang))}</p>
${errorSummary(t.errorTitle, errs)}
${terms}
${open}
${returnable
  ? html`<p>${t.lead}</p><form method="post" action="${o.action}" enctype="multipart/form-data" novalidate>
<input type="hidden" name="request_key" value="${o.values?.requestKey ?? o.requestKey}">
<section class="card" aria-labelledby="items-h"><h2 id="items-h">${t.itemsTitle}</h2>${lines}</section>
${reason}
${resolution}
${method}
<p><button type="submit">${t.submit}</button></p>
</form>`
  : html`<section class="card" aria-labelledby="items-h"><h2 id="items-h">${t.itemsTitle}</h2><p>${t.noneReturnable}</p>${lines}</section>`}`
  return shell(lang, o.brand, t.orderTitle, main, o.switchHref)
}

// ------------------------------------------------------------------------------------ status

/** `/r/:tenant/s/:token`: where the return stands, what to do next, and how it was decided. */
export function renderStatusPage(o: { lang: Lang; brand: Brand; view: ReturnView; reasonLabel: string; bonusPercent: number; created: boolean; switchHref: string; lookupHref: string }): string {
  const { lang, view: r } = o
  const t = TEXT[lang]
  const money = (minor: number) => formatMoney(minor, r.currency, lang)
  const review = r.status === 'requested' && r.needsReview
  const statusText = review ? t.statusText.review : t.statusText[r.status] ?? ''

  const sendBack = r.method !== 'keep' && (r.status === 'approved' || (r.status === 'requested' && !r.needsReview))
  let next: SafeHtml
  if (r.method === 'keep' && !['rejected', 'cancelled'].includes(r.status)) next = html`<p>${t.nextKeep}</p>`
  else if (review) next = html`<p>${t.nextWait}</p>`
  else if (sendBack) {
    next = html`<ol>
${r.method === 'pickup' && r.pickup ? html`<li>${t.nextPickup(calendarDate(r.pickup.date, lang), timeSlotLabel(r.pickup.slot as TimeSlot, lang))}</li>` : html`<li>${t.nextDropoff}</li>`}
<li>${t.pack}</li>
<li>${t.writeRma(r.rma)}</li>
<li>${r.shippingPaidBy === 'brand' ? t.paidByBrand : t.paidByCustomer}</li>
</ol>`
  } else next = html`<p>${t.nextNone}</p>`

  let amount: string | null = null
  if (r.resolution === 'refund') amount = t.refundAmount(money(r.refundAmount))
  else if (r.resolution === 'store_credit') amount = t.creditAmount(money(r.creditAmount), o.bonusPercent)
  else if (r.exchangeDifference > 0) amount = t.exchangePay(money(r.exchangeDifference))
  else if (r.refundAmount > 0) amount = t.exchangeBack(money(r.refundAmount))

  // The engine's explanation names order lines by id; the customer knows them by title.
  const titles = new Map(r.lines.map((l) => [l.orderLineId, l.variantTitle ? `${l.title}${paren(lang, l.variantTitle)}` : l.title]))
  const explain = (r.decision.explanation?.[lang] ?? []).map((s) => {
    for (const [id, title] of titles) if (s.startsWith(id)) return `${title}${s.slice(id.length)}`
    return s
  })

  const main = html`<h1>${t.statusTitle}</h1>
${o.created ? html`<p class="card" role="status">${t.received}</p>` : ''}
<section class="card summary" aria-labelledby="rma-h">
<h2 id="rma-h">${t.rma}</h2><p class="code" id="rma">${r.rma}</p>
<dl><div><dt>${t.statusLabel}</dt><dd><span class="badge">${t.statuses[r.status] ?? r.status}</span></dd></div>
<div><dt>${t.reasonLabel}</dt><dd>${o.reasonLabel}</dd></div>
${r.reason.note ? html`<div><dt>${t.noteLabel}</dt><dd class="note">${r.reason.note}</dd></div>` : ''}
<div><dt>${t.method}</dt><dd>${t.methods[r.method] ?? r.method}${r.pickup ? paren(lang, `${calendarDate(r.pickup.date, lang)}${lang === 'ja' ? '・' : ', '}${timeSlotLabel(r.pickup.slot as TimeSlot, lang)}`) : ''}</dd></div></dl>
<p>${statusText}</p>
</section>
<section class="card" aria-labelledby="next-h"><h2 id="next-h">${t.nextTitle}</h2>${next}</section>
<section class="card" aria-labelledby="items-h"><h2 id="items-h">${t.itemsBack}</h2><ul class="items">${r.lines.map((l) => html`<li><span class="t">${l.title}${l.variantTitle ? paren(lang, l.variantTitle) : ''}${l.exchange ? html`<br><strong>${t.exchangeTo(l.exchange.title)}</strong>` : ''}</span><span class="q">${t.itemLine(l.quantity)}</span></li>`)}</ul></section>
<section class="card" aria-labelledby="res-h"><h2 id="res-h">${t.resolution}</h2>
<dl><div><dt>${t.resolution}</dt><dd>${t.resolutions[r.resolution] ?? r.resolution}</dd></div>
${amount ? html`<div><dt>${t.amount}</dt><dd>${amount}</dd></div>` : ''}
${r.storeCredit ? html`<div><dt>${t.creditCode}</dt><dd class="mono">${r.storeCredit.code}</dd></div>` : ''}</dl>
${r.refund.status === 'issued' ? html`<p>${t.refundIssued}</p>` : ''}
</section>
${explain.length ? html`<section class="card" aria-labelledby="why-h"><h2 id="why-h">${t.explanationTitle}</h2><ul>${explain.map((s) => html`<li>${s}</li>`)}</ul></section>` : ''}
<p><a class="btn2" href="${o.lookupHref}">${t.another}</a></p>`
  return shell(lang, o.brand, t.statusTitle, main, o.switchHref)
}

// ------------------------------------------------------------------------------------ errors

/** 404 for an unknown brand, order link or status link; links to the lookup form when it can. */
export function renderNotFound(lang: Lang, brand: Brand, lookupHref: string | null): string {
  const t = TEXT[lang]
  return shell(lang, brand, t.notFound, html`<h1>${t.notFound}</h1><div class="card"><p>${t.notFoundBody}</p>${lookupHref ? html`<p><a class="btn" href="${lookupHref}">${t.lookupLink}</a></p>` : ''}</div>`, null)
}

/** 429 for an address that guessed too many links. */
export function renderTooMany(lang: Lang, brand: Brand): string {
  const t = TEXT[lang]
  return shell(lang, brand, t.tooMany, html`<h1>${t.tooMany}</h1><p class="card" role="status">${t.tooManyBody}</p>`, null)
}

/** Error messages of the form, in the customer's language. */
export const FORM_ERRORS = {
  ja: {
    pickItems: '返品する商品の数量を選んでください。',
    reason: '返品の理由を選んでください。',
    note: '詳しい状況は2000文字以内でお書きください。',
    resolution: 'ご希望の対応を選んでください。',
    exchangeChoose: '交換後のサイズ・色を選んでください。',
    exchangeNone: 'この商品は交換できません。ストアクレジットまたは返金をお選びください。',
    exchangeGone: '選んだサイズ・色は在庫がなくなりました。別のサイズ・色を選ぶか、ストアクレジットまたは返金をお選びください。',
    method: '返送の方法を選んでください。',
    pickupDate: (min: string, max: string) => `集荷のご希望日を${min}から${max}までの日付で選んでください。`,
    pickupSlot: '集荷の時間帯を選んでください。',
    photosRequired: (reason: string) => `「${reason}」の場合は、商品の写真を1枚以上添付してください。`,
    notPhoto: (name: string) => `「${name}」は写真として読み込めませんでした。JPEG・PNGなどの写真を選んでください。`,
    tooManyPhotos: '写真は6枚まで添付できます。',
    photoTooLarge: '写真が大きすぎます。1枚15MBまでです。',
    notAllowed: (why: string) => why,
    atMost: (n: number) => `この商品は${n}点まで返品できます。`,
    resolutionNotOffered: 'このご返品では、選んだ対応はお選びいただけません。別の対応をお選びください。',
    keepNotOffered: 'このご返品では、商品の返送が必要です。集荷または持ち込みをお選びください。',
    form: 'フォームから送信してください。',
    generic: 'お申し込みを受け付けられませんでした。入力内容をご確認のうえ、もう一度お試しください。',
  },
  en: {
    pickItems: 'Choose how many of an item to return.',
    reason: 'Choose a reason for the return.',
    note: 'Please keep the details to 2,000 characters.',
    resolution: 'Choose what you would like instead.',
    exchangeChoose: 'Choose the size or colour to exchange for.',
    exchangeNone: 'This item cannot be exchanged. Please choose store credit or a refund.',
    exchangeGone: 'The size or colour you chose has just sold out. Choose another, or store credit or a refund.',
    method: 'Choose how the item comes back.',
    pickupDate: (min: string, max: string) => `Choose a pickup date from ${min} to ${max}.`,
    pickupSlot: 'Choose a pickup time.',
    photosRequired: (reason: string) => `For “${reason}”, please add at least one photo of the item.`,
    notPhoto: (name: string) => `“${name}” could not be read as a photo. Please choose a photo such as a JPEG or PNG.`,
    tooManyPhotos: 'You can add up to 6 photos.',
    photoTooLarge: 'A photo is too large: up to 15 MB each.',
    notAllowed: (why: string) => why,
    atMost: (n: number) => `Up to ${n} of this item can be returned.`,
    resolutionNotOffered: 'That option is not available for this return. Please choose another.',
    keepNotOffered: 'This item needs to come back. Please choose pickup or drop-off.',
    form: 'Please send the form from this page.',
    generic: 'We could not accept your request. Please check it and try again.',
  },
} as const

