/**
 * A stand-in for Shopify's Admin REST API refunds endpoints, for one shop, written from:
 * - shopify.dev REST Admin API "Refund" (2024-10): `POST /admin/api/{version}/orders/{order_id}/refunds/calculate.json`
 *   (200, suggested transactions `kind: "suggested_refund"` with `maximum_refundable`; quantities beyond what is left
 *   are cut to it), `POST …/refunds.json` (201 `{"refund":{…}}`), `GET …/refunds.json?limit=` (≤ 250, default 50);
 *   restock types `no_restock`, `cancel`, `return` (`legacy_restock` is not accepted for new refunds), and
 *   `location_id` required when restocking (`return`, `cancel`);
 * - the request and answer shapes of Shopify's generated clients (Shopify/shopify-api-js refund tests);
 * - "REST Admin API rate limits": a leaky bucket of 40 requests leaking 2 per second, `X-Shopify-Shop-Api-Call-Limit:
 *   used/40` on every answer, 429 with `Retry-After: 2.0` and
 *   `{"errors":"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."}`;
 * - Shopify's answers as seen in clients and their tests: 401
 *   `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`, 404
 *   `{"errors":"Not Found"}`, 400 `{"errors":{"refund":"Required parameter missing or invalid"}}`, 422
 *   `{"errors":{"refund_line_items.quantity":["cannot refund more items than were purchased"]}}` and
 *   `{"errors":{"transactions":["require a parent_id associated with the order"]}}`; transaction-level refusals come
 *   under `base` (e.g. "cannot exceed sales cap").
 * Wording we could not confirm is ours and marked OURS below (Rails-style where Shopify is Rails); clients must key on
 * the status and the field, not on these strings. Not modelled: taxes, discounts, duties, fulfilment state (`cancel`
 * vs `return`), multi-currency presentment, API versions falling forward (only the listed versions answer).
 *
 * Ids are read and written with lossless-json: a client that rounds an id beyond 2^53 names another line or
 * transaction and gets the same 422 Shopify would give.
 */
import { randomUUID } from 'node:crypto'
import { STATUS_CODES, createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { LosslessNumber, isLosslessNumber, parse, stringify } from 'lossless-json'
import { currencyExponent, toMinorUnits } from '../../src/platform/money.js'

export interface ShopifyOrderSeed {
  /** Digits; use ids beyond 2^53 to catch rounding. */
  id: string
  currency: string
  lineItems: Array<{ id: string; price: string; quantity: number; title?: string }>
  /** Shipping charged, a decimal string (default "0"). */
  shippingPrice?: string
  /** The payments: usually one `sale` (or an `authorization` and its `capture`). */
  transactions: Array<{ id: string; kind?: 'sale' | 'capture' | 'authorization'; amount: string; gateway: string; status?: 'success' | 'failure' | 'pending' }>
}

/** An order's state. Money is in minor units of `currency`. */
export interface StandInOrder {
  id: string
  currency: string
  lineItems: Array<{ id: string; title: string; priceMinor: number; quantity: number; refundedQuantity: number }>
  shippingMinor: number
  shippingRefundedMinor: number
  transactions: Array<{ id: string; kind: string; status: string; amountMinor: number; gateway: string; refundedMinor: number }>
}

export interface StandInRefund {
  id: string
  orderId: string
  createdAt: string
  note: string | null
  lines: Array<{ id: string; lineItemId: string; quantity: number; restockType: string; locationId: string | null; subtotalMinor: number }>
  transactions: Array<{ id: string; parentId: string; amountMinor: number; gateway: string; status: 'success' }>
  shippingMinor: number
  /** The order adjustment Shopify records for refunded shipping. */
  shippingAdjustmentId: string | null
}

export type ShopifyEndpoint = 'calculate' | 'create' | 'list'

export interface StandInRequest {
  method: string
  /** Path and query as received. */
  path: string
  endpoint: ShopifyEndpoint | undefined
  /** The raw body, byte for byte (to check how ids were written). */
  body: string
  token: string | undefined
  /** The status answered, or for a dropped request the one it would have had. */
  status: number
  dropped: boolean
}

export interface ShopifyAdminStandIn {
  /** Give this as the client's baseUrl. */
  url: string
  tokens: Set<string>
  orders: Map<string, StandInOrder>
  /** Refunds created (201), in order. */
  refunds: StandInRefund[]
  requests: StandInRequest[]
  /**
   * The next `times` requests (to `endpoint`, or any) get `status` with Shopify's usual body for it. With `commit`,
   * each is processed first (a valid create is recorded) and the failure replaces the answer: Shopify wrote the
   * refund, then failed.
   */
  failNext(status: number, times: number, opts?: { headers?: Record<string, string>; body?: unknown; endpoint?: ShopifyEndpoint; commit?: boolean }): void
  /** The next `times` requests get 429 with `Retry-After` (default "2.0"). */
  rateLimitNext(times: number, retryAfter?: string): void
  /**
   * The next `times` requests to `endpoint` (default 'create') have their connection closed without an answer; with
   * `commit` (default true) after being processed, so a valid refund is recorded and its answer lost.
   */
  dropNext(times: number, opts?: { endpoint?: ShopifyEndpoint; commit?: boolean }): void
  close(): Promise<void>
}

export interface ShopifyAdminStandInOptions {
  orders: ShopifyOrderSeed[]
  /** Access tokens that work (default 'shpat_test_token'). */
  tokens?: string[]
  /** API versions that answer (default ['2024-10']). */
  apiVersions?: string[]
  /** The leaky bucket (default 40 requests, leaking 2 per second: a standard plan). */
  bucket?: { size: number; leakPerSecond: number }
}

type Errors = Record<string, string[]>
interface Scripted {
  status: number
  headers: Record<string, string>
  body: unknown
  endpoint: ShopifyEndpoint | undefined
  commit: boolean
}
interface Drop {
  endpoint: ShopifyEndpoint
  commit: boolean
}

const PATH = /^\/admin\/api\/([^/]+)\/orders\/([^/]+)\/refunds(\/calculate)?\.json$/
const RESTOCK_TYPES = new Set(['no_restock', 'cancel', 'return'])
const RATE_LIMITED_BODY = { errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.' }
const PARAMETER_MISSING = { errors: { refund: 'Required parameter missing or invalid' } }

/** Starts the stand-in on 127.0.0.1 and a free port. */
export async function startShopifyAdminStandIn(opts: ShopifyAdminStandInOptions): Promise<ShopifyAdminStandIn> {
  const tokens = new Set(opts.tokens ?? ['shpat_test_token'])
  const versions = new Set(opts.apiVersions ?? ['2024-10'])
  const bucket = opts.bucket ?? { size: 40, leakPerSecond: 2 }
  const orders = new Map(opts.orders.map((o) => [o.id, seedOrder(o)]))
  const refunds: StandInRefund[] = []
  const requests: StandInRequest[] = []
  const failures: Scripted[] = []
  const drops: Drop[] = []
  let level = 0
  let leakedAt = Date.now()
  let nextId = 10n ** 18n + 1n
  const newId = (): string => String((nextId += 7919n))

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      const url = new URL(req.url ?? '/', 'http://stand-in')
      const m = PATH.exec(url.pathname)
      const endpoint: ShopifyEndpoint | undefined = !m ? undefined
        : m[3] ? (req.method === 'POST' ? 'calculate' : undefined)
        : req.method === 'POST' ? 'create' : req.method === 'GET' ? 'list' : undefined
      const tokenHeader = req.headers['x-shopify-access-token']
      const token = Array.isArray(tokenHeader) ? tokenHeader[0] : tokenHeader
      const log = (status: number, dropped = false): void => {
        requests.push({ method: req.method ?? '', path: req.url ?? '', endpoint, body: raw, token, status, dropped })
      }
      const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
        log(status)
        reply(res, status, body, {
          'X-Shopify-Shop-Api-Call-Limit': `${Math.min(bucket.size, Math.ceil(level))}/${bucket.size}`,
          ...(m && versions.has(m[1]!) && { 'X-Shopify-API-Version': m[1]! }),
          ...headers,
        })
      }

      if (!endpoint || !m) return send(404, { errors: 'Not Found' })

      // The bucket leaks continuously; each request adds one.
      const now = Date.now()
      level = Math.max(0, level - ((now - leakedAt) / 1000) * bucket.leakPerSecond)
      leakedAt = now
      if (level + 1 > bucket.size) {
        const wait = (level + 1 - bucket.size) / bucket.leakPerSecond
        return send(429, RATE_LIMITED_BODY, { 'Retry-After': Math.max(1, wait).toFixed(1) })
      }
      level += 1

      const dropAt = drops.findIndex((d) => d.endpoint === endpoint)
      const drop = dropAt >= 0 ? drops.splice(dropAt, 1)[0] : undefined
      const failAt = drop ? -1 : failures.findIndex((f) => f.endpoint === undefined || f.endpoint === endpoint)
      const failure = failAt >= 0 ? failures.splice(failAt, 1)[0] : undefined
      if (drop && !drop.commit) {
        log(0, true)
        return void res.socket?.destroy()
      }
      if (failure && !failure.commit) return send(failure.status, failure.body, failure.headers)

      const result = handle(endpoint, m[1]!, m[2]!, token, req.headers['content-type'], raw, url.searchParams)
      if (drop) {
        log(result.status, true)
        return void res.socket?.destroy()
      }
      if (failure) return send(failure.status, failure.body, failure.headers)
      send(result.status, result.body)
    })
  })

  function handle(endpoint: ShopifyEndpoint, version: string, orderId: string, token: string | undefined, contentType: string | undefined, raw: string, query: URLSearchParams): { status: number; body: unknown } {
    if (!token || !tokens.has(token)) return { status: 401, body: { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' } }
    if (!versions.has(version)) return { status: 404, body: { errors: 'Not Found' } }
    const order = orders.get(orderId)
    if (!order) return { status: 404, body: { errors: 'Not Found' } }

    if (endpoint === 'list') {
      const limit = Math.min(250, Math.max(1, Number(query.get('limit') ?? 50) || 50))
      return { status: 200, body: { refunds: refunds.filter((r) => r.orderId === order.id).slice(0, limit).map((r) => refundJson(order, r)) } }
    }

    // Without a JSON body Shopify sees no `refund` parameter at all.
    if (!/^application\/json\s*(;|$)/i.test(contentType ?? '')) return { status: 400, body: PARAMETER_MISSING }
    let body: unknown
    try {
      body = parse(raw)
    } catch {
      return { status: 400, body: PARAMETER_MISSING }
    }
    const input = isRecord(body) ? body.refund : undefined
    if (!isRecord(input)) return { status: 400, body: PARAMETER_MISSING }

    const errors: Errors = {}
    const add = (key: string, message: string): void => void (errors[key] ??= []).push(message)
    if (input.currency !== undefined && String(input.currency).toUpperCase() !== order.currency) add('currency', `must be the order's currency, ${order.currency}`) // OURS
    const lines = readLines(order, input.refund_line_items, endpoint === 'calculate', add)
    const shippingMinor = readShipping(order, input.shipping, endpoint === 'calculate', add)

    if (endpoint === 'calculate') {
      if (Object.keys(errors).length > 0) return { status: 422, body: { errors } }
      return { status: 200, body: { refund: calculation(order, lines, shippingMinor) } }
    }

    const transactions = readTransactions(order, input.transactions, add)
    if (Object.keys(errors).length > 0) return { status: 422, body: { errors } }

    const createdAt = shopTime(new Date())
    const refund: StandInRefund = {
      id: newId(),
      orderId: order.id,
      createdAt,
      note: typeof input.note === 'string' ? input.note : null,
      lines: lines.map((l) => ({ id: newId(), lineItemId: l.line.id, quantity: l.quantity, restockType: l.restockType, locationId: l.locationId, subtotalMinor: l.line.priceMinor * l.quantity })),
      transactions: transactions.map((t) => ({ id: newId(), parentId: t.parent.id, amountMinor: t.amountMinor, gateway: t.parent.gateway, status: 'success' as const })),
      shippingMinor,
      shippingAdjustmentId: shippingMinor > 0 ? newId() : null,
    }
    for (const l of lines) l.line.refundedQuantity += l.quantity
    for (const t of transactions) t.parent.refundedMinor += t.amountMinor
    order.shippingRefundedMinor += shippingMinor
    refunds.push(refund)
    return { status: 201, body: { refund: refundJson(order, refund) } }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    tokens,
    orders,
    refunds,
    requests,
    failNext(status, times, o = {}) {
      const headers = { ...(status === 429 && { 'Retry-After': '2.0' }), ...o.headers }
      const body = o.body ?? (status === 429 ? RATE_LIMITED_BODY : { errors: STATUS_CODES[status] ?? `HTTP ${status}` })
      for (let i = 0; i < times; i++) failures.push({ status, headers, body, endpoint: o.endpoint, commit: o.commit ?? false })
    },
    rateLimitNext(times, retryAfter = '2.0') {
      for (let i = 0; i < times; i++) failures.push({ status: 429, headers: { 'Retry-After': retryAfter }, body: RATE_LIMITED_BODY, endpoint: undefined, commit: false })
    },
    dropNext(times, o = {}) {
      for (let i = 0; i < times; i++) drops.push({ endpoint: o.endpoint ?? 'create', commit: o.commit ?? true })
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function seedOrder(o: ShopifyOrderSeed): StandInOrder {
  const currency = o.currency.toUpperCase()
  return {
    id: o.id,
    currency,
    lineItems: o.lineItems.map((l, i) => ({ id: l.id, title: l.title ?? `Item ${i + 1}`, priceMinor: toMinorUnits(l.price, currency), quantity: l.quantity, refundedQuantity: 0 })),
    shippingMinor: toMinorUnits(o.shippingPrice ?? '0', currency),
    shippingRefundedMinor: 0,
    transactions: o.transactions.map((t) => ({ id: t.id, kind: t.kind ?? 'sale', status: t.status ?? 'success', amountMinor: toMinorUnits(t.amount, currency), gateway: t.gateway, refundedMinor: 0 })),
  }
}

type Line = StandInOrder['lineItems'][number]
type Payment = StandInOrder['transactions'][number]

function readLines(order: StandInOrder, raw: unknown, calculate: boolean, add: (k: string, m: string) => void): Array<{ line: Line; quantity: number; restockType: string; locationId: string | null }> {
  if (raw === undefined || raw === null) return []
  if (!Array.isArray(raw)) {
    add('refund_line_items', 'is invalid') // OURS
    return []
  }
  const out: Array<{ line: Line; quantity: number; restockType: string; locationId: string | null }> = []
  const asked = new Map<Line, number>()
  for (const item of raw) {
    if (!isRecord(item)) {
      add('refund_line_items', 'is invalid') // OURS
      continue
    }
    const line = order.lineItems.find((l) => l.id === idOf(item.line_item_id))
    if (!line) {
      add('refund_line_items.line_item_id', 'is not a line item of this order') // OURS
      continue
    }
    const quantity = Number(numberText(item.quantity))
    if (!Number.isSafeInteger(quantity) || quantity < 1) {
      add('refund_line_items.quantity', 'must be greater than 0') // OURS (Rails wording)
      continue
    }
    const restockType = item.restock_type === undefined || item.restock_type === null ? 'no_restock' : String(item.restock_type)
    if (!RESTOCK_TYPES.has(restockType)) {
      add('refund_line_items.restock_type', 'is not included in the list') // OURS (Rails wording)
      continue
    }
    const locationId = idOf(item.location_id) ?? null
    if (!calculate && restockType !== 'no_restock' && locationId === null) {
      add('refund_line_items.location_id', `is required when restock_type is ${restockType}`) // OURS
      continue
    }
    const left = line.quantity - line.refundedQuantity - (asked.get(line) ?? 0)
    if (quantity > left) {
      // Calculate suggests what can still be refunded; create refuses.
      if (calculate) {
        if (left > 0) {
          asked.set(line, (asked.get(line) ?? 0) + left)
          out.push({ line, quantity: left, restockType, locationId })
        }
        continue
      }
      add('refund_line_items.quantity', 'cannot refund more items than were purchased') // Shopify's
      continue
    }
    asked.set(line, (asked.get(line) ?? 0) + quantity)
    out.push({ line, quantity, restockType, locationId })
  }
  return out
}

function readShipping(order: StandInOrder, raw: unknown, calculate: boolean, add: (k: string, m: string) => void): number {
  if (!isRecord(raw)) return 0
  const left = order.shippingMinor - order.shippingRefundedMinor
  if (raw.full_refund === true) return left
  if (raw.amount === undefined || raw.amount === null) return 0
  const amount = minorOf(raw.amount, order.currency)
  if (amount === undefined) {
    add('shipping.amount', 'is not a number') // OURS (Rails wording)
    return 0
  }
  if (amount > left) {
    if (calculate) return left
    add('shipping.amount', `cannot refund more than the shipping left to refund (${formatMinor(left, order.currency)})`) // OURS
    return 0
  }
  return amount
}

function readTransactions(order: StandInOrder, raw: unknown, add: (k: string, m: string) => void): Array<{ parent: Payment; amountMinor: number }> {
  if (raw === undefined || raw === null) return []
  if (!Array.isArray(raw)) {
    add('transactions', 'is invalid') // OURS
    return []
  }
  const out: Array<{ parent: Payment; amountMinor: number }> = []
  const asked = new Map<Payment, number>()
  for (const t of raw) {
    if (!isRecord(t)) {
      add('transactions', 'is invalid') // OURS
      continue
    }
    if (t.kind !== 'refund') {
      add('transactions.kind', 'is not included in the list') // OURS (Rails wording)
      continue
    }
    const parentId = idOf(t.parent_id)
    const parent = order.transactions.find((p) => p.id === parentId && (p.kind === 'sale' || p.kind === 'capture') && p.status === 'success')
    if (!parent) {
      add('transactions', 'require a parent_id associated with the order') // Shopify's
      continue
    }
    if (t.gateway !== undefined && t.gateway !== parent.gateway) {
      add('transactions.gateway', `must be the gateway of the parent transaction (${parent.gateway})`) // OURS
      continue
    }
    const amount = minorOf(t.amount, order.currency)
    if (amount === undefined || amount <= 0) {
      add('transactions.amount', 'must be greater than 0') // OURS (Rails wording)
      continue
    }
    const left = parent.amountMinor - parent.refundedMinor - (asked.get(parent) ?? 0)
    if (amount > left) {
      add('base', `Refund amount ${formatMinor(amount, order.currency)} exceeds the maximum refundable amount of ${formatMinor(left, order.currency)} for transaction ${parent.id}`) // OURS
      continue
    }
    asked.set(parent, (asked.get(parent) ?? 0) + amount)
    out.push({ parent, amountMinor: amount })
  }
  return out
}

/** Shopify's calculate answer: line amounts, shipping, and the refund spread over the payments in order. */
function calculation(order: StandInOrder, lines: Array<{ line: Line; quantity: number; restockType: string; locationId: string | null }>, shippingMinor: number): Record<string, unknown> {
  const c = order.currency
  const fmt = (minor: number): string => formatMinor(minor, c)
  let owed = lines.reduce((sum, l) => sum + l.line.priceMinor * l.quantity, 0) + shippingMinor
  const payments = order.transactions.filter((p) => (p.kind === 'sale' || p.kind === 'capture') && p.status === 'success' && p.amountMinor > p.refundedMinor)
  const transactions: Array<Record<string, unknown>> = []
  for (const p of payments) {
    const max = p.amountMinor - p.refundedMinor
    const amount = Math.min(owed, max)
    if (amount === 0 && transactions.length > 0) break
    owed -= amount
    transactions.push({ order_id: ln(order.id), kind: 'suggested_refund', gateway: p.gateway, parent_id: ln(p.id), amount: fmt(amount), currency: c, maximum_refundable: fmt(max) })
    if (owed === 0) break
  }
  return {
    shipping: { amount: fmt(shippingMinor), tax: fmt(0), maximum_refundable: fmt(order.shippingMinor - order.shippingRefundedMinor) },
    duties: [],
    additional_fees: [],
    return: null,
    refund_line_items: lines.map((l) => ({
      quantity: l.quantity,
      line_item_id: ln(l.line.id),
      location_id: l.locationId === null ? null : ln(l.locationId),
      restock_type: l.restockType,
      price: fmt(l.line.priceMinor),
      subtotal: fmt(l.line.priceMinor * l.quantity),
      total_tax: fmt(0),
      discounted_price: fmt(l.line.priceMinor),
      discounted_total_price: fmt(l.line.priceMinor * l.quantity),
      total_cart_discount_amount: fmt(0),
    })),
    transactions,
    currency: c,
  }
}

/** A refund as Shopify writes it (the fields clients read; ids as unquoted 64-bit numbers). */
function refundJson(order: StandInOrder, r: StandInRefund): Record<string, unknown> {
  const c = order.currency
  const money = (minor: number): Record<string, unknown> => ({ shop_money: { amount: formatMinor(minor, c), currency_code: c }, presentment_money: { amount: formatMinor(minor, c), currency_code: c } })
  return {
    id: ln(r.id),
    order_id: ln(order.id),
    created_at: r.createdAt,
    note: r.note,
    user_id: null,
    processed_at: r.createdAt,
    restock: r.lines.some((l) => l.restockType !== 'no_restock'),
    duties: [],
    return: null,
    admin_graphql_api_id: `gid://shopify/Refund/${r.id}`,
    refund_line_items: r.lines.map((l) => {
      const line = order.lineItems.find((x) => x.id === l.lineItemId)!
      return {
        id: ln(l.id),
        quantity: l.quantity,
        line_item_id: ln(l.lineItemId),
        location_id: l.locationId === null ? null : ln(l.locationId),
        restock_type: l.restockType,
        subtotal: ln(formatMinor(l.subtotalMinor, c)),
        total_tax: ln(formatMinor(0, c)),
        subtotal_set: money(l.subtotalMinor),
        total_tax_set: money(0),
        line_item: { id: ln(line.id), title: line.title, quantity: line.quantity, price: formatMinor(line.priceMinor, c), price_set: money(line.priceMinor), admin_graphql_api_id: `gid://shopify/LineItem/${line.id}` },
      }
    }),
    transactions: r.transactions.map((t) => ({
      id: ln(t.id),
      order_id: ln(order.id),
      kind: 'refund',
      gateway: t.gateway,
      status: t.status,
      message: null,
      created_at: r.createdAt,
      test: true,
      authorization: null,
      parent_id: ln(t.parentId),
      processed_at: r.createdAt,
      amount: formatMinor(t.amountMinor, c),
      currency: c,
      admin_graphql_api_id: `gid://shopify/OrderTransaction/${t.id}`,
    })),
    order_adjustments: r.shippingAdjustmentId !== null
      ? [{ id: ln(r.shippingAdjustmentId), order_id: ln(order.id), refund_id: ln(r.id), amount: `-${formatMinor(r.shippingMinor, c)}`, tax_amount: formatMinor(0, c), kind: 'shipping_refund', reason: 'Shipping refund', amount_set: money(r.shippingMinor) }]
      : [],
  }
}

// ---------------------------------------------------------------------------
// Helpers

function ln(digits: string): LosslessNumber {
  return new LosslessNumber(digits)
}

/** Ids may come as JSON numbers (as documented) or digit strings (Rails accepts both). */
function idOf(value: unknown): string | undefined {
  const t = numberText(value)
  return t !== undefined && /^\d+$/.test(t) ? t : undefined
}

function numberText(value: unknown): string | undefined {
  if (isLosslessNumber(value)) return value.value
  if (typeof value === 'string') return value.trim()
  if (typeof value === 'number') return String(value)
  return undefined
}

function minorOf(value: unknown, currency: string): number | undefined {
  const t = numberText(value)
  if (t === undefined) return undefined
  try {
    return toMinorUnits(t, currency)
  } catch {
    return undefined
  }
}

function formatMinor(minor: number, currency: string): string {
  const e = currencyExponent(currency)
  if (e === 0) return String(minor)
  const digits = String(minor).padStart(e + 1, '0')
  return `${digits.slice(0, -e)}.${digits.slice(-e)}`
}

/** Shopify writes times in the shop's zone; this shop is in Japan. */
function shopTime(d: Date): string {
  return `${new Date(d.getTime() + 9 * 3600_000).toISOString().slice(0, 19)}+09:00`
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isLosslessNumber(value)
}

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'X-Request-Id': randomUUID(), ...headers })
  res.end(stringify(body))
}
