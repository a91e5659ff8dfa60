import type { FastifyPluginAsync } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError } from '../../platform/errors.js'
import { PageQuery, decodeCursor, page } from '../../platform/http/pagination.js'
import { ProblemSchema } from '../../platform/http/schemas.js'
import type { CustomerService } from './service.js'

const CustomerOut = z.object({
  id: z.string(), email: z.string().nullable(), phone: z.string().nullable(), firstName: z.string().nullable(), lastName: z.string().nullable(),
  locale: z.string(), lineUserId: z.string().nullable(), externalIds: z.record(z.string(), z.string()), acceptsMarketing: z.boolean(),
  createdAt: z.string(), updatedAt: z.string(),
}).meta({ id: 'Customer' })

/** `/api/v1/customers`. */
export const customersHttp =
  (deps: { customers: CustomerService }): FastifyPluginAsync =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>()
    r.get('/customers', {
      schema: { tags: ['customers'], summary: 'List customers, newest first', querystring: z.object({ ...PageQuery, email: z.string().max(320).optional() }).strict(), response: { 200: z.object({ items: z.array(CustomerOut), nextCursor: z.string().nullable() }) } },
    }, async (req) => page(await deps.customers.list(req.scope, { limit: req.query.limit, after: decodeCursor(req.query.cursor), email: req.query.email }), req.query.limit))
    r.get('/customers/:id', {
      schema: { tags: ['customers'], summary: 'One customer', params: z.object({ id: z.string().max(100) }), response: { 200: CustomerOut, 404: ProblemSchema } },
    }, async (req) => {
      const c = await deps.customers.get(req.scope, req.params.id)
      if (!c) throw new AppError('CUSTOMER_NOT_FOUND', 'not_found', `No customer with id ${req.params.id}.`)
      return c
    })
  }
