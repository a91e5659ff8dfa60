import type { Clock } from '../../platform/clock.js'
import type { Db, Executor } from '../../platform/db/index.js'
import { fromJson, toJson } from '../../platform/db/json.js'
import { AppError } from '../../platform/errors.js'
import type { EventBus } from '../../platform/events.js'
import { newId } from '../../platform/ids.js'
import type { TenantDb } from '../../platform/tenancy.js'
import { DEMO_LOCATIONS, type Capability, type Location } from '../fulfillment/allocation/network.js'
import type { CarrierCode } from '../tracking/delivery-estimate/index.js'
import { ItemInput, LocationInput, StockDeltaInput, StockSnapshotInput } from './schemas.js'
import type { LocationsTable, StockLevelsTable } from './tables.js'

/** A location as the API shows it. */
export interface LocationView {
  id: string
  name: string
  kind: string
  prefectureCode: string
  lat: number
  lon: number
  carriers: string[]
  cutoff: string
  dailyCapacity: number
  capabilities: string[]
  closedWeekdays: number[]
  closedDates: string[]
  active: boolean
  createdAt: string
  updatedAt: string
}

export interface StockLevel {
  sku: string
  locationId: string
  onHand: number
  reserved: number
  /** On hand not yet promised to an order (never below 0). */
  available: number
  snapshotSeq: number | null
  updatedAt: string
}

export interface ItemView {
  sku: string
  sizeBand: 60 | 80 | 100 | 120 | 140 | 160
  temperature: 'ambient' | 'cool' | 'frozen'
  requires: Array<'oversized' | 'hazardous'>
}

/** One (SKU, location, quantity) a reservation, release or shipment touches. */
export interface StockEntry {
  sku: string
  locationId: string
  quantity: number
}

/** What the allocator may use: units available by SKU then location, and parcels each location can still book. */
export interface StockSnapshotView {
  available: Map<string, Map<string, number>>
  capacity: Map<string, number>
}

export interface SyncResult {
  /** Rows whose on-hand changed. */
  applied: number
  /** Rows ignored: a newer snapshot (or the same delta) was already applied. */
  stale: number
  /** (SKU, location) rows now holding more reserved than on hand: their orders need re-allocation. */
  overReserved: StockEntry[]
}

/** A reservation lost a race: the stock or capacity it counted on was taken in the meantime. */
export class StockRaced extends AppError {
  constructor(what: string) {
    super('STOCK_RACED', 'conflict', `Stock changed while allocating (${what}); allocate again.`)
  }
}

const DEFAULT_ITEM: Omit<ItemView, 'sku'> = { sizeBand: 60, temperature: 'ambient', requires: [] }

/**
 * Locations (the 3PL's, installation-wide), and each brand's items and stock at them: WMS
 * snapshots and deltas ordered by sequence, atomic reservations, releases and shipments, each
 * written to the movement ledger so every unit is accounted for.
 */
export class InventoryService {
  private locationCache: { at: number; list: Location[] } | undefined

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly events: EventBus,
  ) {}

  // ------------------------------------------------------------------ locations (installation-wide)

  async listLocations(opts: { activeOnly?: boolean } = {}, ex: Executor = this.db.kysely): Promise<LocationView[]> {
    let q = ex.selectFrom('locations').selectAll().orderBy('id')
    if (opts.activeOnly) q = q.where('active', '=', 1)
    return (await q.execute()).map(locationView)
  }

  async getLocation(id: string): Promise<LocationView | undefined> {
    const row = await this.db.kysely.selectFrom('locations').selectAll().where('id', '=', id).executeTakeFirst()
    return row ? locationView(row) : undefined
  }

  /** Creates or replaces a location (operator only). */
  async putLocation(id: string, raw: unknown): Promise<{ location: LocationView; created: boolean }> {
    if (!/^[a-z0-9_-]{1,64}$/.test(id)) throw new AppError('LOCATION_ID_INVALID', 'invalid_data', 'A location id is 1–64 of a-z, 0-9, _ and -.', { fields: [{ pointer: '/id', message: 'must be 1–64 of a-z, 0-9, _ and -' }] })
    const input = LocationInput.parse(raw)
    const now = this.clock.now().toISOString()
    const row = {
      name: input.name, kind: input.kind, prefecture_code: input.prefectureCode, lat: input.lat, lon: input.lon,
      carriers: toJson(input.carriers), cutoff: input.cutoff, daily_capacity: input.dailyCapacity, capabilities: toJson(input.capabilities),
      closed_weekdays: toJson(input.closedWeekdays), closed_dates: toJson(input.closedDates), active: input.active ? 1 : 0, updated_at: now,
    }
    const created = await this.db.transaction(async (trx) => {
      const existing = await trx.selectFrom('locations').select('id').where('id', '=', id).executeTakeFirst()
      if (existing) await trx.updateTable('locations').set(row).where('id', '=', id).execute()
      else await trx.insertInto('locations').values({ id, ...row, created_at: now }).execute()
      return !existing
    })
    this.locationCache = undefined
    return { location: (await this.getLocation(id))!, created }
  }

  /** Seeds the demo network of 11 centres when there are no locations yet; returns how many were added. */
  async seedDemoNetwork(): Promise<number> {
    const any = await this.db.kysely.selectFrom('locations').select('id').limit(1).executeTakeFirst()
    if (any) return 0
    for (const l of DEMO_LOCATIONS) {
      await this.putLocation(l.id, {
        name: l.name, prefectureCode: l.prefectureCode, lat: l.lat, lon: l.lon, carriers: [...l.carriers], cutoff: l.cutoff,
        dailyCapacity: l.dailyCapacity, capabilities: [...l.capabilities],
      })
    }
    return DEMO_LOCATIONS.length
  }

  /** Active locations as the allocator sees them (cached a few seconds: they change rarely). */
  async allocationLocations(ex: Executor = this.db.kysely): Promise<Location[]> {
    const now = Date.now()
    if (this.locationCache && now - this.locationCache.at < 5000) return this.locationCache.list
    const list = (await this.listLocations({ activeOnly: true }, ex)).map((l): Location => ({
      id: l.id, name: l.name, prefectureCode: l.prefectureCode, lat: l.lat, lon: l.lon,
      carriers: l.carriers as CarrierCode[], cutoff: l.cutoff, dailyCapacity: l.dailyCapacity,
      capabilities: new Set(l.capabilities as Capability[]), closedWeekdays: l.closedWeekdays, closedDates: l.closedDates,
    }))
    this.locationCache = { at: now, list }
    return list
  }

  /** Parcels booked per location and day. */
  async bookedParcels(day: string, ex: Executor = this.db.kysely): Promise<Map<string, number>> {
    const rows = await ex.selectFrom('location_days').select(['location_id', 'parcels']).where('day', '=', day).execute()
    return new Map(rows.map((r) => [r.location_id, Number(r.parcels)]))
  }

  // ------------------------------------------------------------------ items

  async putItems(scope: TenantDb, raw: unknown[]): Promise<ItemView[]> {
    const items = raw.map((r) => ItemInput.parse(r))
    const now = this.clock.now().toISOString()
    await this.db.transaction(async (trx) => {
      const tx = scope.with(trx)
      for (const i of items) {
        await tx.insertInto('inventory_items', { sku: i.sku, size_band: i.sizeBand, temperature: i.temperature, requires: toJson(i.requires), updated_at: now })
          .onConflict((oc) => oc.columns(['tenant_id', 'sku']).doUpdateSet({ size_band: i.sizeBand, temperature: i.temperature, requires: toJson(i.requires), updated_at: now }))
          .execute()
      }
    })
    return [...(await this.items(scope, items.map((i) => i.sku))).values()]
  }

  /** How each SKU ships; a SKU never described ships as a 60-size ambient parcel. */
  async items(scope: TenantDb, skus: readonly string[]): Promise<Map<string, ItemView>> {
    const out = new Map<string, ItemView>(skus.map((sku) => [sku, { sku, ...DEFAULT_ITEM }]))
    if (skus.length === 0) return out
    for (const r of await scope.selectFrom('inventory_items').selectAll().where('sku', 'in', [...new Set(skus)]).execute()) {
      out.set(r.sku, { sku: r.sku, sizeBand: Number(r.size_band) as ItemView['sizeBand'], temperature: r.temperature as ItemView['temperature'], requires: fromJson(r.requires, []) })
    }
    return out
  }

  // ------------------------------------------------------------------ stock: reading

  async stock(scope: TenantDb, f: { sku?: string; locationId?: string; limit: number; after?: string }): Promise<StockLevel[]> {
    let q = scope.selectFrom('stock_levels').selectAll().orderBy('sku').orderBy('location_id').limit(f.limit)
    if (f.sku) q = q.where('sku', '=', f.sku)
    if (f.locationId) q = q.where('location_id', '=', f.locationId)
    if (f.after) {
      const [sku, loc] = f.after.split('\u0000')
      q = q.where((eb) => eb.or([eb('sku', '>', sku!), eb.and([eb('sku', '=', sku!), eb('location_id', '>', loc ?? '')])]))
    }
    return (await q.execute()).map(stockLevel)
  }

  /** Whether the brand keeps any stock in Kando (brands that do not are not allocated automatically). */
  async hasStock(scope: TenantDb): Promise<boolean> {
    return !!(await scope.selectFrom('stock_levels').select('sku').limit(1).executeTakeFirst())
  }

  /**
   * The stock an allocation may use for these SKUs, and the parcels each location can still book on
   * its ship day. On PostgreSQL the stock rows are locked (in a fixed order, so allocators never
   * deadlock) until the caller's transaction ends: concurrent allocators of the same SKUs take turns
   * and each sees what the others reserved. SQLite runs one write transaction at a time anyway.
   */
  async viewForAllocation(tx: TenantDb, skus: readonly string[], shipDays: ReadonlyMap<string, string>): Promise<StockSnapshotView> {
    const available = new Map<string, Map<string, number>>()
    if (skus.length > 0) {
      let q = tx.selectFrom('stock_levels').select(['sku', 'location_id', 'on_hand', 'reserved']).where('sku', 'in', [...new Set(skus)]).orderBy('sku').orderBy('location_id')
      if (tx.dialect === 'postgres') q = q.forUpdate()
      for (const r of await q.execute()) {
        const free = Number(r.on_hand) - Number(r.reserved)
        if (free <= 0) continue
        let m = available.get(r.sku)
        if (!m) available.set(r.sku, (m = new Map()))
        m.set(r.location_id, free)
      }
    }
    const capacity = new Map<string, number>()
    const byDay = new Map<string, string[]>()
    for (const [loc, day] of shipDays) byDay.set(day, [...(byDay.get(day) ?? []), loc])
    const locs = await this.allocationLocations(tx.db)
    for (const [day, ids] of byDay) {
      const booked = await this.bookedParcels(day, tx.db)
      for (const id of ids) {
        const l = locs.find((x) => x.id === id)
        if (l) capacity.set(id, Math.max(0, l.dailyCapacity - (booked.get(id) ?? 0)))
      }
    }
    return { available, capacity }
  }

  // ------------------------------------------------------------------ stock: reservations

  /**
   * Reserves units for a parcel. Each row is a conditional update (only if that many units are
   * still free), so two allocators can never both take the last unit: the loser gets StockRaced and
   * its transaction rolls back. Rows are touched in a fixed order so concurrent reservations never deadlock.
   */
  async reserve(tx: TenantDb, ref: string, entries: readonly StockEntry[]): Promise<void> {
    const now = this.clock.now().toISOString()
    const moves: Movement[] = []
    for (const e of sortEntries(entries)) {
      const row = await tx.updateTable('stock_levels')
        .set((eb) => ({ reserved: eb('reserved', '+', e.quantity), updated_at: now }))
        .where('sku', '=', e.sku).where('location_id', '=', e.locationId)
        .where((eb) => eb(eb('on_hand', '-', eb.ref('reserved')), '>=', e.quantity))
        .returning(['on_hand', 'reserved'])
        .executeTakeFirst()
      if (!row) throw new StockRaced(`${e.sku} at ${e.locationId}`)
      moves.push(movement(e, 'reserve', 0, e.quantity, row, ref, now))
    }
    await this.ledgerRows(tx, moves)
  }

  /** Gives reserved units back (a cancelled or re-allocated parcel). */
  async release(tx: TenantDb, ref: string, entries: readonly StockEntry[]): Promise<void> {
    const now = this.clock.now().toISOString()
    const moves: Movement[] = []
    for (const e of sortEntries(entries)) {
      const row = await tx.updateTable('stock_levels')
        .set((eb) => ({ reserved: eb('reserved', '-', e.quantity), updated_at: now }))
        .where('sku', '=', e.sku).where('location_id', '=', e.locationId).where('reserved', '>=', e.quantity)
        .returning(['on_hand', 'reserved'])
        .executeTakeFirst()
      if (!row) throw new AppError('STOCK_LEDGER_MISMATCH', 'conflict', `Cannot release ${e.quantity} of ${e.sku} at ${e.locationId}: not reserved.`)
      moves.push(movement(e, 'release', 0, -e.quantity, row, ref, now))
    }
    await this.ledgerRows(tx, moves)
  }

  /**
   * The warehouse shipped a parcel: its reserved units leave on-hand. Units it could not find
   * (a short pick) leave on-hand too, because they are not there; the caller re-allocates them.
   */
  async ship(tx: TenantDb, ref: string, entries: readonly (StockEntry & { shipped: number })[]): Promise<void> {
    const now = this.clock.now().toISOString()
    const moves: Movement[] = []
    for (const e of sortEntries(entries)) {
      const row = await tx.updateTable('stock_levels')
        .set((eb) => ({ reserved: eb('reserved', '-', e.quantity), on_hand: eb('on_hand', '-', e.quantity), updated_at: now }))
        .where('sku', '=', e.sku).where('location_id', '=', e.locationId).where('reserved', '>=', e.quantity)
        .returning(['on_hand', 'reserved'])
        .executeTakeFirst()
      if (!row) throw new AppError('STOCK_LEDGER_MISMATCH', 'conflict', `Cannot ship ${e.quantity} of ${e.sku} at ${e.locationId}: not reserved.`)
      if (e.shipped > 0) moves.push(movement(e, 'ship', -e.shipped, -e.shipped, row, ref, now))
      const short = e.quantity - e.shipped
      if (short > 0) moves.push(movement(e, 'short_pick', -short, -short, row, ref, now))
    }
    await this.ledgerRows(tx, moves)
  }

  /**
   * Returned units put back on the shelf (a return graded A or B): on-hand grows at the location.
   * The warehouse's next snapshot still wins; the ledger row says where the units came from.
   */
  async restock(tx: TenantDb, ref: string, entries: readonly StockEntry[]): Promise<void> {
    const now = this.clock.now().toISOString()
    const moves: Movement[] = []
    for (const e of sortEntries(entries)) {
      if (e.quantity <= 0) continue
      await this.lockRow(tx, e.sku, e.locationId, now)
      const row = await tx.updateTable('stock_levels')
        .set((eb) => ({ on_hand: eb('on_hand', '+', e.quantity), updated_at: now }))
        .where('sku', '=', e.sku).where('location_id', '=', e.locationId)
        .returning(['on_hand', 'reserved'])
        .executeTakeFirstOrThrow()
      moves.push(movement(e, 'restock', e.quantity, 0, row, ref, now))
    }
    await this.ledgerRows(tx, moves)
  }

  /** Free units (on hand − reserved) of these SKUs by location, most first: what an exchange may take. */
  async freeStock(tx: TenantDb, skus: readonly string[]): Promise<Map<string, Array<{ locationId: string; free: number }>>> {
    const out = new Map<string, Array<{ locationId: string; free: number }>>()
    if (skus.length === 0) return out
    const rows = await tx.selectFrom('stock_levels').select(['sku', 'location_id', 'on_hand', 'reserved']).where('sku', 'in', [...skus]).execute()
    for (const r of rows) {
      const free = Number(r.on_hand) - Number(r.reserved)
      if (free <= 0) continue
      out.set(r.sku, [...(out.get(r.sku) ?? []), { locationId: r.location_id, free }])
    }
    for (const list of out.values()) list.sort((a, b) => b.free - a.free || (a.locationId < b.locationId ? -1 : 1))
    return out
  }

  /** Books parcels on a location's ship day, within its daily capacity (shared by every brand). */
  async bookCapacity(ex: Executor, locationId: string, day: string, parcels: number, dailyCapacity: number): Promise<void> {
    if (parcels <= 0) return
    await ex.insertInto('location_days').values({ location_id: locationId, day, parcels: 0 }).onConflict((oc) => oc.columns(['location_id', 'day']).doNothing()).execute()
    const res = await ex.updateTable('location_days')
      .set((eb) => ({ parcels: eb('parcels', '+', parcels) }))
      .where('location_id', '=', locationId).where('day', '=', day)
      .where((eb) => eb(eb('parcels', '+', parcels), '<=', dailyCapacity))
      .executeTakeFirst()
    if (Number(res.numUpdatedRows) !== 1) throw new StockRaced(`capacity of ${locationId} on ${day}`)
  }

  async releaseCapacity(ex: Executor, locationId: string, day: string, parcels: number): Promise<void> {
    if (parcels <= 0) return
    await ex.updateTable('location_days').set((eb) => ({ parcels: eb('parcels', '-', parcels) }))
      .where('location_id', '=', locationId).where('day', '=', day).where('parcels', '>=', parcels).execute()
  }

  // ------------------------------------------------------------------ stock: WMS sync

  /**
   * Applies a WMS snapshot (absolute on-hand at a location as of `seq`). Per row, a snapshot older
   * than the newest one applied is ignored, and deltas newer than the snapshot that arrived before it
   * are added back, so messages may arrive in any order and the result is the same.
   */
  async applySnapshot(scope: TenantDb, raw: unknown, ref: string | null = null): Promise<SyncResult> {
    const input = StockSnapshotInput.parse(raw)
    return this.syncRows(scope, input.locationId, input.seq, input.items, async (tx, item, row, now) => {
      if (Number(row.snapshot_seq) >= input.seq) return 'stale'
      const newer = await tx.selectFrom('stock_movements').select((eb) => eb.fn.sum<number>('on_hand_change').as('s'))
        .where('sku', '=', item.sku).where('location_id', '=', input.locationId).where('kind', '=', 'delta').where('seq', '>', input.seq)
        .executeTakeFirst()
      const onHand = item.onHand + Number(newer?.s ?? 0)
      await tx.updateTable('stock_levels').set({ on_hand: onHand, snapshot_seq: input.seq, updated_at: now })
        .where('sku', '=', item.sku).where('location_id', '=', input.locationId).execute()
      await this.ledgerRow(tx, { sku: item.sku, locationId: input.locationId, kind: 'snapshot', onHandChange: onHand - Number(row.on_hand), reservedChange: 0, onHandAfter: onHand, reservedAfter: Number(row.reserved), seq: input.seq, deltaKey: null, ref, at: now })
      return { onHand, applied: true }
    })
  }

  /**
   * Applies WMS deltas. A delta already applied (same location, seq and SKU) is ignored; a delta
   * older than the row's snapshot is recorded but not added, because the snapshot already counts it.
   */
  async applyDelta(scope: TenantDb, raw: unknown): Promise<SyncResult> {
    const input = StockDeltaInput.parse(raw)
    return this.syncRows(scope, input.locationId, input.seq, input.items, async (tx, item, row, now) => {
      const deltaKey = `${input.locationId}:${input.seq}:${item.sku}`
      if (await tx.selectFrom('stock_movements').select('id').where('delta_key', '=', deltaKey).executeTakeFirst()) return 'stale'
      const included = Number(row.snapshot_seq) >= input.seq
      const onHand = Number(row.on_hand) + (included ? 0 : item.delta)
      if (!included) await tx.updateTable('stock_levels').set({ on_hand: onHand, updated_at: now }).where('sku', '=', item.sku).where('location_id', '=', input.locationId).execute()
      await this.ledgerRow(tx, {
        sku: item.sku, locationId: input.locationId, kind: included ? 'delta_superseded' : 'delta', onHandChange: included ? 0 : item.delta, reservedChange: 0,
        onHandAfter: onHand, reservedAfter: Number(row.reserved), seq: input.seq, deltaKey, ref: input.reason ?? null, at: now,
      })
      return { onHand, applied: !included }
    })
  }

  /**
   * One WMS message in one transaction: each SKU's row locked in SKU order, changed by `apply`
   * ('stale' when it changes nothing), and any row left with more reserved than on hand reported
   * and announced (`stock.over_reserved`) in the same transaction, so the re-allocation it needs
   * cannot be lost to a crash.
   */
  private async syncRows<I extends { sku: string }>(
    scope: TenantDb, locationId: string, seq: number, items: readonly I[],
    apply: (tx: TenantDb, item: I, row: StockLevelsTable, now: string) => Promise<'stale' | { onHand: number; applied: boolean }>,
  ): Promise<SyncResult> {
    await this.requireLocation(locationId)
    return this.db.transaction(async (trx) => {
      const tx = scope.with(trx)
      const now = this.clock.now().toISOString()
      const out: SyncResult = { applied: 0, stale: 0, overReserved: [] }
      for (const item of [...items].sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0))) {
        const row = await this.lockRow(tx, item.sku, locationId, now)
        const r = await apply(tx, item, row, now)
        if (r === 'stale' || !r.applied) out.stale++
        else out.applied++
        if (r !== 'stale' && r.onHand < Number(row.reserved)) out.overReserved.push({ sku: item.sku, locationId, quantity: Number(row.reserved) - r.onHand })
      }
      if (out.overReserved.length > 0) await this.events.append(tx, 'stock.over_reserved', locationId, { locationId, seq, entries: out.overReserved })
      return out
    })
  }

  /** The ledger of one SKU (newest first). */
  async movements(scope: TenantDb, sku: string, limit = 100): Promise<Array<{ locationId: string; kind: string; onHandChange: number; reservedChange: number; onHandAfter: number; reservedAfter: number; seq: number | null; ref: string | null; at: string }>> {
    const rows = await scope.selectFrom('stock_movements').selectAll().where('sku', '=', sku).orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute()
    return rows.map((r) => ({ locationId: r.location_id, kind: r.kind, onHandChange: Number(r.on_hand_change), reservedChange: Number(r.reserved_change), onHandAfter: Number(r.on_hand_after), reservedAfter: Number(r.reserved_after), seq: r.seq === null ? null : Number(r.seq), ref: r.ref, at: r.at }))
  }

  private async requireLocation(id: string): Promise<void> {
    if (!(await this.getLocation(id))) throw new AppError('LOCATION_NOT_FOUND', 'invalid_data', `No location ${id}.`, { fields: [{ pointer: '/locationId', message: 'unknown location' }] })
  }

  /** The (SKU, location) row, created empty if new, locked for this transaction on PostgreSQL. */
  private async lockRow(tx: TenantDb, sku: string, locationId: string, now: string): Promise<StockLevelsTable> {
    await tx.insertInto('stock_levels', { sku, location_id: locationId, on_hand: 0, reserved: 0, snapshot_seq: -1, updated_at: now })
      .onConflict((oc) => oc.columns(['tenant_id', 'sku', 'location_id']).doNothing()).execute()
    let q = tx.selectFrom('stock_levels').selectAll().where('sku', '=', sku).where('location_id', '=', locationId)
    if (tx.dialect === 'postgres') q = q.forUpdate()
    return (await q.executeTakeFirstOrThrow()) as StockLevelsTable
  }

  /** Ledger rows of one reservation, release or shipment, in one statement. */
  private async ledgerRows(tx: TenantDb, moves: readonly Movement[]): Promise<void> {
    if (moves.length === 0) return
    await tx.insertInto('stock_movements', moves.map((m) => ({
      id: newId('stm'), sku: m.sku, location_id: m.locationId, kind: m.kind, on_hand_change: m.onHandChange, reserved_change: m.reservedChange,
      on_hand_after: m.onHandAfter, reserved_after: m.reservedAfter, seq: m.seq, delta_key: m.deltaKey, ref: m.ref, at: m.at,
    }))).execute()
  }

  private async ledgerRow(tx: TenantDb, m: { sku: string; locationId: string; kind: string; onHandChange: number; reservedChange: number; onHandAfter: number; reservedAfter: number; seq: number | null; deltaKey: string | null; ref: string | null; at: string }): Promise<void> {
    await tx.insertInto('stock_movements', {
      id: newId('stm'), sku: m.sku, location_id: m.locationId, kind: m.kind, on_hand_change: m.onHandChange, reserved_change: m.reservedChange,
      on_hand_after: m.onHandAfter, reserved_after: m.reservedAfter, seq: m.seq, delta_key: m.deltaKey, ref: m.ref, at: m.at,
    }).execute()
  }
}

interface Movement {
  sku: string
  locationId: string
  kind: string
  onHandChange: number
  reservedChange: number
  onHandAfter: number
  reservedAfter: number
  seq: number | null
  deltaKey: string | null
  ref: string | null
  at: string
}

function movement(e: StockEntry, kind: string, onHandChange: number, reservedChange: number, after: { on_hand: number; reserved: number }, ref: string, at: string): Movement {
  return { sku: e.sku, locationId: e.locationId, kind, onHandChange, reservedChange, onHandAfter: Number(after.on_hand), reservedAfter: Number(after.reserved), seq: null, deltaKey: null, ref, at }
}

function sortEntries<T extends StockEntry>(entries: readonly T[]): T[] {
  return [...entries].sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : a.locationId < b.locationId ? -1 : a.locationId > b.locationId ? 1 : 0))
}

function locationView(r: LocationsTable): LocationView {
  return {
    id: r.id, name: r.name, kind: r.kind, prefectureCode: r.prefecture_code, lat: Number(r.lat), lon: Number(r.lon),
    carriers: fromJson(r.carriers, []), cutoff: r.cutoff, dailyCapacity: Number(r.daily_capacity), capabilities: fromJson(r.capabilities, []),
    closedWeekdays: fromJson(r.closed_weekdays, []), closedDates: fromJson(r.closed_dates, []), active: Number(r.active) === 1,
    createdAt: r.created_at, updatedAt: r.updated_at,
  }
}

function stockLevel(r: StockLevelsTable): StockLevel {
  const onHand = Number(r.on_hand)
  const reserved = Number(r.reserved)
  return { sku: r.sku, locationId: r.location_id, onHand, reserved, available: Math.max(0, onHand - reserved), snapshotSeq: Number(r.snapshot_seq) < 0 ? null : Number(r.snapshot_seq), updatedAt: r.updated_at }
}
