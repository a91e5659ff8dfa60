import type { FastifyPluginAsync } from 'fastify'
import { html } from '../platform/html.js'
import type { Order, OrderService, OrderStatus } from '../modules/orders/index.js'
import type { TenantService } from '../modules/tenants/index.js'

type Lang = 'ja' | 'en'

const TEXT = {
  ja: {
    title: 'ご注文状況', order: 'ご注文番号', placedAt: 'ご注文日時', items: 'ご注文商品', qty: '数量', total: '合計（税込）',
    notFound: 'ご注文が見つかりません', notFoundBody: 'リンクが正しいかご確認ください。お困りの場合はショップまでお問い合わせください。',
    cancelled: 'このご注文はキャンセルされました。', shipTo: 'お届け先',
    steps: { placed: 'ご注文受付', confirmed: 'ご注文確定', allocated: '出荷準備中', partially_shipped: '一部発送済み', shipped: '発送済み', delivered: 'お届け済み', completed: '完了', cancelled: 'キャンセル' },
  },
  en: {
    title: 'Order status', order: 'Order', placedAt: 'Placed', items: 'Items', qty: 'Qty', total: 'Total',
    notFound: 'Order not found', notFoundBody: 'Please check the link. If you need help, contact the shop.',
    cancelled: 'This order was cancelled.', shipTo: 'Shipping to',
    steps: { placed: 'Order received', confirmed: 'Confirmed', allocated: 'Preparing', partially_shipped: 'Partly shipped', shipped: 'Shipped', delivered: 'Delivered', completed: 'Completed', cancelled: 'Cancelled' },
  },
} satisfies Record<Lang, unknown>

const PATH: OrderStatus[] = ['placed', 'confirmed', 'allocated', 'shipped', 'delivered']

function money(amount: number, currency: string, lang: Lang): string {
  return new Intl.NumberFormat(lang === 'ja' ? 'ja-JP' : 'en-US', { style: 'currency', currency }).format(amount / 10 ** (new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 0))
}

function page(lang: Lang, title: string, brand: string, body: unknown) {
  return html`<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${title} | ${brand}</title>
<style>body{font-family:system-ui,"Hiragino Sans","Noto Sans CJK JP",sans-serif;margin:0;background:#f6f5f2;color:#222;line-height:1.6}
main{max-width:560px;margin:0 auto;padding:24px 16px}h1{font-size:1.25rem}.card{background:#fff;border-radius:12px;padding:16px;margin:12px 0}
ol.steps{list-style:none;padding:0;display:flex;gap:4px}ol.steps li{flex:1;text-align:center;font-size:.75rem;padding:8px 2px;border-top:4px solid #ddd;color:#666}
ol.steps li.done{border-color:#2f6f4f;color:#2f6f4f;font-weight:600}table{width:100%;border-collapse:collapse}td{padding:6px 0;border-bottom:1px solid #eee}
td.n{text-align:right;white-space:nowrap}.muted{color:#555;font-size:.875rem}</style></head>
<body><main><p class="muted">${brand}</p>${body}</main></body></html>`
}

/** Renders the customer's order page; pure, so it can be tested without a server. */
export function renderOrderStatus(order: Order, brand: string, lang: Lang): string {
  const t = TEXT[lang]
  const reached = new Set(order.history.map((h) => h.to))
  const placed = new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-US', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Asia/Tokyo' }).format(new Date(order.placedAt))
  const steps = order.status === 'cancelled'
    ? html`<p role="status">${t.cancelled}</p>`
    : html`<ol class="steps" aria-label="${t.title}">${PATH.map((s) => html`<li class="${reached.has(s) || (s === 'shipped' && reached.has('partially_shipped')) ? 'done' : ''}">${s === 'shipped' && order.status === 'partially_shipped' ? t.steps.partially_shipped : t.steps[s]}</li>`)}</ol>`
  const addr = order.shippingAddress
  const body = html`<h1>${t.title}</h1>
<div class="card"><p>${t.order}: <strong>${order.number ?? order.externalId}</strong><br><span class="muted">${t.placedAt}: ${placed}</span></p>
<p>${t.steps[order.status]}</p>${steps}</div>
<div class="card"><h2>${t.items}</h2><table>${order.lines.map((l) => html`<tr><td>${l.title}${l.variantTitle ? html` <span class="muted">(${l.variantTitle})</span>` : ''}</td><td class="n">${t.qty} ${l.quantity}</td></tr>`)}
<tr><td><strong>${t.total}</strong></td><td class="n"><strong>${money(order.total, order.currency, lang)}</strong></td></tr></table></div>
${addr ? html`<div class="card"><h2>${t.shipTo}</h2><p>${addr.name ?? ''} ${lang === 'ja' ? '様' : ''}<br>${addr.postalCode ? `〒${addr.postalCode} ` : ''}${addr.region ?? ''}${addr.city ?? ''}</p></div>` : ''}`
  return page(lang, t.title, brand, body).toString()
}

/** `GET /t/:token`: the customer's order page, no login; the token is the key. */
export const orderStatusPage =
  (deps: { orders: OrderService; tenants: TenantService }): FastifyPluginAsync =>
  async (app) => {
    app.get<{ Params: { token: string }; Querystring: { lang?: string } }>('/t/:token', { schema: { hide: true } }, async (req, reply) => {
      const found = await deps.orders.findByTrackingToken(req.params.token)
      reply.header('cache-control', 'private, no-store').header('x-robots-tag', 'noindex').type('text/html; charset=utf-8')
      const queryLang = req.query.lang === 'en' || req.query.lang === 'ja' ? req.query.lang : undefined
      if (!found) {
        const lang: Lang = queryLang ?? (String(req.headers['accept-language'] ?? '').startsWith('en') ? 'en' : 'ja')
        const t = TEXT[lang]
        return reply.code(404).send(page(lang, t.notFound, 'Kando', html`<h1>${t.notFound}</h1><p>${t.notFoundBody}</p>`).toString())
      }
      const tenant = await deps.tenants.find(found.tenantId)
      const lang: Lang = queryLang ?? (tenant.locale === 'en' ? 'en' : 'ja')
      return reply.send(renderOrderStatus(found.order, tenant.name, lang))
    })
  }
