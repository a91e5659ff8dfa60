import { html, type SafeHtml } from '../../platform/html.js'
import type { Question } from '../../modules/reviews/schemas.js'
import type { ReviewPage } from '../../modules/reviews/service.js'
import { brandStyle, headerHtml, pageShell, safeUrl } from '../tracking/render.js'
import type { Lang } from '../tracking/view.js'

export interface Brand {
  name: string
  logoUrl: string | null
  primaryColor: string | null
  timeZone: string
}

/** What the customer typed, to show again when the form comes back with an error. */
export interface ReviewFormValues {
  [productId: string]: { rating?: string; title?: string; body?: string; fit?: Record<string, string> }
}

const TEXT = {
  ja: {
    title: 'レビューを書く',
    lead: 'お届けした商品の感想をお聞かせください。星の数だけでも送れます。',
    order: '注文番号',
    until: (d: string) => `${d}まで書き直せます。`,
    rating: '評価',
    required: '必須',
    stars: ['', 'とても不満', '不満', 'ふつう', '満足', 'とても満足'],
    starsLabel: (n: number) => `星${n}つ`,
    sep: '・',
    reviewTitle: 'タイトル（任意）',
    body: 'レビュー本文（任意）',
    bodyHint: '使い心地や、届いたときの様子など。電話番号や住所は書かないでください。',
    media: '写真・動画（任意）',
    mediaHint: '1件につき6点まで。写真は1枚15MB、動画は50MBまで。写真の位置情報は削除して保存します。',
    remove: 'この写真・動画を削除する',
    photo: (n: number) => `写真 ${n}`,
    video: (n: number) => `動画 ${n}`,
    profileLegend: 'よろしければ教えてください（任意）',
    noAnswer: '回答しない',
    submit: 'レビューを送信する',
    none: 'まだお届けが完了した商品がありません。お届け後にあらためてお越しください。',
    closedTitle: 'レビューの受付は終了しました',
    closed: 'このリンクでのレビューの受付期間は終了しました。ありがとうございました。',
    status: { pending: '確認後に公開します', published: '公開中', rejected: '非公開', removed: '取り下げ済み' } as Record<string, string>,
    withdraw: 'このレビューを取り下げる',
    withdrawTitle: 'レビューの取り下げ',
    withdrawLead: 'このレビューをサイトから削除します。よろしいですか。',
    withdrawButton: '取り下げる',
    withdrawn: 'レビューを取り下げました。',
    back: 'レビューのページに戻る',
    thanksTitle: 'レビューありがとうございます',
    thanksLead: 'いただいたレビューは今後の商品づくりに活かしてまいります。',
    couponLead: 'お礼のクーポンをお送りします。次回のお買い物でお使いください。',
    coupon: 'クーポンコード',
    edit: 'レビューを書き直す',
    errorTitle: '送信できませんでした',
  },
  en: {
    title: 'Write a review',
    lead: 'Tell us what you think of the items we delivered. A star rating alone is fine.',
    order: 'Order',
    until: (d: string) => `You can edit your review until ${d}.`,
    rating: 'Rating',
    required: 'required',
    stars: ['', 'Very poor', 'Poor', 'Average', 'Good', 'Excellent'],
    starsLabel: (n: number) => `${n} star${n === 1 ? '' : 's'}`,
    sep: ' · ',
    reviewTitle: 'Title (optional)',
    body: 'Your review (optional)',
    bodyHint: 'How it felt to use, how it arrived. Please leave out phone numbers and addresses.',
    media: 'Photos and videos (optional)',
    mediaHint: 'Up to 6 per review; photos up to 15 MB, videos up to 50 MB. Location data is removed from photos.',
    remove: 'Remove this photo or video',
    photo: (n: number) => `Photo ${n}`,
    video: (n: number) => `Video ${n}`,
    profileLegend: 'If you like, tell us (optional)',
    noAnswer: 'Prefer not to say',
    submit: 'Send review',
    none: 'None of your items has been delivered yet. Please come back once they arrive.',
    closedTitle: 'Reviews are closed',
    closed: 'The time to review with this link has ended. Thank you.',
    status: { pending: 'Will be published after a check', published: 'Published', rejected: 'Not published', removed: 'Withdrawn' } as Record<string, string>,
    withdraw: 'Withdraw this review',
    withdrawTitle: 'Withdraw your review',
    withdrawLead: 'This removes your review from the shop. Are you sure?',
    withdrawButton: 'Withdraw',
    withdrawn: 'Your review was withdrawn.',
    back: 'Back to your reviews',
    thanksTitle: 'Thank you for your review',
    thanksLead: 'Your words help us make better products.',
    couponLead: 'Here is a thank-you coupon for your next order.',
    coupon: 'Coupon code',
    edit: 'Edit your review',
    errorTitle: 'Your review was not sent',
  },
} as const

export const REVIEW_CSS = `textarea,select{display:block;width:100%;padding:8px 12px;font:inherit;border:2px solid #767676;border-radius:8px;background:#fff;color:#1f1f1f}
textarea{min-height:120px}
textarea:focus-visible,select:focus-visible{outline:3px solid #1f1f1f;outline-offset:2px}
fieldset{border:0;padding:0;margin:16px 0 0}
legend{font-weight:700;padding:0;margin:0 0 4px}
.opts{display:flex;flex-wrap:wrap;gap:8px}
.opts input{position:absolute;opacity:0;width:1px;height:1px}
.opts label{display:inline-flex;align-items:center;gap:6px;min-height:44px;margin:0;padding:6px 12px;border:2px solid #767676;border-radius:999px;background:#fff;font-weight:400;cursor:pointer}
.opts input:checked+label{border-color:var(--p);background:var(--p);color:#fff;font-weight:700}
.opts input:focus-visible+label{outline:3px solid #1f1f1f;outline-offset:2px}
.star{color:#8a5a00;letter-spacing:.05em}
.opts input:checked+label .star{color:#fff}
.product{display:flex;gap:12px;align-items:center}
.product img{flex:none;width:64px;height:64px;border-radius:8px;object-fit:cover;background:#eeece8}
.hint{color:#595959;font-size:.9rem;margin:4px 0 0}
input[type=file]{padding:8px;min-height:48px}
.check{display:flex;gap:8px;align-items:center;font-weight:400;margin:8px 0}
.check input{width:24px;height:24px;min-height:0;flex:none}
button{display:inline-flex;align-items:center;justify-content:center;min-height:48px;padding:8px 20px;border:0;border-radius:8px;background:var(--p);color:#fff;font:inherit;font-weight:700;cursor:pointer}
.status{display:inline-block;font-size:.85rem;font-weight:700;border:1px solid currentColor;border-radius:4px;padding:0 6px;color:#1e6b3a}
.code{font:700 1.4rem/1.4 ui-monospace,Menlo,Consolas,monospace;letter-spacing:.08em;background:#fff;border:2px dashed var(--p);border-radius:8px;padding:8px 12px;display:inline-block}
.scale{display:grid;grid-template-columns:repeat(6,1fr);gap:6px}
.scale label{justify-content:center;padding:6px 0}
.ends{display:flex;justify-content:space-between;color:#595959;font-size:.85rem;margin:4px 0 0}
.errs{border-left:6px solid #b00020}`

const shell = (lang: Lang, brand: Brand, title: string, main: SafeHtml) =>
  pageShell({ lang, title, brandName: brand.name, style: brandStyle({ primaryColor: brand.primaryColor }), header: headerHtml(lang, brand.name, brand.logoUrl, null), main, extraCss: REVIEW_CSS })

function dateIn(iso: string, zone: string, lang: Lang): string {
  return new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', { timeZone: zone, year: 'numeric', month: 'long', day: 'numeric' }).format(new Date(iso))
}

// Option values are keys (`[a-z][a-z0-9_]*`, never a `-`), so `--none` cannot meet an option
// valued "none": two equal ids would tie that option's label to the no-answer radio.
function questionField(lang: Lang, name: string, idBase: string, q: Question, chosen: string | undefined, optional: boolean): SafeHtml {
  return html`<fieldset><legend>${q.label[lang]}</legend><div class="opts">
${optional ? html`<input type="radio" id="${idBase}--none" name="${name}" value=""${!chosen ? html` checked` : ''}><label for="${idBase}--none">${TEXT[lang].noAnswer}</label>` : ''}
${q.options.map((o) => html`<input type="radio" id="${idBase}-${o.value}" name="${name}" value="${o.value}"${chosen === o.value ? html` checked` : ''}><label for="${idBase}-${o.value}">${o.label[lang]}</label>`)}
</div></fieldset>`
}

/** The review page `/review/:token`: every delivered product of the order in one form. No JavaScript. */
export function renderReviewPage(page: ReviewPage, brand: Brand, token: string, opts: { errors?: string[]; values?: ReviewFormValues } = {}): string {
  const lang = page.locale
  const t = TEXT[lang]
  if (page.closed) return shell(lang, brand, t.closedTitle, html`<h1>${t.closedTitle}</h1><p class="card">${t.closed}</p>`)
  const errors = opts.errors?.length ? html`<div class="card errs" role="alert"><h2>${t.errorTitle}</h2><ul>${opts.errors.map((e) => html`<li>${e}</li>`)}</ul></div>` : ''
  const items = page.items.map((it, i) => {
    const v = opts.values?.[it.productId] ?? {}
    const rating = v.rating ?? (it.review ? String(it.review.rating) : undefined)
    const fit = v.fit ?? it.review?.fit ?? {}
    const img = safeUrl(it.imageUrl)
    return html`<section class="card" aria-labelledby="p-${i}">
<div class="product">${img ? html`<img src="${img}" alt="" width="64" height="64">` : ''}<div><h2 id="p-${i}">${it.productTitle}</h2>${it.variantTitle && it.variantTitle !== it.productTitle ? html`<p class="muted">${it.variantTitle}</p>` : ''}
${it.review ? html`<p><span class="status">${t.status[it.review.status] ?? it.review.status}</span></p>` : ''}</div></div>
<input type="hidden" name="product_${i}" value="${it.productId}">
<fieldset><legend>${t.rating}</legend><div class="opts">
${[5, 4, 3, 2, 1].map((n) => html`<input type="radio" id="r-${i}-${n}" name="rating_${i}" value="${n}"${rating === String(n) ? html` checked` : ''}><label for="r-${i}-${n}"><span class="star" aria-hidden="true">${'★'.repeat(n)}</span><span>${t.starsLabel(n)}${t.sep}${t.stars[n]}</span></label>`)}
</div></fieldset>
<label for="t-${i}">${t.reviewTitle}</label><input id="t-${i}" name="title_${i}" maxlength="150" value="${v.title ?? it.review?.title ?? ''}">
<label for="b-${i}">${t.body}</label><textarea id="b-${i}" name="body_${i}" maxlength="5000" rows="5" aria-describedby="bh-${i}">${v.body ?? it.review?.body ?? ''}</textarea>
<p class="hint" id="bh-${i}">${t.bodyHint}</p>
${it.questions.map((q) => questionField(lang, `fit_${i}_${q.key}`, `f-${i}-${q.key}`, q, fit[q.key], true))}
${it.review?.media.length ? html`<fieldset><legend>${t.media}</legend>${it.review.media.map((m, n) => html`<p class="check"><input type="checkbox" id="rm-${m.id}" name="remove_${i}" value="${m.id}"><label class="check" for="rm-${m.id}">${t.remove}（${m.kind === 'video' ? t.video(n + 1) : t.photo(n + 1)}）</label></p>`)}</fieldset>` : ''}
<label for="m-${i}">${t.media}</label><input type="file" id="m-${i}" name="media_${i}" accept="image/jpeg,image/png,image/webp,image/heic,image/gif,video/mp4,video/quicktime,video/webm" multiple aria-describedby="mh-${i}">
<p class="hint" id="mh-${i}">${t.mediaHint}</p>
${it.review && it.review.status !== 'removed' ? html`<p><a class="btn2" href="/review/${token}/withdraw/${it.review.id}">${t.withdraw}</a></p>` : ''}
</section>`
  })
  const profiling = page.profiling
    ? html`<section class="card">${questionField(lang, 'profile', 'pq', page.profiling.question, page.profiling.answer ?? undefined, true)}<p class="hint">${t.profileLegend}</p></section>`
    : ''
  const main = html`<h1>${t.title}</h1>
<p>${t.lead}</p>
<p class="muted">${page.orderNumber ? html`${t.order} ${page.orderNumber}・` : ''}${t.until(dateIn(page.closesAt, brand.timeZone, lang))}</p>
${errors}
${page.items.length === 0 ? html`<p class="card">${t.none}</p>` : html`<form method="post" action="/review/${token}" enctype="multipart/form-data">
${items}
${profiling}
<p><button type="submit">${t.submit}</button></p>
</form>`}`
  return shell(lang, brand, t.title, main)
}

/** After sending: thanks, each review's status, and the thank-you coupon when one was issued. */
export function renderReviewThanks(lang: Lang, brand: Brand, token: string, results: Array<{ productTitle: string; status: string; coupon: { code: string } | null }>): string {
  const t = TEXT[lang]
  const coupons = [...new Set(results.map((r) => r.coupon?.code).filter((c): c is string => !!c))]
  const main = html`<h1>${t.thanksTitle}</h1>
<div class="card" role="status"><p>${t.thanksLead}</p>
<ul>${results.map((r) => html`<li>${r.productTitle}：<span class="status">${t.status[r.status] ?? r.status}</span></li>`)}</ul></div>
${coupons.length ? html`<div class="card"><p>${t.couponLead}</p>${coupons.map((c) => html`<p>${t.coupon}: <span class="code">${c}</span></p>`)}</div>` : ''}
<p><a class="btn2" href="/review/${token}">${t.edit}</a></p>`
  return shell(lang, brand, t.thanksTitle, main)
}

/** The confirmation before a customer withdraws a review (a GET never changes anything). */
export function renderWithdrawPage(lang: Lang, brand: Brand, token: string, reviewId: string, done: boolean): string {
  const t = TEXT[lang]
  const main = done
    ? html`<h1>${t.withdrawTitle}</h1><p class="card" role="status">${t.withdrawn}</p><p><a class="btn2" href="/review/${token}">${t.back}</a></p>`
    : html`<h1>${t.withdrawTitle}</h1><form class="card" method="post" action="/review/${token}/withdraw/${reviewId}"><p>${t.withdrawLead}</p><p><button type="submit">${t.withdrawButton}</button></p></form><p><a class="btn2" href="/review/${token}">${t.back}</a></p>`
  return shell(lang, brand, t.withdrawTitle, main)
}

const SURVEY = {
  ja: {
    npsTitle: 'アンケートへのご協力のお願い',
    npsQuestion: (brand: string) => `${brand}を友人や家族にすすめる可能性は、どのくらいありますか。`,
    csatTitle: 'ご対応についてのアンケート',
    csatQuestion: '今回の対応にどのくらい満足されましたか。',
    low: (kind: string) => (kind === 'nps' ? '0 = まったくすすめない' : '1 = 不満'),
    high: (kind: string) => (kind === 'nps' ? '10 = ぜひすすめたい' : '5 = 満足'),
    thanks: 'ご回答ありがとうございます。',
    why: 'よろしければ、その点数の理由をお聞かせください（任意）。',
    comment: 'ご意見',
    send: '送信する',
    saved: 'ご回答を受け付けました。貴重なご意見をありがとうございました。',
    confirm: '点数を選んで送信してください。',
    score: (n: number) => `${n}点`,
  },
  en: {
    npsTitle: 'A quick question',
    npsQuestion: (brand: string) => `How likely are you to recommend ${brand} to a friend or family member?`,
    csatTitle: 'How did we do?',
    csatQuestion: 'How satisfied are you with how we handled this?',
    low: (kind: string) => (kind === 'nps' ? '0 = not at all likely' : '1 = very unsatisfied'),
    high: (kind: string) => (kind === 'nps' ? '10 = extremely likely' : '5 = very satisfied'),
    thanks: 'Thank you for your answer.',
    why: 'If you like, tell us what made you give this score (optional).',
    comment: 'Your comments',
    send: 'Send',
    saved: 'We received your answer. Thank you for your feedback.',
    confirm: 'Choose a score and send.',
    score: (n: number) => `${n}`,
  },
} as const

/** The NPS / CSAT page `/nps/:token`: the score (pre-chosen when it came in the link) and why. */
export function renderSurveyPage(lang: Lang, brand: Brand, token: string, s: { kind: 'nps' | 'csat'; score: number | null; comment: string | null; recorded: boolean; saved: boolean; error?: string }): string {
  const t = SURVEY[lang]
  const title = s.kind === 'nps' ? t.npsTitle : t.csatTitle
  const scores = s.kind === 'nps' ? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] : [1, 2, 3, 4, 5]
  const main = html`<h1>${title}</h1>
${s.saved ? html`<p class="card" role="status">${t.saved}</p>` : s.recorded ? html`<p class="card" role="status">${t.thanks}</p>` : ''}
${s.error ? html`<p class="card errs" role="alert">${s.error}</p>` : ''}
<form class="card" method="post" action="/nps/${token}">
<fieldset><legend>${s.kind === 'nps' ? t.npsQuestion(brand.name) : t.csatQuestion}</legend>
<div class="opts scale">${scores.map((n) => html`<input type="radio" id="s-${n}" name="score" value="${n}"${s.score === n ? html` checked` : ''}><label for="s-${n}">${t.score(n)}</label>`)}</div>
<p class="ends"><span>${t.low(s.kind)}</span><span>${t.high(s.kind)}</span></p></fieldset>
<label for="c">${t.comment}</label><textarea id="c" name="comment" maxlength="2000" rows="4" aria-describedby="ch">${s.comment ?? ''}</textarea>
<p class="hint" id="ch">${s.recorded ? t.why : t.confirm}</p>
<p><button type="submit">${t.send}</button></p>
</form>`
  return shell(lang, brand, title, main)
}
