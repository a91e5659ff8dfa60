import type { Logger } from 'pino'
import type { Clock } from '../../platform/clock.js'
import type { Db, Executor } from '../../platform/db/index.js'
import { isUniqueViolation } from '../../platform/db/index.js'
import { fromJson, toJson } from '../../platform/db/json.js'
import { AppError } from '../../platform/errors.js'
import type { DomainEvent, EventBus } from '../../platform/events.js'
import { newId } from '../../platform/ids.js'
import type { TenantDb } from '../../platform/tenancy.js'
import { StockRaced, type InventoryService, type StockEntry } from '../inventory/service.js'
import type { Order, OrderService } from '../orders/index.js'
import { ShipmentInput as ShipmentInputSchema, type TrackingService } from '../tracking/index.js'
type ShipmentInput = import('zod').infer<typeof ShipmentInputSchema>
import { allocateBatch } from './allocation/batch.js'
import { addDays, type AllocationOrder, type AllocationRules, type Clock as AllocationClock, type CostBreakdown, type OrderLine as AllocationLine } from './allocation/cost.js'
import type { Location } from './allocation/network.js'
import { createAllocator, type AllocationDecision, type Allocator, type CandidatePlan } from './allocation/solve.js'
import { shipDayOffset } from './allocation/cost.js'
import { LABEL_FORMATS, type LabelCsv, type LabelParcel, type LabelWarning } from './labels/index.js'
import { prefectureByCode } from '../../platform/japan/prefectures.js'
import { FulfillmentSettingsInput, ParcelShippedInput, RateTableInput, WaveInput, type FulfillmentSettings } from './schemas.js'
import { DEFAULT_RATES, type RateTable, type SizeBand } from './allocation/rates.js'
import type { FulfillmentParcelsTable } from './tables.js'

export type ParcelStatus = 'pending' | 'picking' | 'shipped' | 'cancelled'
export type LabelFormatId = keyof typeof LABEL_FORMATS

export interface ParcelLine {
  orderLineId: string
  sku: string
  quantity: number
}

export interface Parcel {
  id: string
  /** The reference printed on carrier labels (お客様管理番号). */
  labelRef: string
  orderId: string
  allocationId: string
  locationId: string
  status: ParcelStatus
  temperature: string
  sizeBand: number
  shipDate: string
  deliveryDate: string
  daysLate: number
  shippingCost: number
  lines: ParcelLine[]
  shortLines: ParcelLine[]
  shipmentId: string | null
  cancelReason: string | null
  acknowledgedAt: string | null
  shippedAt: string | null
  cancelledAt: string | null
  createdAt: string
}

export interface Allocation {
  id: string
  orderId: string
  status: string
  mode: string
  trigger: string
  cost: CostBreakdown | null
  backorders: Array<{ sku: string; quantity: number }>
  candidates: CandidatePlan[]
  optimal: boolean
  reason: string | null
  createdAt: string
}

export interface OrderFulfilment {
  orderId: string
  /** The newest decision (null: never allocated). */
  allocation: Allocation | null
  parcels: Parcel[]
  backorderedUnits: number
  history: Array<Pick<Allocation, 'id' | 'status' | 'trigger' | 'createdAt'> & { costTotal: number | null }>
}

const SETTINGS_DEFAULT: FulfillmentSettings = FulfillmentSettingsInput.parse({})
const LIVE: readonly ParcelStatus[] = ['pending', 'picking', 'shipped']
const jstParts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })

/** "Now" in Japan time: cut-offs and ship days are the warehouses' local time. */
export function japanClock(at: Date): AllocationClock {
  const p = Object.fromEntries(jstParts.formatToParts(at).map((x) => [x.type, x.value]))
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` }
}

/**
 * Where each order ships from: allocation on order.confirmed (or on demand, or in waves), the stock
 * it reserves, the parcels it hands to the warehouse, and what happens when the warehouse ships,
 * comes up short, or the order is cancelled. Every decision is kept with the plans it weighed.
 */
export class FulfillmentService {
  private allocators = new Map<string, { key: string; allocator: Allocator; rates: RateTable }>()
  private operatorRateCache: { at: number; rates: RateTable; json: string } | undefined
  /** One allocator slot per rate table object (the default, the 3PL's, each brand's own). */
  private rateSlots = new WeakMap<RateTable, string>()
  private slotCount = 0
  private tenantRateCache = new Map<string, { json: string; rates: RateTable }>()

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly events: EventBus,
    private readonly orders: OrderService,
    private readonly tracking: TrackingService,
    private readonly inventory: InventoryService,
    private readonly log: Logger,
  ) {}

  /** Subscribes to the events that allocate, release and re-allocate (call at composition time). */
  register(): void {
    // Brands that keep no stock in Kando never have parcels: their orders cost no fulfilment job.
    const wants = async (tx: TenantDb, type: string) => type === 'stock.over_reserved' || (await this.inventory.hasStock(tx))
    this.events.subscribe('fulfillment', ['order.confirmed', 'order.cancelled', 'stock.over_reserved'], (event, tx) => this.onEvent(event, tx), { parallel: 4 }, wants)
  }

  private async onEvent(event: DomainEvent, tx: TenantDb): Promise<void> {
    if (event.type === 'order.confirmed') {
      const settings = await this.settings(tx)
      if (!settings.autoAllocate || !(await this.inventory.hasStock(tx))) return
      await this.allocateIn(tx, event.subject, 'order.confirmed')
    } else if (event.type === 'order.cancelled') {
      await this.releaseIn(tx, event.subject, 'order_cancelled')
    } else if (event.type === 'stock.over_reserved') {
      const entries = (event.data as { entries?: StockEntry[] }).entries ?? []
      await this.resolveOverReserved(tx, entries)
    }
  }

  // ------------------------------------------------------------------ settings

  async settings(scope: TenantDb): Promise<FulfillmentSettings> {
    const row = await scope.selectFrom('fulfillment_settings').select('settings').executeTakeFirst()
    return row ? FulfillmentSettingsInput.parse(fromJson(row.settings, {})) : SETTINGS_DEFAULT
  }

  async updateSettings(scope: TenantDb, raw: unknown): Promise<FulfillmentSettings> {
    const settings = FulfillmentSettingsInput.parse(raw)
    const known = new Set((await this.inventory.listLocations()).map((l) => l.id))
    const unknown = [...settings.pinned, ...settings.excluded].filter((id) => !known.has(id))
    if (unknown.length > 0) {
      throw new AppError('LOCATION_NOT_FOUND', 'invalid_data', `Unknown location ${unknown.join(', ')}.`, { fields: unknown.map((id) => ({ pointer: settings.pinned.includes(id) ? '/pinned' : '/excluded', message: `unknown location ${id}` })) })
    }
    const now = this.clock.now().toISOString()
    await scope.insertInto('fulfillment_settings', { settings: toJson(settings), updated_at: now })
      .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ settings: toJson(settings), updated_at: now })).execute()
    return settings
  }

  // ------------------------------------------------------------------ allocation

  /** Allocates what of an order is not yet allocated or shipped (after releasing its parcels still waiting for the warehouse when `reallocate`). */
  async allocateOrder(scope: TenantDb, orderId: string, opts: { reallocate?: boolean; trigger?: string } = {}): Promise<OrderFulfilment> {
    await this.inTransaction(scope, async (tx) => {
      if (opts.reallocate) await this.releaseIn(tx, orderId, 'reallocated', { pendingOnly: true, emit: false })
      await this.allocateIn(tx, orderId, opts.trigger ?? 'manual')
    })
    return this.forOrder(scope, orderId)
  }

  /** Releases an order's unshipped parcels (stock and capacity back) — e.g. the order was cancelled. */
  async releaseOrder(scope: TenantDb, orderId: string, reason: string): Promise<OrderFulfilment> {
    await this.inTransaction(scope, (tx) => this.releaseIn(tx, orderId, reason))
    return this.forOrder(scope, orderId)
  }

  /**
   * An allocator for this minute, these locations and this rate table (building one precomputes
   * every lane, so it is kept while they stay the same).
   */
  private allocatorFor(locations: Location[], at: Date, rates: RateTable): Allocator {
    const now = japanClock(at)
    const key = `${now.date} ${now.time}`
    let slot = this.rateSlots.get(rates)
    if (!slot) this.rateSlots.set(rates, (slot = `rates${++this.slotCount}`))
    const hit = this.allocators.get(slot)
    if (hit && hit.key === key && hit.allocator.locations === locations && hit.rates === rates) return hit.allocator
    const allocator = createAllocator({ locations, now, rates })
    if (this.allocators.size > 100) this.allocators.clear()
    this.allocators.set(slot, { key, allocator, rates })
    return allocator
  }

  // ------------------------------------------------------------------ rate tables

  /** The 3PL's table (installation-wide), else Kando's illustrative default. Cached a few seconds. */
  async operatorRates(ex: Executor = this.db.kysely): Promise<RateTable> {
    const now = Date.now()
    if (this.operatorRateCache && now - this.operatorRateCache.at < 5000) return this.operatorRateCache.rates
    // Inside a transaction, read through it: on SQLite another connection would wait for it to end.
    const row = await ex.selectFrom('shipping_rates').select('rates').where('id', '=', 'default').executeTakeFirst()
    // The same table stays the same object, so its allocator is kept.
    const rates = !row ? DEFAULT_RATES : this.operatorRateCache?.json === row.rates ? this.operatorRateCache.rates : toRateTable(RateTableInput.parse(fromJson(row.rates, {})))
    this.operatorRateCache = { at: now, rates, json: row?.rates ?? '' }
    return rates
  }

  async putOperatorRates(raw: unknown): Promise<RateTable> {
    const input = RateTableInput.parse(raw)
    const now = this.clock.now().toISOString()
    await this.db.kysely.insertInto('shipping_rates').values({ id: 'default', rates: toJson(input), updated_at: now })
      .onConflict((oc) => oc.column('id').doUpdateSet({ rates: toJson(input), updated_at: now })).execute()
    this.operatorRateCache = undefined
    return this.operatorRates()
  }

  /** The table a brand's allocations are priced with: its own, else the 3PL's. */
  async ratesFor(scope: TenantDb, settings?: FulfillmentSettings): Promise<RateTable> {
    const s = settings ?? (await this.settings(scope))
    if (!s.rates) return this.operatorRates(scope.db)
    const json = JSON.stringify(s.rates)
    let hit = this.tenantRateCache.get(scope.tenantId)
    if (!hit || hit.json !== json) {
      hit = { json, rates: toRateTable(s.rates) }
      this.tenantRateCache.set(scope.tenantId, hit)
    }
    return hit.rates
  }

  private rulesOf(settings: FulfillmentSettings): AllocationRules {
    return {
      mode: settings.mode, pinned: settings.pinned, excluded: settings.excluded, maxParcels: settings.maxParcels,
      splitPenalty: settings.splitPenalty, latenessPenalty: settings.latenessPenalty, backorderPenalty: settings.backorderPenalty,
    }
  }

  /** Takes the order's row lock (PostgreSQL): two allocations of one order never interleave. */
  private async lockOrder(tx: TenantDb, orderId: string): Promise<void> {
    const now = this.clock.now().toISOString()
    await tx.insertInto('fulfillment_orders', { order_id: orderId, backordered_units: 0, version: 0, updated_at: now })
      .onConflict((oc) => oc.columns(['tenant_id', 'order_id']).doNothing()).execute()
    await tx.updateTable('fulfillment_orders').set((eb) => ({ version: eb('version', '+', 1), updated_at: now })).where('order_id', '=', orderId).execute()
  }

  /** What of each order line is still to allocate: ordered − (held by live parcels, or shipped outside Kando). */
  private async demand(tx: TenantDb, order: Order): Promise<{ lines: Array<{ orderLineId: string; sku: string; quantity: number }>; skipped: string[] }> {
    const held = new Map<string, number>()
    const parcels = await tx.selectFrom('fulfillment_parcels').select(['lines', 'status']).where('order_id', '=', order.id).where('status', 'in', LIVE).execute()
    for (const p of parcels) for (const l of fromJson<ParcelLine[]>(p.lines, [])) held.set(l.orderLineId, (held.get(l.orderLineId) ?? 0) + l.quantity)
    const lines: Array<{ orderLineId: string; sku: string; quantity: number }> = []
    const skipped: string[] = []
    for (const l of order.lines) {
      if (!l.requiresShipping) continue
      const left = l.quantity - Math.max(held.get(l.id) ?? 0, l.shippedQuantity)
      if (left <= 0) continue
      if (!l.sku) {
        skipped.push(`line ${l.position} (${l.title}) has no SKU`)
        continue
      }
      lines.push({ orderLineId: l.id, sku: l.sku, quantity: left })
    }
    return { lines, skipped }
  }

  private async toAllocationOrder(tx: TenantDb, order: Order, lines: Array<{ sku: string; quantity: number }>, settings: FulfillmentSettings): Promise<AllocationOrder> {
    const bySku = new Map<string, number>()
    for (const l of lines) bySku.set(l.sku, (bySku.get(l.sku) ?? 0) + l.quantity)
    const items = await this.inventory.items(tx, [...bySku.keys()])
    const allocationLines: AllocationLine[] = [...bySku].map(([sku, quantity]) => {
      const item = items.get(sku)!
      return { sku, quantity, sizeBand: item.sizeBand, temperature: item.temperature, requires: item.requires }
    })
    const placed = japanClock(new Date(order.placedAt)).date
    return {
      id: order.id,
      destinationPrefecture: order.shippingAddress?.prefectureCode ?? '',
      ...(settings.promiseDays ? { promisedDate: addDays(placed, settings.promiseDays) } : {}),
      lines: allocationLines,
    }
  }

  /** Allocates inside the caller's transaction; returns the allocation id (null: nothing to allocate). */
  private async allocateIn(tx: TenantDb, orderId: string, trigger: string): Promise<string | null> {
    await this.lockOrder(tx, orderId)
    const order = await this.orders.get(tx, orderId, { history: false })
    if (!order) throw new AppError('ORDER_NOT_FOUND', 'not_found', `No order with id ${orderId}.`)
    if (order.status === 'cancelled') throw new AppError('ORDER_CANCELLED', 'conflict', 'A cancelled order is not allocated.')
    const settings = await this.settings(tx)
    const { lines, skipped } = await this.demand(tx, order)
    if (lines.length === 0) return null
    const locations = await this.inventory.allocationLocations(tx.db)
    const now = this.clock.now()
    const allocator = this.allocatorFor(locations, now, await this.ratesFor(tx, settings))
    const input = await this.toAllocationOrder(tx, order, lines, settings)
    let decision: AllocationDecision
    if (!input.destinationPrefecture) {
      decision = { orderId, status: 'infeasible', parcels: [], backorders: input.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })), cost: null, candidates: [], optimal: true, reason: 'the order has no Japanese delivery prefecture', nodes: 0 }
    } else {
      const stock = await this.inventory.viewForAllocation(tx, input.lines.map((l) => l.sku), this.shipDays(locations, now))
      decision = allocator.allocate(input, stock, this.rulesOf(settings))
    }
    const { id, backordered } = await this.record(tx, order, lines, decision, 'order', trigger, locations, skipped)
    // Every line still to ship now has a parcel unless something was backordered or had no SKU.
    await this.followAllocation(tx, order, backordered === 0 && skipped.length === 0 && decision.parcels.length > 0)
    return id
  }

  /**
   * The order's lifecycle follows its parcels: `allocated` when live parcels cover every line still
   * to ship, back to `confirmed` when a release or short pick leaves something uncovered.
   */
  private async syncOrderStatus(tx: TenantDb, orderId: string): Promise<void> {
    const order = await this.orders.get(tx, orderId, { history: false })
    if (!order || (order.status !== 'confirmed' && order.status !== 'allocated')) return
    const { lines } = await this.demand(tx, order)
    const live = await tx.selectFrom('fulfillment_parcels').select('id').where('order_id', '=', orderId).where('status', 'in', ['pending', 'picking']).limit(1).executeTakeFirst()
    await this.followAllocation(tx, order, lines.length === 0 && !!live)
  }

  /** Moves a confirmed or allocated order to `allocated` when its parcels cover it, else back to `confirmed`. */
  private async followAllocation(tx: TenantDb, order: Pick<Order, 'id' | 'status'>, covered: boolean): Promise<void> {
    if (order.status !== 'confirmed' && order.status !== 'allocated') return
    const target = covered ? 'allocated' : 'confirmed'
    if (target !== order.status) await this.orders.transition(tx, order.id, target, { reason: covered ? 'allocated to fulfilment centres' : 'allocation undone', actor: 'allocation' })
  }

  private shipDays(locations: readonly Location[], at: Date): Map<string, string> {
    const now = japanClock(at)
    return new Map(locations.map((l) => [l.id, addDays(now.date, shipDayOffset(l, now))]))
  }

  /** Writes a decision: its parcels, their reservations and booked capacity, and its events. */
  private async record(tx: TenantDb, order: Order, lines: Array<{ orderLineId: string; sku: string; quantity: number }>, decision: AllocationDecision, mode: string, trigger: string, locations: readonly Location[], skipped: string[] = []): Promise<{ id: string; backordered: number }> {
    const now = this.clock.now().toISOString()
    const allocationId = newId('alc')
    const status = decision.parcels.length === 0 && decision.status !== 'infeasible' ? 'backordered' : decision.status
    const reason = [decision.reason, ...skipped].filter(Boolean).join('; ') || null
    await tx.insertInto('allocations', {
      id: allocationId, order_id: order.id, status, mode, trigger, cost_total: decision.cost?.total ?? null, created_at: now,
      decision: toJson({ cost: decision.cost, backorders: decision.backorders, candidates: decision.candidates, optimal: decision.optimal, reason }),
    }).execute()
    // Units of a SKU go to order lines in order (an order may list one SKU on two lines).
    const left = lines.map((l) => ({ ...l }))
    const parcels: Array<{ id: string; locationId: string; shipDate: string; lines: ParcelLine[] }> = []
    const rows: Array<Omit<FulfillmentParcelsTable, 'tenant_id'>> = []
    for (const p of decision.parcels) {
      const id = newId('fpl')
      const parcelLines: ParcelLine[] = []
      for (const pl of p.lines) {
        let need = pl.quantity
        for (const l of left) {
          if (need === 0) break
          if (l.sku !== pl.sku || l.quantity === 0) continue
          const take = Math.min(need, l.quantity)
          parcelLines.push({ orderLineId: l.orderLineId, sku: l.sku, quantity: take })
          l.quantity -= take
          need -= take
        }
      }
      rows.push({
        id, order_id: order.id, allocation_id: allocationId, location_id: p.locationId, label_ref: labelRefOf(id), status: 'pending', temperature: p.temperature, size_band: p.sizeBand,
        ship_date: p.shipDate, delivery_date: p.deliveryDate, days_late: p.daysLate, shipping_cost: p.shippingCost, lines: toJson(parcelLines), short_lines: '[]',
        shipment_id: null, cancel_reason: null, acknowledged_at: null, shipped_at: null, cancelled_at: null, created_at: now, updated_at: now,
      })
      parcels.push({ id, locationId: p.locationId, shipDate: p.shipDate, lines: parcelLines })
    }
    if (rows.length > 0) await tx.insertInto('fulfillment_parcels', rows).execute()
    for (const p of decision.parcels.map((d, i) => ({ ...d, id: parcels[i]!.id }))) {
      await this.inventory.reserve(tx, p.id, p.lines.map((l) => ({ sku: l.sku, locationId: p.locationId, quantity: l.quantity })))
    }
    // Whatever of the demand no parcel took waits: backorders in ship_available, everything when held.
    const backordered = lines.reduce((t, l) => t + l.quantity, 0) - decision.parcels.reduce((t, p) => t + p.lines.reduce((u, l) => u + l.quantity, 0), 0)
    await tx.updateTable('fulfillment_orders').set({ backordered_units: backordered, updated_at: now }).where('order_id', '=', order.id).execute()
    const data = { allocationId, orderId: order.id, status, trigger, costTotal: decision.cost?.total ?? null, parcels, backorders: decision.backorders }
    await this.events.appendAll(tx, [
      { type: 'allocation.created', subject: allocationId, data },
      ...(backordered > 0 ? [{ type: 'allocation.backordered', subject: allocationId, data }] : []),
    ])
    // Capacity last: its row is shared by every brand shipping from the centre that day, so it is
    // held locked for as short a time as the transaction allows.
    for (const p of [...parcels].sort((a, b) => (a.locationId < b.locationId ? -1 : a.locationId > b.locationId ? 1 : 0))) {
      const loc = locations.find((l) => l.id === p.locationId)!
      await this.inventory.bookCapacity(tx.db, p.locationId, p.shipDate, 1, loc.dailyCapacity)
    }
    return { id: allocationId, backordered }
  }

  /** Cancels an order's parcels not yet shipped, giving their stock and capacity back exactly once. */
  private async releaseIn(tx: TenantDb, orderId: string, reason: string, opts: { pendingOnly?: boolean; emit?: boolean } = {}): Promise<number> {
    await this.lockOrder(tx, orderId)
    const states: ParcelStatus[] = opts.pendingOnly ? ['pending'] : ['pending', 'picking']
    const rows = await tx.selectFrom('fulfillment_parcels').selectAll().where('order_id', '=', orderId).where('status', 'in', states).execute()
    const now = this.clock.now().toISOString()
    let released = 0
    for (const p of rows) {
      // Compare-and-set: of two releases racing (a cancellation and a re-allocation), one wins.
      const res = await tx.updateTable('fulfillment_parcels').set({ status: 'cancelled', cancel_reason: reason, cancelled_at: now, updated_at: now })
        .where('id', '=', p.id).where('status', '=', p.status).executeTakeFirst()
      if (Number(res.numUpdatedRows) !== 1) continue
      await this.inventory.release(tx, p.id, mergeBySku(fromJson<ParcelLine[]>(p.lines, [])).map((l) => ({ sku: l.sku, locationId: p.location_id, quantity: l.quantity })))
      await this.inventory.releaseCapacity(tx.db, p.location_id, p.ship_date, 1)
      released++
      if (opts.emit !== false) await this.events.append(tx, 'parcel.cancelled', p.id, { parcelId: p.id, orderId, locationId: p.location_id, reason, wasPicking: p.status === 'picking' })
    }
    if (!opts.pendingOnly) await tx.updateTable('fulfillment_orders').set({ backordered_units: 0, updated_at: now }).where('order_id', '=', orderId).execute()
    // A re-allocation (emit: false) allocates right after and sets the status itself.
    if (released > 0 && opts.emit !== false) await this.syncOrderStatus(tx, orderId)
    return released
  }

  /**
   * A stock correction left some (SKU, location) with more reserved than on hand: re-allocate the
   * newest parcels still waiting there until the reservation fits (parcels already being picked stay:
   * the warehouse will report a short pick if it cannot find the units).
   */
  async resolveOverReserved(tx: TenantDb, entries: readonly StockEntry[]): Promise<number> {
    let moved = 0
    for (const e of entries) {
      const row = await tx.selectFrom('stock_levels').select(['on_hand', 'reserved']).where('sku', '=', e.sku).where('location_id', '=', e.locationId).executeTakeFirst()
      let excess = row ? Number(row.reserved) - Number(row.on_hand) : 0
      if (excess <= 0) continue
      const waiting = await tx.selectFrom('fulfillment_parcels').select(['id', 'order_id', 'lines']).where('location_id', '=', e.locationId).where('status', '=', 'pending')
        .orderBy('created_at', 'desc').orderBy('id', 'desc').execute()
      for (const p of waiting) {
        if (excess <= 0) break
        const units = fromJson<ParcelLine[]>(p.lines, []).filter((l) => l.sku === e.sku).reduce((s, l) => s + l.quantity, 0)
        if (units === 0) continue
        await this.releaseIn(tx, p.order_id, 'stock_correction', { pendingOnly: true, emit: false })
        excess -= units
        // The stock the correction took is gone from the view, so the new plan looks elsewhere.
        await this.allocateIn(tx, p.order_id, 'stock_correction')
        moved++
      }
    }
    return moved
  }

  // ------------------------------------------------------------------ waves

  /**
   * Allocates many open orders together (those with backordered units, or the ones named): the
   * batch solver shares scarce stock across them better than one-by-one in arrival order.
   */
  async wave(scope: TenantDb, raw: unknown): Promise<{ orders: number; allocated: number; partial: number; backordered: number; totalCost: number; parcels: number }> {
    const input = WaveInput.parse(raw)
    return this.inTransaction(scope, async (tx) => {
      let ids = input.orderIds
      if (!ids) {
        const rows = await tx.selectFrom('fulfillment_orders').select('order_id').where('backordered_units', '>', 0).orderBy('updated_at').orderBy('order_id').limit(input.limit).execute()
        ids = rows.map((r) => r.order_id)
      }
      const settings = await this.settings(tx)
      const locations = await this.inventory.allocationLocations(tx.db)
      const now = this.clock.now()
      const allocator = this.allocatorFor(locations, now, await this.ratesFor(tx, settings))
      const work: Array<{ order: Order; lines: Array<{ orderLineId: string; sku: string; quantity: number }>; input: AllocationOrder }> = []
      for (const id of ids) {
        await this.lockOrder(tx, id)
        const order = await this.orders.get(tx, id, { history: false })
        if (!order || order.status === 'cancelled' || !order.shippingAddress?.prefectureCode) continue
        const { lines } = await this.demand(tx, order)
        if (lines.length === 0) continue
        work.push({ order, lines, input: await this.toAllocationOrder(tx, order, lines, settings) })
      }
      const skus = [...new Set(work.flatMap((w) => w.input.lines.map((l) => l.sku)))]
      const stock = await this.inventory.viewForAllocation(tx, skus, this.shipDays(locations, now))
      const result = allocateBatch(allocator, work.map((w) => w.input), stock, this.rulesOf(settings))
      const summary = { orders: work.length, allocated: 0, partial: 0, backordered: 0, totalCost: result.totalCost, parcels: 0 }
      for (let i = 0; i < work.length; i++) {
        const d = result.decisions[i]!
        const { backordered } = await this.record(tx, work[i]!.order, work[i]!.lines, d, 'wave', 'wave', locations)
        await this.followAllocation(tx, work[i]!.order, backordered === 0 && d.parcels.length > 0)
        if (d.status === 'allocated') summary.allocated++
        else if (d.status === 'partial') summary.partial++
        else summary.backordered++
        summary.parcels += d.parcels.length
      }
      return summary
    })
  }

  // ------------------------------------------------------------------ the warehouse

  /** The warehouse's pull list: a location's parcels in a state (default pending), by ship day. */
  async parcels(scope: TenantDb, f: { locationId?: string; status?: ParcelStatus; shipDate?: string; orderId?: string; limit: number; after?: string }): Promise<Parcel[]> {
    let q = scope.selectFrom('fulfillment_parcels').selectAll().orderBy('id').limit(f.limit)
    if (f.locationId) q = q.where('location_id', '=', f.locationId)
    if (f.status) q = q.where('status', '=', f.status)
    if (f.shipDate) q = q.where('ship_date', '=', f.shipDate)
    if (f.orderId) q = q.where('order_id', '=', f.orderId)
    if (f.after) q = q.where('id', '>', f.after)
    return (await q.execute()).map(parcelView)
  }

  async parcel(scope: TenantDb, id: string): Promise<Parcel> {
    const row = await scope.selectFrom('fulfillment_parcels').selectAll().where('id', '=', id).executeTakeFirst()
    if (!row) throw new AppError('PARCEL_NOT_FOUND', 'not_found', `No parcel with id ${id}.`)
    return parcelView(row)
  }

  /** The warehouse took these parcels for picking: they will no longer be moved by a re-allocation. */
  async acknowledge(scope: TenantDb, ids: string[]): Promise<{ acknowledged: string[]; already: string[]; refused: Array<{ id: string; status: string }> }> {
    return this.inTransaction(scope, async (tx) => {
      const now = this.clock.now().toISOString()
      const out = { acknowledged: [] as string[], already: [] as string[], refused: [] as Array<{ id: string; status: string }> }
      for (const id of [...new Set(ids)]) {
        const res = await tx.updateTable('fulfillment_parcels').set({ status: 'picking', acknowledged_at: now, updated_at: now }).where('id', '=', id).where('status', '=', 'pending').executeTakeFirst()
        if (Number(res.numUpdatedRows) === 1) {
          out.acknowledged.push(id)
          continue
        }
        const row = await tx.selectFrom('fulfillment_parcels').select('status').where('id', '=', id).executeTakeFirst()
        if (row?.status === 'picking') out.already.push(id)
        else out.refused.push({ id, status: row?.status ?? 'not_found' })
      }
      return out
    })
  }

  /**
   * The warehouse shipped a parcel: its units leave stock, and it becomes a shipment (tracking)
   * with its lines and origin. Units it could not pick leave stock too and are allocated again.
   * Repeating the call returns the same shipment.
   */
  async shipped(scope: TenantDb, parcelId: string, raw: unknown): Promise<{ parcel: Parcel; shipmentId: string; reallocated: boolean }> {
    const input = ParcelShippedInput.parse(raw)
    let reallocated = false
    const shipmentId = await this.inTransaction(scope, async (tx) => {
      const row = await tx.selectFrom('fulfillment_parcels').selectAll().where('id', '=', parcelId).executeTakeFirst()
      if (!row) throw new AppError('PARCEL_NOT_FOUND', 'not_found', `No parcel with id ${parcelId}.`)
      if (row.status === 'shipped') return row.shipment_id!
      if (row.status === 'cancelled') throw new AppError('PARCEL_CANCELLED', 'conflict', `Parcel ${parcelId} was cancelled (${row.cancel_reason}); do not ship it.`)
      await this.lockOrder(tx, row.order_id)
      const lines = fromJson<ParcelLine[]>(row.lines, [])
      const bySku = mergeBySku(lines)
      const picked = new Map<string, number>()
      if (input.picked) {
        const fields = input.picked.flatMap((p, i) => {
          const have = bySku.find((l) => l.sku === p.sku)
          if (!have) return [{ pointer: `/picked/${i}/sku`, message: `${p.sku} is not in this parcel` }]
          if (p.quantity > have.quantity) return [{ pointer: `/picked/${i}/quantity`, message: `more than the ${have.quantity} allocated` }]
          return []
        })
        if (fields.length > 0) throw new AppError('PICK_INVALID', 'invalid_data', 'The picked quantities do not match the parcel.', { fields })
        for (const p of input.picked) picked.set(p.sku, p.quantity)
      }
      const shippedQty = (sku: string, allocated: number) => (input.picked ? (picked.get(sku) ?? 0) : allocated)
      const totalShipped = bySku.reduce((s, l) => s + shippedQty(l.sku, l.quantity), 0)
      if (totalShipped === 0) throw new AppError('NOTHING_PICKED', 'invalid_data', 'Nothing was picked; cancel or re-allocate the parcel instead.', { fields: [{ pointer: '/picked', message: 'all quantities are 0' }] })
      await this.inventory.ship(tx, parcelId, bySku.map((l) => ({ sku: l.sku, locationId: row.location_id, quantity: l.quantity, shipped: shippedQty(l.sku, l.quantity) })))
      // Split what left and what did not, line by line.
      const remaining = new Map(bySku.map((l) => [l.sku, shippedQty(l.sku, l.quantity)]))
      const sent: ParcelLine[] = []
      const short: ParcelLine[] = []
      for (const l of lines) {
        const take = Math.min(l.quantity, remaining.get(l.sku) ?? 0)
        remaining.set(l.sku, (remaining.get(l.sku) ?? 0) - take)
        if (take > 0) sent.push({ ...l, quantity: take })
        if (l.quantity - take > 0) short.push({ ...l, quantity: l.quantity - take })
      }
      const loc = (await this.inventory.allocationLocations(tx.db)).find((l) => l.id === row.location_id)
      const carrier = input.carrier ?? loc?.carriers[0]
      const shipmentInput: ShipmentInput = {
        externalId: parcelId,
        lines: sent.map((l) => ({ orderLineId: l.orderLineId, quantity: l.quantity })),
        origin: { location: row.location_id, ...(loc ? { prefectureCode: loc.prefectureCode, cutoff: loc.cutoff } : {}) },
        ...(carrier ? { carrier: carrier as ShipmentInput['carrier'] } : {}),
        ...(input.service ? { service: input.service } : {}),
        ...(input.trackingNumber ? { trackingNumber: input.trackingNumber } : {}),
      }
      const { shipment } = await this.tracking.createShipment(tx, row.order_id, ShipmentInputSchema.parse(shipmentInput), { source: 'allocation', actor: 'wms' })
      const now = this.clock.now().toISOString()
      await tx.updateTable('fulfillment_parcels').set({ status: 'shipped', shipment_id: shipment.id, shipped_at: now, updated_at: now, lines: toJson(sent), short_lines: toJson(short) })
        .where('id', '=', parcelId).execute()
      await this.events.append(tx, 'parcel.shipped', parcelId, { parcelId, orderId: row.order_id, shipmentId: shipment.id, locationId: row.location_id, short })
      if (short.length > 0) {
        reallocated = true
        await this.allocateIn(tx, row.order_id, 'short_pick')
      }
      return shipment.id
    })
    return { parcel: await this.parcel(scope, parcelId), shipmentId, reallocated }
  }

  // ------------------------------------------------------------------ carrier label files

  /**
   * A carrier's label import file (Yamato B2クラウド, Sagawa e飛伝) for a location's parcels to ship on
   * a day (default: those waiting and being picked), in CP932 as the carriers' software reads it.
   */
  async labels(scope: TenantDb, format: LabelFormatId, f: { locationId: string; shipDate?: string; statuses?: ParcelStatus[] }): Promise<{ filename: string; contentType: string; body: Buffer; parcels: number; warnings: LabelWarning[] }> {
    const spec = LABEL_FORMATS[format]
    const settings = await this.settings(scope)
    const sender = settings.labelSender
    if (!sender) throw new AppError('LABEL_SENDER_MISSING', 'invalid_data', 'Set the sender (ご依頼主) for labels first: PUT /api/v1/fulfillment/settings with labelSender.', { fields: [{ pointer: '/labelSender', message: 'is not set' }] })
    let q = scope.selectFrom('fulfillment_parcels').selectAll().where('location_id', '=', f.locationId).where('status', 'in', f.statuses ?? ['pending', 'picking']).orderBy('id').limit(5000)
    if (f.shipDate) q = q.where('ship_date', '=', f.shipDate)
    const rows = await q.execute()
    const orders = new Map<string, Order>()
    const parcels: LabelParcel[] = []
    for (const r of rows) {
      let order = orders.get(r.order_id)
      if (!order) {
        order = (await this.orders.get(scope, r.order_id, { history: false }))!
        orders.set(r.order_id, order)
      }
      const a = order.shippingAddress
      const lineTitle = new Map(order.lines.map((l) => [l.id, l.variantTitle ? `${l.title} ${l.variantTitle}` : l.title]))
      parcels.push({
        parcelId: r.label_ref,
        orderNumber: order.number ?? order.externalId,
        shipDate: r.ship_date,
        temperature: r.temperature as LabelParcel['temperature'],
        recipient: {
          name: a?.name ?? '', phone: a?.phone ?? order.phone ?? '', postalCode: a?.postalCode ?? '',
          prefecture: (a?.prefectureCode ? prefectureByCode(a.prefectureCode)?.ja : undefined) ?? a?.region ?? '',
          city: a?.city ?? '', address1: a?.address1 ?? '', address2: a?.address2 ?? null, company: a?.company ?? null, email: order.email,
        },
        sender: { name: sender.name, phone: sender.phone, postalCode: sender.postalCode, address: sender.address, code: format === 'yamato-b2' ? null : sender.sagawaCustomerCode ?? null },
        items: fromJson<ParcelLine[]>(r.lines, []).map((l) => ({ name: lineTitle.get(l.orderLineId) ?? l.sku, quantity: l.quantity })),
      })
    }
    const shipDate = f.shipDate ?? rows[0]?.ship_date ?? japanClock(this.clock.now()).date
    let built: LabelCsv
    try {
      built = format === 'yamato-b2'
        ? LABEL_FORMATS['yamato-b2'].build(parcels, {
          ...(sender.yamatoBillingCustomerCode ? { billingCustomerCode: sender.yamatoBillingCustomerCode } : {}),
          ...(sender.yamatoBillingClassCode ? { billingClassCode: sender.yamatoBillingClassCode } : {}),
          ...(sender.yamatoFreightManagementNumber ? { freightManagementNumber: sender.yamatoFreightManagementNumber } : {}),
        })
        : LABEL_FORMATS[format].build(parcels)
    } catch (err) {
      // The carrier's rules refuse a parcel (e.g. no phone or postcode): say which, write nothing.
      if (err instanceof RangeError) throw new AppError('LABEL_DATA_INVALID', 'invalid_data', `Cannot write the ${spec.title} file: ${err.message}`)
      throw err
    }
    return { filename: spec.filename(shipDate), contentType: spec.contentType, body: built.csv, parcels: parcels.length, warnings: built.warnings }
  }

  // ------------------------------------------------------------------ reading

  async forOrder(scope: TenantDb, orderId: string): Promise<OrderFulfilment> {
    const [allocs, parcels, fo] = await Promise.all([
      scope.selectFrom('allocations').selectAll().where('order_id', '=', orderId).orderBy('created_at', 'desc').orderBy('id', 'desc').execute(),
      scope.selectFrom('fulfillment_parcels').selectAll().where('order_id', '=', orderId).orderBy('created_at').orderBy('id').execute(),
      scope.selectFrom('fulfillment_orders').select('backordered_units').where('order_id', '=', orderId).executeTakeFirst(),
    ])
    const latest = allocs[0]
    let allocation: Allocation | null = null
    if (latest) {
      const d = fromJson<{ cost: CostBreakdown | null; backorders: Array<{ sku: string; quantity: number }>; candidates: CandidatePlan[]; optimal: boolean; reason: string | null }>(latest.decision, { cost: null, backorders: [], candidates: [], optimal: true, reason: null })
      allocation = { id: latest.id, orderId, status: latest.status, mode: latest.mode, trigger: latest.trigger, cost: d.cost, backorders: d.backorders, candidates: d.candidates, optimal: d.optimal, reason: d.reason, createdAt: latest.created_at }
    }
    return {
      orderId, allocation, parcels: parcels.map(parcelView), backorderedUnits: Number(fo?.backordered_units ?? 0),
      history: allocs.map((a) => ({ id: a.id, status: a.status, trigger: a.trigger, createdAt: a.created_at, costTotal: a.cost_total === null ? null : Number(a.cost_total) })),
    }
  }

  /** Runs `fn` in a transaction (or the caller's), retrying when another allocator took the stock or capacity first. */
  private async inTransaction<R>(scope: TenantDb, fn: (tx: TenantDb) => Promise<R>): Promise<R> {
    if (scope.db.isTransaction) return fn(scope)
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction((trx) => fn(scope.with(trx)))
      } catch (err) {
        const code = (err as { code?: string }).code
        const raced = err instanceof StockRaced || isUniqueViolation(err) || code === '40P01' || code === '40001'
        if (!raced || attempt >= 10) throw err
        this.log.debug({ attempt, err: (err as Error).message }, 'allocation raced; retrying')
        await new Promise((r) => setTimeout(r, Math.random() * 10 * (attempt + 1)))
      }
    }
  }
}

/** The id's last 16 characters (80 random bits): fits every carrier's reference field. */
export function labelRefOf(parcelId: string): string {
  return parcelId.slice(-16).toUpperCase()
}

/** The validated input as the allocator's table (bands as numbers). */
function toRateTable(input: RateTableInput): RateTable {
  const cool: Partial<Record<SizeBand, number>> = {}
  for (const [band, yen] of Object.entries(input.coolSurcharge)) if (yen !== undefined) cool[Number(band) as SizeBand] = yen
  return { carrier: input.carrier, tiers: input.tiers, lanes: input.lanes as RateTable['lanes'], coolSurcharge: cool, codFee: input.codFee }
}

function mergeBySku(lines: readonly ParcelLine[]): Array<{ sku: string; quantity: number }> {
  const m = new Map<string, number>()
  for (const l of lines) m.set(l.sku, (m.get(l.sku) ?? 0) + l.quantity)
  return [...m].map(([sku, quantity]) => ({ sku, quantity }))
}

function parcelView(r: FulfillmentParcelsTable): Parcel {
  return {
    id: r.id, labelRef: r.label_ref, orderId: r.order_id, allocationId: r.allocation_id, locationId: r.location_id, status: r.status as ParcelStatus, temperature: r.temperature,
    sizeBand: Number(r.size_band), shipDate: r.ship_date, deliveryDate: r.delivery_date, daysLate: Number(r.days_late), shippingCost: Number(r.shipping_cost),
    lines: fromJson(r.lines, []), shortLines: fromJson(r.short_lines, []), shipmentId: r.shipment_id, cancelReason: r.cancel_reason,
    acknowledgedAt: r.acknowledged_at, shippedAt: r.shipped_at, cancelledAt: r.cancelled_at, createdAt: r.created_at,
  }
}
