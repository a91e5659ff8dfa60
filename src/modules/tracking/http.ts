import type { FastifyPluginAsync } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { withIdempotencyKey } from '../../platform/http/idempotency.js'
import { PageQuery, decodeCursor, page } from '../../platform/http/pagination.js'
import { ProblemSchema } from '../../platform/http/schemas.js'
import { importTrackingCsv } from './import.js'
import { ShipmentInput, TrackingEventInput, TrackingEventsBody, TrackingSettingsInput } from './schemas.js'
import type { TrackingService } from './service.js'
import { SHIPMENT_STATUSES, TIME_SLOTS } from './status.js'

const Status = z.enum(SHIPMENT_STATUSES)
const Id = z.object({ id: z.string().min(1).max(100) })

const EventOut = z.object({
  id: z.string(), status: Status, rawStatus: z.string().nullable(), rawCode: z.string().nullable(), location: z.string().nullable(),
  occurredAt: z.string(), receivedAt: z.string(), source: z.string(),
})
export const ShipmentOut = z
  .object({
    id: z.string(), orderId: z.string(), source: z.string(), externalId: z.string().nullable(), carrier: z.string(), service: z.string().nullable(),
    trackingNumber: z.string().nullable(), trackingUrl: z.string().nullable(),
    origin: z.object({ location: z.string().nullable(), prefectureCode: z.string().nullable(), cutoff: z.string().nullable() }),
    destination: z.object({ prefectureCode: z.string().nullable(), postalCode: z.string().nullable() }),
    timeSlot: z.enum(TIME_SLOTS).nullable(), requestedDate: z.string().nullable(),
    options: z.object({ leaveAt: z.string().nullable(), pickupPoint: z.string().nullable(), codAmount: z.number().nullable() }),
    currency: z.string(), status: Status, statusAt: z.string(), pickedUpAt: z.string().nullable(), deliveredAt: z.string().nullable(),
    estimate: z.object({ date: z.string(), earliest: z.string().nullable(), latest: z.string().nullable(), promisedDate: z.string().nullable() }).nullable(),
    late: z.boolean(), trendingLate: z.boolean(), watch: z.array(z.string()), readyAt: z.string(), createdAt: z.string(), updatedAt: z.string(),
    lines: z.array(z.object({ orderLineId: z.string(), quantity: z.number() })),
    events: z.array(EventOut),
  })
  .meta({ id: 'Shipment' })

const ImportResult = z.object({
  rows: z.number(), accepted: z.number(), duplicates: z.number(), shipments: z.number(),
  errors: z.array(z.object({ line: z.number(), message: z.string() })),
})

/** `/api/v1`: shipments, tracking events in (one shipment, by carrier number, CSV files) and tracking-page settings. */
export const trackingHttp =
  (deps: { tracking: TrackingService; now: () => string }): FastifyPluginAsync =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>()
    const actor = (slug: string) => ({ source: 'api', actor: `api:${slug}` })

    r.post('/orders/:id/shipments', {
      schema: {
        tags: ['shipments'],
        summary: 'Create a shipment (parcel) of an order; idempotent on externalId and on Idempotency-Key',
        params: Id, headers: z.object({ 'idempotency-key': z.string().optional() }), body: ShipmentInput,
        response: { 200: ShipmentOut, 201: ShipmentOut, 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema },
      },
    }, async (req, reply) => {
      const result = await withIdempotencyKey(req.scope, req.headers['idempotency-key'], { order: req.params.id, ...req.body }, deps.now, async () => {
        const { shipment, created } = await deps.tracking.createShipment(req.scope, req.params.id, req.body, actor(req.tenant.slug))
        return { status: created ? 201 : 200, body: shipment }
      })
      if (result.replayed) reply.header('idempotent-replayed', 'true')
      return reply.code(result.status as 200 | 201).send(result.body as never)
    })

    r.get('/orders/:id/shipments', {
      schema: { tags: ['shipments'], summary: "An order's shipments with lines and events", params: Id, response: { 200: z.object({ items: z.array(ShipmentOut) }) } },
    }, async (req) => ({ items: await deps.tracking.forOrder(req.scope, req.params.id) }))

    r.get('/shipments', {
      schema: {
        tags: ['shipments'],
        summary: 'List shipments, newest first: filter by status, carrier, late (past or trending past the estimate) or watch list',
        querystring: z
          .object({
            ...PageQuery,
            status: Status.optional(),
            carrier: z.string().max(30).optional(),
            late: z.enum(['true', 'false']).optional(),
            watch: z.enum(['true', 'false']).optional(),
          })
          .strict(),
        response: { 200: z.object({ items: z.array(ShipmentOut), nextCursor: z.string().nullable() }) },
      },
    }, async (req) => {
      const { limit, cursor, late, watch, ...f } = req.query
      const items = await deps.tracking.list(req.scope, {
        ...f, limit, after: decodeCursor(cursor),
        late: late === undefined ? undefined : late === 'true', watch: watch === undefined ? undefined : watch === 'true',
      })
      return page(items, limit)
    })

    r.get('/shipments/:id', {
      schema: { tags: ['shipments'], summary: 'One shipment with its lines, events (newest first) and estimate', params: Id, response: { 200: ShipmentOut, 404: ProblemSchema } },
    }, async (req) => deps.tracking.getOrThrow(req.scope, req.params.id))

    r.post('/shipments/:id/events', {
      schema: {
        tags: ['shipments'],
        summary: "Add carrier events; repeats and out-of-order events are handled, a delivered parcel never moves back",
        params: Id, body: TrackingEventsBody,
        response: { 200: z.object({ accepted: z.number(), duplicates: z.number(), shipment: ShipmentOut }), 404: ProblemSchema, 422: ProblemSchema },
      },
    }, async (req) => deps.tracking.addEvents(req.scope, req.params.id, req.body.events, actor(req.tenant.slug)))

    r.post('/carriers/:carrier/events', {
      schema: {
        tags: ['shipments'],
        summary: 'Carrier / WMS status push: events addressed by tracking number',
        params: z.object({ carrier: z.string().min(1).max(30) }),
        body: z.object({ events: z.array(z.intersection(z.object({ trackingNumber: z.string().min(1).max(40) }), TrackingEventInput)).min(1).max(1000) }),
        response: { 200: ImportResult, 422: ProblemSchema },
      },
    }, async (req) => {
      const rows = req.body.events.map((e) => ({ ...e, carrier: req.params.carrier }))
      return deps.tracking.addEventsByNumber(req.scope, rows, { source: `carrier:${req.params.carrier}`, actor: `api:${req.tenant.slug}` })
    })

    app.addContentTypeParser(['text/csv', 'application/octet-stream'], { parseAs: 'buffer' }, (_req, body, done) => done(null, body))
    r.post('/tracking/imports', {
      schema: {
        tags: ['shipments'],
        summary: 'Import a carrier or WMS status file (CSV, Shift_JIS or UTF-8); bad rows are reported, good rows applied',
        querystring: z.object({ carrier: z.string().min(1).max(30).optional() }).strict(),
        response: { 200: ImportResult, 400: ProblemSchema, 415: ProblemSchema },
      },
    }, async (req) => importTrackingCsv(deps.tracking, req.scope, req.body as Buffer, { carrier: req.query.carrier, source: 'import', actor: `api:${req.tenant.slug}` }))

    r.get('/tracking/settings', {
      schema: { tags: ['tracking page'], summary: 'Tracking page branding, support contacts, CTA blocks and watch thresholds' },
    }, async (req) => deps.tracking.settings(req.scope))

    r.put('/tracking/settings', {
      schema: { tags: ['tracking page'], summary: 'Replace the tracking page settings', body: TrackingSettingsInput, response: { 200: TrackingSettingsInput, 422: ProblemSchema } },
    }, async (req) => deps.tracking.updateSettings(req.scope, req.body))
  }
