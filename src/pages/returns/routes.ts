import formbody from '@fastify/formbody'
import multipart from '@fastify/multipart'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { ZodError } from 'zod'
import { newToken } from '../../platform/ids.js'
import type { CustomerService } from '../../modules/customers/index.js'
import type { NotificationService } from '../../modules/notifications/service.js'
import type { OrderService } from '../../modules/orders/index.js'
import type { ReturnOptions, ReturnPhoto, ReturnService } from '../../modules/returns/index.js'
import { MediaRejected, MEDIA_LIMITS, processImage, sniffMedia } from '../../modules/reviews/media.js'
import type { Tenant, TenantService } from '../../modules/tenants/index.js'
import { AppError } from '../../platform/errors.js'
import type { TenantDb } from '../../platform/tenancy.js'
import { GuessGuard } from '../tracking/guess-guard.js'
import type { Lang } from '../tracking/view.js'
import {
  calendarDate, CONDITIONS, FORM_ERRORS, PICKUP_SLOTS, renderLookupPage, renderNotFound, renderOrderPage, renderStatusPage, renderTooMany,
  type Brand, type FieldError, type KeepOffer, type LookupError, type ReturnFormValues,
} from './render.js'

export interface ReturnPageDeps {
  returns: ReturnService
  orders: OrderService
  customers: CustomerService
  notifications: NotificationService
  tenants: TenantService
  scope(tenantId: string): TenantDb
  now(): Date
}

const MAX_PHOTOS = 6
const RESOLUTIONS = ['exchange', 'store_credit', 'refund'] as const
const METHODS = ['pickup', 'dropoff', 'keep'] as const
const MULTIPART_LIMITS = { fileSize: MEDIA_LIMITS.maxImageBytes, files: MAX_PHOTOS + 1, fields: 400, fieldSize: 4_000, parts: 500 }
/** Pickup dates offered: from tomorrow, for two weeks (carriers book 集荷 up to about then). */
const PICKUP_DAYS = 14
// Strict: no script at all, styles inline only, forms post back here.
const CSP = "default-src 'none'; img-src https: data:; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

/**
 * The customer's returns portal, no login: `GET|POST /r/:tenant` (find the order by number and
 * email or phone; `?o=<token>` opens it from a link), `GET|POST /r/:tenant/o/:token` (the brand's
 * terms and the request form; the order's 256-bit token is the capability) and
 * `GET /r/:tenant/s/:token` (the return's status). Works without JavaScript; guessing is answered
 * with the same 404 as anything unknown and, when repeated from one address, 429.
 */
export const returnPages =
  (deps: ReturnPageDeps, guard = new GuessGuard()): FastifyPluginAsync =>
  async (app) => {
    await app.register(formbody, { bodyLimit: 4096 })
    await app.register(multipart, { limits: MULTIPART_LIMITS })

    const page = (reply: FastifyReply, status: number, body: string) =>
      reply.code(status).header('cache-control', 'private, no-store').header('x-robots-tag', 'noindex').header('referrer-policy', 'no-referrer')
        .header('content-security-policy', CSP).header('x-content-type-options', 'nosniff').type('text/html; charset=utf-8').send(body)
    const brandOf = async (tenant: Tenant): Promise<Brand> => {
      const s = await deps.notifications.settingsOf(deps.scope(tenant.id))
      return { name: s.settings.sender.name ?? tenant.name, logoUrl: s.settings.brand.logoUrl ?? null, primaryColor: s.settings.brand.color ?? null, timeZone: tenant.timezone }
    }
    const tenantOf = (slug: string) => deps.tenants.find(slug).catch((err) => (err instanceof AppError && err.kind === 'not_found' ? undefined : Promise.reject(err)))
    const fallbackBrand: Brand = { name: 'Kando', logoUrl: null, primaryColor: null, timeZone: 'Asia/Tokyo' }
    const lookupHref = (tenant: Tenant, lang: Lang | undefined) => `/r/${encodeURIComponent(tenant.slug)}${lang ? `?lang=${lang}` : ''}`
    const notFound = async (reply: FastifyReply, lang: Lang, tenant: Tenant | undefined) =>
      page(reply, 404, renderNotFound(lang, tenant ? await brandOf(tenant) : fallbackBrand, tenant ? lookupHref(tenant, lang) : null))
    const tooMany = async (reply: FastifyReply, lang: Lang, tenant: Tenant, wait: number) =>
      page(reply.header('retry-after', String(wait)), 429, renderTooMany(lang, await brandOf(tenant)))

    // ---------------------------------------------------------------- find the order

    app.get<{ Params: { tenant: string }; Querystring: { lang?: string; o?: string } }>('/r/:tenant', { schema: { hide: true } }, async (req, reply) => {
      const tenant = await tenantOf(req.params.tenant)
      const asked = queryLang(req)
      const lang = asked ?? langOf(tenant?.locale)
      if (!tenant) return notFound(reply, lang, undefined)
      if (typeof req.query.o === 'string' && req.query.o) {
        // A link from a message: the order page itself (the token then lives in the path only).
        return reply.code(303).header('cache-control', 'no-store').header('referrer-policy', 'no-referrer')
          .redirect(`/r/${encodeURIComponent(tenant.slug)}/o/${encodeURIComponent(req.query.o)}${asked ? `?lang=${asked}` : ''}`, 303)
      }
      return page(reply, 200, renderLookupPage({ lang, brand: await brandOf(tenant), action: lookupHref(tenant, asked), switchHref: `?lang=${other(lang)}` }))
    })

    app.post<{ Params: { tenant: string }; Querystring: { lang?: string }; Body: { orderNumber?: string; contact?: string } }>('/r/:tenant', { schema: { hide: true } }, async (req, reply) => {
      const tenant = await tenantOf(req.params.tenant)
      const asked = queryLang(req)
      const lang = asked ?? langOf(tenant?.locale)
      if (!tenant) return notFound(reply, lang, undefined)
      const body = (req.body ?? {}) as Record<string, unknown>
      const values = { orderNumber: String(body.orderNumber ?? '').slice(0, 100), contact: String(body.contact ?? '').slice(0, 320) }
      const brand = await brandOf(tenant)
      const form = (status: number, error: LookupError) =>
        page(reply, status, renderLookupPage({ lang, brand, action: lookupHref(tenant, asked), switchHref: `?lang=${other(lang)}`, error, values }))
      // Per address and per order number, so neither one address nor many can walk the numbers.
      const keys = [`ip:${req.ip}`, `order:${tenant.id}:${values.orderNumber.normalize('NFKC').replace(/^#/, '').trim()}`]
      const wait = Math.max(...keys.map((k) => guard.blockedFor(k, 'lookup')))
      if (wait > 0) {
        reply.header('retry-after', String(wait))
        return form(429, 'rate_limited')
      }
      if (!values.orderNumber.trim() || !values.contact.trim()) return form(422, 'invalid')
      const found = await deps.returns.findOrder(deps.scope(tenant.id), values.orderNumber, values.contact)
      if (!found) {
        // The same answer for an unknown number and a wrong contact: nothing says the order exists.
        for (const k of keys) guard.fail(k, 'lookup')
        return form(404, 'not_found')
      }
      return reply.code(303).header('cache-control', 'no-store').redirect(`/r/${encodeURIComponent(tenant.slug)}/o/${found.token}${asked ? `?lang=${asked}` : ''}`, 303)
    })

    // ---------------------------------------------------------------- the order's form

    /**
     * The brand and the order behind the token, or the reply already sent: 404 for anything unknown
     * (counted as a guess), 429 once an address has guessed too often (checked before any lookup).
     */
    const orderFor = async (req: FastifyRequest<{ Params: { tenant: string; token: string } }>, reply: FastifyReply) => {
      const asked = queryLang(req)
      const tenant = await tenantOf(req.params.tenant)
      if (!tenant) return { sent: await notFound(reply, asked ?? 'ja', undefined) }
      const wait = guard.blockedFor(req.ip)
      if (wait > 0) return { sent: await tooMany(reply, asked ?? langOf(tenant.locale), tenant, wait) }
      const scope = deps.scope(tenant.id)
      const orderId = await deps.returns.orderForToken(scope, req.params.token)
      if (!orderId) {
        guard.fail(req.ip)
        return { sent: await notFound(reply, asked ?? langOf(tenant.locale), tenant) }
      }
      const order = await deps.orders.get(scope, orderId)
      const customer = order?.customerId ? await deps.customers.get(scope, order.customerId) : undefined
      const lang = asked ?? langOf(customer?.locale ?? tenant.locale)
      return { ctx: { tenant, scope, orderId, lang, token: req.params.token, asked } }
    }
    const formPage = async (o: { tenant: Tenant; scope: TenantDb; orderId: string; lang: Lang; token: string; asked: Lang | undefined }, extra: { values?: ReturnFormValues; errors?: FieldError[]; photosDropped?: boolean; options?: ReturnOptions } = {}) => {
      const [options, settings, brand] = await Promise.all([extra.options ?? deps.returns.options(o.scope, o.orderId), deps.returns.settings(o.scope), brandOf(o.tenant)])
      // Each return already asked for links to its status page (the customer may have lost the message).
      const statusLinks = new Map<string, string>()
      for (const r of options.openReturns) {
        const link = await deps.returns.statusLink(o.scope, r.id)
        if (link) statusLinks.set(r.id, `${new URL(link).pathname}${o.asked ? `?lang=${o.asked}` : ''}`)
      }
      const keep = settings.policy.keepItem
      // Offered only where it can apply: a unit cheap enough among the lines that may come back.
      const keepOffer: KeepOffer | null = keep.maxUnitValue !== null && keep.reasons.length > 0 && options.lines.some((l) => l.returnable > 0 && l.unitPrice <= keep.maxUnitValue!)
        ? { reasons: keep.reasons, maxUnitValue: keep.maxUnitValue } : null
      return renderOrderPage({
        lang: o.lang, brand, options, statusLinks, keep: keepOffer, pickupRange: pickupRange(deps.now(), o.tenant.timezone),
        action: `/r/${encodeURIComponent(o.tenant.slug)}/o/${o.token}${o.asked ? `?lang=${o.asked}` : ''}`, switchHref: `?lang=${other(o.lang)}`, requestKey: newToken(16), ...extra,
      })
    }

    app.get<{ Params: { tenant: string; token: string }; Querystring: { lang?: string } }>('/r/:tenant/o/:token', { schema: { hide: true } }, async (req, reply) => {
      const found = await orderFor(req, reply)
      if (!found.ctx) return found.sent
      return page(reply, 200, await formPage(found.ctx))
    })

    app.post<{ Params: { tenant: string; token: string }; Querystring: { lang?: string } }>('/r/:tenant/o/:token', { schema: { hide: true } }, async (req, reply) => {
      const found = await orderFor(req, reply)
      if (!found.ctx) return found.sent
      const ctx = found.ctx
      const asked = ctx.asked
      const e = FORM_ERRORS[ctx.lang]
      const options = await deps.returns.options(ctx.scope, ctx.orderId)

      const fields = new Map<string, string>()
      const files: Array<{ name: string; bytes: Buffer }> = []
      const errors: FieldError[] = []
      let status = 422
      const again = async (code: number, opts: { options?: ReturnOptions } = {}) =>
        page(reply, code, await formPage(ctx, { values: formValues(options, fields), errors, photosDropped: files.length > 0, options: opts.options ?? options }))

      if (!req.isMultipart()) {
        errors.push({ field: 'qty-0', message: e.form })
        return again(415)
      }
      try {
        for await (const part of req.parts()) {
          if (part.type === 'file') {
            const bytes = await part.toBuffer()
            // An empty file input still sends a part with no name and no bytes.
            if (!part.filename && bytes.length === 0) continue
            if (part.fieldname === 'photos') files.push({ name: part.filename || 'upload', bytes })
          } else if (!fields.has(part.fieldname)) {
            fields.set(part.fieldname, String(part.value ?? ''))
          }
        }
      } catch (err) {
        const code = (err as { code?: string }).code
        if (code === 'FST_REQ_FILE_TOO_LARGE') {
          errors.push({ field: 'photos', message: e.photoTooLarge })
          return again(413)
        }
        if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
          errors.push({ field: 'photos', message: e.tooManyPhotos })
          return again(413)
        }
        throw err
      }

      // ---- what was asked, checked field by field in the customer's words
      const v = formValues(options, fields)
      const picked = options.lines.flatMap((l, i) => {
        const q = Number(v.lines[l.lineId]?.quantity ?? 0)
        return l.returnable > 0 && Number.isInteger(q) && q > 0 ? [{ line: l, index: i, quantity: Math.min(q, l.returnable) }] : []
      })
      const firstReturnable = Math.max(0, options.lines.findIndex((l) => l.returnable > 0))
      if (picked.length === 0) errors.push({ field: `qty-${firstReturnable}`, message: e.pickItems })
      const reason = options.reasons.find((r) => r.code === v.reason)
      if (!reason) errors.push({ field: 'reason', message: e.reason })
      const note = (v.note ?? '').replace(/\r\n/g, '\n').trim()
      if (note.length > 2000) errors.push({ field: 'note', message: e.note })
      const resolution = RESOLUTIONS.find((x) => x === v.resolution)
      if (!resolution) errors.push({ field: 'resolution', message: e.resolution })
      if (resolution === 'exchange') {
        for (const p of picked) {
          const want = v.lines[p.line.lineId]?.exchange
          if (p.line.exchangeFor.length === 0) errors.push({ field: `qty-${p.index}`, message: e.exchangeNone })
          else if (!want || !p.line.exchangeFor.some((x) => x.variantId === want)) errors.push({ field: `ex-${p.index}`, message: e.exchangeChoose })
          else if (!p.line.exchangeFor.some((x) => x.variantId === want && x.available >= p.quantity)) errors.push({ field: `ex-${p.index}`, message: e.exchangeGone })
        }
      }
      const method = METHODS.find((x) => x === v.method)
      if (!method) errors.push({ field: 'method', message: e.method })
      const range = pickupRange(deps.now(), ctx.tenant.timezone)
      if (method === 'pickup') {
        const d = v.pickupDate ?? ''
        if (!/^\d{4}-\d{2}-\d{2}$/.test(d) || d < range.min || d > range.max) errors.push({ field: 'pickup-date', message: e.pickupDate(calendarDate(range.min, ctx.lang), calendarDate(range.max, ctx.lang)) })
        if (!PICKUP_SLOTS.includes(v.pickupSlot as never)) errors.push({ field: 'pickup-slot', message: e.pickupSlot })
      }

      // ---- photos: decided by content, re-encoded, EXIF/GPS stripped (as the review page does)
      const photos: ReturnPhoto[] = []
      if (files.length > MAX_PHOTOS) {
        errors.push({ field: 'photos', message: e.tooManyPhotos })
        status = 413
      } else {
        for (const f of files) {
          try {
            const kind = await sniffMedia(f.bytes, f.name)
            if (kind.kind !== 'image') throw new MediaRejected('UNSUPPORTED_TYPE', f.name, 'not a photo', '写真ではありません')
            const img = await processImage(f.bytes, f.name)
            photos.push({ kind: 'image', mime: img.mime, data: img.data, width: img.width, height: img.height })
          } catch (err) {
            if (!(err instanceof MediaRejected)) throw err
            const message = err.code === 'UNSUPPORTED_TYPE' || err.code === 'UNREADABLE_IMAGE' || err.code === 'UNREADABLE_VIDEO' ? e.notPhoto(f.name) : ctx.lang === 'ja' ? err.messageJa : err.message
            errors.push({ field: 'photos', message })
            status = err.status
            break
          }
        }
      }
      if (reason?.photosRequired && files.length === 0) errors.push({ field: 'photos', message: e.photosRequired(reason.label[ctx.lang]) })
      if (errors.length) return again(status)

      // ---- the request itself: the policy has the last word
      const raw = {
        lines: picked.map((p) => ({
          lineId: p.line.lineId, quantity: p.quantity, condition: conditionOf(v.lines[p.line.lineId]?.condition),
          ...(resolution === 'exchange' ? { exchangeVariantId: v.lines[p.line.lineId]!.exchange! } : {}),
        })),
        reason: reason!.code,
        ...(note ? { note } : {}),
        resolution: resolution!,
        method: method!,
        ...(method === 'pickup' ? { pickup: { date: v.pickupDate!, slot: v.pickupSlot as (typeof PICKUP_SLOTS)[number] } } : {}),
        ...(v.requestKey ? { idempotencyKey: v.requestKey } : {}),
      }
      try {
        const out = await deps.returns.request(ctx.scope, ctx.orderId, raw, { actor: 'customer', photos })
        return reply.code(303).header('cache-control', 'no-store').redirect(`/r/${encodeURIComponent(ctx.tenant.slug)}/s/${out.token}?new=1${asked ? `&lang=${asked}` : ''}`, 303)
      } catch (err) {
        const indexOf = (requestIndex: number) => picked[requestIndex]?.index ?? firstReturnable
        if (err instanceof ZodError) {
          errors.push({ field: `qty-${firstReturnable}`, message: e.generic })
          return again(422)
        }
        if (!(err instanceof AppError)) throw err
        switch (err.code) {
          case 'RETURN_NOT_ALLOWED': {
            const why = (err.extra?.why ?? []) as Array<{ lineId: string; ja: string; en: string }>
            for (const f of err.fields ?? []) {
              const m = /^\/lines\/(\d+)(\/quantity)?$/.exec(f.pointer)
              if (!m) continue
              const i = indexOf(Number(m[1]))
              const line = options.lines[i]
              const w = why.find((x) => x.lineId === line?.lineId)
              errors.push({ field: `qty-${i}`, message: m[2] ? e.atMost(Number(/\d+/.exec(f.message)?.[0] ?? line?.returnable ?? 0)) : w ? w[ctx.lang] : e.generic })
            }
            break
          }
          case 'EXCHANGE_OUT_OF_STOCK': {
            // Someone took the last unit meanwhile: show the stock as it is now.
            const skus = new Set((err.extra?.skus ?? []) as string[])
            for (const p of picked) {
              const x = p.line.exchangeFor.find((f) => f.variantId === v.lines[p.line.lineId]?.exchange)
              if (!x || !x.sku || skus.has(x.sku)) errors.push({ field: `ex-${p.index}`, message: e.exchangeGone })
            }
            if (!errors.length) errors.push({ field: 'resolution', message: e.exchangeGone })
            return again(409, { options: await deps.returns.options(ctx.scope, ctx.orderId) })
          }
          case 'RETURN_PHOTOS_REQUIRED':
            errors.push({ field: 'photos', message: e.photosRequired(reason!.label[ctx.lang]) })
            break
          case 'RETURN_RESOLUTION_NOT_OFFERED':
            errors.push({ field: 'resolution', message: e.resolutionNotOffered })
            break
          case 'RETURN_KEEP_NOT_OFFERED':
            errors.push({ field: 'method', message: e.keepNotOffered })
            break
          case 'RETURN_REASON_UNKNOWN':
            errors.push({ field: 'reason', message: e.reason })
            break
          case 'INVALID_DATA':
            for (const f of err.fields ?? []) {
              const m = /^\/lines\/(\d+)\/exchangeVariantId$/.exec(f.pointer)
              if (m) errors.push({ field: `ex-${indexOf(Number(m[1]))}`, message: e.exchangeChoose })
            }
            break
          default:
            if (err.kind === 'not_found') return notFound(reply, ctx.lang, ctx.tenant)
            if (err.kind !== 'invalid_data' && err.kind !== 'conflict') throw err
        }
        if (!errors.length) errors.push({ field: `qty-${firstReturnable}`, message: e.generic })
        return again(err.kind === 'conflict' ? 409 : 422)
      }
    })

    // ---------------------------------------------------------------- the return's status

    app.get<{ Params: { tenant: string; token: string }; Querystring: { lang?: string; new?: string } }>('/r/:tenant/s/:token', { schema: { hide: true } }, async (req, reply) => {
      const tenant = await tenantOf(req.params.tenant)
      const asked = queryLang(req)
      if (!tenant) return notFound(reply, asked ?? 'ja', undefined)
      const wait = guard.blockedFor(req.ip)
      if (wait > 0) return tooMany(reply, asked ?? langOf(tenant.locale), tenant, wait)
      const found = await deps.returns.byToken(req.params.token)
      if (!found || found.scope.tenantId !== tenant.id) {
        guard.fail(req.ip)
        return notFound(reply, asked ?? langOf(tenant.locale), tenant)
      }
      const r = found.view
      const customer = r.customerId ? await deps.customers.get(found.scope, r.customerId) : undefined
      const lang = asked ?? langOf(customer?.locale ?? tenant.locale)
      const settings = await deps.returns.settings(found.scope)
      const reason = settings.policy.reasons.find((x) => x.code === r.reason.code)
      return page(reply, 200, renderStatusPage({
        lang, brand: await brandOf(tenant), view: r, reasonLabel: reason?.label[lang] ?? r.reason.code, bonusPercent: r.decision.storeCreditBonusPercent ?? 0,
        created: req.query.new === '1', switchHref: `?lang=${other(lang)}`, lookupHref: lookupHref(tenant, asked),
      }))
    })
  }

function queryLang(req: FastifyRequest): Lang | undefined {
  const q = (req.query as { lang?: string } | undefined)?.lang
  return q === 'en' || q === 'ja' ? q : undefined
}

function langOf(locale: string | undefined | null): Lang {
  return locale === 'en' || locale?.startsWith('en-') ? 'en' : 'ja'
}

const other = (lang: Lang): Lang => (lang === 'ja' ? 'en' : 'ja')

function conditionOf(v: string | undefined): (typeof CONDITIONS)[number] {
  return CONDITIONS.includes(v as never) ? (v as (typeof CONDITIONS)[number]) : 'opened'
}

/** The form's fields by order line (the form numbers lines by their position in the options). */
function formValues(options: ReturnOptions, fields: Map<string, string>): ReturnFormValues {
  const lines: ReturnFormValues['lines'] = {}
  options.lines.forEach((l, i) => {
    // A line id posted for another position is ignored: the position is what the page rendered.
    if (fields.get(`line_${i}`) !== l.lineId) return
    lines[l.lineId] = { quantity: fields.get(`qty_${i}`), condition: fields.get(`cond_${i}`), exchange: fields.get(`ex_${i}`) }
  })
  return {
    lines, reason: fields.get('reason'), note: fields.get('note'), resolution: fields.get('resolution'), method: fields.get('method'),
    pickupDate: fields.get('pickup_date'), pickupSlot: fields.get('pickup_slot'),
    requestKey: /^[A-Za-z0-9_-]{8,100}$/.test(fields.get('request_key') ?? '') ? fields.get('request_key') : undefined,
  }
}

/** Tomorrow to two weeks on, as calendar dates in the brand's zone. */
function pickupRange(now: Date, zone: string): { min: string; max: string } {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now)
  const base = Date.parse(`${today}T00:00:00Z`)
  const day = (n: number) => new Date(base + n * 86_400_000).toISOString().slice(0, 10)
  return { min: day(1), max: day(PICKUP_DAYS) }
}
