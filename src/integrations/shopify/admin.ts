/**
 * Shopify Admin REST API client for refunds: calculate, create, list. The returns module calls it to refund a return
 * "through the commerce adapter"; tests point it at `test/stand-ins/shopify-admin.ts`.
 *
 * Shopify facts used (shopify.dev REST Admin API 2024-10 "Refund" resource and "REST Admin API rate limits"; the
 * request and answer shapes of Shopify's own generated clients, Shopify/shopify-api-js `rest/admin/__tests__`):
 * - `POST /admin/api/2024-10/orders/{order_id}/refunds/calculate.json` answers 200 `{"refund":{…}}` whose
 *   `transactions` are `kind: "suggested_refund"` with `parent_id`, `amount`, `gateway`, `maximum_refundable`, and
 *   whose `refund_line_items` carry `price`, `subtotal`, `total_tax` as decimal strings;
 * - `POST /admin/api/2024-10/orders/{order_id}/refunds.json` with `{"refund":{currency, notify, note, shipping,
 *   refund_line_items:[{line_item_id, quantity, restock_type, location_id}], transactions:[{parent_id, amount,
 *   kind:"refund", gateway}]}}` answers 201 `{"refund":{id, created_at, note, transactions:[{id, amount, status, …}]}}`;
 * - `GET …/orders/{order_id}/refunds.json?limit=…` (≤ 250) answers `{"refunds":[…]}`;
 * - auth is the `X-Shopify-Access-Token` header; errors are `{"errors": "text" | [..] | {field: [messages]}}`
 *   (401 "[API] Invalid API key or access token …", 404 "Not Found", 422 field errors such as
 *   `{"refund_line_items.quantity":["cannot refund more items than were purchased"]}`);
 * - a 429 carries `Retry-After` in seconds, written as a decimal ("2.0"), and every answer carries
 *   `X-Shopify-Shop-Api-Call-Limit: used/size` (a leaky bucket: 40 requests, leaking 2 per second on standard plans).
 *
 * Ids: Shopify ids exceed 2^53. Answers are parsed with lossless-json and every id is kept as its digit string;
 * request bodies are written with lossless-json so `line_item_id`, `parent_id` and `location_id` go out as the exact
 * digits, unquoted, as Shopify documents them. Amounts are decimal strings ("1620", "19.99"), sent as JSON numbers
 * written from that text, so no float ever touches them.
 *
 * No double refunds. Shopify's REST refunds take no idempotency key, and a create whose answer we lose (timeout,
 * dropped connection, 5xx after the refund was written) may or may not have refunded the customer. So each create
 * carries `kando:<key>` at the end of its `note`, and `createRefund`:
 * 1. first lists the order's refunds and returns the one whose note carries the key, if any (so a caller that retries
 *    after our error, or after a crash, gets the earlier refund back instead of a second one);
 * 2. on an unknown outcome (network error, timeout, 5xx, unreadable 2xx), waits, lists again, and returns the refund
 *    if it is there; only when it is not does it send the create again. A 429 was not processed: it is simply retried.
 * What this does not cover: two callers creating with the same key at the same moment (the caller serialises per
 * return), and a refund Shopify commits after our lookup has already answered (a request still in flight when our
 * timeout fired). The lookup reads at most 250 refunds of the order.
 *
 * Gift cards and store credit are not here: the GiftCard REST resource (`POST /admin/api/2024-10/gift_cards.json`)
 * is for Shopify Plus shops only and its scopes must be requested from Shopify Support; other shops refund to store
 * credit through the GraphQL Admin API.
 */
import { LosslessNumber, isLosslessNumber, parse as parseLossless, stringify as stringifyLossless } from 'lossless-json'
import { currencyExponent } from '../../platform/money.js'

export type ShopifyApiVersion = '2024-10'
export type RestockType = 'no_restock' | 'return' | 'cancel'

/** One order line to refund. Ids are Shopify's decimal ids as strings (or `gid://shopify/LineItem/…`). */
export interface RefundLineInput {
  lineItemId: string
  quantity: number
  restockType: RestockType
  /** Where returned or cancelled items go back into stock; Shopify requires it for 'return' and 'cancel'. */
  locationId?: string
}

export interface ShopifyAdminClientOptions {
  /** The shop's permanent domain, e.g. 'komorebi.myshopify.com'. */
  shopDomain: string
  accessToken: string
  apiVersion?: ShopifyApiVersion
  /** Default `https://{shopDomain}`; tests point it at the stand-in. */
  baseUrl?: string
  fetch?: typeof fetch
  /** Retries after the first attempt, for 429, 5xx and network errors (default 3). */
  maxRetries?: number
  /** Per request (default 30 000 ms). */
  timeoutMs?: number
  /** Injectable for tests (default: setTimeout). */
  sleep?: (ms: number) => Promise<void>
  /** The longest `Retry-After` honoured (default 60 000 ms); a longer one is cut to this. */
  maxRetryAfterMs?: number
}

export interface CalculateRefundOptions {
  shippingFullRefund?: boolean
  /** A decimal string, e.g. "500". */
  shippingAmount?: string
  currency?: string
}

export interface SuggestedTransaction {
  parentId: string
  amount: string
  /** Shopify answers 'suggested_refund'. */
  kind: string
  gateway: string
  maximumRefundable: string
}

export interface CalculatedRefundLine {
  lineItemId: string
  quantity: number
  restockType: string
  locationId?: string
  price: string
  subtotal: string
  totalTax: string
}

export interface CalculatedRefund {
  transactions: SuggestedTransaction[]
  currency: string
  refundLineItems: CalculatedRefundLine[]
  shipping?: { amount: string; tax: string; maximumRefundable: string }
}

export interface CreateRefundInput {
  lines: RefundLineInput[]
  currency: string
  /** Shown in the Shopify admin; `kando:<idempotency key>` is appended. */
  note?: string
  /** Whether Shopify emails the customer (default false: Kando sends its own message). */
  notify?: boolean
  transactions: Array<{ parentId: string; amount: string; gateway: string }>
  shipping?: { fullRefund?: boolean; amount?: string }
}

export interface CreatedRefund {
  id: string
  createdAt: string
  note?: string
  transactions: Array<{ id: string; amount: string; status: string; kind: string; gateway: string; parentId?: string }>
  /** True when an earlier attempt had created it and it was found by its key instead of being created now. */
  foundByKey: boolean
}

export type ShopifyAdminErrorCode = 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'UNPROCESSABLE' | 'RATE_LIMITED' | 'SERVER' | 'NETWORK'

/** Shopify refused or could not be reached. `detail` is Shopify's error body as "field: message" text. */
export class ShopifyAdminError extends Error {
  /** The HTTP status, or undefined when no answer came. */
  readonly status: number | undefined
  readonly code: ShopifyAdminErrorCode
  /** Worth trying again later (for a create: with the same idempotency key). */
  readonly retryable: boolean
  readonly detail: string
  /** From `Retry-After`, for 429 and 5xx. */
  readonly retryAfterMs: number | undefined
  /** Shopify's X-Request-Id, for its support. */
  readonly requestId: string | undefined

  constructor(init: {
    status: number | undefined
    code: ShopifyAdminErrorCode
    retryable: boolean
    detail: string
    what: string
    retryAfterMs?: number
    requestId?: string
    cause?: unknown
  }) {
    super(`Shopify ${init.status ?? init.code} on ${init.what}: ${init.detail}`, { cause: init.cause })
    this.name = 'ShopifyAdminError'
    this.status = init.status
    this.code = init.code
    this.retryable = init.retryable
    this.detail = init.detail
    this.retryAfterMs = init.retryAfterMs
    this.requestId = init.requestId
  }
}

const DEFAULT_TIMEOUT_MS = 30_000
const DEFAULT_MAX_RETRY_AFTER_MS = 60_000
/** Shopify's usual Retry-After, used when a 429 comes without one. */
const DEFAULT_RETRY_AFTER_MS = 2_000
const BACKOFF_BASE_MS = 500
const BACKOFF_MAX_MS = 8_000
const LIST_LIMIT = 250
const KEY = /^[A-Za-z0-9._:-]{1,120}$/
const DECIMAL = /^\d+(?:\.\d+)?$/

/**
 * Minor units as the decimal string Shopify uses.
 * @example toShopifyAmount(1620, 'JPY') // "1620"
 * @example toShopifyAmount(1999, 'USD') // "19.99"
 */
export function toShopifyAmount(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor) || minor < 0) throw new RangeError(`toShopifyAmount: ${minor} is not a non-negative integer amount in minor units`)
  const exponent = currencyExponent(currency)
  if (exponent === 0) return String(minor)
  const digits = String(minor).padStart(exponent + 1, '0')
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`
}

/**
 * Shopify's error body as one line: `{"errors":{"refund_line_items.quantity":["cannot refund …"]}}` becomes
 * "refund_line_items.quantity: cannot refund …"; `base` messages and plain strings stand alone.
 */
export function flattenShopifyErrors(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined
  const errors = body.errors ?? body.error
  const parts: string[] = []
  const add = (field: string | undefined, value: unknown): void => {
    if (Array.isArray(value)) return value.forEach((v) => add(field, v))
    if (isRecord(value)) return Object.entries(value).forEach(([k, v]) => add(field ? `${field}.${k}` : k, v))
    const text = typeof value === 'string' ? value : isLosslessNumber(value) ? value.value : JSON.stringify(value)
    parts.push(field && field !== 'base' ? `${field}: ${text}` : text)
  }
  if (errors === undefined) return undefined
  add(undefined, errors)
  return parts.length > 0 ? parts.join('; ') : undefined
}

/** One shop's refunds through the Admin REST API. */
export class ShopifyAdminClient {
  private readonly base: string
  private readonly accessToken: string
  private readonly fetch: typeof fetch
  private readonly maxRetries: number
  private readonly timeoutMs: number
  private readonly sleep: (ms: number) => Promise<void>
  private readonly maxRetryAfterMs: number
  private lastCallLimit: { used: number; size: number } | undefined

  constructor(options: ShopifyAdminClientOptions) {
    if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/i.test(options.shopDomain)) {
      throw new TypeError(`shopDomain must be the shop's permanent *.myshopify.com domain, got ${JSON.stringify(options.shopDomain)}`)
    }
    if (!options.accessToken) throw new TypeError('accessToken is required')
    const version = options.apiVersion ?? '2024-10'
    this.base = `${(options.baseUrl ?? `https://${options.shopDomain}`).replace(/\/+$/, '')}/admin/api/${version}`
    this.accessToken = options.accessToken
    this.fetch = options.fetch ?? globalThis.fetch
    this.maxRetries = Math.max(0, options.maxRetries ?? 3)
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)))
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS
  }

  /** The bucket as of the last answer (`X-Shopify-Shop-Api-Call-Limit`), e.g. `{ used: 32, size: 40 }`. */
  get callLimit(): { used: number; size: number } | undefined {
    return this.lastCallLimit
  }

  /**
   * What Shopify would refund for these lines (and shipping): the suggested transactions to pass to `createRefund`.
   * Safe to repeat, so 429, 5xx and network errors are retried. Shopify caps each quantity at what is left to refund.
   */
  async calculateRefund(orderId: string, lines: RefundLineInput[], opts: CalculateRefundOptions = {}): Promise<CalculatedRefund> {
    const order = checkId(orderId, 'orderId')
    const refund: Record<string, unknown> = {}
    if (opts.currency !== undefined) refund.currency = checkCurrency(opts.currency)
    const shipping = shippingBody({ fullRefund: opts.shippingFullRefund, amount: opts.shippingAmount })
    if (shipping) refund.shipping = shipping
    refund.refund_line_items = lines.map((l, i) => lineBody(l, i))
    const answer = await this.safe('POST', `/orders/${order}/refunds/calculate.json`, encode({ refund }))
    return mapCalculated(field(answer, 'refund'))
  }

  /**
   * Creates the refund once per `idempotencyKey` (letters, digits and `._:-`, at most 120): see the module comment
   * for how a lost answer is resolved without refunding twice. Field errors (422) are thrown as UNPROCESSABLE and
   * never retried.
   */
  async createRefund(orderId: string, input: CreateRefundInput, idempotencyKey: string): Promise<CreatedRefund> {
    const order = checkId(orderId, 'orderId')
    if (!KEY.test(idempotencyKey)) throw new TypeError(`idempotencyKey must match ${KEY}, got ${JSON.stringify(idempotencyKey)}`)
    const marker = `kando:${idempotencyKey}`
    const note = input.note?.trim() ? `${input.note.trim()} ${marker}` : marker
    const refund: Record<string, unknown> = { currency: checkCurrency(input.currency), notify: input.notify ?? false, note }
    const shipping = shippingBody(input.shipping ?? {})
    if (shipping) refund.shipping = shipping
    refund.refund_line_items = input.lines.map((l, i) => lineBody(l, i))
    refund.transactions = input.transactions.map((t, i) => {
      if (!t.gateway) throw new TypeError(`transactions[${i}].gateway is required (the parent transaction's gateway)`)
      return { parent_id: new LosslessNumber(checkId(t.parentId, `transactions[${i}].parentId`)), amount: amountNumber(t.amount, `transactions[${i}].amount`), kind: 'refund', gateway: t.gateway }
    })
    const body = encode({ refund })

    const earlier = await this.findRefundByKey(order, marker)
    if (earlier) return earlier
    for (let attempt = 0; ; attempt++) {
      try {
        return mapRefund(field(await this.once('POST', `/orders/${order}/refunds.json`, body), 'refund'), false)
      } catch (err) {
        if (!(err instanceof ShopifyAdminError) || !err.retryable) throw err
        if (attempt >= this.maxRetries) {
          if (err.code === 'RATE_LIMITED') throw err
          throw new ShopifyAdminError({
            status: err.status, code: err.code, retryable: true, what: `POST /orders/${order}/refunds.json`, retryAfterMs: err.retryAfterMs, requestId: err.requestId, cause: err,
            detail: `${err.detail} (outcome unknown: call createRefund again with the same idempotency key, it looks for the refund first)`,
          })
        }
        await this.sleep(this.delayFor(err, attempt))
        // A 429 was not processed; anything else may have created the refund.
        if (err.code !== 'RATE_LIMITED') {
          const found = await this.findRefundByKey(order, marker)
          if (found) return found
        }
      }
    }
  }

  /** The order's refund whose note ends with `marker`, or undefined. */
  private async findRefundByKey(order: string, marker: string): Promise<CreatedRefund | undefined> {
    const answer = await this.safe('GET', `/orders/${order}/refunds.json?limit=${LIST_LIMIT}`, undefined)
    const refunds = field(answer, 'refunds')
    if (!Array.isArray(refunds)) throw unreadable('GET refunds.json', 'refunds is not a list')
    const found = refunds.find((r) => isRecord(r) && typeof r.note === 'string' && noteCarries(r.note, marker))
    return found === undefined ? undefined : mapRefund(found, true)
  }

  /** A request that is safe to repeat: retried on 429, 5xx and network errors. */
  private async safe(method: 'GET' | 'POST', path: string, body: string | undefined): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(method, path, body)
      } catch (err) {
        if (!(err instanceof ShopifyAdminError) || !err.retryable || attempt >= this.maxRetries) throw err
        await this.sleep(this.delayFor(err, attempt))
      }
    }
  }

  private delayFor(err: ShopifyAdminError, attempt: number): number {
    if (err.code === 'RATE_LIMITED') return Math.min(err.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS, this.maxRetryAfterMs)
    if (err.retryAfterMs !== undefined) return Math.min(err.retryAfterMs, this.maxRetryAfterMs)
    return Math.min(BACKOFF_BASE_MS * 2 ** attempt, BACKOFF_MAX_MS)
  }

  /** One HTTP exchange: the parsed 2xx body, or a ShopifyAdminError. */
  private async once(method: 'GET' | 'POST', path: string, body: string | undefined): Promise<unknown> {
    const what = `${method} ${path.split('?')[0]}`
    let res: Response
    let text: string
    try {
      res = await this.fetch(`${this.base}${path}`, {
        method,
        headers: {
          'X-Shopify-Access-Token': this.accessToken,
          Accept: 'application/json',
          ...(body !== undefined && { 'Content-Type': 'application/json' }),
        },
        body,
        // A redirected POST would come back as a GET of something else; the shop domain is wrong instead.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      })
      text = await res.text()
    } catch (cause) {
      const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError')
      throw new ShopifyAdminError({
        status: undefined, code: 'NETWORK', retryable: true, what, cause,
        detail: timedOut ? `no answer within ${this.timeoutMs} ms` : describe(cause),
      })
    }
    this.lastCallLimit = parseCallLimit(res.headers.get('x-shopify-shop-api-call-limit')) ?? this.lastCallLimit
    const requestId = res.headers.get('x-request-id') ?? undefined
    if (res.status >= 200 && res.status < 300) {
      try {
        return parseLossless(text)
      } catch (cause) {
        // The request was processed; only its answer is unreadable, so treat it as an unknown outcome.
        throw new ShopifyAdminError({ status: res.status, code: 'SERVER', retryable: true, what, requestId, cause, detail: `unreadable answer: ${text.slice(0, 200) || '(empty)'}` })
      }
    }
    throw errorFor(res.status, res.headers, text, what, requestId)
  }
}

function errorFor(status: number, headers: Headers, text: string, what: string, requestId: string | undefined): ShopifyAdminError {
  let parsed: unknown
  try {
    parsed = parseLossless(text)
  } catch {
    parsed = undefined
  }
  let detail = flattenShopifyErrors(parsed) ?? (text.trim().slice(0, 200) || '(empty answer)')
  const retryAfterMs = parseRetryAfterSeconds(headers.get('retry-after'))
  const base = { status, what, requestId, retryAfterMs }
  if (status >= 300 && status < 400) {
    detail = `redirected to ${headers.get('location') ?? '(no location)'}: use the shop's permanent myshopify.com domain`
    return new ShopifyAdminError({ ...base, code: 'NOT_FOUND', retryable: false, detail })
  }
  if (status === 429) return new ShopifyAdminError({ ...base, code: 'RATE_LIMITED', retryable: true, detail })
  if (status >= 500) return new ShopifyAdminError({ ...base, code: 'SERVER', retryable: true, detail })
  if (status === 401) return new ShopifyAdminError({ ...base, code: 'UNAUTHORIZED', retryable: false, detail })
  // 403: the token lacks a scope (write_orders for refunds), a different fix from a bad token.
  if (status === 403) return new ShopifyAdminError({ ...base, code: 'FORBIDDEN', retryable: false, detail })
  if (status === 404) return new ShopifyAdminError({ ...base, code: 'NOT_FOUND', retryable: false, detail })
  return new ShopifyAdminError({ ...base, code: 'UNPROCESSABLE', retryable: false, detail })
}

function unreadable(what: string, detail: string): ShopifyAdminError {
  return new ShopifyAdminError({ status: 200, code: 'SERVER', retryable: true, what, detail: `unexpected answer: ${detail}` })
}

// ---------------------------------------------------------------------------
// Request bodies

function encode(value: unknown): string {
  return stringifyLossless(value) as string
}

function lineBody(l: RefundLineInput, i: number): Record<string, unknown> {
  if (!Number.isSafeInteger(l.quantity) || l.quantity < 1) throw new TypeError(`lines[${i}].quantity must be a positive integer, got ${l.quantity}`)
  if (!['no_restock', 'return', 'cancel'].includes(l.restockType)) throw new TypeError(`lines[${i}].restockType must be no_restock, return or cancel`)
  return {
    line_item_id: new LosslessNumber(checkId(l.lineItemId, `lines[${i}].lineItemId`)),
    quantity: l.quantity,
    restock_type: l.restockType,
    ...(l.locationId !== undefined && { location_id: new LosslessNumber(checkId(l.locationId, `lines[${i}].locationId`)) }),
  }
}

function shippingBody(s: { fullRefund?: boolean | undefined; amount?: string | undefined }): Record<string, unknown> | undefined {
  if (s.fullRefund) return { full_refund: true }
  if (s.amount !== undefined) return { amount: amountNumber(s.amount, 'shipping.amount') }
  return undefined
}

/** A decimal amount string as a JSON number with exactly its digits. */
function amountNumber(amount: string, what: string): LosslessNumber {
  if (typeof amount !== 'string' || !DECIMAL.test(amount)) throw new TypeError(`${what} must be a decimal string such as "1620" or "19.99", got ${JSON.stringify(amount)}`)
  return new LosslessNumber(amount)
}

/** A Shopify id as its digit string; `gid://shopify/Type/123` is accepted too. */
function checkId(id: string, what: string): string {
  const s = typeof id === 'string' ? id.trim() : ''
  const digits = /^\d{1,20}$/.test(s) ? s : /^gid:\/\/shopify\/[A-Za-z]+\/(\d{1,20})$/.exec(s)?.[1]
  if (!digits) throw new TypeError(`${what} must be a Shopify id (digits, as a string), got ${JSON.stringify(id)}`)
  return digits
}

function checkCurrency(code: string): string {
  if (!/^[A-Za-z]{3}$/.test(code)) throw new TypeError(`currency must be a 3-letter ISO 4217 code, got ${JSON.stringify(code)}`)
  return code.toUpperCase()
}

/** The key is the last word of the note: "… kando:<key>". */
function noteCarries(note: string, marker: string): boolean {
  const trimmed = note.trimEnd()
  return trimmed === marker || trimmed.endsWith(` ${marker}`) || trimmed.endsWith(`\n${marker}`)
}

// ---------------------------------------------------------------------------
// Answers

function mapCalculated(r: unknown): CalculatedRefund {
  if (!isRecord(r)) throw unreadable('POST refunds/calculate.json', 'no refund object')
  const currency = text(r.currency) ?? ''
  const transactions = list(r.transactions).map((t) => ({
    parentId: idText(t.parent_id) ?? '',
    amount: text(t.amount) ?? '0',
    kind: text(t.kind) ?? 'suggested_refund',
    gateway: text(t.gateway) ?? '',
    maximumRefundable: text(t.maximum_refundable) ?? text(t.amount) ?? '0',
  }))
  const refundLineItems = list(r.refund_line_items).map((l) => {
    const locationId = idText(l.location_id)
    return {
      lineItemId: idText(l.line_item_id) ?? '',
      quantity: Number(text(l.quantity) ?? 0),
      restockType: text(l.restock_type) ?? 'no_restock',
      ...(locationId !== undefined && { locationId }),
      price: text(l.price) ?? '0',
      subtotal: text(l.subtotal) ?? '0',
      totalTax: text(l.total_tax) ?? '0',
    }
  })
  const s = r.shipping
  const shipping = isRecord(s)
    ? { amount: text(s.amount) ?? '0', tax: text(s.tax) ?? '0', maximumRefundable: text(s.maximum_refundable) ?? '0' }
    : undefined
  return { transactions, currency, refundLineItems, ...(shipping && { shipping }) }
}

function mapRefund(r: unknown, foundByKey: boolean): CreatedRefund {
  if (!isRecord(r)) throw unreadable('refunds.json', 'no refund object')
  const id = idText(r.id)
  if (!id) throw unreadable('refunds.json', 'refund without id')
  const note = text(r.note)
  return {
    id,
    createdAt: text(r.created_at) ?? text(r.processed_at) ?? '',
    ...(note !== undefined && { note }),
    transactions: list(r.transactions).map((t) => {
      const parentId = idText(t.parent_id)
      return {
        id: idText(t.id) ?? '',
        amount: text(t.amount) ?? '0',
        status: text(t.status) ?? '',
        kind: text(t.kind) ?? '',
        gateway: text(t.gateway) ?? '',
        ...(parentId !== undefined && { parentId }),
      }
    }),
    foundByKey,
  }
}

function field(answer: unknown, name: string): unknown {
  return isRecord(answer) ? answer[name] : undefined
}

function list(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? value.filter(isRecord) : []
}

/** Strings as they are, numbers as their exact JSON text. */
function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (isLosslessNumber(value)) return value.value
  return undefined
}

function idText(value: unknown): string | undefined {
  const t = text(value)
  return t !== undefined && /^\d+$/.test(t) ? t : undefined
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isLosslessNumber(value)
}

/** Shopify writes seconds as a decimal ("2.0"); an HTTP date is read too. */
function parseRetryAfterSeconds(value: string | null): number | undefined {
  if (value == null) return undefined
  const t = value.trim()
  if (/^\d+(?:\.\d+)?$/.test(t)) return Math.ceil(Number(t) * 1000)
  const at = Date.parse(t)
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now())
}

function parseCallLimit(value: string | null): { used: number; size: number } | undefined {
  const m = value ? /^(\d+)\/(\d+)$/.exec(value.trim()) : null
  return m ? { used: Number(m[1]), size: Number(m[2]) } : undefined
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message
  }
  return String(err)
}
