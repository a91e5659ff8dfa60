import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import formbody from '@fastify/formbody'
import type { CatalogService } from '../../modules/catalog/index.js'
import type { Order, OrderService } from '../../modules/orders/index.js'
import type { TenantService } from '../../modules/tenants/index.js'
import { timeSlotLabel, type Shipment, type TrackingService } from '../../modules/tracking/index.js'
import { getCarrier, isCarrierCode } from '../../modules/tracking/carriers/index.js'
import { TenantDb } from '../../platform/tenancy.js'
import { GuessGuard } from './guess-guard.js'
import { renderLookupPage, renderNotFoundPage, renderTooManyRequestsPage } from './lookup.js'
import { renderTrackingPage } from './render.js'
import type { Lang, TrackingPageView } from './view.js'

export interface TrackingPageDeps {
  orders: OrderService
  tracking: TrackingService
  catalog: CatalogService
  tenants: TenantService
  scope: (tenantId: string) => TenantDb
  /** A message's link brought the customer here (`?m=<message id>`). */
  onMessageClick?: (tenantId: string, orderId: string, messageId: string) => void
}

/**
 * The customer's side of tracking, no login: `GET /t/:token` (the page), `GET|POST /track/:tenant`
 * (find an order by number and email or phone) and `GET /l/:id` (tracked CTA redirect with UTM).
 * Guessing is answered with 404 and, when repeated from one address, 429.
 */
export const trackingPages =
  (deps: TrackingPageDeps, guard = new GuessGuard()): FastifyPluginAsync =>
  async (app) => {
    await app.register(formbody, { bodyLimit: 4096 })

    const html = (reply: FastifyReply, status: number, body: string) =>
      reply.code(status).header('cache-control', 'private, no-store').header('x-robots-tag', 'noindex').header('referrer-policy', 'no-referrer').type('text/html; charset=utf-8').send(body)

    const tooMany = (req: FastifyRequest, reply: FastifyReply, retryAfter: number) =>
      html(reply.header('retry-after', String(retryAfter)), 429, renderTooManyRequestsPage(requestLang(req), retryAfter))

    app.get<{ Params: { token: string }; Querystring: { lang?: string; m?: string } }>('/t/:token', { schema: { hide: true } }, async (req, reply) => {
      const wait = guard.blockedFor(req.ip)
      if (wait > 0) return tooMany(req, reply, wait)
      const found = await deps.orders.findByTrackingToken(req.params.token)
      if (!found) {
        guard.fail(req.ip)
        return html(reply, 404, renderNotFoundPage(requestLang(req)))
      }
      const scope = deps.scope(found.tenantId)
      const [tenant, page, shipments] = await Promise.all([deps.tenants.find(found.tenantId), deps.tracking.pageSettings(scope), deps.tracking.forOrder(scope, found.order.id)])
      const lang = queryLang(req) ?? (acceptsEnglishFirst(req) ? 'en' : tenant.locale === 'en' ? 'en' : 'ja')
      const images = await deps.catalog.imagesForVariants(scope, found.order.lines.map((l) => l.variantId).filter((v): v is string => !!v))
      const view = composeView({ order: found.order, shipments, brandName: tenant.name, lang, page, images, token: req.params.token })
      deps.tracking.recordActivity({ tenantId: found.tenantId, kind: 'page_view', orderId: found.order.id, lang, state: summaryState(shipments, found.order) })
      if (typeof req.query.m === 'string') deps.onMessageClick?.(found.tenantId, found.order.id, req.query.m)
      return html(reply, 200, renderTrackingPage(view))
    })

    const lookupForm = async (req: FastifyRequest<{ Params: { tenant: string } }>) => {
      const tenant = await deps.tenants.find(req.params.tenant).catch(() => undefined)
      return tenant
    }

    app.get<{ Params: { tenant: string }; Querystring: { lang?: string } }>('/track/:tenant', { schema: { hide: true } }, async (req, reply) => {
      const tenant = await lookupForm(req)
      const lang = queryLang(req) ?? requestLang(req, tenant?.locale)
      if (!tenant) return html(reply, 404, renderNotFoundPage(lang))
      return html(reply, 200, renderLookupPage({ lang, brandName: tenant.name, action: `/track/${encodeURIComponent(tenant.slug)}?lang=${lang}` }))
    })

    app.post<{ Params: { tenant: string }; Querystring: { lang?: string }; Body: { orderNumber?: string; contact?: string } }>('/track/:tenant', { schema: { hide: true } }, async (req, reply) => {
      const tenant = await lookupForm(req)
      const lang = queryLang(req) ?? requestLang(req, tenant?.locale)
      if (!tenant) return html(reply, 404, renderNotFoundPage(lang))
      const values = { orderNumber: String(req.body?.orderNumber ?? '').slice(0, 100), contact: String(req.body?.contact ?? '').slice(0, 320) }
      const action = `/track/${encodeURIComponent(tenant.slug)}?lang=${lang}`
      const form = (status: number, error: 'not_found' | 'invalid' | 'rate_limited') => html(reply, status, renderLookupPage({ lang, brandName: tenant.name, action, error, values }))
      // Per address and per order number, so neither one address nor many can walk the numbers.
      const keys = [`ip:${req.ip}`, `order:${tenant.id}:${values.orderNumber.normalize('NFKC').replace(/^#/, '').trim()}`]
      const wait = Math.max(...keys.map((k) => guard.blockedFor(k, 'lookup')))
      if (wait > 0) {
        reply.header('retry-after', String(wait)) // before the page is sent, or it never goes out
        return form(429, 'rate_limited')
      }
      if (!values.orderNumber.trim() || !values.contact.trim()) return form(422, 'invalid')
      const token = await deps.orders.findForLookup(deps.scope(tenant.id), values.orderNumber, values.contact)
      deps.tracking.recordActivity({ tenantId: tenant.id, kind: 'lookup', state: token ? 'found' : 'not_found', lang })
      if (!token) {
        for (const k of keys) guard.fail(k, 'lookup')
        return form(404, 'not_found')
      }
      return reply.code(303).header('cache-control', 'no-store').redirect(`/t/${token}?lang=${lang}`, 303)
    })

    app.get<{ Params: { id: string }; Querystring: { t?: string } }>('/l/:id', { schema: { hide: true } }, async (req, reply) => {
      const wait = guard.blockedFor(req.ip)
      if (wait > 0) return tooMany(req, reply, wait)
      const link = await deps.tracking.resolveLink(req.params.id)
      if (!link) {
        guard.fail(req.ip)
        return html(reply, 404, renderNotFoundPage(requestLang(req)))
      }
      const ref = req.query.t ? await deps.orders.refByTrackingToken(req.query.t) : undefined
      deps.tracking.recordActivity({ tenantId: link.tenantId, kind: 'link_click', linkId: link.linkId, orderId: ref && ref.tenantId === link.tenantId ? ref.orderId : null })
      return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(link.url, 302)
    })
  }

function queryLang(req: FastifyRequest): Lang | undefined {
  const q = (req.query as { lang?: string } | undefined)?.lang
  return q === 'en' || q === 'ja' ? q : undefined
}

/** English when the browser prefers English over Japanese; Japanese otherwise (the default). */
function acceptsEnglishFirst(req: FastifyRequest): boolean {
  const header = String(req.headers['accept-language'] ?? '').toLowerCase()
  const first = header.split(',')[0]?.trim() ?? ''
  return first.startsWith('en')
}

function requestLang(req: FastifyRequest, fallback?: string): Lang {
  return queryLang(req) ?? (acceptsEnglishFirst(req) ? 'en' : fallback === 'en' ? 'en' : 'ja')
}

/** One word for where the order stands, stored with each view (funnel analytics). */
function summaryState(shipments: Shipment[], order: Order): string {
  if (order.status === 'cancelled') return 'cancelled'
  if (shipments.length === 0) return 'preparing'
  if (shipments.every((s) => s.status === 'delivered')) return 'delivered'
  return shipments.map((s) => s.status).sort()[0]!
}

/** Everything the page shows, resolved from the order, its shipments and the brand's settings. */
export function composeView(input: {
  order: Order
  shipments: Shipment[]
  brandName: string
  lang: Lang
  page: Awaited<ReturnType<TrackingService['pageSettings']>>
  images: Map<string, string>
  token: string
}): TrackingPageView {
  const { order, shipments, lang, page, images } = input
  const { settings } = page
  const lineById = new Map(order.lines.map((l) => [l.id, l]))
  const lineView = (lineId: string, quantity: number) => {
    const l = lineById.get(lineId)!
    return { title: l.title, variantTitle: l.variantTitle, quantity, imageUrl: (l.variantId && images.get(l.variantId)) || null }
  }
  const inShipments = new Map<string, number>()
  for (const s of shipments) for (const l of s.lines) inShipments.set(l.orderLineId, (inShipments.get(l.orderLineId) ?? 0) + l.quantity)
  const delivered = shipments.length > 0 && shipments.every((s) => s.status === 'delivered')
  const addr = order.shippingAddress
  return {
    lang,
    timeZone: page.timeZone,
    switchLangHref: `?lang=${lang === 'ja' ? 'en' : 'ja'}`,
    brand: {
      name: input.brandName,
      logoUrl: settings.brand.logoUrl,
      primaryColor: settings.brand.primaryColor,
      accentColor: settings.brand.accentColor,
      fontFamily: settings.brand.fontFamily,
      support: settings.support,
    },
    order: {
      number: order.number ?? order.externalId,
      placedAt: order.placedAt,
      status: order.status,
      shipTo: addr ? { name: addr.name ?? null, postalCode: addr.postalCode ?? null, region: addr.region ?? null, city: addr.city ?? null } : null,
    },
    shipments: shipments.map((s, i) => {
      const carrier = isCarrierCode(s.carrier) ? getCarrier(s.carrier) : undefined
      const service = carrier?.services.find((x) => x.code === s.service)
      return {
        index: i + 1,
        count: shipments.length,
        carrierName: carrier ? carrier.name[lang] : s.carrier,
        serviceName: service ? service.name[lang] : s.service,
        trackingNumber: s.trackingNumber && carrier ? carrier.formatNumber(s.trackingNumber) : s.trackingNumber,
        carrierUrl: s.trackingUrl,
        status: s.status,
        statusAt: s.statusAt,
        estimate: s.estimate ? { date: s.estimate.date, earliest: s.estimate.earliest, latest: s.estimate.latest, late: s.late, trendingLate: s.trendingLate } : null,
        deliveredAt: s.deliveredAt,
        timeSlotLabel: s.timeSlot ? timeSlotLabel(s.timeSlot, lang) : null,
        options: { leaveAt: s.options.leaveAt, pickupPoint: s.options.pickupPoint, codAmount: s.options.codAmount, currency: s.currency },
        lines: s.lines.filter((l) => lineById.has(l.orderLineId)).map((l) => lineView(l.orderLineId, l.quantity)),
        events: s.events.map((e) => ({ status: e.status, rawText: e.rawStatus?.startsWith('shopify:') ? null : e.rawStatus, location: e.location, occurredAt: e.occurredAt })),
      }
    }),
    unshippedLines: order.status === 'cancelled' ? [] : order.lines
      .filter((l) => l.requiresShipping && l.quantity > (inShipments.get(l.id) ?? 0))
      .map((l) => lineView(l.id, l.quantity - (inShipments.get(l.id) ?? 0))),
    ctas: settings.ctas
      .filter((c) => c.show === 'always' || (c.show === 'after_delivery') === delivered)
      .flatMap((c) => {
        const linkId = page.links.get(c.id)
        if (!linkId) return []
        return [{
          kind: c.kind, title: (lang === 'en' && c.title.en) || c.title.ja, body: c.body ? (lang === 'en' && c.body.en) || c.body.ja : null,
          label: (lang === 'en' && c.label.en) || c.label.ja, href: `/l/${linkId}?t=${input.token}`, imageUrl: c.imageUrl ?? null,
        }]
      }),
  }
}
