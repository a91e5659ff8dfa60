import type { FastifyPluginAsync } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError } from '../../platform/errors.js'
import { PageQuery, decodeCursor, page } from '../../platform/http/pagination.js'
import { ProblemSchema } from '../../platform/http/schemas.js'
import type { Db } from '../../platform/db/index.js'
import { ProductInput, type CatalogService } from './service.js'

const VariantOut = z.object({
  id: z.string(), productId: z.string(), externalId: z.string().nullable(), sku: z.string().nullable(), barcode: z.string().nullable(),
  title: z.string(), price: z.number(), currency: z.string(), weightGrams: z.number().nullable(), imageUrl: z.string().nullable(),
  replenishAfterDays: z.number().nullable(),
}).meta({ id: 'Variant' })
const ProductOut = z.object({
  id: z.string(), source: z.string(), externalId: z.string().nullable(), title: z.string(), vendor: z.string().nullable(),
  productType: z.string().nullable(), tags: z.array(z.string()), imageUrl: z.string().nullable(), replenishAfterDays: z.number().nullable(),
  createdAt: z.string(), updatedAt: z.string(), variants: z.array(VariantOut),
}).meta({ id: 'Product' })

/** `/api/v1/products`, `/api/v1/variants`. */
export const catalogHttp =
  (deps: { catalog: CatalogService; db: Db }): FastifyPluginAsync =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>()
    r.post('/products', {
      schema: { tags: ['catalog'], summary: 'Create or update a product and its variants (matched by externalId / SKU)', body: ProductInput, response: { 200: ProductOut, 201: ProductOut, 409: ProblemSchema, 422: ProblemSchema } },
    }, async (req, reply) => {
      const { product, created } = await deps.db.transaction((trx) => deps.catalog.upsertProduct(req.scope.with(trx), req.body))
      return reply.code(created ? 201 : 200).send(product)
    })
    r.get('/products', {
      schema: { tags: ['catalog'], summary: 'List products, newest first', querystring: z.object(PageQuery).strict(), response: { 200: z.object({ items: z.array(ProductOut), nextCursor: z.string().nullable() }) } },
    }, async (req) => page(await deps.catalog.listProducts(req.scope, { limit: req.query.limit, after: decodeCursor(req.query.cursor) }), req.query.limit))
    r.get('/products/:id', {
      schema: { tags: ['catalog'], summary: 'One product with its variants', params: z.object({ id: z.string().max(100) }), response: { 200: ProductOut, 404: ProblemSchema } },
    }, async (req) => {
      const p = await deps.catalog.getProduct(req.scope, req.params.id)
      if (!p) throw new AppError('PRODUCT_NOT_FOUND', 'not_found', `No product with id ${req.params.id}.`)
      return p
    })
    r.get('/variants/by-sku/:sku', {
      schema: { tags: ['catalog'], summary: 'Look a variant up by SKU', params: z.object({ sku: z.string().min(1).max(100) }), response: { 200: VariantOut, 404: ProblemSchema } },
    }, async (req) => {
      const v = await deps.catalog.variantBySku(req.scope, req.params.sku)
      if (!v) throw new AppError('VARIANT_NOT_FOUND', 'not_found', `No variant with SKU ${req.params.sku}.`)
      return v
    })
  }
