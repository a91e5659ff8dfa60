import type { FastifyPluginAsync } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError } from '../../platform/errors.js'
import { ProblemSchema } from '../../platform/http/schemas.js'
import { decodeCursor, page, PageQuery } from '../../platform/http/pagination.js'
import { ReturnSettingsInput } from './schemas.js'
import type { ReturnService } from './service.js'

const Id = z.object({ id: z.string().max(100) })
const ReturnOut = z.unknown().meta({ id: 'Return', description: 'A return case (RMA): lines, the policy’s decision, refund, store credit, exchange' })
const notFound = (id: string) => new AppError('RETURN_NOT_FOUND', 'not_found', `No return with id ${id}.`)

/** `/api/v1/returns…`, `/api/v1/return-settings`, `/api/v1/orders/:id/returns`: the brand's side of returns. */
export const returnsHttp =
  (deps: { returns: ReturnService }): FastifyPluginAsync =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>()
    const { returns } = deps
    const actor = 'api'

    r.get('/return-settings', { schema: { tags: ['returns'], summary: 'The return policy (返品特約, windows, rules, reasons, limits, approval, fraud signals, resolutions, instant exchange) and how refunds are made' } },
      async (req) => returns.settings(req.scope))
    r.put('/return-settings', { schema: { tags: ['returns'], summary: 'Replace the policy and/or the refund channel (a Shopify token is stored encrypted and never shown)', body: ReturnSettingsInput, response: { 200: z.unknown(), 422: ProblemSchema } } },
      async (req) => returns.updateSettings(req.scope, req.body))

    r.get('/orders/:id/return-options', { schema: { tags: ['returns'], summary: 'What of this order may come back now, until when, and what each item may be exchanged for', params: Id } },
      async (req) => returns.options(req.scope, req.params.id))
    r.post('/orders/:id/returns/preview', { schema: { tags: ['returns'], summary: 'The policy’s decision on a request, with its explanation; writes nothing', params: Id, body: z.unknown(), response: { 200: z.unknown(), 422: ProblemSchema } } },
      async (req) => returns.preview(req.scope, req.params.id, req.body as never))
    r.post('/orders/:id/returns', { schema: { tags: ['returns'], summary: 'Open a return on the customer’s behalf (the portal does the same)', params: Id, body: z.unknown(), response: { 201: ReturnOut, 409: ProblemSchema, 422: ProblemSchema } } },
      async (req, reply) => reply.code(201).send((await returns.request(req.scope, req.params.id, req.body as never, { actor })).return))

    r.get('/returns', { schema: { tags: ['returns'], summary: 'Return cases, newest first', querystring: z.object({ ...PageQuery, status: z.enum(['requested', 'approved', 'rejected', 'received', 'inspected', 'resolved', 'cancelled', 'escalated']).optional(), orderId: z.string().max(100).optional() }) } },
      async (req) => page(await returns.list(req.scope, { status: req.query.status, orderId: req.query.orderId, limit: req.query.limit, after: decodeCursor(req.query.cursor) }), req.query.limit))
    r.get('/returns/analytics', { schema: { tags: ['returns'], summary: 'Return rate by SKU, variant, size, reason, customer, centre; exchange vs refund; revenue retained; request → refund time', querystring: z.object({ from: z.string().optional(), to: z.string().optional() }) } },
      async (req) => returns.analytics(req.scope, req.query))
    r.get('/returns/labels/:format', {
      schema: {
        tags: ['returns'], summary: "Return labels for the carrier's software (Yamato B2クラウド, Sagawa e飛伝Ⅲ/Ⅱ; CP932): approved returns still to come back, the RMA as the customer reference",
        params: z.object({ format: z.enum(['yamato-b2', 'sagawa-ehiden', 'sagawa-ehiden2']) }),
      },
    }, async (req, reply) => {
      const file = await returns.labels(req.scope, req.params.format)
      reply.header('content-type', file.contentType).header('content-disposition', `attachment; filename="${file.filename}"`).header('kando-label-parcels', String(file.parcels))
      reply.header('kando-label-warnings', encodeURIComponent(JSON.stringify(file.warnings.slice(0, 20))))
      return reply.send(file.body)
    })
    r.get('/returns/:id', { schema: { tags: ['returns'], summary: 'One return with its history', params: Id, response: { 200: ReturnOut, 404: ProblemSchema } } }, async (req) => {
      const out = await returns.get(req.scope, req.params.id, { history: true })
      if (!out) throw notFound(req.params.id)
      return out
    })
    r.post('/returns/:id/approve', { schema: { tags: ['returns'], summary: 'Approve a return waiting for review', params: Id } }, async (req) => returns.approve(req.scope, req.params.id, actor))
    r.post('/returns/:id/reject', { schema: { tags: ['returns'], summary: 'Reject a return (held exchange stock goes back)', params: Id, body: z.object({ reason: z.string().trim().min(1).max(1000) }).strict() } },
      async (req) => returns.reject(req.scope, req.params.id, req.body.reason, actor))
    r.post('/returns/:id/parcel', { schema: { tags: ['returns'], summary: 'The return parcel’s carrier and tracking number', params: Id, body: z.unknown() } },
      async (req) => returns.attachParcel(req.scope, req.params.id, req.body, actor))
    r.post('/returns/:id/receive', { schema: { tags: ['returns'], summary: 'The parcel arrived at a location (idempotent: a repeated receipt changes nothing)', params: Id, body: z.unknown() } }, async (req) => {
      const out = await returns.receive(req.scope, req.params.id, req.body, actor)
      return { ...out.return, repeated: out.repeated }
    })
    r.post('/returns/:id/inspect', { schema: { tags: ['returns'], summary: 'Grade each line (A resell, B outlet, C dispose); A/B go back into the location’s stock; resolves by default', params: Id, body: z.unknown() } },
      async (req) => returns.inspect(req.scope, req.params.id, req.body, { actor }))
    r.post('/returns/:id/resolve', { schema: { tags: ['returns'], summary: 'Refund, issue store credit or release the exchange order', params: Id } }, async (req) => returns.resolve(req.scope, req.params.id, actor))
    r.post('/returns/:id/refunded', { schema: { tags: ['returns'], summary: 'Record a refund made outside Kando (manual refunds), once', params: Id, body: z.object({ reference: z.string().trim().min(1).max(200) }).strict() } },
      async (req) => returns.markRefunded(req.scope, req.params.id, req.body.reference, actor))
    r.get('/returns/:id/photos/:mediaId', { schema: { tags: ['returns'], summary: 'A photo of the return (the customer’s or the inspection’s)', params: z.object({ id: z.string().max(100), mediaId: z.string().max(100) }) } }, async (req, reply) => {
      const m = await returns.photo(req.scope, req.params.id, req.params.mediaId)
      if (!m) throw new AppError('NOT_FOUND', 'not_found', 'No such photo.')
      return reply.type(m.mime).header('x-content-type-options', 'nosniff').header('cache-control', 'private, max-age=3600').send(m.data)
    })
  }
