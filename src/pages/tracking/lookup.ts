import { html, type SafeHtml } from '../../platform/html.js'
import type { Lang } from './view.js'
import { brandStyle, headerHtml, langOf, pageShell, safeUrl } from './render.js'

export type LookupError = 'not_found' | 'rate_limited' | 'invalid'

export interface LookupPageInput {
  lang: Lang
  brandName: string
  error?: LookupError | null
  /** What the customer typed, shown again after an error. */
  values?: { orderNumber: string; contact: string }
  /** Where the form posts (e.g. `/track/lookup`). */
  action: string
}

const TEXT = {
  ja: {
    title: 'ご注文の配送状況を確認',
    intro: 'ご注文番号と、ご注文時のメールアドレスまたは電話番号を入力してください。',
    orderNumber: 'ご注文番号',
    orderHint: '例：#1042（ご注文確認メールに記載されています）',
    contact: 'メールアドレスまたは電話番号',
    contactHint: '例：hanako@example.com または 090-1234-5678',
    required: '（必須）',
    submit: '配送状況を確認する',
    errorTitle: '確認できませんでした',
    errors: {
      not_found: 'ご注文番号とメールアドレス（または電話番号）の組み合わせが見つかりませんでした。入力内容をご確認ください。',
      invalid: 'ご注文番号と、メールアドレスまたは電話番号を正しく入力してください。',
      rate_limited: '短時間に何度もお試しいただいたため、一時的に受付を止めています。しばらくしてからもう一度お試しください。',
    },
    notFound: 'ページが見つかりません',
    notFoundBody: 'リンクの有効期限が切れているか、URLが正しくない可能性があります。お手数ですが、ご注文確認メールのリンクからもう一度開いてください。',
    lookupLink: 'ご注文番号から配送状況を確認する',
    tooMany: 'アクセスが集中しています',
    tooManyBody: (wait: string) => `短時間に多くのアクセスがあったため、一時的に表示を止めています。${wait}もう一度お試しください。`,
    wait: (s: number) => (s < 60 ? `${s}秒ほどしてから、` : `${Math.ceil(s / 60)}分ほどしてから、`),
    waitUnknown: 'しばらくしてから、',
  },
  en: {
    title: 'Track your order',
    intro: 'Enter your order number and the email address or phone number you used when ordering.',
    orderNumber: 'Order number',
    orderHint: 'For example #1042 (it is in your order confirmation email)',
    contact: 'Email or phone number',
    contactHint: 'For example hanako@example.com or 090-1234-5678',
    required: ' (required)',
    submit: 'Track order',
    errorTitle: 'We could not find that order',
    errors: {
      not_found: 'No order matches that order number and email address (or phone number). Please check what you entered.',
      invalid: 'Please enter your order number and an email address or phone number.',
      rate_limited: 'Too many attempts in a short time. Please wait a little and try again.',
    },
    notFound: 'Page not found',
    notFoundBody: 'The link may have expired or be incomplete. Please open it again from your order confirmation email.',
    lookupLink: 'Track your order with its order number',
    tooMany: 'Too many requests',
    tooManyBody: (wait: string) => `We received too many requests in a short time. Please try again ${wait}.`,
    wait: (s: number) => (s < 60 ? `in about ${s} seconds` : `in about ${Math.ceil(s / 60)} minutes`),
    waitUnknown: 'in a little while',
  },
} as const

function simplePage(lang: Lang, title: string, brandName: string, main: SafeHtml): string {
  return pageShell({ lang, title, brandName, style: brandStyle(null), header: headerHtml(lang, brandName, null, null), main })
}

/**
 * The order-lookup form for customers without a tracking link: order number + email or phone.
 * Errors are announced (role=alert) and tied to the inputs with aria-describedby.
 */
export function renderLookupPage(input: LookupPageInput): string {
  const lang = langOf(input.lang)
  const t = TEXT[lang]
  const error = input.error && input.error in t.errors ? input.error : null
  // A bad combination or bad input concerns both fields; rate limiting concerns neither.
  const fieldError = error === 'not_found' || error === 'invalid'
  const action = safeUrl(input.action) ?? ''
  const described = (hint: string) => (fieldError ? `${hint} lookup-error` : hint)
  const invalid = fieldError ? html` aria-invalid="true"` : ''
  const main = html`<div class="card"><h1>${t.title}</h1><p>${t.intro}</p>
${error ? html`<div class="card" role="alert" style="border-color:#b00020"><h2 style="font-size:1rem">${t.errorTitle}</h2><p class="err" id="lookup-error">${t.errors[error]}</p></div>` : ''}
<form method="post" action="${action}" novalidate>
<label for="orderNumber">${t.orderNumber}<span class="vh">${t.required}</span></label>
<input id="orderNumber" name="orderNumber" type="text" required aria-required="true" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="64" value="${input.values?.orderNumber ?? ''}" aria-describedby="${described('orderNumber-hint')}"${invalid}>
<p class="hint" id="orderNumber-hint">${t.orderHint}</p>
<label for="contact">${t.contact}<span class="vh">${t.required}</span></label>
<input id="contact" name="contact" type="text" required aria-required="true" autocomplete="email" spellcheck="false" autocapitalize="none" maxlength="254" value="${input.values?.contact ?? ''}" aria-describedby="${described('contact-hint')}"${invalid}>
<p class="hint" id="contact-hint">${t.contactHint}</p>
<button type="submit">${t.submit}</button>
</form></div>`
  return simplePage(lang, t.title, input.brandName, main)
}

/** 404 for an unknown or expired tracking link; `lookupHref` adds a link to the lookup form. */
export function renderNotFoundPage(lang: Lang, opts: { lookupHref?: string; brandName?: string } = {}): string {
  const l = langOf(lang)
  const t = TEXT[l]
  const href = safeUrl(opts.lookupHref)
  return simplePage(l, t.notFound, opts.brandName ?? 'Kando', html`<div class="card"><h1>${t.notFound}</h1><p>${t.notFoundBody}</p>
${href ? html`<p><a class="btn" href="${href}">${t.lookupLink}</a></p>` : ''}</div>`)
}

/** 429 page; say how long to wait (the route also sends `Retry-After`). */
export function renderTooManyRequestsPage(lang: Lang, retryAfterSeconds: number, opts: { brandName?: string } = {}): string {
  const l = langOf(lang)
  const t = TEXT[l]
  const s = Math.ceil(retryAfterSeconds)
  const wait = Number.isFinite(s) && s > 0 ? t.wait(s) : t.waitUnknown
  return simplePage(l, t.tooMany, opts.brandName ?? 'Kando', html`<div class="card"><h1>${t.tooMany}</h1><p role="status">${t.tooManyBody(wait)}</p></div>`)
}
