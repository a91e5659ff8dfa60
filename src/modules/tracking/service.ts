import type { Clock } from '../../platform/clock.js'
import type { Db } from '../../platform/db/index.js'
import { isUniqueViolation } from '../../platform/db/index.js'
import { fromJson, toJson } from '../../platform/db/json.js'
import { AppError, type FieldError } from '../../platform/errors.js'
import type { EventBus } from '../../platform/events.js'
import { newId, newToken, sha256Hex } from '../../platform/ids.js'
import { TenantDb } from '../../platform/tenancy.js'
import type { Order, OrderService } from '../orders/index.js'
import type { TenantService } from '../tenants/index.js'
import { detectCarriers, getCarrier, guessCarrierFromUrl, isCarrierCode, mapCarrierStatus, validateTrackingNumber } from './carriers/index.js'
import { assessLateness, estimateDelivery, type CarrierCode } from './delivery-estimate/index.js'
import { foldProgress, shipmentEventType } from './progress.js'
import { TrackingSettingsInput, type ShipmentInput, type TrackingEventInput, type TrackingSettings } from './schemas.js'
import { FINAL_STATUSES, type ShipmentStatus, type TimeSlot } from './status.js'
import type { ShipmentEventsTable, ShipmentLinesTable, ShipmentsTable } from './tables.js'

export interface ShipmentEvent {
  id: string
  status: ShipmentStatus
  rawStatus: string | null
  rawCode: string | null
  location: string | null
  occurredAt: string
  receivedAt: string
  source: string
}

export interface Shipment {
  id: string
  orderId: string
  source: string
  externalId: string | null
  carrier: string
  service: string | null
  trackingNumber: string | null
  trackingUrl: string | null
  origin: { location: string | null; prefectureCode: string | null; cutoff: string | null }
  destination: { prefectureCode: string | null; postalCode: string | null }
  timeSlot: TimeSlot | null
  requestedDate: string | null
  options: { leaveAt: string | null; pickupPoint: string | null; codAmount: number | null }
  currency: string
  status: ShipmentStatus
  statusAt: string
  pickedUpAt: string | null
  deliveredAt: string | null
  estimate: { date: string; earliest: string | null; latest: string | null; promisedDate: string | null } | null
  late: boolean
  trendingLate: boolean
  watch: string[]
  readyAt: string
  createdAt: string
  updatedAt: string
  lines: Array<{ orderLineId: string; quantity: number }>
  events: ShipmentEvent[]
}

export interface EventSource {
  source: string
  actor: string
}

const DEFAULT_SETTINGS: TrackingSettings = TrackingSettingsInput.parse({})

/**
 * Shipments and their tracking: creation (API, Shopify fulfilments, allocation), carrier events in
 * any order and any number of times, the delivery estimate re-made on every change, late and watch
 * detection. Every change writes its domain events in the same transaction.
 */
export class TrackingService {
  private zones = new Map<string, string>()

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly events: EventBus,
    private readonly orders: OrderService,
    private readonly tenants: TenantService,
  ) {}

  /** Runs `fn` in a transaction (or the caller's), retrying a lost compare-and-set race when it owns the transaction. */
  private async inTransaction<R>(scope: TenantDb, fn: (tx: TenantDb) => Promise<R>): Promise<R> {
    if (scope.db.isTransaction) return fn(scope)
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction((trx) => fn(scope.with(trx)))
      } catch (err) {
        const raced = (err instanceof AppError && err.code === 'SHIPMENT_CHANGED_CONCURRENTLY') || isUniqueViolation(err)
        if (!raced || attempt >= 12) throw err
        // n writers on one parcel need up to n-1 retries; a random pause keeps them from colliding in step.
        await new Promise((r) => setTimeout(r, Math.random() * 5 * (attempt + 1)))
      }
    }
  }

  /** The tenant's IANA zone (dates on pages and estimates are in it). */
  private async zone(scope: TenantDb): Promise<string> {
    let z = this.zones.get(scope.tenantId)
    if (!z) {
      // Read through the scope's executor: inside a transaction, a read on another connection could wait on it.
      z = (await this.tenants.find(scope.tenantId, scope.db)).timezone
      this.zones.set(scope.tenantId, z)
    }
    return z
  }

  /**
   * Creates a shipment of an order. Idempotent on (source, externalId): the same fulfilment sent
   * again returns the shipment made the first time. Validates the carrier's number (check digit),
   * service and time slot, and that no line ships more than was ordered.
   */
  async createShipment(scope: TenantDb, orderId: string, input: ShipmentInput, by: EventSource, opts: { lenient?: boolean } = {}): Promise<{ shipment: Shipment; created: boolean }> {
    const id = await this.inTransaction(scope, async (tx) => {
      if (input.externalId) {
        const existing = await tx.selectFrom('shipments').select('id').where('source', '=', by.source).where('external_id', '=', input.externalId).executeTakeFirst()
        if (existing) return { id: existing.id, created: false }
      }
      const order = await this.orders.get(tx, orderId)
      if (!order) throw new AppError('ORDER_NOT_FOUND', 'not_found', `No order with id ${orderId}.`)
      if (order.status === 'cancelled') throw new AppError('ORDER_CANCELLED', 'conflict', 'A cancelled order cannot be shipped.')
      const resolved = opts.lenient ? resolveCarrierLeniently(input) : resolveCarrier(input)
      const lines = await this.linesToShip(tx, order, input.lines, opts.lenient ?? false)
      const now = this.clock.now().toISOString()
      const shipmentId = newId('shp')
      const row: ShipmentsTable = {
        id: shipmentId, tenant_id: tx.tenantId, order_id: order.id, source: by.source, external_id: input.externalId ?? null,
        origin_location: input.origin?.location ?? null, origin_prefecture: input.origin?.prefectureCode ?? null, origin_cutoff: input.origin?.cutoff ?? null,
        carrier: resolved.carrier, service: input.service ?? null, tracking_number: resolved.trackingNumber, tracking_url: resolved.trackingUrl,
        time_slot: input.timeSlot ?? null, requested_date: input.requestedDate ?? null,
        leave_at: input.options?.leaveAt ?? null, pickup_point: input.options?.pickupPoint ?? null, cod_amount: input.options?.codAmount ?? null,
        currency: order.currency,
        destination_prefecture: order.shippingAddress?.prefectureCode ?? null, destination_postal_code: order.shippingAddress?.postalCode ?? null,
        status: 'label_created', status_at: input.readyAt ? new Date(input.readyAt).toISOString() : now, last_event_at: null, picked_up_at: null, delivered_at: null,
        estimated_date: null, estimated_earliest: null, estimated_latest: null, promised_date: null, late: 0, trending_late: 0, watch: '[]',
        next_check_at: null, delayed_for: null, ready_at: input.readyAt ? new Date(input.readyAt).toISOString() : now,
        created_at: now, updated_at: now, version: 1,
      }
      const { tenant_id: _t, ...insertable } = row
      await tx.insertInto('shipments', insertable).execute()
      await tx.insertInto('shipment_lines', lines.map((l) => ({ id: newId('shl'), shipment_id: shipmentId, order_line_id: l.lineId, quantity: l.quantity }))).execute()
      const data = { shipmentId, orderId: order.id, carrier: row.carrier, trackingNumber: row.tracking_number, source: by.source }
      await this.events.appendAll(tx, [
        { type: 'shipment.created', subject: shipmentId, data },
        ...(row.tracking_number ? [{ type: 'shipment.label_created', subject: shipmentId, data }] : []),
      ])
      await this.orders.recordShipped(tx, order.id, lines, { shipmentId, carrier: row.carrier, trackingNumber: row.tracking_number }, by.actor)
      await this.refresh(tx, row)
      return { id: shipmentId, created: true }
    })
    return { shipment: (await this.get(scope, id.id))!, created: id.created }
  }

  /** The order lines (and quantities) a new shipment takes: the requested ones, or all not yet shipped. */
  private async linesToShip(tx: TenantDb, order: Order, requested: ShipmentInput['lines'], clamp: boolean): Promise<Array<{ lineId: string; quantity: number }>> {
    const taken = new Map<string, number>()
    const shipmentIds = (await tx.selectFrom('shipments').select('id').where('order_id', '=', order.id).execute()).map((s) => s.id)
    if (shipmentIds.length > 0) {
      for (const l of await tx.selectFrom('shipment_lines').select(['order_line_id', 'quantity']).where('shipment_id', 'in', shipmentIds).execute()) {
        taken.set(l.order_line_id, (taken.get(l.order_line_id) ?? 0) + l.quantity)
      }
    }
    const left = (lineId: string) => {
      const line = order.lines.find((l) => l.id === lineId)
      return line ? line.quantity - (taken.get(lineId) ?? 0) : undefined
    }
    if (!requested) {
      const all = order.lines.filter((l) => l.requiresShipping && left(l.id)! > 0).map((l) => ({ lineId: l.id, quantity: left(l.id)! }))
      if (all.length === 0) throw new AppError('NOTHING_TO_SHIP', 'conflict', 'Every line of this order is already in a shipment.')
      return all
    }
    if (clamp) {
      // The shop already shipped it: record what fits rather than refuse the shop's fact.
      const fit = requested.map((l) => ({ lineId: l.orderLineId, quantity: Math.min(l.quantity, Math.max(0, left(l.orderLineId) ?? 0)) })).filter((l) => l.quantity > 0)
      if (fit.length > 0) return fit
    }
    const fields: FieldError[] = []
    const asked = new Map<string, number>()
    requested.forEach((l, i) => {
      const remaining = left(l.orderLineId)
      const total = (asked.get(l.orderLineId) ?? 0) + l.quantity
      asked.set(l.orderLineId, total)
      if (remaining === undefined) fields.push({ pointer: `/lines/${i}/orderLineId`, message: `no line ${l.orderLineId} in this order` })
      else if (total > remaining) fields.push({ pointer: `/lines/${i}/quantity`, message: `only ${remaining} left to ship on this line` })
    })
    if (fields.length > 0) throw new AppError('SHIPMENT_LINES_INVALID', 'invalid_data', 'Some lines cannot go in this shipment.', { fields })
    return [...asked].map(([lineId, quantity]) => ({ lineId, quantity }))
  }

  /**
   * Takes carrier events for a shipment. Repeats (same event id, or same status, words, place and
   * time) are recognised and ignored; events arriving out of order are placed by their time; a
   * delivered parcel never moves back. Unknown carrier words are refused with the word named.
   */
  async addEvents(scope: TenantDb, shipmentId: string, inputs: TrackingEventInput[], by: EventSource): Promise<{ accepted: number; duplicates: number; shipment: Shipment }> {
    const counts = await this.addEventCounts(scope, shipmentId, inputs, by)
    return { ...counts, shipment: (await this.get(scope, shipmentId))! }
  }

  /** `addEvents` without reading the shipment back (imports apply thousands). */
  async addEventCounts(scope: TenantDb, shipmentId: string, inputs: TrackingEventInput[], by: EventSource): Promise<{ accepted: number; duplicates: number }> {
    return this.inTransaction(scope, async (tx) => {
      const row = await tx.selectFrom('shipments').selectAll().where('id', '=', shipmentId).executeTakeFirst()
      if (!row) throw shipmentNotFound(shipmentId)
      const now = this.clock.now()
      const fields: FieldError[] = []
      const rows = inputs.map((e, i) => {
        const status = e.status ?? (e.rawStatus ? (isCarrierCode(row.carrier) ? mapCarrierStatus(row.carrier, e.rawStatus) : undefined) : undefined)
        if (!status) fields.push({ pointer: `/events/${i}/rawStatus`, message: `unknown ${row.carrier} status "${e.rawStatus}"; send status as well` })
        const occurredAt = new Date(e.occurredAt).toISOString()
        if (Date.parse(occurredAt) > now.getTime() + 15 * 60_000) fields.push({ pointer: `/events/${i}/occurredAt`, message: 'is in the future' })
        const dedupe = e.eventId ? `id:${e.eventId}` : `h:${sha256Hex([status, e.rawStatus ?? '', e.rawCode ?? '', e.location ?? '', occurredAt].join('\u0000')).slice(0, 32)}`
        return {
          id: newId('sev', now), shipment_id: row.id, status: status!, raw_status: e.rawStatus ?? null, raw_code: e.rawCode ?? null,
          location: e.location ?? null, occurred_at: occurredAt, received_at: now.toISOString(), source: by.source, dedupe_key: dedupe,
        }
      })
      if (fields.length > 0) throw new AppError('TRACKING_EVENTS_INVALID', 'invalid_data', 'Some tracking events cannot be used; none were recorded.', { fields })
      const keys = [...new Set(rows.map((r) => r.dedupe_key))]
      const known = new Set((await tx.selectFrom('shipment_events').select('dedupe_key').where('shipment_id', '=', row.id).where('dedupe_key', 'in', keys).execute()).map((r) => r.dedupe_key))
      const fresh = rows.filter((r) => !known.has(r.dedupe_key) && (known.add(r.dedupe_key), true))
      if (fresh.length > 0) {
        await tx.insertInto('shipment_events', fresh).execute()
        await this.refresh(tx, row)
      }
      return { accepted: fresh.length, duplicates: rows.length - fresh.length }
    })
  }

  /**
   * Events addressed by carrier and tracking number (carrier pushes, WMS files). Each row stands
   * alone: a row for an unknown parcel or with words we cannot read is reported by its line number,
   * the others are applied. `line` defaults to the row's 1-based position.
   */
  async addEventsByNumber(
    scope: TenantDb,
    rows: Array<TrackingEventInput & { carrier: string; trackingNumber: string; line?: number }>,
    by: EventSource,
  ): Promise<{ rows: number; accepted: number; duplicates: number; shipments: number; errors: Array<{ line: number; message: string }> }> {
    const errors: Array<{ line: number; message: string }> = []
    const groups = new Map<string, { shipmentId: string; carrier: string; events: TrackingEventInput[] }>()
    const ids = new Map<string, string | undefined>()
    for (const [i, row] of rows.entries()) {
      const line = row.line ?? i + 1
      const { carrier, trackingNumber, line: _l, ...event } = row
      if (!isCarrierCode(carrier)) {
        errors.push({ line, message: `unknown carrier "${carrier}"` })
        continue
      }
      const number = getCarrier(carrier).normalizeNumber(trackingNumber)
      const key = `${carrier}:${number}`
      if (!ids.has(key)) ids.set(key, await this.findByTrackingNumber(scope, carrier, number))
      const shipmentId = ids.get(key)
      if (!shipmentId) {
        errors.push({ line, message: `no shipment with ${carrier} tracking number ${trackingNumber}` })
        continue
      }
      if (!event.status && !(event.rawStatus && mapCarrierStatus(carrier, event.rawStatus))) {
        errors.push({ line, message: `unknown ${carrier} status "${event.rawStatus ?? ''}"` })
        continue
      }
      if (Date.parse(event.occurredAt) > this.clock.now().getTime() + 15 * 60_000) {
        errors.push({ line, message: `time ${event.occurredAt} is in the future` })
        continue
      }
      const g = groups.get(shipmentId) ?? { shipmentId, carrier, events: [] }
      g.events.push(event)
      groups.set(shipmentId, g)
    }
    let accepted = 0
    let duplicates = 0
    for (const g of groups.values()) {
      const r = await this.addEventCounts(scope, g.shipmentId, g.events, by)
      accepted += r.accepted
      duplicates += r.duplicates
    }
    return { rows: rows.length, accepted, duplicates, shipments: groups.size, errors }
  }

  /** Gives a shipment the tracking number it was created without (shops often add it later). */
  async attachTrackingNumber(scope: TenantDb, shipmentId: string, input: Pick<ShipmentInput, 'carrier' | 'trackingNumber' | 'trackingUrl'>, opts: { lenient?: boolean } = {}): Promise<boolean> {
    return this.inTransaction(scope, async (tx) => {
      const row = await tx.selectFrom('shipments').selectAll().where('id', '=', shipmentId).executeTakeFirst()
      if (!row) throw shipmentNotFound(shipmentId)
      if (row.tracking_number || !input.trackingNumber) return false
      const r = opts.lenient ? resolveCarrierLeniently(input) : resolveCarrier(input)
      const now = this.clock.now().toISOString()
      await tx.updateTable('shipments').set({ carrier: r.carrier, tracking_number: r.trackingNumber, tracking_url: r.trackingUrl, updated_at: now, version: row.version + 1 })
        .where('id', '=', row.id).where('version', '=', row.version).execute()
      await this.events.append(tx, 'shipment.label_created', row.id, { shipmentId: row.id, orderId: row.order_id, carrier: r.carrier, trackingNumber: r.trackingNumber })
      return true
    })
  }

  /** The shipment made from a source's own id (e.g. a Shopify fulfilment), if any. */
  async findByExternalId(scope: TenantDb, source: string, externalId: string): Promise<string | undefined> {
    const row = await scope.selectFrom('shipments').select('id').where('source', '=', source).where('external_id', '=', externalId).executeTakeFirst()
    return row?.id
  }

  /** Finds a shipment by carrier and tracking number (imports and carrier webhooks speak in numbers). */
  async findByTrackingNumber(scope: TenantDb, carrier: string, trackingNumber: string): Promise<string | undefined> {
    const number = isCarrierCode(carrier) ? getCarrier(carrier).normalizeNumber(trackingNumber) : trackingNumber.trim()
    const row = await scope.selectFrom('shipments').select('id').where('carrier', '=', carrier).where('tracking_number', '=', number).orderBy('id', 'desc').executeTakeFirst()
    return row?.id
  }

  /**
   * Re-derives a shipment's state from all its events: progress, estimate, lateness and watch list.
   * Writes and emits only what changed (compare-and-set on the version).
   */
  private async refresh(tx: TenantDb, row: ShipmentsTable): Promise<void> {
    const zone = await this.zone(tx)
    const settings = await this.settings(tx)
    const events = await tx.selectFrom('shipment_events').select(['status', 'occurred_at']).where('shipment_id', '=', row.id).execute()
    const timed = events.map((e) => ({ status: e.status, occurredAt: e.occurred_at }))
    const progress = foldProgress(row.ready_at, timed)
    const now = this.clock.now()
    const estimate = estimateDelivery({
      carrier: row.carrier as CarrierCode, service: row.service, originPrefecture: row.origin_prefecture,
      destinationPrefecture: row.destination_prefecture, destinationPostalCode: row.destination_postal_code,
      readyAt: row.ready_at, cutoff: row.origin_cutoff, timeZone: zone, requestedDate: row.requested_date, events: timed,
    })
    const promised = row.promised_date ?? estimate?.date ?? null
    const lateness = assessLateness({
      estimate, originalEstimate: promised ? { date: promised } : null, status: progress.status, lastEventAt: progress.lastEventAt ?? row.ready_at,
      readyAt: row.ready_at, pickedUpAt: progress.pickedUpAt, now: now.toISOString(), timeZone: zone, thresholds: settings.watch,
    })
    const final = FINAL_STATUSES.has(progress.status)
    const watch = [...lateness.watch].sort()
    const next: Partial<ShipmentsTable> = {
      status: progress.status, status_at: progress.statusAt, last_event_at: progress.lastEventAt, picked_up_at: progress.pickedUpAt, delivered_at: progress.deliveredAt,
      estimated_date: estimate?.date ?? null, estimated_earliest: estimate?.earliest ?? null, estimated_latest: estimate?.latest ?? null, promised_date: promised,
      late: lateness.late && !final ? 1 : 0, trending_late: lateness.trendingLate && !final ? 1 : 0, watch: toJson(final ? [] : watch),
    }
    next.next_check_at = final ? null : nextCheck(now, { ...row, ...next }, settings.watch)
    const changed = (Object.keys(next) as Array<keyof ShipmentsTable>).filter((k) => next[k] !== row[k])
    if (changed.length === 0) return
    const becameDelayed = (next.late === 1 || next.trending_late === 1) && next.estimated_date !== row.delayed_for && next.estimated_date !== null
    const res = await tx
      .updateTable('shipments')
      .set({ ...next, ...(becameDelayed ? { delayed_for: next.estimated_date } : {}), updated_at: now.toISOString(), version: row.version + 1 })
      .where('id', '=', row.id)
      .where('version', '=', row.version)
      .executeTakeFirst()
    if (Number(res.numUpdatedRows) !== 1) throw new AppError('SHIPMENT_CHANGED_CONCURRENTLY', 'conflict', 'The shipment changed while this request ran; retry it.')
    const base = { shipmentId: row.id, orderId: row.order_id, carrier: row.carrier, trackingNumber: row.tracking_number, estimatedDate: next.estimated_date }
    const out: Array<{ type: string; subject: string; data: Record<string, unknown> }> = []
    if (next.status !== row.status) {
      out.push({ type: shipmentEventType(next.status!), subject: row.id, data: { ...base, from: row.status, to: next.status, at: next.status_at } })
    }
    if (becameDelayed) {
      out.push({ type: 'shipment.delayed', subject: row.id, data: { ...base, promisedDate: promised, reason: next.late === 1 ? 'past_estimate' : 'trending_late', watch } })
    }
    if (out.length > 0) await this.events.appendAll(tx, out)
    if (next.status === 'delivered' && row.status !== 'delivered') await this.completeOrderIfDelivered(tx, row.order_id)
  }

  /** When every parcel of a fully shipped order has arrived, the order is delivered. */
  private async completeOrderIfDelivered(tx: TenantDb, orderId: string): Promise<void> {
    const statuses = await tx.selectFrom('shipments').select('status').where('order_id', '=', orderId).execute()
    if (statuses.every((s) => s.status === 'delivered')) await this.orders.advanceTo(tx, orderId, 'delivered', 'tracking')
  }

  /**
   * The watch sweep: looks again at shipments whose check time has come (an index, not a table scan),
   * so late parcels and parcels never picked up or not scanned for days are flagged without an event.
   * Returns how many it looked at.
   */
  async sweep(limit = 200): Promise<number> {
    const now = this.clock.now().toISOString()
    const due = await this.db.kysely.selectFrom('shipments').select(['id', 'tenant_id']).where('next_check_at', '<=', now).orderBy('next_check_at').limit(limit).execute()
    for (const d of due) {
      const scope = new TenantDb(d.tenant_id, this.db.kysely, this.db.dialect)
      await this.inTransaction(scope, async (tx) => {
        const row = await tx.selectFrom('shipments').selectAll().where('id', '=', d.id).executeTakeFirst()
        if (!row || !row.next_check_at || row.next_check_at > now) return
        // Always writes: at least the next check time moves on, so the sweep never spins on a row.
        await this.refresh(tx, row)
      })
    }
    return due.length
  }

  /** One shipment with its lines and (unless `events: false`) its tracking events. */
  async get(scope: TenantDb, id: string, opts: { events?: boolean } = {}): Promise<Shipment | undefined> {
    const row = await scope.selectFrom('shipments').selectAll().where('id', '=', id).executeTakeFirst()
    if (!row) return undefined
    return (await this.hydrate(scope, [row], opts.events !== false))[0]
  }

  async getOrThrow(scope: TenantDb, id: string): Promise<Shipment> {
    const s = await this.get(scope, id)
    if (!s) throw shipmentNotFound(id)
    return s
  }

  /** The shipments of one order, oldest first, with lines and events. */
  async forOrder(scope: TenantDb, orderId: string): Promise<Shipment[]> {
    const rows = await scope.selectFrom('shipments').selectAll().where('order_id', '=', orderId).orderBy('id').execute()
    return this.hydrate(scope, rows)
  }

  /** Newest first, with filters; `after` is the last id of the previous page. */
  async list(scope: TenantDb, f: { status?: ShipmentStatus; late?: boolean; watch?: boolean; carrier?: string; limit: number; after?: string }): Promise<Shipment[]> {
    let q = scope.selectFrom('shipments').selectAll().orderBy('id', 'desc').limit(f.limit)
    if (f.after) q = q.where('id', '<', f.after)
    if (f.status) q = q.where('status', '=', f.status)
    if (f.carrier) q = q.where('carrier', '=', f.carrier)
    if (f.late !== undefined) q = f.late ? q.where((eb) => eb.or([eb('late', '=', 1), eb('trending_late', '=', 1)])) : q.where('late', '=', 0).where('trending_late', '=', 0)
    if (f.watch !== undefined) q = q.where('watch', f.watch ? '<>' : '=', '[]')
    return this.hydrate(scope, await q.execute())
  }

  private async hydrate(scope: TenantDb, rows: ShipmentsTable[], withEvents = true): Promise<Shipment[]> {
    if (rows.length === 0) return []
    const ids = rows.map((r) => r.id)
    const [lines, events] = await Promise.all([
      scope.selectFrom('shipment_lines').selectAll().where('shipment_id', 'in', ids).orderBy('id').execute(),
      withEvents ? scope.selectFrom('shipment_events').selectAll().where('shipment_id', 'in', ids).execute() : [],
    ])
    return rows.map((r) => toShipment(r, lines.filter((l) => l.shipment_id === r.id), events.filter((e) => e.shipment_id === r.id)))
  }

  /** The brand's tracking settings (branding, support, CTAs, watch thresholds), defaults filled in. */
  async settings(scope: TenantDb): Promise<TrackingSettings> {
    const row = await scope.selectFrom('tracking_settings').select('settings').executeTakeFirst()
    return row ? TrackingSettingsInput.parse(fromJson(row.settings, {})) : DEFAULT_SETTINGS
  }

  /** Replaces the tracking settings; each CTA gets (or keeps) its tracked redirect link. */
  async updateSettings(scope: TenantDb, raw: unknown): Promise<TrackingSettings> {
    const settings = TrackingSettingsInput.parse(raw)
    const now = this.clock.now().toISOString()
    await this.inTransaction(scope, async (tx) => {
      const exists = await tx.selectFrom('tracking_settings').select('tenant_id').executeTakeFirst()
      if (exists) await tx.updateTable('tracking_settings').set({ settings: toJson(settings), updated_at: now }).execute()
      else await tx.insertInto('tracking_settings', { settings: toJson(settings), updated_at: now }).execute()
      const links = await tx.selectFrom('tracked_links').selectAll().execute()
      for (const cta of settings.ctas) {
        const utm = { utm_source: 'kando', utm_medium: 'tracking_page', utm_campaign: cta.utm?.campaign ?? cta.kind, utm_content: cta.id, utm_term: cta.utm?.term ?? null }
        const same = links.find((l) => l.cta_id === cta.id && l.destination === cta.url && l.utm_campaign === utm.utm_campaign && l.utm_term === utm.utm_term)
        // A changed destination gets a new link, so clicks counted before stay with the old one.
        if (!same) await tx.insertInto('tracked_links', { id: newToken(16), cta_id: cta.id, destination: cta.url, ...utm, created_at: now }).execute()
      }
    })
    this.pageCache.delete(scope.tenantId)
    return settings
  }

  /**
   * What the tracking page needs of a brand besides the order: settings and the current link of
   * each CTA. Cached for a few seconds per process (pages are hot; a settings change in this
   * process shows at once, in others within PAGE_CACHE_MS).
   */
  async pageSettings(scope: TenantDb): Promise<{ settings: TrackingSettings; links: Map<string, string>; timeZone: string }> {
    const hit = this.pageCache.get(scope.tenantId)
    if (hit && hit.until > Date.now()) return hit.value
    const [settings, links, timeZone] = await Promise.all([
      this.settings(scope),
      scope.selectFrom('tracked_links').select(['id', 'cta_id']).orderBy('created_at').execute(),
      this.zone(scope),
    ])
    const value = { settings, links: new Map(links.map((l) => [l.cta_id, l.id])), timeZone }
    this.pageCache.set(scope.tenantId, { until: Date.now() + PAGE_CACHE_MS, value })
    return value
  }
  private pageCache = new Map<string, { until: number; value: { settings: TrackingSettings; links: Map<string, string>; timeZone: string } }>()

  /**
   * Where a public `/l/:id` link goes: the CTA's destination with UTM parameters added (ones the
   * brand already put in the URL are kept). The id is the capability; unknown ids give undefined.
   */
  async resolveLink(id: string): Promise<{ tenantId: string; linkId: string; url: string } | undefined> {
    if (!/^[A-Za-z0-9_-]{22}$/.test(id)) return undefined
    const link = await this.db.kysely.selectFrom('tracked_links').selectAll().where('id', '=', id).executeTakeFirst()
    if (!link) return undefined
    const url = new URL(link.destination)
    const utm: Array<[string, string | null]> = [
      ['utm_source', link.utm_source], ['utm_medium', link.utm_medium], ['utm_campaign', link.utm_campaign], ['utm_content', link.utm_content], ['utm_term', link.utm_term],
    ]
    for (const [k, v] of utm) if (v && !url.searchParams.has(k)) url.searchParams.set(k, v)
    return { tenantId: link.tenant_id, linkId: link.id, url: url.toString() }
  }

  /**
   * Records a page view, link click or lookup for analytics. Buffered and written in batches
   * (a view must not cost a commit); flushed every second and on close, so a crash loses at most
   * the last second of counts, never an order or a shipment.
   */
  recordActivity(a: { tenantId: string; kind: 'page_view' | 'link_click' | 'lookup'; orderId?: string | null; linkId?: string | null; lang?: string | null; state?: string | null }): void {
    this.activity.push({ ...a, at: this.clock.now() })
    if (this.activity.length >= 500) void this.flushActivity()
    else if (!this.activityTimer) {
      this.activityTimer = setTimeout(() => void this.flushActivity(), 1000)
      this.activityTimer.unref()
    }
  }
  private activity: Array<{ tenantId: string; kind: string; orderId?: string | null; linkId?: string | null; lang?: string | null; state?: string | null; at: Date }> = []
  private activityTimer: NodeJS.Timeout | undefined

  /** Writes buffered activity now (also called on shutdown). */
  async flushActivity(): Promise<void> {
    if (this.activityTimer) clearTimeout(this.activityTimer)
    this.activityTimer = undefined
    const batch = this.activity.splice(0)
    const byTenant = new Map<string, typeof batch>()
    for (const a of batch) byTenant.set(a.tenantId, [...(byTenant.get(a.tenantId) ?? []), a])
    for (const [tenantId, rows] of byTenant) {
      await new TenantDb(tenantId, this.db.kysely, this.db.dialect)
        .insertInto('tracking_activity', rows.map((a) => ({ id: newId('tac', a.at), kind: a.kind, order_id: a.orderId ?? null, link_id: a.linkId ?? null, lang: a.lang ?? null, state: a.state ?? null, occurred_at: a.at.toISOString() })))
        .execute()
    }
  }

  /** Counts of views, clicks and lookups per kind (and per CTA link for clicks) since `from`. */
  async activitySummary(scope: TenantDb, from: string): Promise<{ pageViews: number; lookups: number; clicks: Array<{ ctaId: string; clicks: number }> }> {
    await this.flushActivity()
    const rows = await scope.selectFrom('tracking_activity').select(['kind', 'link_id']).select((eb) => eb.fn.countAll<number>().as('n'))
      .where('occurred_at', '>=', from).groupBy(['kind', 'link_id']).execute()
    const links = new Map((await scope.selectFrom('tracked_links').select(['id', 'cta_id']).execute()).map((l) => [l.id, l.cta_id]))
    const clicks = new Map<string, number>()
    for (const r of rows) if (r.kind === 'link_click' && r.link_id) clicks.set(links.get(r.link_id) ?? r.link_id, (clicks.get(links.get(r.link_id) ?? r.link_id) ?? 0) + Number(r.n))
    const count = (k: string) => rows.filter((r) => r.kind === k).reduce((s, r) => s + Number(r.n), 0)
    return { pageViews: count('page_view'), lookups: count('lookup'), clicks: [...clicks].map(([ctaId, n]) => ({ ctaId, clicks: n })) }
  }
}

const PAGE_CACHE_MS = 5000

/** Carrier, number and URL from the input: the named carrier, else the one the number or URL points to. */
function resolveCarrier(input: ShipmentInput): { carrier: string; trackingNumber: string | null; trackingUrl: string | null } {
  let carrier = input.carrier
  const raw = input.trackingNumber
  if (carrier !== undefined && !isCarrierCode(carrier)) {
    throw new AppError('CARRIER_UNKNOWN', 'invalid_data', `Unknown carrier "${carrier}".`, { fields: [{ pointer: '/carrier', message: 'one of yamato, sagawa, japan_post, seino, fukuyama, dhl, fedex, ups, other' }] })
  }
  if (!carrier && raw) carrier = detectCarriers(raw)[0]
  if (!carrier && input.trackingUrl) carrier = guessCarrierFromUrl(input.trackingUrl)
  if (!carrier) {
    throw new AppError('CARRIER_REQUIRED', 'invalid_data', 'Name the carrier: the tracking number does not identify one.', { fields: [{ pointer: '/carrier', message: 'required when the number is not recognisable' }] })
  }
  if (!isCarrierCode(carrier)) throw new AppError('CARRIER_UNKNOWN', 'invalid_data', `Unknown carrier "${carrier}".`)
  const adapter = getCarrier(carrier)
  if (input.service && adapter.services.length > 0 && !adapter.services.some((s) => s.code === input.service)) {
    throw new AppError('CARRIER_SERVICE_UNKNOWN', 'invalid_data', `${adapter.name.en} has no service "${input.service}".`, {
      fields: [{ pointer: '/service', message: `one of ${adapter.services.map((s) => s.code).join(', ')}` }],
    })
  }
  if (input.timeSlot && !adapter.timeSlots.includes(input.timeSlot)) {
    throw new AppError('TIME_SLOT_NOT_OFFERED', 'invalid_data', `${adapter.name.en} does not deliver in the ${input.timeSlot} slot.`, {
      fields: [{ pointer: '/timeSlot', message: `one of ${adapter.timeSlots.join(', ')}` }],
    })
  }
  let number: string | null = null
  if (raw) {
    const checked = validateTrackingNumber(carrier, raw, input.service ?? null)
    if (!checked.ok) {
      throw new AppError('TRACKING_NUMBER_INVALID', 'invalid_data', `"${raw}" is not a valid ${adapter.name.en} tracking number: ${checked.detail}`, {
        fields: [{ pointer: '/trackingNumber', message: checked.reason === 'check_digit' ? 'check digit does not match (mistyped?)' : checked.detail }],
        extra: { reason: checked.reason },
      })
    }
    number = checked.number
  }
  const url = input.trackingUrl ?? (number ? adapter.trackingUrl(number) : null)
  return { carrier, trackingNumber: number, trackingUrl: url }
}

/** As resolveCarrier, for facts from a shop: a number the carrier would refuse is kept under carrier "other" with the shop's link. */
function resolveCarrierLeniently(input: ShipmentInput): { carrier: string; trackingNumber: string | null; trackingUrl: string | null } {
  try {
    return resolveCarrier({ ...input, timeSlot: undefined, service: undefined })
  } catch (err) {
    if (!(err instanceof AppError) || err.kind !== 'invalid_data') throw err
    return { carrier: 'other', trackingNumber: input.trackingNumber?.trim() ?? null, trackingUrl: input.trackingUrl ?? null }
  }
}

/** When the watch sweep should look next: the earliest of the not-picked-up, no-scan, past-estimate and SLA moments still ahead. */
function nextCheck(now: Date, row: ShipmentsTable, w: TrackingSettings['watch']): string {
  const hour = 3600_000
  const ready = Date.parse(row.ready_at)
  const candidates = [
    row.picked_up_at ? Infinity : ready + w.notPickedUpHours * hour,
    Date.parse(row.last_event_at ?? row.ready_at) + w.noScanDays * 24 * hour,
    ready + w.slaDays * 24 * hour,
    row.estimated_date ? Date.parse(`${row.estimated_date}T15:00:00Z`) : Infinity, // next day 00:00 JST
  ].filter((t) => t > now.getTime())
  const at = Math.min(now.getTime() + 12 * hour, ...candidates)
  return new Date(at + 1000).toISOString()
}

export const shipmentNotFound = (id: string) => new AppError('SHIPMENT_NOT_FOUND', 'not_found', `No shipment with id ${id}.`)

function toShipment(r: ShipmentsTable, lines: ShipmentLinesTable[], events: ShipmentEventsTable[]): Shipment {
  return {
    id: r.id, orderId: r.order_id, source: r.source, externalId: r.external_id, carrier: r.carrier, service: r.service,
    trackingNumber: r.tracking_number, trackingUrl: r.tracking_url,
    origin: { location: r.origin_location, prefectureCode: r.origin_prefecture, cutoff: r.origin_cutoff },
    destination: { prefectureCode: r.destination_prefecture, postalCode: r.destination_postal_code },
    timeSlot: r.time_slot, requestedDate: r.requested_date,
    options: { leaveAt: r.leave_at, pickupPoint: r.pickup_point, codAmount: r.cod_amount === null ? null : Number(r.cod_amount) },
    currency: r.currency, status: r.status, statusAt: r.status_at, pickedUpAt: r.picked_up_at, deliveredAt: r.delivered_at,
    estimate: r.estimated_date ? { date: r.estimated_date, earliest: r.estimated_earliest, latest: r.estimated_latest, promisedDate: r.promised_date } : null,
    late: r.late === 1, trendingLate: r.trending_late === 1, watch: fromJson(r.watch, []), readyAt: r.ready_at, createdAt: r.created_at, updatedAt: r.updated_at,
    lines: lines.map((l) => ({ orderLineId: l.order_line_id, quantity: l.quantity })),
    events: events
      .map((e) => ({ id: e.id, status: e.status, rawStatus: e.raw_status, rawCode: e.raw_code, location: e.location, occurredAt: e.occurred_at, receivedAt: e.received_at, source: e.source }))
      .sort((a, b) => Date.parse(b.occurredAt) - Date.parse(a.occurredAt) || (a.id < b.id ? 1 : -1)),
  }
}
