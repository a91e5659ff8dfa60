import type { Clock } from '../../platform/clock.js'
import { isUniqueViolation, type Db } from '../../platform/db/index.js'
import { fromJson, toJson } from '../../platform/db/json.js'
import { AppError } from '../../platform/errors.js'
import type { EventBus } from '../../platform/events.js'
import { newId, newToken } from '../../platform/ids.js'
import { TenantDb } from '../../platform/tenancy.js'
import { toE164 } from '../../platform/japan/phone.js'
import type { CatalogService } from '../catalog/index.js'
import type { CustomerService } from '../customers/index.js'
import { allowedNext, canTransition, pathTo, type OrderStatus } from './lifecycle.js'
import { OrderInput, type Address, type OrderInputRaw } from './schemas.js'
import type { OrderHistoryTable, OrderLinesTable, OrdersTable } from './tables.js'

export interface OrderLine {
  id: string
  position: number
  externalId: string | null
  sku: string | null
  variantId: string | null
  title: string
  variantTitle: string | null
  quantity: number
  unitPrice: number
  discount: number
  requiresShipping: boolean
  shippedQuantity: number
}

export interface OrderTransition {
  from: OrderStatus | null
  to: OrderStatus
  reason: string | null
  actor: string
  at: string
}

export interface Order {
  id: string
  source: string
  externalId: string
  number: string | null
  status: OrderStatus
  customerId: string | null
  email: string | null
  phone: string | null
  currency: string
  subtotal: number
  shippingTotal: number
  taxTotal: number
  discountTotal: number
  total: number
  shippingAddress: Address | null
  billingAddress: Address | null
  landingSite: string | null
  referringSite: string | null
  tags: string[]
  note: string | null
  attributes: Record<string, string>
  placedAt: string
  createdAt: string
  updatedAt: string
  version: number
  /** Public order page token (at least 128 random bits). */
  trackingToken: string
  lines: OrderLine[]
  history: OrderTransition[]
}

export interface IngestOptions {
  actor: string
  /** What the shop says the order is now (a webhook snapshot); we move forward to it along legal steps. */
  target?: OrderStatus
  /** The shop's updated_at; an older snapshot does not overwrite a newer one. */
  sourceUpdatedAt?: string
  defaultLocale?: string
}

/** What intake did: the order's id and status now, and whether it was new. */
export interface IngestResult {
  id: string
  status: OrderStatus
  created: boolean
}

export interface OrderFilter {
  status?: OrderStatus
  customerId?: string
  email?: string
  source?: string
  placedFrom?: string
  placedTo?: string
  limit: number
  /** Return orders older than this id (cursor pagination, newest first). */
  after?: string
}

/**
 * Orders: intake (idempotent on the shop's order id), the lifecycle, and reads.
 * Every change writes its history row and its domain event in the same transaction.
 */
export class OrderService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly events: EventBus,
    private readonly customers: CustomerService,
    private readonly catalog: CatalogService,
  ) {}

  /** Runs `fn` in a transaction, or in the caller's when `scope` is already inside one (one unit of work). */
  private async inTransaction<R>(scope: TenantDb, fn: (tx: TenantDb) => Promise<R>): Promise<R> {
    if (scope.db.isTransaction) return fn(scope)
    return this.db.transaction((trx) => fn(scope.with(trx)))
  }

  /**
   * Takes an order in. The same (source, externalId) always yields the same order: a retry or a
   * later snapshot updates it and never creates a second one.
   */
  async ingest(scope: TenantDb, raw: OrderInputRaw, opts: IngestOptions): Promise<IngestResult> {
    return this.ingestValid(scope, OrderInput.parse(raw), opts)
  }

  /** `ingest` for input already validated with OrderInput (saves a second parse on hot paths). */
  async ingestValid(scope: TenantDb, input: OrderInput, opts: IngestOptions): Promise<IngestResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.inTransaction(scope, (tx) => this.ingestIn(tx, input, opts))
      } catch (err) {
        // Two deliveries of a new order raced; the loser now finds the winner's row. Inside a
        // caller's transaction (already aborted on PostgreSQL) the caller's retry does this instead.
        if (attempt < 2 && isUniqueViolation(err) && !scope.db.isTransaction) continue
        throw err
      }
    }
  }

  private async ingestIn(tx: TenantDb, input: OrderInput, opts: IngestOptions): Promise<IngestResult> {
    const now = this.clock.now().toISOString()
    const existing = await tx.selectFrom('orders').selectAll().where('source', '=', input.source).where('external_id', '=', input.externalId).executeTakeFirst()
    if (existing) {
      const newer = opts.sourceUpdatedAt && (!existing.source_updated_at || opts.sourceUpdatedAt > existing.source_updated_at)
      if (newer) {
        await tx
          .updateTable('orders')
          .set({
            ...mutableFields(input),
            source_updated_at: opts.sourceUpdatedAt ?? null,
            updated_at: now,
            version: existing.version + 1,
          })
          .where('id', '=', existing.id)
          .execute()
        await this.syncShipped(tx, existing.id, input)
        await this.events.append(tx, 'order.updated', existing.id, { orderId: existing.id, change: 'snapshot', sourceUpdatedAt: opts.sourceUpdatedAt })
      }
      const target = opts.target ?? (input.status === 'confirmed' ? 'confirmed' : undefined)
      const status = target && (newer || !opts.sourceUpdatedAt) ? await this.advance(tx, existing.id, target, opts.actor) : existing.status
      return { id: existing.id, status, created: false }
    }

    const customer = await this.customers.upsertFromOrder(tx, input.source, input.customer, opts.defaultLocale ?? 'ja')
    const variantIds = await this.catalog.variantsForLines(tx, input.source, input.currency, input.lines)
    const id = newId('ord')
    const subtotal = input.subtotal ?? input.lines.reduce((s, l) => s + l.unitPrice * l.quantity - l.discount, 0)
    // A new order that the shop already moved on (paid, fulfilled) is written in its final state
    // at once, with every step in its history and events, instead of one update per step.
    const target = opts.target ?? input.status
    const path = pathTo('placed', target) ?? []
    const status: OrderStatus = path[path.length - 1] ?? 'placed'
    const reason = opts.target ? 'shop snapshot' : 'status at intake'
    await tx
      .insertInto('orders', {
        id,
        source: input.source,
        external_id: input.externalId,
        status,
        customer_id: customer?.id ?? null,
        currency: input.currency,
        subtotal,
        ...mutableFields(input),
        placed_at: new Date(input.placedAt).toISOString(),
        source_updated_at: opts.sourceUpdatedAt ?? null,
        created_at: now,
        updated_at: now,
        version: 1 + path.length,
        tracking_token: newToken(),
      })
      .execute()
    await tx
      .insertInto(
        'order_lines',
        input.lines.map((l, i) => ({
          id: newId('oli'),
          order_id: id,
          position: i + 1,
          external_id: l.externalId ?? null,
          sku: l.sku ?? null,
          variant_id: variantIds[i] ?? null,
          title: l.title,
          variant_title: l.variantTitle ?? null,
          quantity: l.quantity,
          unit_price: l.unitPrice,
          discount: l.discount,
          requires_shipping: l.requiresShipping ? 1 : 0,
          shipped_quantity: l.shippedQuantity ?? 0,
        })),
      )
      .execute()
    const steps = path.map((to, i) => ({ from: i === 0 ? ('placed' as const) : path[i - 1]!, to }))
    await this.recordHistory(tx, id, [{ from: null, to: 'placed', reason: null }, ...steps.map((st) => ({ ...st, reason }))], opts.actor)
    await this.events.appendAll(tx, [
      {
        type: 'order.placed', subject: id,
        data: {
          orderId: id, source: input.source, externalId: input.externalId, number: input.number ?? null, customerId: customer?.id ?? null,
          currency: input.currency, total: input.total, lines: input.lines.length,
        },
      },
      ...steps.map((st) => ({ type: transitionEventType(st.to), subject: id, data: { orderId: id, change: 'status', from: st.from, to: st.to, reason } })),
    ])
    return { id, status, created: true }
  }

  /** Takes shipped counts from a newer shop snapshot; counts only grow. */
  private async syncShipped(tx: TenantDb, orderId: string, input: OrderInput): Promise<void> {
    const lines = await tx.selectFrom('order_lines').select(['id', 'external_id', 'position', 'shipped_quantity', 'quantity']).where('order_id', '=', orderId).execute()
    for (const [i, l] of input.lines.entries()) {
      if (l.shippedQuantity === undefined) continue
      const line = lines.find((x) => (l.externalId ? x.external_id === l.externalId : x.position === i + 1))
      if (line && l.shippedQuantity > line.shipped_quantity) {
        await tx.updateTable('order_lines').set({ shipped_quantity: Math.min(line.quantity, l.shippedQuantity) }).where('id', '=', line.id).execute()
      }
    }
  }

  /** Moves an order forward to `target` along legal steps (a shop snapshot); does nothing when it is already there or beyond. */
  private async advance(tx: TenantDb, id: string, target: OrderStatus, actor: string): Promise<OrderStatus> {
    const row = await tx.selectFrom('orders').select(['status', 'version']).where('id', '=', id).executeTakeFirstOrThrow()
    const path = pathTo(row.status, target)
    if (!path) return row.status
    let version = row.version
    let from = row.status
    for (const to of path) {
      await this.applyTransition(tx, id, from, to, version, 'shop snapshot', actor)
      from = to
      version++
    }
    return from
  }

  /** An explicit lifecycle move; an illegal one is refused with 409 and changes nothing. */
  async transition(scope: TenantDb, id: string, to: OrderStatus, opts: { reason?: string; actor: string }): Promise<Order> {
    await this.inTransaction(scope, async (tx) => {
      const row = await tx.selectFrom('orders').select(['status', 'version']).where('id', '=', id).executeTakeFirst()
      if (!row) throw orderNotFound(id)
      if (!canTransition(row.status, to)) {
        throw new AppError('ORDER_TRANSITION_NOT_ALLOWED', 'conflict', `An order that is ${row.status} cannot become ${to}.`, {
          extra: { currentStatus: row.status, allowed: allowedNext(row.status) },
        })
      }
      await this.applyTransition(tx, id, row.status, to, row.version, opts.reason ?? null, opts.actor)
    })
    return (await this.get(scope, id))!
  }

  private async applyTransition(tx: TenantDb, id: string, from: OrderStatus, to: OrderStatus, version: number, reason: string | null, actor: string): Promise<void> {
    const now = this.clock.now().toISOString()
    // Compare-and-set on the version: a concurrent change makes this one fail instead of both landing.
    const res = await tx
      .updateTable('orders')
      .set({ status: to, version: version + 1, updated_at: now })
      .where('id', '=', id)
      .where('version', '=', version)
      .executeTakeFirst()
    if (Number(res.numUpdatedRows) !== 1) {
      throw new AppError('ORDER_CHANGED_CONCURRENTLY', 'conflict', 'The order changed while this request ran; retry it.')
    }
    await this.recordHistory(tx, id, [{ from, to, reason }], actor)
    await this.events.append(tx, transitionEventType(to), id, { orderId: id, change: 'status', from, to, reason })
  }

  /** Appends lifecycle steps to the order's history, in order, with one insert. */
  private async recordHistory(tx: TenantDb, orderId: string, steps: Array<{ from: OrderStatus | null; to: OrderStatus; reason: string | null }>, actor: string) {
    const at = this.clock.now()
    await tx
      .insertInto(
        'order_history',
        steps.map((st) => ({ id: newId('ohs', at), order_id: orderId, from_status: st.from, to_status: st.to, reason: st.reason, actor, occurred_at: at.toISOString() })),
      )
      .execute()
  }

  /**
   * Adds shipped quantities to an order's lines (by line id, never beyond what was ordered) and
   * moves the order to partially_shipped or shipped. Called by the tracking module when a shipment
   * is created, inside its transaction.
   */
  async recordShipped(scope: TenantDb, orderId: string, lines: Array<{ lineId: string; quantity: number }>, detail: Record<string, unknown>, actor: string): Promise<OrderStatus> {
    return this.inTransaction(scope, async (tx) => {
      const order = await tx.selectFrom('orders').select(['id', 'status']).where('id', '=', orderId).executeTakeFirst()
      if (!order) throw orderNotFound(orderId)
      const rows = await tx.selectFrom('order_lines').selectAll().where('order_id', '=', orderId).execute()
      for (const sl of lines) {
        const line = rows.find((l) => l.id === sl.lineId)
        if (!line) continue
        line.shipped_quantity = Math.min(line.quantity, line.shipped_quantity + sl.quantity)
        await tx.updateTable('order_lines').set({ shipped_quantity: line.shipped_quantity }).where('id', '=', line.id).execute()
      }
      await this.events.append(tx, 'order.updated', orderId, { orderId, change: 'fulfillment', ...detail })
      const all = rows.filter((l) => l.requires_shipping === 1).every((l) => l.shipped_quantity >= l.quantity)
      return this.advance(tx, orderId, all ? 'shipped' : 'partially_shipped', actor)
    })
  }

  /** Moves an order forward to `target` along legal steps; does nothing when it is already there, beyond, or cannot get there. */
  async advanceTo(scope: TenantDb, id: string, target: OrderStatus, actor: string): Promise<OrderStatus> {
    return this.inTransaction(scope, (tx) => this.advance(tx, id, target, actor))
  }

  /** The order's id for a shop's order id, or undefined. */
  async idForExternal(scope: TenantDb, source: string, externalId: string): Promise<string | undefined> {
    const row = await scope.selectFrom('orders').select('id').where('source', '=', source).where('external_id', '=', externalId).executeTakeFirst()
    return row?.id
  }

  /** Records a refund against an order as a `refund.issued` event. */
  async recordRefund(scope: TenantDb, source: string, externalOrderId: string, refund: Record<string, unknown>): Promise<boolean> {
    return this.inTransaction(scope, async (tx) => {
      const order = await tx.selectFrom('orders').select('id').where('source', '=', source).where('external_id', '=', externalOrderId).executeTakeFirst()
      if (!order) return false
      await this.events.append(tx, 'refund.issued', order.id, { orderId: order.id, ...refund })
      return true
    })
  }

  /** The order with its lines and (unless `history: false`, for callers that only read the order) its history. */
  async get(scope: TenantDb, id: string, opts: { history?: boolean } = {}): Promise<Order | undefined> {
    const row = await scope.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst()
    if (!row) return undefined
    const [lines, history] = await Promise.all([
      scope.selectFrom('order_lines').selectAll().where('order_id', '=', id).orderBy('position').execute(),
      opts.history === false ? [] : scope.selectFrom('order_history').selectAll().where('order_id', '=', id).orderBy('id').execute(),
    ])
    return toOrder(row, lines, history)
  }

  async getOrThrow(scope: TenantDb, id: string): Promise<Order> {
    const order = await this.get(scope, id)
    if (!order) throw orderNotFound(id)
    return order
  }

  /**
   * The order behind a public page token, with its tenant. The token is the customer's capability:
   * it is the only lookup that is not scoped by a tenant, and it reveals nothing without the token.
   */
  async findByTrackingToken(token: string): Promise<{ tenantId: string; order: Order } | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined
    const row = await this.db.kysely.selectFrom('orders').select(['id', 'tenant_id']).where('tracking_token', '=', token).executeTakeFirst()
    if (!row) return undefined
    const order = await this.get(new TenantDb(row.tenant_id, this.db.kysely, this.db.dialect), row.id)
    return order ? { tenantId: row.tenant_id, order } : undefined
  }

  /** Tenant and order id behind a page token, without loading the order (link clicks, counters). */
  async refByTrackingToken(token: string): Promise<{ tenantId: string; orderId: string } | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined
    const row = await this.db.kysely.selectFrom('orders').select(['id', 'tenant_id']).where('tracking_token', '=', token).executeTakeFirst()
    return row ? { tenantId: row.tenant_id, orderId: row.id } : undefined
  }

  /**
   * The order a customer without a link asks for: its number (with or without #, full-width
   * allowed) and the email or phone it was placed with must both match. Returns the page token.
   */
  async findForLookup(scope: TenantDb, number: string, contact: string): Promise<string | undefined> {
    const n = number.normalize('NFKC').trim().replace(/^#/, '')
    if (!n || n.length > 100) return undefined
    const rows = await scope.selectFrom('orders').select(['email', 'phone', 'tracking_token']).where('number', 'in', [n, `#${n}`]).limit(20).execute()
    const c = contact.normalize('NFKC').trim()
    const email = c.includes('@') ? c.toLowerCase() : undefined
    const phone = email ? undefined : toE164(c)
    const hit = rows.find((r) => (email && r.email === email) || (phone && r.phone && toE164(r.phone) === phone))
    return hit?.tracking_token
  }

  /** Newest first; pass the last id as `after` for the next page. */
  /** How many orders since `since` (not cancelled) contain any of these variants: "N bought this week". */
  async recentOrderCount(scope: TenantDb, variantIds: readonly string[], since: string): Promise<number> {
    if (variantIds.length === 0) return 0
    const row = await scope.selectFrom('orders').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('placed_at', '>=', since).where('status', '!=', 'cancelled')
      .where('id', 'in', scope.selectFrom('order_lines').select('order_id').where('variant_id', 'in', [...variantIds]))
      .executeTakeFirst()
    return Number(row?.n ?? 0)
  }

  async list(scope: TenantDb, f: OrderFilter): Promise<Order[]> {
    let q = scope.selectFrom('orders').selectAll().orderBy('id', 'desc').limit(f.limit)
    if (f.after) q = q.where('id', '<', f.after)
    if (f.status) q = q.where('status', '=', f.status)
    if (f.customerId) q = q.where('customer_id', '=', f.customerId)
    if (f.email) q = q.where('email', '=', f.email.trim().toLowerCase())
    if (f.source) q = q.where('source', '=', f.source)
    if (f.placedFrom) q = q.where('placed_at', '>=', new Date(f.placedFrom).toISOString())
    if (f.placedTo) q = q.where('placed_at', '<', new Date(f.placedTo).toISOString())
    const rows = await q.execute()
    if (rows.length === 0) return []
    const ids = rows.map((r) => r.id)
    const lines = await scope.selectFrom('order_lines').selectAll().where('order_id', 'in', ids).orderBy('position').execute()
    const byOrder = new Map<string, OrderLinesTable[]>()
    for (const l of lines) byOrder.set(l.order_id, [...(byOrder.get(l.order_id) ?? []), l])
    return rows.map((r) => toOrder(r, byOrder.get(r.id) ?? [], undefined))
  }
}

/** The domain event a move to `to` emits (names in DESIGN.md). */
function transitionEventType(to: OrderStatus): string {
  return to === 'confirmed' ? 'order.confirmed' : to === 'cancelled' ? 'order.cancelled' : 'order.updated'
}

export const orderNotFound = (id: string) => new AppError('ORDER_NOT_FOUND', 'not_found', `No order with id ${id}.`)

/** Fields a later snapshot from the shop may change. */
function mutableFields(input: OrderInput) {
  return {
    number: input.number ?? null,
    email: input.customer?.email?.trim().toLowerCase() ?? null,
    phone: input.customer?.phone ?? input.shippingAddress?.phone ?? null,
    shipping_total: input.shippingTotal,
    tax_total: input.taxTotal,
    discount_total: input.discountTotal,
    total: input.total,
    shipping_address: input.shippingAddress ? toJson(input.shippingAddress) : null,
    billing_address: input.billingAddress ? toJson(input.billingAddress) : null,
    landing_site: input.landingSite ?? null,
    referring_site: input.referringSite ?? null,
    tags: toJson(input.tags),
    note: input.note ?? null,
    attributes: toJson(input.attributes),
  }
}

function toOrder(r: OrdersTable, lines: OrderLinesTable[], history: OrderHistoryTable[] | undefined): Order {
  return {
    id: r.id, source: r.source, externalId: r.external_id, number: r.number, status: r.status, customerId: r.customer_id,
    email: r.email, phone: r.phone, currency: r.currency, subtotal: Number(r.subtotal), shippingTotal: Number(r.shipping_total),
    taxTotal: Number(r.tax_total), discountTotal: Number(r.discount_total), total: Number(r.total),
    shippingAddress: fromJson(r.shipping_address, null), billingAddress: fromJson(r.billing_address, null),
    landingSite: r.landing_site, referringSite: r.referring_site, tags: fromJson(r.tags, []), note: r.note,
    attributes: fromJson(r.attributes, {}), placedAt: r.placed_at, createdAt: r.created_at, updatedAt: r.updated_at, version: r.version, trackingToken: r.tracking_token,
    lines: lines.map((l) => ({
      id: l.id, position: l.position, externalId: l.external_id, sku: l.sku, variantId: l.variant_id, title: l.title,
      variantTitle: l.variant_title, quantity: l.quantity, unitPrice: Number(l.unit_price), discount: Number(l.discount),
      requiresShipping: l.requires_shipping === 1, shippedQuantity: l.shipped_quantity,
    })),
    history: (history ?? []).map((h) => ({ from: h.from_status, to: h.to_status, reason: h.reason, actor: h.actor, at: h.occurred_at })),
  }
}
