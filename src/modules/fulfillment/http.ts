import type { FastifyPluginAsync } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { PageQuery, decodeCursor, page } from '../../platform/http/pagination.js'
import { ProblemSchema } from '../../platform/http/schemas.js'
import { FulfillmentSettingsInput, ParcelShippedInput, RateTableInput, WaveInput } from './schemas.js'
import type { FulfillmentService } from './service.js'

const Id = z.object({ id: z.string().min(1).max(100) })
const ParcelStatus = z.enum(['pending', 'picking', 'shipped', 'cancelled'])
const Line = z.object({ orderLineId: z.string(), sku: z.string(), quantity: z.number() })
const Cost = z.object({ shipping: z.number(), split: z.number(), lateness: z.number(), backorder: z.number(), total: z.number() })
export const ParcelOut = z.object({
  id: z.string(), labelRef: z.string(), orderId: z.string(), allocationId: z.string(), locationId: z.string(), status: ParcelStatus, temperature: z.string(), sizeBand: z.number(),
  shipDate: z.string(), deliveryDate: z.string(), daysLate: z.number(), shippingCost: z.number(), lines: z.array(Line), shortLines: z.array(Line),
  shipmentId: z.string().nullable(), cancelReason: z.string().nullable(), acknowledgedAt: z.string().nullable(), shippedAt: z.string().nullable(),
  cancelledAt: z.string().nullable(), createdAt: z.string(),
}).meta({ id: 'Parcel' })
const Candidate = z.object({ kind: z.string(), locations: z.array(z.string()).readonly(), cost: Cost.optional(), infeasible: z.string().optional(), chosen: z.boolean() })
const FulfilmentOut = z.object({
  orderId: z.string(),
  allocation: z.object({
    id: z.string(), orderId: z.string(), status: z.string(), mode: z.string(), trigger: z.string(), cost: Cost.nullable(),
    backorders: z.array(z.object({ sku: z.string(), quantity: z.number() })), candidates: z.array(Candidate), optimal: z.boolean(), reason: z.string().nullable(), createdAt: z.string(),
  }).nullable(),
  parcels: z.array(ParcelOut),
  backorderedUnits: z.number(),
  history: z.array(z.object({ id: z.string(), status: z.string(), trigger: z.string(), createdAt: z.string(), costTotal: z.number().nullable() })),
}).meta({ id: 'OrderFulfilment' })

/** `/api/v1`: allocation (per order, explained; waves), settings, and the warehouse's parcels (pull, acknowledge, shipped). */
export const fulfillmentHttp =
  (deps: { fulfillment: FulfillmentService }): FastifyPluginAsync =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>()
    r.get('/fulfillment/settings', {
      schema: { tags: ['fulfillment'], summary: 'Allocation rules: auto-allocate, ship complete or available, pinned/excluded locations, max parcels, penalties, promise days' },
    }, async (req) => deps.fulfillment.settings(req.scope))
    r.put('/fulfillment/settings', {
      schema: { tags: ['fulfillment'], summary: 'Replace the allocation rules', body: FulfillmentSettingsInput },
    }, async (req) => deps.fulfillment.updateSettings(req.scope, req.body))

    r.get('/fulfillment/rates', {
      schema: { tags: ['fulfillment'], summary: "The rate table allocation prices with: the brand's own, else the 3PL's, else Kando's illustrative default" },
    }, async (req) => deps.fulfillment.ratesFor(req.scope))

    r.get('/orders/:id/allocation', {
      schema: { tags: ['fulfillment'], summary: "Where an order ships from and why: the newest decision with every plan weighed and its cost, the parcels, the history", params: Id, response: { 200: FulfilmentOut } },
    }, async (req) => deps.fulfillment.forOrder(req.scope, req.params.id))
    r.post('/orders/:id/allocation', {
      schema: {
        tags: ['fulfillment'], summary: 'Allocate what of the order is not yet allocated; with reallocate, parcels still waiting for the warehouse are released and decided again',
        params: Id, body: z.object({ reallocate: z.boolean().default(false) }).strict().default({ reallocate: false }), response: { 200: FulfilmentOut, 404: ProblemSchema, 409: ProblemSchema },
      },
    }, async (req) => deps.fulfillment.allocateOrder(req.scope, req.params.id, { reallocate: req.body.reallocate, trigger: 'manual' }))
    r.post('/orders/:id/allocation/release', {
      schema: { tags: ['fulfillment'], summary: "Release the order's unshipped parcels (stock and capacity back)", params: Id, body: z.object({ reason: z.string().min(1).max(200).default('manual') }).strict().default({ reason: 'manual' }), response: { 200: FulfilmentOut } },
    }, async (req) => deps.fulfillment.releaseOrder(req.scope, req.params.id, req.body.reason))

    r.post('/fulfillment/waves', {
      schema: {
        tags: ['fulfillment'], summary: 'Allocate many open orders together (default: every order with backordered units), sharing scarce stock better than one by one',
        body: WaveInput.default({ limit: 5000 }),
        response: { 200: z.object({ orders: z.number(), allocated: z.number(), partial: z.number(), backordered: z.number(), totalCost: z.number(), parcels: z.number() }) },
      },
    }, async (req) => deps.fulfillment.wave(req.scope, req.body))

    r.get('/fulfillment/parcels', {
      schema: {
        tags: ['warehouse'], summary: "The warehouse's pull list: parcels by location, state (default pending) and ship day",
        querystring: z.object({ ...PageQuery, locationId: z.string().max(64).optional(), status: ParcelStatus.default('pending'), shipDate: z.iso.date().optional(), orderId: z.string().max(100).optional() }).strict(),
        response: { 200: z.object({ items: z.array(ParcelOut), nextCursor: z.string().nullable() }) },
      },
    }, async (req) => {
      const items = await deps.fulfillment.parcels(req.scope, { ...req.query, after: decodeCursor(req.query.cursor) })
      return page(items, req.query.limit)
    })
    r.get('/fulfillment/parcels/:id', {
      schema: { tags: ['warehouse'], summary: 'One parcel', params: Id, response: { 200: ParcelOut, 404: ProblemSchema } },
    }, async (req) => deps.fulfillment.parcel(req.scope, req.params.id))
    r.post('/fulfillment/parcels/acknowledge', {
      schema: {
        tags: ['warehouse'], summary: 'The warehouse took these parcels for picking (idempotent); they are no longer moved by re-allocation',
        body: z.object({ parcelIds: z.array(z.string().min(1).max(100)).min(1).max(1000) }).strict(),
        response: { 200: z.object({ acknowledged: z.array(z.string()), already: z.array(z.string()), refused: z.array(z.object({ id: z.string(), status: z.string() })) }) },
      },
    }, async (req) => deps.fulfillment.acknowledge(req.scope, req.body.parcelIds))
    r.get('/fulfillment/labels/:format', {
      schema: {
        tags: ['warehouse'],
        summary: "Carrier label import file (Yamato B2クラウド 'yamato-b2', Sagawa e飛伝Ⅲ 'sagawa-ehiden', e飛伝Ⅱ 'sagawa-ehiden2') for a location's parcels, Shift_JIS (CP932); what had to change is in Kando-Label-Warnings",
        params: z.object({ format: z.enum(['yamato-b2', 'sagawa-ehiden', 'sagawa-ehiden2']) }),
        querystring: z.object({ locationId: z.string().min(1).max(64), shipDate: z.iso.date().optional(), status: z.enum(['pending', 'picking', 'both']).default('both') }).strict(),
      },
    }, async (req, reply) => {
      const statuses: Array<'pending' | 'picking'> = req.query.status === 'both' ? ['pending', 'picking'] : [req.query.status]
      const file = await deps.fulfillment.labels(req.scope, req.params.format, { locationId: req.query.locationId, shipDate: req.query.shipDate, statuses })
      reply.header('content-type', file.contentType)
      reply.header('content-disposition', `attachment; filename="${file.filename}"`)
      reply.header('kando-label-parcels', String(file.parcels))
      // Header values are Latin-1: the warnings go as percent-encoded JSON.
      reply.header('kando-label-warnings', encodeURIComponent(JSON.stringify(file.warnings.slice(0, 20))))
      return reply.send(file.body)
    })
    r.post('/fulfillment/parcels/:id/shipped', {
      schema: {
        tags: ['warehouse'], summary: 'The parcel left: it becomes a shipment with its tracking number; a short pick is allocated again (idempotent)',
        params: Id, body: ParcelShippedInput,
        response: { 200: z.object({ parcel: ParcelOut, shipmentId: z.string(), reallocated: z.boolean() }), 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema },
      },
    }, async (req) => deps.fulfillment.shipped(req.scope, req.params.id, req.body))
  }

/** `/api/v1/operator` (behind the operator key): the 3PL's contracted rate table. */
export const operatorRatesHttp =
  (deps: { fulfillment: FulfillmentService }): FastifyPluginAsync =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>()
    r.get('/rates', { schema: { tags: ['operator'], summary: "The installation's rate table (Kando's illustrative default until one is set)" } }, async () => deps.fulfillment.operatorRates())
    r.put('/rates', {
      schema: { tags: ['operator'], summary: 'Replace the rate table: yen per size band per tier, the tier of every region pair, cool surcharge, COD fee', body: RateTableInput },
    }, async (req) => deps.fulfillment.putOperatorRates(req.body))
  }
