import type { FastifyPluginAsync } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ProblemSchema } from '../../platform/http/schemas.js'
import { importStockCsv } from './import.js'
import { ItemInput, LocationInput, StockDeltaInput, StockSnapshotInput } from './schemas.js'
import type { InventoryService } from './service.js'

export const LocationOut = z.object({
  id: z.string(), name: z.string(), kind: z.string(), prefectureCode: z.string(), lat: z.number(), lon: z.number(), carriers: z.array(z.string()),
  cutoff: z.string(), dailyCapacity: z.number(), capabilities: z.array(z.string()), closedWeekdays: z.array(z.number()), closedDates: z.array(z.string()),
  active: z.boolean(), createdAt: z.string(), updatedAt: z.string(),
}).meta({ id: 'Location' })
const StockOut = z.object({ sku: z.string(), locationId: z.string(), onHand: z.number(), reserved: z.number(), available: z.number(), snapshotSeq: z.number().nullable(), updatedAt: z.string() })
const SyncOut = z.object({ applied: z.number(), stale: z.number(), overReserved: z.array(z.object({ sku: z.string(), locationId: z.string(), quantity: z.number() })) })
const ItemOut = z.object({ sku: z.string(), sizeBand: z.number(), temperature: z.string(), requires: z.array(z.string()) })

const stockCursor = (s: { sku: string; locationId: string }) => Buffer.from(`${s.sku}\u0000${s.locationId}`).toString('base64url')

/** `/api/v1`: the locations a brand's stock sits in, its items and stock, WMS snapshots, deltas and files. */
export const inventoryHttp =
  (deps: { inventory: InventoryService }): FastifyPluginAsync =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>()
    r.get('/locations', {
      schema: { tags: ['inventory'], summary: "The 3PL's active locations (fulfilment centres, warehouses, stores)", response: { 200: z.object({ items: z.array(LocationOut) }) } },
    }, async () => ({ items: await deps.inventory.listLocations({ activeOnly: true }) }))

    r.put('/inventory/items', {
      schema: {
        tags: ['inventory'], summary: 'Describe how SKUs ship: size band (60–160), temperature (ambient, cool, frozen), needed capabilities',
        body: z.object({ items: z.array(ItemInput).min(1).max(5000) }).strict(), response: { 200: z.object({ items: z.array(ItemOut) }), 422: ProblemSchema },
      },
    }, async (req) => ({ items: await deps.inventory.putItems(req.scope, req.body.items) }))

    r.get('/stock', {
      schema: {
        tags: ['inventory'], summary: 'Stock per SKU and location: on hand, reserved, available',
        querystring: z.object({ sku: z.string().max(100).optional(), locationId: z.string().max(64).optional(), limit: z.coerce.number().int().min(1).max(1000).default(100), cursor: z.string().max(300).optional() }).strict(),
        response: { 200: z.object({ items: z.array(StockOut), nextCursor: z.string().nullable() }) },
      },
    }, async (req) => {
      const after = req.query.cursor ? Buffer.from(req.query.cursor, 'base64url').toString('utf8') : undefined
      const items = await deps.inventory.stock(req.scope, { sku: req.query.sku, locationId: req.query.locationId, limit: req.query.limit, after })
      const last = items[items.length - 1]
      return { items, nextCursor: items.length === req.query.limit && last ? stockCursor(last) : null }
    })

    r.get('/stock/:sku/movements', {
      schema: {
        tags: ['inventory'], summary: "A SKU's stock ledger, newest first: snapshots, deltas, reservations, releases, shipments, short picks",
        params: z.object({ sku: z.string().min(1).max(100) }), querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict(),
      },
    }, async (req) => ({ items: await deps.inventory.movements(req.scope, req.params.sku, req.query.limit) }))

    r.post('/stock/snapshots', {
      schema: {
        tags: ['inventory'], summary: 'WMS snapshot: absolute on-hand at one location as of seq; an older snapshot never overwrites a newer one',
        body: StockSnapshotInput, response: { 200: SyncOut, 422: ProblemSchema },
      },
    }, async (req) => deps.inventory.applySnapshot(req.scope, req.body))

    r.post('/stock/deltas', {
      schema: {
        tags: ['inventory'], summary: 'WMS deltas: signed changes at one location, numbered by seq; a repeated (location, seq, sku) applies once',
        body: StockDeltaInput, response: { 200: SyncOut, 422: ProblemSchema },
      },
    }, async (req) => deps.inventory.applyDelta(req.scope, req.body))

    await app.register(async (files) => {
      files.addContentTypeParser(['text/csv', 'application/octet-stream'], { parseAs: 'buffer' }, (_req, body, done) => done(null, body))
      files.withTypeProvider<ZodTypeProvider>().post('/stock/imports', {
        schema: {
          tags: ['inventory'], summary: 'Stock file (CSV, UTF-8 or Shift_JIS): location, sku, on_hand per row, applied as snapshots at seq',
          querystring: z.object({ seq: z.coerce.number().int().min(0) }).strict(),
          response: { 200: SyncOut.extend({ rows: z.number(), errors: z.array(z.object({ line: z.number(), message: z.string() })) }), 422: ProblemSchema },
        },
      }, async (req) => importStockCsv(deps.inventory, req.scope, req.body as Buffer, { seq: req.query.seq }))
    })
  }

/** `/api/v1/operator` (behind the operator key): the 3PL's locations; brands only read them. */
export const operatorLocationsHttp =
  (deps: { inventory: InventoryService }): FastifyPluginAsync =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>()
    r.get('/locations', {
      schema: { tags: ['operator'], summary: 'Every location, active or not', response: { 200: z.object({ items: z.array(LocationOut) }) } },
    }, async () => ({ items: await deps.inventory.listLocations() }))
    r.put('/locations/:id', {
      schema: {
        tags: ['operator'], summary: 'Create or replace a location (prefecture, coordinates, carriers, cut-off, capacity, capabilities, calendar)',
        params: z.object({ id: z.string().min(1).max(64) }), body: LocationInput, response: { 200: LocationOut, 201: LocationOut, 401: ProblemSchema, 403: ProblemSchema, 422: ProblemSchema },
      },
    }, async (req, reply) => {
      const { location, created } = await deps.inventory.putLocation(req.params.id, req.body)
      return reply.code(created ? 201 : 200).send(location)
    })
  }
