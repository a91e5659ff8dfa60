/*! Kando reviews widget (see widget.ts). Light DOM, not shadow: the reviews are page content for
 * assistive tech, search and find-in-page, and brands restyle them with plain CSS. */
(() => {
if (customElements.get('kando-reviews')) return
const CS = document.currentScript // null once this script has run
const ORIGIN = CS?.src ? new URL(CS.src).origin : location.origin
// The shop's calendar day (Japan), whatever the visitor's zone.
const fmt = (loc, month) => new Intl.DateTimeFormat(loc, { timeZone: 'Asia/Tokyo', year: 'numeric', month, day: month === '2-digit' ? month : 'numeric' })
const ISO_DAY = fmt('en-CA', '2-digit')
const JA = {
  h: 'カスタマーレビュー', load: '読み込み中…', err: 'レビューを読み込めませんでした。', empty: 'まだレビューはありません。',
  none: '条件に合うレビューはありません。', of: (n) => `5つ星のうち${n}`, count: (n) => `${n}件のレビュー`, star: (n) => `星${n}つ`,
  n: (n) => `${n}件`, dist: '評価の内訳', bought: (n) => `この1週間で${n}人が購入しました`, sort: '並べ替え',
  sorts: { helpful: '参考になった順', newest: '新しい順', rating_desc: '評価の高い順', rating_asc: '評価の低い順' },
  photos: '写真・動画付きのみ', ok: '購入者確認済み', variant: '種類: ', reply: 'ショップからの返信',
  helpful: (n) => `参考になった (${n})`, more: 'もっと見る', shown: (a, b) => `${b}件中${a}件を表示`,
  media: '写真・動画', alt: (v, i, a) => `レビュー${v ? '動画' : '写真'}${i}（${a}）`, close: '閉じる',
  lang: 'ja', day: fmt('ja-JP', 'long'),
}
const EN = {
  h: 'Customer reviews', load: 'Loading…', err: 'Reviews could not be loaded.', empty: 'No reviews yet.',
  none: 'No reviews match.', of: (n) => `${n} out of 5 stars`, count: (n) => `${n} reviews`, star: (n) => `${n} stars`,
  n: String, dist: 'Rating breakdown', bought: (n) => `${n} people bought this in the past week`, sort: 'Sort by',
  sorts: { helpful: 'Most helpful', newest: 'Newest', rating_desc: 'Highest rating', rating_asc: 'Lowest rating' },
  photos: 'With photos or videos only', ok: 'Verified buyer', variant: 'Variant: ', reply: 'Reply from the shop',
  helpful: (n) => `Helpful (${n})`, more: 'Show more', shown: (a, b) => `Showing ${a} of ${b}`,
  media: 'Photos and videos', alt: (v, i, a) => `Review ${v ? 'video' : 'photo'} ${i} by ${a}`, close: 'Close',
  lang: 'en', day: fmt('en-US', 'short'),
}
const date = (iso) => { const d = new Date(iso); return typeof iso === 'string' && !isNaN(d) ? d : null }

// `kando-reviews x` beats a theme's bare `button{}` or `:focus{outline:0}`; brands override after it.
const CSS = `$ {display:block;line-height:1.6;--kr-a:var(--kando-accent,#2f6f4f)}
$ [hidden]{display:none!important}
$ .kr-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
$ h2{font-size:1.25em;margin:0 0 .5em}
$ h3{font-size:1em;margin:.25em 0}
$ p{margin:.25em 0}
$ ul,$ ol{list-style:none;margin:0;padding:0}
$ .kr-sum{display:grid;gap:.75em}
$ .kr-avg{font-size:1.75em;font-weight:700;margin-inline-end:.3em}
$ .kr-st{position:relative;display:inline-block;line-height:1;color:#757575;white-space:nowrap}
$ .kr-st>span{position:absolute;inset:0 auto 0 0;overflow:hidden;color:var(--kr-a)}
$ .kr-dist li{display:grid;grid-template-columns:4.5em 1fr 3.5em;align-items:center;gap:.5em}
$ .kr-bar{height:.6em;background:#e4e4e4}
$ .kr-bar>span{display:block;height:100%;background:var(--kr-a)}
$ .kr-ctl{display:flex;flex-wrap:wrap;gap:.5em 1.5em;margin:1em 0}
$ label{display:inline-flex;align-items:center;gap:.5em;min-height:44px}
$ select,$ button{font:inherit;min-height:44px;min-width:44px;padding:.4em .9em;border:1px solid #757575;border-radius:.4em;background:#fff;color:#1a1a1a}
$ input{width:1.25em;height:1.25em;accent-color:var(--kr-a)}
$ .kr-more{display:block;margin:1em auto;border-color:var(--kr-a);color:var(--kr-a)}
$ :focus-visible{outline:3px solid var(--kr-a);outline-offset:2px}
$ .kr-list>li{border-top:1px solid #d6d6d6;padding:1em 0}
$ .kr-meta{display:flex;flex-wrap:wrap;gap:0 1em;color:#555;font-size:.9em}
$ .kr-ok{color:#1d5e3a;font-weight:700}
$ .kr-body,$ .kr-rep{white-space:pre-line;overflow-wrap:anywhere}
$ .kr-med{display:flex;flex-wrap:wrap;gap:.5em;margin:.5em 0}
$ .kr-med img,$ video{display:block;width:88px;height:88px;object-fit:cover}
$ .kr-rep{background:#f3f3f3;color:#1a1a1a;border-inline-start:4px solid var(--kr-a);padding:.5em .75em;margin:.5em 0}
$ dialog img{display:block;max-width:100%;max-height:80vh;height:auto}
@media (min-width:40em){$ .kr-sum{grid-template-columns:auto 1fr;gap:3em}}`.replace(/\$/g, 'kando-reviews')

/** createElement; data only via textContent, setAttribute and CSSOM: never parses HTML. */
const h = (tag, props, ...kids) => {
  const e = document.createElement(tag)
  for (const [k, v] of Object.entries(props || {})) {
    if (v == null || v === false) continue
    if (k === 'text') e.textContent = v
    else if (k === 'style') e.style.cssText = v // CSSOM passes a strict CSP
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v)
    else e.setAttribute(k, v === true ? '' : v)
  }
  for (const c of kids) if (c) e.append(c)
  return e
}
const str = (v) => (typeof v === 'string' ? v : '')
const num = (v) => (typeof v === 'number' && isFinite(v) ? v : 0)
const safeUrl = (u, base) => { try { const r = new URL(str(u), base); return /^https?:$/.test(r.protocol) ? r.href : null } catch { return null } }
const pct = (x) => `width:${Math.max(0, Math.min(100, x))}%`
const S = '★★★★★'
const stars = (v, label) => h('span', null, h('span', { class: 'kr-st', 'aria-hidden': 'true', text: S }, h('span', { style: pct(v * 20), text: S })), h('span', { class: 'kr-sr', text: label }))

// localStorage throws in sandboxed frames.
const mem = {}
const get = (k) => { try { return localStorage.getItem(k) } catch { return mem[k] ?? null } }
const set = (k, v) => { mem[k] = v; try { localStorage.setItem(k, v) } catch {} }
const visitor = () => {
  let v = get('kando.visitor')
  if (!/^[0-9a-f]{32}$/.test(v)) set('kando.visitor', (v = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('')))
  return v
}
const voted = () => { try { return [].concat(JSON.parse(get('kando.voted')) || []) } catch { return [] } }

let seq = 0
class KandoReviews extends HTMLElement {
  static get observedAttributes() { return ['shop', 'product', 'lang', 'api', 'limit', 'jsonld'] }
  connectedCallback() { this.attributeChangedCallback() }
  disconnectedCallback() { this.jsonld() }
  /** One reload per batch of attribute changes. */
  attributeChangedCallback() {
    if (!this.queued) queueMicrotask(() => { this.queued = false; if (this.isConnected) this.reset() })
    this.queued = true
  }

  reset() {
    const a = (n) => (this.getAttribute(n) || '').trim()
    this.t = /^en\b/i.test(a('lang')) ? EN : JA
    this.api = (a('api') && safeUrl(a('api'), location.href) || ORIGIN).replace(/\/+$/, '')
    this.limit = Math.min(Math.max(parseInt(a('limit')) || 5, 1), 50)
    this.shop = a('shop')
    this.product = a('product')
    this.sort = 'helpful'
    this.photos = this.ui = null
    if (!document.getElementById('kr-css')) document.head.prepend(h('style', { id: 'kr-css', nonce: CS?.nonce || null, text: CSS }))
    this.replaceChildren(h('p', { role: 'status', text: this.t.load }))
    this.load(1)
  }

  url(rest) { return `${this.api}/public/v1/${encodeURIComponent(this.shop)}/${rest}` }

  async load(page) {
    const id = (this.seq = ++seq)
    const { t, ui } = this
    const q = new URLSearchParams({ sort: this.sort, ...this.photos && { filter: 'photos' }, page, limit: this.limit, lang: t.lang })
    let d
    try {
      // A simple CORS request: no preflight.
      const r = await fetch(`${this.url(`products/${encodeURIComponent(this.product)}/reviews`)}?${q}`, { credentials: 'omit', headers: { accept: 'application/json' } })
      d = r.ok && await r.json()
    } catch {}
    if (id !== this.seq) return
    if (!d?.summary || !Array.isArray(d.reviews)) {
      if (!ui) return this.jsonld(), this.replaceChildren(h('p', { role: 'status', text: t.err }))
      ui.more.disabled = false
      return void (ui.stat.textContent = t.err)
    }
    this.render(d, page)
  }

  render(d, page) {
    const t = this.t
    const s = d.summary
    const count = num(s.count)
    const fresh = d.reviews.filter((r) => r && typeof r === 'object')
    this.items = page > 1 ? this.items.concat(fresh) : fresh
    this.page = page
    if (!this.ui) this.shell(d)
    const ui = this.ui

    const bought = num(d.socialProof?.boughtThisWeek)
    const sp = bought > 0 && h('p', { text: t.bought(bought) })
    if (count) {
      const avg = (Math.round(num(s.average) * 10) / 10).toFixed(1)
      const dist = h('ul', { class: 'kr-dist', 'aria-label': t.dist })
      for (let n = 5; n; n--) {
        const c = num(s.distribution?.[n])
        dist.append(h('li', null, h('span', { text: t.star(n) }),
          h('span', { class: 'kr-bar', 'aria-hidden': 'true' }, h('span', { style: pct((c / count) * 100) })), h('span', { text: t.n(c) })))
      }
      ui.sum.replaceChildren(h('div', null, h('p', null, h('span', { class: 'kr-avg', 'aria-hidden': 'true', text: avg }),
        stars(num(s.average), t.of(avg)), ' ', t.count(count)), sp), dist)
    } else ui.sum.replaceChildren(h('p', { text: t.empty }), sp || '')
    ui.ctl.hidden = !count

    // Page 1 replaces the list; "show more" appends and focuses the first new review.
    if (page === 1) ui.list.replaceChildren()
    const arts = fresh.map((r) => this.review(r))
    for (const a of arts) ui.list.append(h('li', null, a))
    if (page > 1) arts[0]?.focus()
    ui.more.hidden = !d.page?.hasMore
    ui.more.disabled = false
    const n = this.items.length
    ui.stat.textContent = !count ? '' : n ? t.shown(n, num(d.page?.total) || n) : t.none
    this.jsonld(d)
  }

  /** Built once, so a focused control survives the reload it causes. */
  shell(d) {
    const t = this.t
    const hid = `kr-h${++seq}`
    const ctl = h('div', { class: 'kr-ctl' })
    const sorts = [].concat(d.sorts).filter((k) => t.sorts[k])
    if (sorts.length) {
      if (!sorts.includes(this.sort)) this.sort = sorts[0]
      const sel = h('select', { onchange: () => { this.sort = sel.value; this.load(1) } },
        ...sorts.map((k) => h('option', { value: k, selected: k === this.sort, text: t.sorts[k] })))
      ctl.append(h('label', null, t.sort, sel))
    }
    if ([].concat(d.filters).includes('photos')) {
      const cb = h('input', { type: 'checkbox', onchange: () => { this.photos = cb.checked; this.load(1) } })
      ctl.append(h('label', null, cb, t.photos))
    }
    const more = h('button', { type: 'button', class: 'kr-more', text: t.more, onclick: () => { more.disabled = true; this.load(this.page + 1) } })
    const img = h('img', { alt: '' })
    const dlg = h('dialog', null, img, h('button', { type: 'button', text: t.close, onclick: () => dlg.close() }))
    const ui = (this.ui = { sum: h('div', { class: 'kr-sum' }), ctl, stat: h('p', { class: 'kr-meta', role: 'status' }), list: h('ol', { class: 'kr-list' }), more, dlg, img })
    this.replaceChildren(h('section', { lang: t.lang, 'aria-labelledby': hid },
      h('h2', { id: hid, text: t.h }), ui.sum, ctl, ui.stat, ui.list, more, dlg))
  }

  review(r) {
    const t = this.t
    const rating = Math.max(0, Math.min(5, num(r.rating)))
    const author = str(r.author)
    const at = date(r.createdAt)
    const ul = h('ul', { class: 'kr-med', 'aria-label': t.media })
    let i = 0
    for (const m of [].concat(r.media || [])) {
      const src = safeUrl(m?.url, this.api + '/')
      const size = m?.width > 0 && m.height > 0 && { width: num(m.width), height: num(m.height) }
      if (src && m.kind === 'video') ul.append(h('li', null, h('video', { controls: true, preload: 'none', src, 'aria-label': t.alt(1, ++i, author), ...size })))
      if (src && m.kind === 'image') {
        const alt = t.alt(0, ++i, author)
        ul.append(h('li', null, h('a', { href: src, onclick: (e) => {
          e.preventDefault()
          const { img, dlg } = this.ui
          Object.assign(img, { src, alt })
          dlg.setAttribute('aria-label', alt)
          dlg.showModal()
        } }, h('img', { loading: 'lazy', alt, src, ...size }))))
      }
    }
    const rep = str(r.reply?.body)
    const b = str(r.id) && h('button', { type: 'button', text: t.helpful(num(r.helpful)), disabled: voted().includes(r.id), onclick: async () => {
      b.disabled = true
      try {
        const res = await fetch(this.url(`reviews/${encodeURIComponent(r.id)}/helpful`),
          { method: 'POST', credentials: 'omit', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ visitor: visitor() }) })
        if (!res.ok) throw Error(res.status)
        b.textContent = t.helpful(num((await res.json()).helpful))
        set('kando.voted', JSON.stringify(voted().concat(r.id).slice(-500)))
      } catch {
        b.disabled = false
      }
    } })
    return h('article', { tabindex: -1 }, stars(rating, t.of(rating)), str(r.title) && h('h3', { text: r.title }),
      h('p', { class: 'kr-meta' }, author && h('span', { text: author }), r.verified === true && h('span', { class: 'kr-ok', text: t.ok }),
        str(r.variant) && h('span', { text: t.variant + r.variant }), at && h('time', { datetime: at.toISOString(), text: t.day.format(at) })),
      h('p', { class: 'kr-body', text: str(r.body) }), ul.firstChild && ul, rep && h('div', { class: 'kr-rep' }, h('b', { text: t.reply }), '\n' + rep), b)
  }

  /** schema.org Product: one script per widget, replaced on each load. */
  jsonld(d) {
    this.ld?.remove()
    this.ld = null
    const count = num(d?.summary.count)
    // Google rejects zero ratings.
    if (!d || this.getAttribute('jsonld') === 'off' || !count && !this.items.length) return
    const o = { '@context': 'https://schema.org', '@type': 'Product', name: str(d.product?.title), image: safeUrl(d.product?.imageUrl, this.api + '/') || undefined }
    if (count) o.aggregateRating = { '@type': 'AggregateRating', ratingValue: num(d.summary.average), reviewCount: count, bestRating: 5, worstRating: 1 }
    if (this.items.length) {
      o.review = this.items.map((r) => ({ '@type': 'Review', author: { '@type': 'Person', name: str(r.author) }, datePublished: date(r.createdAt) ? ISO_DAY.format(date(r.createdAt)) : undefined,
        reviewRating: { '@type': 'Rating', ratingValue: num(r.rating), bestRating: 5 }, name: str(r.title) || undefined, reviewBody: str(r.body) }))
    }
    // Escaped < > & keep `</script>` inert should the DOM be serialized (outerHTML, prerender).
    const json = JSON.stringify(o).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    document.head.append(this.ld = h('script', { type: 'application/ld+json', 'data-kando-reviews': `${this.shop}/${this.product}`, text: json }))
  }
}
customElements.define('kando-reviews', KandoReviews)
})()
