import cors from '@fastify/cors'
import formbody from '@fastify/formbody'
import multipart from '@fastify/multipart'
import rateLimit from '@fastify/rate-limit'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { ZodError } from 'zod'
import { AppError } from '../../platform/errors.js'
import type { TenantDb } from '../../platform/tenancy.js'
import type { NotificationService } from '../../modules/notifications/service.js'
import type { TenantService } from '../../modules/tenants/index.js'
import { cleanUpload } from '../../modules/reviews/http.js'
import { checkReviewUploads, MediaRejected, MEDIA_LIMITS } from '../../modules/reviews/media.js'
import type { CleanMedia, ReviewItemInput, ReviewService } from '../../modules/reviews/service.js'
import { renderNotFoundPage } from '../tracking/lookup.js'
import { renderReviewPage, renderReviewThanks, renderSurveyPage, renderWithdrawPage, type Brand, type ReviewFormValues } from './render.js'
import { WIDGET_ETAG, WIDGET_JS } from './widget.ts'

export interface ReviewPageDeps {
  reviews: ReviewService
  notifications: NotificationService
  tenants: TenantService
  scope(tenantId: string): TenantDb
}

const MULTIPART_LIMITS = { fileSize: MEDIA_LIMITS.maxVideoBytes, files: 60, fields: 400, fieldSize: 20_000, parts: 500 }

/**
 * The customer's pages (`/review/:token`, `/nps/:token`) and the storefront's public side
 * (`/public/v1/:shop/...` JSON with CORS, `/media/reviews/:id`, `/widget/reviews.js`). Tokens are
 * the capability; no login. Nothing here needs JavaScript.
 */
export const reviewPages =
  (deps: ReviewPageDeps): FastifyPluginAsync =>
  async (app) => {
    await app.register(formbody, { bodyLimit: 16_384 })
    await app.register(multipart, { limits: MULTIPART_LIMITS })
    await app.register(rateLimit, { global: false })

    const page = (reply: FastifyReply, status: number, body: string) =>
      reply.code(status).header('cache-control', 'private, no-store').header('x-robots-tag', 'noindex').header('referrer-policy', 'no-referrer').type('text/html; charset=utf-8').send(body)
    const notFound = (reply: FastifyReply) => page(reply, 404, renderNotFoundPage('ja'))
    const brandOf = async (tenantId: string): Promise<Brand> => {
      const [tenant, s] = await Promise.all([deps.tenants.find(tenantId), deps.notifications.settingsOf(deps.scope(tenantId))])
      return { name: s.settings.sender.name ?? tenant.name, logoUrl: s.settings.brand.logoUrl ?? null, primaryColor: s.settings.brand.color ?? null, timeZone: tenant.timezone }
    }

    // ---------------------------------------------------------------- review page

    app.get<{ Params: { token: string } }>('/review/:token', { schema: { hide: true } }, async (req, reply) => {
      const p = await deps.reviews.page(req.params.token, { markOpened: true })
      if (!p) return notFound(reply)
      return page(reply, 200, renderReviewPage(p, await brandOf(p.tenantId), req.params.token))
    })

    app.post<{ Params: { token: string } }>('/review/:token', { schema: { hide: true } }, async (req, reply) => {
      const p = await deps.reviews.page(req.params.token)
      if (!p) return notFound(reply)
      const brand = await brandOf(p.tenantId)
      const ja = p.locale === 'ja'
      const fields = new Map<string, string[]>()
      const files = new Map<string, Array<{ name: string; bytes: Buffer }>>()
      const again = (status: number, errors: string[]) => page(reply, status, renderReviewPage(p, brand, req.params.token, { errors, values: formValues(p.items.length, fields) }))
      if (!req.isMultipart()) return again(415, [ja ? 'フォームから送信してください。' : 'Please send the form from this page.'])
      try {
        for await (const part of req.parts()) {
          if (part.type === 'file') {
            const bytes = await part.toBuffer()
            // An empty file input still sends a part with no name and no bytes.
            if (!part.filename && bytes.length === 0) continue
            files.set(part.fieldname, [...(files.get(part.fieldname) ?? []), { name: part.filename || 'upload', bytes }])
          } else {
            fields.set(part.fieldname, [...(fields.get(part.fieldname) ?? []), String(part.value ?? '')])
          }
        }
      } catch (err) {
        const code = (err as { code?: string }).code
        if (code === 'FST_REQ_FILE_TOO_LARGE') return again(413, [ja ? `ファイルが大きすぎます。写真は1枚${mb(MEDIA_LIMITS.maxImageBytes)}MB、動画は${mb(MEDIA_LIMITS.maxVideoBytes)}MBまでです。` : `A file is too large: photos may be up to ${mb(MEDIA_LIMITS.maxImageBytes)} MB and videos up to ${mb(MEDIA_LIMITS.maxVideoBytes)} MB.`])
        if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT') return again(413, [ja ? 'ファイルの数が多すぎます。1件につき6点までです。' : 'Too many files: up to 6 per review.'])
        throw err
      }
      const one = (k: string) => fields.get(k)?.[0] ?? ''
      const items: ReviewItemInput[] = []
      const errors: string[] = []
      for (let i = 0; i < p.items.length; i++) {
        const productId = one(`product_${i}`)
        const item = p.items.find((x) => x.productId === productId)
        if (!item) continue
        const rating = Number(one(`rating_${i}`))
        const title = one(`title_${i}`).trim()
        const body = one(`body_${i}`).replace(/\r\n/g, '\n').trim()
        const uploads = files.get(`media_${i}`) ?? []
        const removeMedia = fields.get(`remove_${i}`) ?? []
        if (!rating) {
          // A product left blank is simply not reviewed; text or photos without stars is a mistake to point out.
          if (title || body || uploads.length) errors.push(ja ? `「${item.productTitle}」の星の数を選んでください。` : `Choose a star rating for “${item.productTitle}”.`)
          continue
        }
        const fit: Record<string, string> = {}
        for (const q of item.questions) {
          const v = one(`fit_${i}_${q.key}`)
          if (v) fit[q.key] = v
        }
        const media: CleanMedia[] = []
        try {
          checkReviewUploads(uploads.map((u) => ({ fileName: u.name, bytes: u.bytes.length })))
          for (const u of uploads) media.push(await cleanUpload(u.bytes, u.name))
        } catch (err) {
          if (err instanceof MediaRejected) return again(err.status, [ja ? err.messageJa : err.message])
          throw err
        }
        items.push({ productId, rating, title: title || null, body, fit, removeMedia, media })
      }
      if (errors.length) return again(422, errors)
      const profile = one('profile') || null
      try {
        const result = await deps.reviews.submit(req.params.token, { items, profile })
        return page(reply, 200, renderReviewThanks(p.locale, brand, req.params.token, result.reviews.map((r) => ({ productTitle: p.items.find((x) => x.productId === r.productId)!.productTitle, status: r.status, coupon: r.coupon }))))
      } catch (err) {
        if (err instanceof AppError && (err.kind === 'invalid_data' || err.kind === 'too_large' || err.kind === 'conflict')) {
          return again(err.kind === 'too_large' ? 413 : err.kind === 'conflict' ? 409 : 422, [err.fields?.length ? err.fields.map((f) => `${f.pointer}: ${f.message}`).join(' / ') : err.message])
        }
        throw err
      }
    })

    app.get<{ Params: { token: string; id: string } }>('/review/:token/withdraw/:id', { schema: { hide: true } }, async (req, reply) => {
      const p = await deps.reviews.page(req.params.token)
      if (!p || !p.items.some((i) => i.review?.id === req.params.id)) return notFound(reply)
      return page(reply, 200, renderWithdrawPage(p.locale, await brandOf(p.tenantId), req.params.token, req.params.id, false))
    })
    app.post<{ Params: { token: string; id: string } }>('/review/:token/withdraw/:id', { schema: { hide: true } }, async (req, reply) => {
      const p = await deps.reviews.page(req.params.token)
      if (!p || !p.items.some((i) => i.review?.id === req.params.id)) return notFound(reply)
      await deps.reviews.removeByCustomer(req.params.token, req.params.id)
      return page(reply, 200, renderWithdrawPage(p.locale, await brandOf(p.tenantId), req.params.token, req.params.id, true))
    })

    // ---------------------------------------------------------------- NPS / CSAT

    app.get<{ Params: { token: string }; Querystring: { score?: string } }>('/nps/:token', { schema: { hide: true } }, async (req, reply) => {
      const s = await deps.reviews.survey(req.params.token)
      if (!s) return notFound(reply)
      const raw = req.query.score
      let row = s.row
      let recorded = false
      if (raw !== undefined && /^\d{1,2}$/.test(raw)) {
        // The one click in the message records the answer at once; the page then asks why.
        const answered = await deps.reviews.answer(req.params.token, { score: Number(raw), via: 'link' }).catch((err) => (err instanceof AppError ? undefined : Promise.reject(err)))
        if (answered) {
          row = answered
          recorded = true
        }
      }
      return page(reply, 200, renderSurveyPage(s.locale, await brandOf(row.tenant_id), req.params.token, { kind: row.kind, score: row.score, comment: row.comment, recorded, saved: false }))
    })
    app.post<{ Params: { token: string }; Body: Record<string, string> }>('/nps/:token', { schema: { hide: true } }, async (req, reply) => {
      const s = await deps.reviews.survey(req.params.token)
      if (!s) return notFound(reply)
      const body = (req.body ?? {}) as Record<string, string>
      const score = body.score !== undefined && body.score !== '' ? Number(body.score) : undefined
      const brand = await brandOf(s.row.tenant_id)
      if (score === undefined && s.row.score === null) {
        return page(reply, 422, renderSurveyPage(s.locale, brand, req.params.token, { kind: s.row.kind, score: null, comment: body.comment ?? null, recorded: false, saved: false, error: s.locale === 'ja' ? '点数を選んでください。' : 'Please choose a score.' }))
      }
      try {
        const row = await deps.reviews.answer(req.params.token, { score, comment: body.comment ?? null, via: 'form' })
        return page(reply, 200, renderSurveyPage(s.locale, brand, req.params.token, { kind: row!.kind, score: row!.score, comment: row!.comment, recorded: true, saved: true }))
      } catch (err) {
        if (err instanceof AppError && err.kind === 'invalid_data') return page(reply, 422, renderSurveyPage(s.locale, brand, req.params.token, { kind: s.row.kind, score: s.row.score, comment: body.comment ?? null, recorded: false, saved: false, error: err.message }))
        throw err
      }
    })

    // ---------------------------------------------------------------- storefront (public, CORS)

    await app.register(async (pub) => {
      // Public data without cookies: any shop domain may read it; nothing here uses credentials.
      await pub.register(cors, { origin: '*', methods: ['GET', 'POST'], allowedHeaders: ['content-type'], maxAge: 86_400 })

      pub.get<{ Params: { shop: string; product: string }; Querystring: Record<string, string> }>('/public/v1/:shop/products/:product/reviews', {
        schema: { tags: ['storefront'], summary: 'Published reviews of one product with aggregate, distribution and social proof (no key; CORS; cached 60 s)', security: [] },
      }, async (req, reply) => {
        let out
        try {
          out = await deps.reviews.storefront(req.params.shop, req.params.product, req.query)
        } catch (err) {
          if (err instanceof ZodError) throw new AppError('QUERY_INVALID', 'invalid_data', 'The query is not valid.', { fields: err.issues.map((i) => ({ pointer: `/query/${i.path.join('/')}`, message: i.message })) })
          throw err
        }
        if (!out) throw new AppError('PRODUCT_NOT_FOUND', 'not_found', 'No such shop or product.')
        reply.header('cache-control', 'public, max-age=60, stale-while-revalidate=300').header('etag', out.etag).header('vary', 'origin')
        if (req.headers['if-none-match'] === out.etag) return reply.code(304).send()
        return reply.type('application/json; charset=utf-8').send(out.body)
      })

      pub.post<{ Params: { shop: string; id: string }; Body: { visitor?: unknown } }>('/public/v1/:shop/reviews/:id/helpful', {
        config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
        schema: { tags: ['storefront'], summary: 'A helpful vote: once per visitor and per network address (rate-limited)', security: [] },
      }, async (req, reply) => {
        const visitor = (req.body as { visitor?: unknown } | undefined)?.visitor
        if (typeof visitor !== 'string' || !/^[0-9a-f]{32,64}$/.test(visitor)) {
          throw new AppError('VISITOR_INVALID', 'invalid_data', 'visitor must be 32–64 hex characters (a random id kept by the browser).', { fields: [{ pointer: '/visitor', message: '32–64 hex characters' }] })
        }
        const out = await deps.reviews.vote(req.params.shop, req.params.id, visitor, req.ip)
        if (!out) throw new AppError('REVIEW_NOT_FOUND', 'not_found', 'No such published review.')
        return reply.header('cache-control', 'no-store').send(out)
      })
    })

    app.get<{ Params: { id: string } }>('/media/reviews/:id', { schema: { hide: true } }, async (req, reply) => {
      const m = /^med_[0-9a-z]{26}$/.test(req.params.id) ? await deps.reviews.media({ publicOnly: true }, req.params.id) : undefined
      if (!m) return reply.code(404).header('cache-control', 'no-store').type('text/plain').send('Not found')
      return reply.type(m.mime).header('cache-control', 'public, max-age=86400').header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'").header('cross-origin-resource-policy', 'cross-origin').send(m.data)
    })

    app.get('/widget/reviews.js', { schema: { hide: true } }, async (req: FastifyRequest, reply) => {
      reply.header('cache-control', 'public, max-age=3600').header('etag', WIDGET_ETAG).header('access-control-allow-origin', '*').header('cross-origin-resource-policy', 'cross-origin')
      if (req.headers['if-none-match'] === WIDGET_ETAG) return reply.code(304).send()
      return reply.type('application/javascript; charset=utf-8').send(WIDGET_JS)
    })
  }

function mb(bytes: number): string {
  return String(Math.round(bytes / 1024 / 1024))
}

/** The text the customer typed, keyed by product, to refill the form after an error. */
function formValues(count: number, fields: Map<string, string[]>): ReviewFormValues {
  const out: ReviewFormValues = {}
  for (let i = 0; i < count; i++) {
    const pid = fields.get(`product_${i}`)?.[0]
    if (!pid) continue
    const fit: Record<string, string> = {}
    for (const [k, v] of fields) if (k.startsWith(`fit_${i}_`) && v[0]) fit[k.slice(`fit_${i}_`.length)] = v[0]
    out[pid] = { rating: fields.get(`rating_${i}`)?.[0], title: fields.get(`title_${i}`)?.[0], body: fields.get(`body_${i}`)?.[0], fit }
  }
  return out
}
