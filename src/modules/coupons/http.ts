import type { FastifyPluginAsync } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Db } from '../../platform/db/index.js'
import { ProblemSchema } from '../../platform/http/schemas.js'
import { CouponPoolNotFound } from './errors.js'
import { MAX_CODES_PER_UPLOAD, PoolInput } from './schemas.js'
import type { CouponService } from './service.js'

export const CouponPoolOut = z.object({
  id: z.string(), name: z.string(), description: z.string().nullable(), expiresAt: z.string().nullable(), createdAt: z.string(),
  codes: z.object({ total: z.number(), issued: z.number(), remaining: z.number() }),
}).meta({ id: 'CouponPool' })

// 100,000 codes of up to 64 ASCII characters, quoted and comma-separated, fit in 8 MiB; the
// installation-wide limit (1 MiB by default) stays in force everywhere else.
const CODES_BODY_LIMIT = 8 * 1024 * 1024

/** `/api/v1/coupon-pools`: pools of single-use discount codes made in the brand's shop. */
export const couponsHttp =
  (deps: { coupons: CouponService; db: Db }): FastifyPluginAsync =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>()
    const PoolParams = z.object({ id: z.string().max(100) })

    r.post('/coupon-pools', {
      schema: {
        tags: ['coupons'], summary: 'Create a pool of single-use discount codes (add the codes next); it issues nothing after expiresAt',
        body: PoolInput, response: { 201: CouponPoolOut, 422: ProblemSchema },
      },
    }, async (req, reply) => reply.code(201).send(await deps.coupons.createPool(req.scope, req.body)))

    r.get('/coupon-pools', {
      schema: { tags: ['coupons'], summary: "The brand's coupon pools, newest first, with total, issued and remaining codes", response: { 200: z.object({ items: z.array(CouponPoolOut) }) } },
    }, async (req) => ({ items: await deps.coupons.listPools(req.scope) }))

    r.get('/coupon-pools/:id', {
      schema: { tags: ['coupons'], summary: 'One coupon pool with its code counts', params: PoolParams, response: { 200: CouponPoolOut, 404: ProblemSchema } },
    }, async (req) => {
      const pool = await deps.coupons.getPool(req.scope, req.params.id)
      if (!pool) throw new CouponPoolNotFound(req.params.id)
      return pool
    })

    r.post('/coupon-pools/:id/codes', {
      bodyLimit: CODES_BODY_LIMIT,
      schema: {
        tags: ['coupons'],
        summary: `Add up to ${MAX_CODES_PER_UPLOAD.toLocaleString('en')} codes: trimmed, 1–64 characters without control characters; codes already in the pool (ignoring case, as Shopify does) count as duplicates`,
        params: PoolParams,
        body: z.object({ codes: z.array(z.string()).min(1).max(MAX_CODES_PER_UPLOAD) }).strict(),
        response: { 200: z.object({ added: z.number(), duplicates: z.number(), pool: CouponPoolOut }), 404: ProblemSchema, 413: ProblemSchema, 422: ProblemSchema },
      },
    }, async (req) => {
      const result = await deps.db.transaction((trx) => deps.coupons.addCodes(req.scope.with(trx), req.params.id, req.body.codes))
      return { ...result, pool: (await deps.coupons.getPool(req.scope, req.params.id))! }
    })
  }
