import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { jsonSchemaTransform, jsonSchemaTransformObject, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Kando } from '../../kando.js'
import { pingDb } from '../db/index.js'
import { requireApiKey, requireOperatorKey } from './auth.js'
import { strictJsonParser } from './json-body.js'
import { errorToProblem, problem, sendProblem } from './problem.js'
import { eventsHttp } from './events-http.js'
import { ordersHttp } from '../../modules/orders/http.js'
import { catalogHttp } from '../../modules/catalog/http.js'
import { providerWebhooks } from '../../modules/notifications/provider-webhooks.js'
import { preferencePages } from '../../pages/preferences/routes.js'
import { notificationsHttp } from '../../modules/notifications/http.js'
import { customersHttp } from '../../modules/customers/http.js'
import { shopifyWebhookHttp } from '../../integrations/shopify/http.js'
import { trackingHttp } from '../../modules/tracking/http.js'
import { trackingPages } from '../../pages/tracking/routes.js'
import { inventoryHttp, operatorLocationsHttp } from '../../modules/inventory/http.js'
import { fulfillmentHttp, operatorRatesHttp } from '../../modules/fulfillment/http.js'
import { couponsHttp } from '../../modules/coupons/http.js'
import { flowsHttp } from '../../modules/flows/http.js'
import { reviewsHttp } from '../../modules/reviews/http.js'
import { returnsHttp } from '../../modules/returns/http.js'
import { reviewPages } from '../../pages/reviews/routes.js'
import { returnPages } from '../../pages/returns/routes.js'

/** The whole HTTP surface of Kando (paths are stable API; see DESIGN.md). */
export async function buildHttp(kando: Kando): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: kando.log as FastifyBaseLogger,
    bodyLimit: kando.config.bodyLimitBytes,
    // Per-request log lines only when debugging: at thousands of webhooks a second they are noise and cost.
    logController: new LogController({ disableRequestLogging: kando.config.logLevel !== 'debug' && kando.config.logLevel !== 'trace' }),
  })
  app.setValidatorCompiler(validatorCompiler)
  // Response schemas document the API; the bodies themselves are written with JSON.stringify.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data))
  strictJsonParser(app)

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Kando API', version: '1', description: 'Post-purchase experience platform: orders, events and more. Authenticate with `Authorization: Bearer <api key>`.' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })

  app.setErrorHandler((error, request, reply) => {
    const p = errorToProblem(error, request)
    if (p.status >= 500) request.log.error({ err: error }, 'request failed')
    return sendProblem(reply, p)
  })
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problem(404, 'ROUTE_NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}.`, { instance: request.url })),
  )
  app.addHook('onResponse', async (request, reply) => {
    kando.metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    )
  })

  const r = app.withTypeProvider<ZodTypeProvider>()
  r.get('/healthz', {
    schema: { tags: ['ops'], summary: 'Liveness and database check', security: [], response: { 200: z.object({ status: z.literal('ok'), database: z.string(), queue: z.string() }) } },
  }, async (_req, reply) => {
    try {
      await pingDb(kando.db)
    } catch (err) {
      return sendProblem(reply, problem(503, 'DATABASE_UNAVAILABLE', `The database does not answer: ${(err as Error).message}`))
    }
    return { status: 'ok' as const, database: kando.db.dialect, queue: kando.queue.engine }
  })
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.type(kando.metrics.registry.contentType)
    return kando.metrics.registry.metrics()
  })

  await app.register(
    async (api) => {
      requireApiKey(api, { authenticate: (k) => kando.tenants.authenticate(k), scope: (id) => kando.scope(id) })
      api.withTypeProvider<ZodTypeProvider>().get('/tenant', {
        schema: { tags: ['tenant'], summary: 'The brand this API key belongs to' },
      }, async (req) => req.tenant)
      await api.register(ordersHttp({ orders: kando.orders, now: () => kando.clock.now().toISOString(), onIngest: (source, created) => kando.metrics.ordersIngested.inc({ source, result: created ? 'created' : 'existing' }) }))
      await api.register(catalogHttp({ catalog: kando.catalog, db: kando.db }))
      await api.register(customersHttp({ customers: kando.customers, db: kando.db }))
      await api.register(notificationsHttp({ notifications: kando.notifications, now: () => kando.clock.now().toISOString() }))
      await api.register(trackingHttp({ tracking: kando.tracking, now: () => kando.clock.now().toISOString() }))
      await api.register(inventoryHttp({ inventory: kando.inventory }))
      await api.register(fulfillmentHttp({ fulfillment: kando.fulfillment }))
      await api.register(couponsHttp({ coupons: kando.coupons, db: kando.db }))
      await api.register(flowsHttp({ flows: kando.flows }))
      await api.register(reviewsHttp({ reviews: kando.reviews }))
      await api.register(returnsHttp({ returns: kando.returns }))
      await api.register(eventsHttp)
    },
    { prefix: '/api/v1' },
  )
  await app.register(
    async (operator) => {
      requireOperatorKey(operator, kando.config.operatorKey)
      await operator.register(operatorLocationsHttp({ inventory: kando.inventory }))
      await operator.register(operatorRatesHttp({ fulfillment: kando.fulfillment }))
    },
    { prefix: '/api/v1/operator' },
  )
  await app.register(shopifyWebhookHttp(kando.shopify), { prefix: '/webhooks/shopify' })
  await app.register(providerWebhooks({ notifications: kando.notifications, tenants: kando.tenants, scope: kando.scope, publicUrl: kando.config.publicUrl }))
  await app.register(preferencePages({ db: kando.db, notifications: kando.notifications, customers: kando.customers, tenants: kando.tenants, scope: kando.scope }))
  await app.register(reviewPages({ reviews: kando.reviews, notifications: kando.notifications, tenants: kando.tenants, scope: kando.scope }))
  await app.register(returnPages({ returns: kando.returns, orders: kando.orders, customers: kando.customers, notifications: kando.notifications, tenants: kando.tenants, scope: kando.scope, now: () => kando.clock.now() }))
  await app.register(trackingPages({
    orders: kando.orders, tracking: kando.tracking, catalog: kando.catalog, tenants: kando.tenants, scope: kando.scope,
    onMessageClick: (tenantId, orderId, messageId) => {
      kando.notifications.recordClick(tenantId, orderId, messageId, 'tracking_page').catch((err) => kando.log.warn({ err }, 'recording a message click failed'))
    },
  }))
  return app
}
