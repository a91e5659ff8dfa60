import type { FastifyPluginAsync } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { PageQuery, decodeCursor, page } from '../../platform/http/pagination.js'
import { withIdempotencyKey } from '../../platform/http/idempotency.js'
import { ProblemSchema } from '../../platform/http/schemas.js'
import { ORDER_STATUSES } from './lifecycle.js'
import { OrderInput, OrderSource } from './schemas.js'
import type { OrderService } from './service.js'

const Status = z.enum(ORDER_STATUSES)
const OrderId = z.object({ id: z.string().min(1).max(100) })

const OrderLineOut = z.object({
  id: z.string(), position: z.number(), externalId: z.string().nullable(), sku: z.string().nullable(), variantId: z.string().nullable(),
  title: z.string(), variantTitle: z.string().nullable(), quantity: z.number(), unitPrice: z.number(), discount: z.number(),
  requiresShipping: z.boolean(), shippedQuantity: z.number(),
})
export const OrderOut = z
  .object({
    id: z.string(), source: z.string(), externalId: z.string(), number: z.string().nullable(), status: Status,
    customerId: z.string().nullable(), email: z.string().nullable(), phone: z.string().nullable(), currency: z.string(),
    subtotal: z.number(), shippingTotal: z.number(), taxTotal: z.number(), discountTotal: z.number(), total: z.number(),
    shippingAddress: z.record(z.string(), z.unknown()).nullable(), billingAddress: z.record(z.string(), z.unknown()).nullable(),
    landingSite: z.string().nullable(), referringSite: z.string().nullable(), tags: z.array(z.string()), note: z.string().nullable(),
    attributes: z.record(z.string(), z.string()), placedAt: z.string(), createdAt: z.string(), updatedAt: z.string(), version: z.number(), trackingToken: z.string(),
    lines: z.array(OrderLineOut),
    history: z.array(z.object({ from: Status.nullable(), to: Status, reason: z.string().nullable(), actor: z.string(), at: z.string() })),
  })
  .meta({ id: 'Order' })

/** `/api/v1/orders`: intake, reads and lifecycle moves. */
export const ordersHttp =
  (deps: { orders: OrderService; now: () => string; onIngest?: (source: string, created: boolean) => void }): FastifyPluginAsync =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>()

    r.post('/orders', {
      schema: {
        tags: ['orders'],
        summary: 'Create an order (idempotent on source + externalId and on the Idempotency-Key header)',
        headers: z.object({ 'idempotency-key': z.string().optional() }),
        body: OrderInput,
        response: { 200: OrderOut, 201: OrderOut, 409: ProblemSchema, 422: ProblemSchema },
      },
    }, async (req, reply) => {
      const result = await withIdempotencyKey(req.scope, req.headers['idempotency-key'], req.body, deps.now, async () => {
        const { id, created } = await deps.orders.ingest(req.scope, req.body, { actor: `api:${req.tenant.slug}`, defaultLocale: req.tenant.locale })
        deps.onIngest?.(req.body.source, created)
        return { status: created ? 201 : 200, body: await deps.orders.getOrThrow(req.scope, id) }
      })
      if (result.replayed) reply.header('idempotent-replayed', 'true')
      return reply.code(result.status as 200 | 201).send(result.body as never)
    })

    r.get('/orders', {
      schema: {
        tags: ['orders'],
        summary: 'List orders, newest first, with filters and cursor pagination',
        querystring: z
          .object({
            ...PageQuery,
            status: Status.optional(),
            customerId: z.string().max(100).optional(),
            email: z.string().max(320).optional(),
            source: OrderSource.optional(),
            placedFrom: z.iso.datetime({ offset: true }).optional(),
            placedTo: z.iso.datetime({ offset: true }).optional(),
          })
          .strict(),
        response: { 200: z.object({ items: z.array(OrderOut.omit({ history: true })), nextCursor: z.string().nullable() }) },
      },
    }, async (req) => {
      const { limit, cursor, ...filter } = req.query
      const items = await deps.orders.list(req.scope, { ...filter, limit, after: decodeCursor(cursor) })
      return page(items.map(({ history: _h, ...o }) => o), limit)
    })

    r.get('/orders/:id', {
      schema: { tags: ['orders'], summary: 'One order with its lines and lifecycle history', params: OrderId, response: { 200: OrderOut, 404: ProblemSchema } },
    }, async (req) => deps.orders.getOrThrow(req.scope, req.params.id))

    r.post('/orders/:id/transitions', {
      schema: {
        tags: ['orders'],
        summary: 'Move an order along its lifecycle; an illegal move answers 409 and changes nothing',
        params: OrderId,
        body: z.object({ to: Status, reason: z.string().max(500).optional() }).strict(),
        response: { 200: OrderOut, 404: ProblemSchema, 409: ProblemSchema },
      },
    }, async (req) => deps.orders.transition(req.scope, req.params.id, req.body.to, { reason: req.body.reason, actor: `api:${req.tenant.slug}` }))

    r.post('/orders/:id/cancel', {
      schema: {
        tags: ['orders'],
        summary: 'Cancel an order (allowed until it ships)',
        params: OrderId,
        body: z.object({ reason: z.string().max(500).optional() }).strict().optional(),
        response: { 200: OrderOut, 404: ProblemSchema, 409: ProblemSchema },
      },
    }, async (req) => deps.orders.transition(req.scope, req.params.id, 'cancelled', { reason: req.body?.reason, actor: `api:${req.tenant.slug}` }))

  }
