import type { FastifyPluginAsync } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { stringify } from 'csv-stringify/sync'
import { z } from 'zod'
import { AppError } from '../../platform/errors.js'
import { ProblemSchema } from '../../platform/http/schemas.js'
import { decodeCursor, page, PageQuery } from '../../platform/http/pagination.js'
import { parseReviewCsv, safeCell as cell } from './csv.js'
import { MediaRejected, processImage, processVideo, sniffMedia, MEDIA_LIMITS } from './media.js'
import { ModerationInput, NpsReportQuery, ReplyInput, ReviewSettings, SurveyInput } from './schemas.js'
import type { ReviewService } from './service.js'

const Id = z.object({ id: z.string().max(100) })
const ReviewOut = z.unknown().meta({ id: 'Review', description: 'A review with its flags, media, reply and incentive' })
const IMPORT_BODY_LIMIT = 32 * 1024 * 1024


/** Turns a media refusal into the API's problem (413 / 415 / 422 with the file named). */
export function mediaProblem(err: unknown): never {
  if (err instanceof MediaRejected) {
    throw new AppError(err.code, err.status === 413 ? 'too_large' : err.status === 415 ? 'unsupported_media_type' : 'invalid_data', err.message)
  }
  throw err
}

/** `/api/v1/reviews`, `/api/v1/review-settings`, `/api/v1/surveys`, `/api/v1/nps`: the brand's side. */
export const reviewsHttp =
  (deps: { reviews: ReviewService }): FastifyPluginAsync =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>()
    const { reviews } = deps

    r.get('/review-settings', { schema: { tags: ['reviews'], summary: 'Review window, moderation rules, fit and profiling questions, incentives, detractor alerts' } },
      async (req) => reviews.settings(req.scope))
    r.put('/review-settings', { schema: { tags: ['reviews'], summary: 'Replace the review settings', body: ReviewSettings, response: { 200: z.unknown(), 422: ProblemSchema } } },
      async (req) => reviews.updateSettings(req.scope, req.body))

    r.get('/reviews', {
      schema: {
        tags: ['reviews'], summary: 'Reviews, newest first; the moderation queue is status=pending',
        querystring: z.object({ ...PageQuery, status: z.enum(['pending', 'published', 'rejected', 'removed']).optional(), productId: z.string().optional(), source: z.string().optional(), flagged: z.enum(['true', 'false']).optional() }),
      },
    }, async (req) => {
      const q = req.query
      const items = await reviews.list(req.scope, { status: q.status, productId: q.productId, source: q.source, flagged: q.flagged === undefined ? undefined : q.flagged === 'true', limit: q.limit, after: decodeCursor(q.cursor) })
      return page(items, q.limit)
    })

    r.post('/reviews', {
      schema: { tags: ['reviews'], summary: 'Add a review from another source (marked by source, never a verified purchase); idempotent on source + externalId', body: z.unknown(), response: { 200: ReviewOut, 201: ReviewOut, 422: ProblemSchema } },
    }, async (req, reply) => {
      const out = await reviews.create(req.scope, req.body, 'api')
      return reply.code(out.created ? 201 : 200).send(out.review)
    })

    r.get('/reviews/export.csv', { schema: { tags: ['reviews'], summary: 'Every review as CSV (UTF-8 with BOM, for Excel)' } }, async (req, reply) => {
      const header = ['id', 'product_id', 'variant_id', 'source', 'external_id', 'verified', 'status', 'rating', 'title', 'body', 'author', 'locale', 'helpful', 'media_count', 'reply', 'created_at', 'published_at']
      reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="reviews.csv"')
      const chunks: string[] = ['\ufeff' + stringify([header])]
      for await (const rows of reviews.exportRows(req.scope)) {
        chunks.push(stringify(rows.map((x) => [x.id, x.product_id, x.variant_id, x.source, x.external_id, x.verified, x.status, x.rating, x.title, x.body, x.author_name, x.locale, x.helpful, x.media_count, x.reply_body, x.created_at, x.published_at].map(cell))))
      }
      return chunks.join('')
    })

    app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: IMPORT_BODY_LIMIT }, (_req, body, done) => done(null, body))
    r.post('/reviews/imports', {
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: { tags: ['reviews'], summary: 'Import reviews from CSV (text/csv body; columns product_id or sku, rating, title, body, author, created_at, source, external_id, status); runs in the background: poll the import for progress', response: { 202: z.object({ id: z.string(), total: z.number() }), 422: ProblemSchema } },
    }, async (req, reply) => {
      const text = typeof req.body === 'string' ? req.body : Buffer.isBuffer(req.body) ? req.body.toString('utf8') : ''
      const rows = parseReviewCsv(text)
      const id = await reviews.startImport(req.scope, rows, 'api')
      return reply.code(202).send({ id, total: rows.length })
    })
    r.get('/reviews/imports/:id', { schema: { tags: ['reviews'], summary: 'Progress of a CSV import', params: Id } }, async (req) => {
      const s = await reviews.importStatus(req.scope, req.params.id)
      if (!s) throw new AppError('IMPORT_NOT_FOUND', 'not_found', `No import with id ${req.params.id}.`)
      return s
    })

    r.get('/reviews/:id', { schema: { tags: ['reviews'], summary: 'One review with its flags, media, reply and audit trail', params: Id } }, async (req) => {
      const review = await reviews.get(req.scope, req.params.id)
      if (!review) throw new AppError('REVIEW_NOT_FOUND', 'not_found', `No review with id ${req.params.id}.`)
      return { ...review, audit: await reviews.auditTrail(req.scope, req.params.id) }
    })
    r.post('/reviews/:id/approve', { schema: { tags: ['reviews'], summary: 'Publish a review', params: Id, body: ModerationInput.optional() } },
      async (req) => reviews.moderate(req.scope, req.params.id, 'approve', 'api', req.body?.reason))
    r.post('/reviews/:id/reject', { schema: { tags: ['reviews'], summary: 'Reject (unpublish) a review', params: Id, body: ModerationInput.optional() } },
      async (req) => reviews.moderate(req.scope, req.params.id, 'reject', 'api', req.body?.reason))
    r.put('/reviews/:id/reply', { schema: { tags: ['reviews'], summary: "The brand's public reply (an empty body removes it)", params: Id, body: ReplyInput } },
      async (req) => reviews.reply(req.scope, req.params.id, req.body.body, 'api'))

    // Photos and videos from the API: the raw file as the body; its type is decided by content.
    app.addContentTypeParser(/^(image|video)\/.*/, { parseAs: 'buffer', bodyLimit: MEDIA_LIMITS.maxVideoBytes }, (_req, body, done) => done(null, body))
    r.post('/reviews/:id/media', {
      bodyLimit: MEDIA_LIMITS.maxVideoBytes,
      schema: { tags: ['reviews'], summary: 'Add a photo or video (raw body); checked by content, photos re-encoded without EXIF/GPS', params: Id, response: { 200: ReviewOut, 413: ProblemSchema, 415: ProblemSchema } },
    }, async (req) => {
      const bytes = req.body as Buffer
      if (!Buffer.isBuffer(bytes)) throw new AppError('MEDIA_MISSING', 'unsupported_media_type', 'Send the file as the body with an image/* or video/* content type.')
      const name = String(req.headers['x-file-name'] ?? 'upload')
      const clean = await cleanUpload(bytes, name).catch(mediaProblem)
      return reviews.addMedia(req.scope, req.params.id, clean, 'api')
    })
    r.get('/reviews/:id/media/:mediaId', { schema: { tags: ['reviews'], summary: 'A stored photo or video (any status)', params: z.object({ id: z.string().max(100), mediaId: z.string().max(100) }) } }, async (req, reply) => {
      const m = await reviews.media({ scope: req.scope, reviewId: req.params.id }, req.params.mediaId)
      if (!m) throw new AppError('MEDIA_NOT_FOUND', 'not_found', 'No such photo or video.')
      return reply.type(m.mime).header('x-content-type-options', 'nosniff').header('cache-control', 'private, max-age=300').send(m.data)
    })

    r.post('/review-links', {
      schema: { tags: ['reviews'], summary: "The order's review page link (one per order)", body: z.object({ orderId: z.string() }).strict() },
    }, async (req) => {
      const l = await reviews.requestLink(req.scope, req.body.orderId)
      return { url: l.url, closesAt: l.closesAt }
    })
    r.post('/surveys', {
      schema: { tags: ['surveys'], summary: 'The survey link for an order (NPS) or a return / support case (CSAT); the score goes in ?score=N', body: SurveyInput },
    }, async (req) => {
      const l = await reviews.surveyLink(req.scope, req.body)
      return { id: l.surveyId, url: l.url }
    })
    r.get('/surveys/responses', {
      schema: { tags: ['surveys'], summary: 'Answers, newest first', querystring: z.object({ ...PageQuery, kind: z.enum(['nps', 'csat']).optional() }) },
    }, async (req) => page(await reviews.responses(req.scope, { kind: req.query.kind, limit: req.query.limit, after: decodeCursor(req.query.cursor) }), req.query.limit))
    r.get('/surveys/report', {
      schema: { tags: ['surveys'], summary: 'NPS or CSAT by month, ISO week, fulfilment centre, carrier or customer segment (tags); NPS rounded half away from zero', querystring: NpsReportQuery },
    }, async (req) => reviews.report(req.scope, req.query))
  }

/** Sniffs, checks and cleans one upload. */
export async function cleanUpload(bytes: Buffer, name: string) {
  const kind = await sniffMedia(bytes, name)
  if (kind.kind === 'image') {
    const img = await processImage(bytes, name)
    return { kind: 'image' as const, mime: img.mime, data: img.data, width: img.width, height: img.height }
  }
  const vid = await processVideo(bytes, name)
  return { kind: 'video' as const, mime: vid.mime, data: vid.data, width: null, height: null }
}
