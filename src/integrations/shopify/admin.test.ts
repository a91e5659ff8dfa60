import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startShopifyAdminStandIn, type ShopifyAdminStandIn } from '../../../test/stand-ins/shopify-admin.js'
import { ShopifyAdminClient, ShopifyAdminError, flattenShopifyErrors, toShopifyAmount, type RefundLineInput } from './admin.js'

// Every id is beyond 2^53: Number() would round each one to a different id.
const ORDER = '9007199254740993'
const LINE_A = '9223372036854775001'
const LINE_B = '9007199254740995'
const SALE = '9007199254741001'
const LOCATION = '9007199254741999'
const TOKEN = 'shpat_komorebi'
const GATEWAY = 'shopify_payments'

let shopify: ShopifyAdminStandIn
let sleeps: number[]

beforeEach(async () => {
  sleeps = []
  shopify = await startShopifyAdminStandIn({
    tokens: [TOKEN],
    orders: [{
      id: ORDER,
      currency: 'JPY',
      lineItems: [
        { id: LINE_A, price: '1620', quantity: 2, title: '手ぬぐい' },
        { id: LINE_B, price: '3240', quantity: 1, title: '急須' },
      ],
      shippingPrice: '500',
      transactions: [{ id: SALE, kind: 'sale', amount: '6980', gateway: GATEWAY }],
    }],
  })
})
afterEach(async () => {
  await shopify.close()
})

function client(overrides: Partial<ConstructorParameters<typeof ShopifyAdminClient>[0]> = {}): ShopifyAdminClient {
  return new ShopifyAdminClient({
    shopDomain: 'komorebi.myshopify.com',
    accessToken: TOKEN,
    baseUrl: shopify.url,
    sleep: async (ms) => void sleeps.push(ms),
    ...overrides,
  })
}

const bothLines: RefundLineInput[] = [
  { lineItemId: LINE_A, quantity: 2, restockType: 'return', locationId: LOCATION },
  { lineItemId: LINE_B, quantity: 1, restockType: 'no_restock' },
]

const calls = () => shopify.requests.map((r) => `${r.method} ${r.endpoint}${r.dropped ? ' (dropped)' : ''} ${r.status}`)

async function rejection(work: Promise<unknown>): Promise<ShopifyAdminError> {
  const err = await work.then(() => undefined, (e: unknown) => e)
  expect(err).toBeInstanceOf(ShopifyAdminError)
  return err as ShopifyAdminError
}

describe('ShopifyAdminClient against the Shopify Admin stand-in', () => {
  it('calculates then creates a refund of two lines; 64-bit ids go out and come back digit for digit', async () => {
    const admin = client()
    const calc = await admin.calculateRefund(ORDER, bothLines)
    expect(calc.currency).toBe('JPY')
    expect(calc.transactions).toEqual([{ parentId: SALE, amount: '6480', kind: 'suggested_refund', gateway: GATEWAY, maximumRefundable: '6980' }])
    expect(calc.refundLineItems).toEqual([
      { lineItemId: LINE_A, quantity: 2, restockType: 'return', locationId: LOCATION, price: '1620', subtotal: '3240', totalTax: '0' },
      { lineItemId: LINE_B, quantity: 1, restockType: 'no_restock', price: '3240', subtotal: '3240', totalTax: '0' },
    ])

    const created = await admin.createRefund(ORDER, {
      lines: bothLines,
      currency: 'JPY',
      note: 'Return R-1',
      transactions: calc.transactions.map((t) => ({ parentId: t.parentId, amount: t.amount, gateway: t.gateway })),
    }, 'ret_1')

    expect(shopify.refunds).toHaveLength(1)
    const recorded = shopify.refunds[0]!
    expect(created).toMatchObject({ id: recorded.id, createdAt: recorded.createdAt, note: 'Return R-1 kando:ret_1', foundByKey: false })
    expect(BigInt(created.id) > 2n ** 53n).toBe(true)
    expect(created.transactions).toEqual([{ id: recorded.transactions[0]!.id, amount: '6480', status: 'success', kind: 'refund', gateway: GATEWAY, parentId: SALE }])

    const post = shopify.requests.find((r) => r.endpoint === 'create')!
    expect(post.path).toBe(`/admin/api/2024-10/orders/${ORDER}/refunds.json`)
    expect(post.token).toBe(TOKEN)
    expect(post.body).toContain(`"line_item_id":${LINE_A},`)
    expect(post.body).toContain(`"location_id":${LOCATION}}`)
    expect(post.body).toContain(`"line_item_id":${LINE_B},`)
    expect(post.body).toContain(`"parent_id":${SALE},"amount":6480,"kind":"refund","gateway":"${GATEWAY}"`)
    expect(post.body).not.toContain(String(Number(LINE_A)))
    expect(post.body).toContain('"notify":false')
    expect(recorded.lines.map((l) => [l.lineItemId, l.quantity, l.restockType, l.locationId])).toEqual([[LINE_A, 2, 'return', LOCATION], [LINE_B, 1, 'no_restock', null]])
    expect(shopify.orders.get(ORDER)!.transactions[0]!.refundedMinor).toBe(6480)
  })

  it('a partial refund leaves the rest refundable, and calculate cuts a quantity to what is left', async () => {
    const admin = client()
    const one: RefundLineInput[] = [{ lineItemId: LINE_A, quantity: 1, restockType: 'no_restock' }]
    const calc = await admin.calculateRefund(ORDER, one)
    expect(calc.transactions[0]).toMatchObject({ amount: '1620', maximumRefundable: '6980' })
    await admin.createRefund(ORDER, { lines: one, currency: 'JPY', transactions: [{ parentId: SALE, amount: '1620', gateway: GATEWAY }] }, 'ret_partial')

    const again = await admin.calculateRefund(ORDER, [{ lineItemId: LINE_A, quantity: 2, restockType: 'no_restock' }], { shippingFullRefund: true })
    expect(again.refundLineItems).toMatchObject([{ lineItemId: LINE_A, quantity: 1, subtotal: '1620' }])
    expect(again.shipping).toEqual({ amount: '500', tax: '0', maximumRefundable: '500' })
    expect(again.transactions).toEqual([{ parentId: SALE, amount: '2120', kind: 'suggested_refund', gateway: GATEWAY, maximumRefundable: '5360' }])

    const err = await rejection(admin.createRefund(ORDER, {
      lines: [{ lineItemId: LINE_A, quantity: 2, restockType: 'no_restock' }], currency: 'JPY', transactions: [],
    }, 'ret_too_many'))
    expect(err).toMatchObject({ status: 422, code: 'UNPROCESSABLE', retryable: false, detail: 'refund_line_items.quantity: cannot refund more items than were purchased' })
    expect(shopify.refunds).toHaveLength(1)
  })

  it('refunds shipping by amount and records it', async () => {
    const admin = client()
    const calc = await admin.calculateRefund(ORDER, [], { shippingAmount: '300' })
    expect(calc.transactions).toEqual([{ parentId: SALE, amount: '300', kind: 'suggested_refund', gateway: GATEWAY, maximumRefundable: '6980' }])
    await admin.createRefund(ORDER, { lines: [], currency: 'JPY', shipping: { amount: '300' }, transactions: [{ parentId: SALE, amount: '300', gateway: GATEWAY }] }, 'ret_ship')
    expect(shopify.orders.get(ORDER)!.shippingRefundedMinor).toBe(300)
    expect(shopify.requests.find((r) => r.endpoint === 'create')!.body).toContain('"shipping":{"amount":300}')
  })

  it('an over-refund is UNPROCESSABLE with Shopify\'s message, and not retried', async () => {
    const admin = client()
    const err = await rejection(admin.createRefund(ORDER, {
      lines: bothLines, currency: 'JPY', transactions: [{ parentId: SALE, amount: '7000', gateway: GATEWAY }],
    }, 'ret_over'))
    expect(err).toMatchObject({ status: 422, code: 'UNPROCESSABLE', retryable: false })
    expect(err.detail).toBe(`Refund amount 7000 exceeds the maximum refundable amount of 6980 for transaction ${SALE}`)
    expect(err.message).toContain('Shopify 422 on POST /orders/')
    expect(calls()).toEqual(['GET list 200', 'POST create 422'])
    expect(shopify.refunds).toHaveLength(0)
    expect(sleeps).toEqual([])
  })

  it('a parent that is not a payment of the order is refused with Shopify\'s wording', async () => {
    const err = await rejection(client().createRefund(ORDER, {
      lines: [], currency: 'JPY', transactions: [{ parentId: '9007199254749999', amount: '100', gateway: GATEWAY }],
    }, 'ret_bad_parent'))
    expect(err.detail).toBe('transactions: require a parent_id associated with the order')
  })

  it('a bad token is UNAUTHORIZED and not retried', async () => {
    const err = await rejection(client({ accessToken: 'shpat_wrong' }).calculateRefund(ORDER, bothLines))
    expect(err).toMatchObject({ status: 401, code: 'UNAUTHORIZED', retryable: false, detail: '[API] Invalid API key or access token (unrecognized login or wrong password)' })
    expect(shopify.requests).toHaveLength(1)
  })

  it('an unknown order is NOT_FOUND', async () => {
    const err = await rejection(client().calculateRefund('9007199254740995', bothLines))
    expect(err).toMatchObject({ status: 404, code: 'NOT_FOUND', detail: 'Not Found' })
  })

  it('a 429 is retried after Retry-After (through the injected sleep), capped', async () => {
    shopify.rateLimitNext(1, '2.0')
    const calc = await client().calculateRefund(ORDER, bothLines)
    expect(calc.transactions[0]!.amount).toBe('6480')
    expect(sleeps).toEqual([2000])
    expect(calls()).toEqual(['POST calculate 429', 'POST calculate 200'])

    sleeps.length = 0
    shopify.rateLimitNext(1, '3600')
    await client({ maxRetryAfterMs: 10_000 }).calculateRefund(ORDER, bothLines)
    expect(sleeps).toEqual([10_000])
  })

  it('a 429 on create is simply sent again: Shopify did not process it', async () => {
    shopify.failNext(429, 1, { endpoint: 'create' })
    const created = await client().createRefund(ORDER, { lines: [], currency: 'JPY', transactions: [{ parentId: SALE, amount: '100', gateway: GATEWAY }] }, 'ret_429')
    expect(created.foundByKey).toBe(false)
    expect(sleeps).toEqual([2000])
    expect(calls()).toEqual(['GET list 200', 'POST create 429', 'POST create 201'])
  })

  it('500s and lost connections are retried with backoff for calculate, then give up as SERVER', async () => {
    shopify.failNext(500, 2)
    const calc = await client().calculateRefund(ORDER, bothLines)
    expect(calc.transactions[0]!.amount).toBe('6480')
    expect(sleeps).toEqual([500, 1000])

    shopify.dropNext(1, { endpoint: 'calculate', commit: false })
    await client().calculateRefund(ORDER, bothLines)

    shopify.failNext(503, 4)
    const err = await rejection(client().calculateRefund(ORDER, bothLines))
    expect(err).toMatchObject({ status: 503, code: 'SERVER', retryable: true, detail: 'Service Unavailable' })
  })

  it('a connection dropped after Shopify recorded the refund: found by its key, not refunded twice', async () => {
    shopify.dropNext(1)
    const created = await client().createRefund(ORDER, {
      lines: bothLines, currency: 'JPY', note: 'Return R-2', transactions: [{ parentId: SALE, amount: '6480', gateway: GATEWAY }],
    }, 'ret_2')
    expect(shopify.refunds).toHaveLength(1)
    expect(created).toMatchObject({ id: shopify.refunds[0]!.id, note: 'Return R-2 kando:ret_2', foundByKey: true })
    expect(created.transactions[0]).toMatchObject({ amount: '6480', status: 'success', parentId: SALE })
    expect(calls()).toEqual(['GET list 200', 'POST create (dropped) 201', 'GET list 200'])
    expect(shopify.orders.get(ORDER)!.transactions[0]!.refundedMinor).toBe(6480)
  })

  it('a 500 after the refund was written is resolved the same way', async () => {
    shopify.failNext(500, 1, { endpoint: 'create', commit: true })
    const created = await client().createRefund(ORDER, { lines: [], currency: 'JPY', transactions: [{ parentId: SALE, amount: '100', gateway: GATEWAY }] }, 'ret_500_after')
    expect(created.foundByKey).toBe(true)
    expect(shopify.refunds).toHaveLength(1)
  })

  it('a 500 before anything was written: the lookup finds nothing and the create is sent again, once', async () => {
    shopify.failNext(500, 1, { endpoint: 'create' })
    const created = await client().createRefund(ORDER, { lines: [], currency: 'JPY', transactions: [{ parentId: SALE, amount: '100', gateway: GATEWAY }] }, 'ret_500_before')
    expect(created.foundByKey).toBe(false)
    expect(shopify.refunds).toHaveLength(1)
    expect(calls()).toEqual(['GET list 200', 'POST create 500', 'GET list 200', 'POST create 201'])
  })

  it('the same key again returns the earlier refund without creating another', async () => {
    const admin = client()
    const input = { lines: [], currency: 'JPY', transactions: [{ parentId: SALE, amount: '100', gateway: GATEWAY }] }
    const first = await admin.createRefund(ORDER, input, 'ret_same')
    const second = await admin.createRefund(ORDER, input, 'ret_same')
    expect(second).toEqual({ ...first, foundByKey: true })
    expect(shopify.refunds).toHaveLength(1)
    // Another key is another refund.
    await admin.createRefund(ORDER, input, 'ret_same_2')
    expect(shopify.refunds).toHaveLength(2)
  })

  it('when every create attempt fails the error says the outcome is unknown and a retry is safe', async () => {
    shopify.failNext(502, 3, { endpoint: 'create' })
    const err = await rejection(client({ maxRetries: 2 }).createRefund(ORDER, { lines: [], currency: 'JPY', transactions: [] }, 'ret_unknown'))
    expect(err).toMatchObject({ status: 502, code: 'SERVER', retryable: true })
    expect(err.detail).toContain('outcome unknown: call createRefund again with the same idempotency key')
  })

  it('reads the call limit header', async () => {
    const admin = client()
    await admin.calculateRefund(ORDER, bothLines)
    expect(admin.callLimit).toEqual({ used: 1, size: 40 })
  })

  it('refuses bad input before sending anything', async () => {
    const admin = client()
    await expect(admin.calculateRefund('order-1', bothLines)).rejects.toThrow(TypeError)
    await expect(admin.calculateRefund(ORDER, [{ lineItemId: LINE_A, quantity: 0, restockType: 'no_restock' }])).rejects.toThrow(/quantity/)
    await expect(admin.createRefund(ORDER, { lines: [], currency: 'JPY', transactions: [{ parentId: SALE, amount: '1,620', gateway: GATEWAY }] }, 'k')).rejects.toThrow(/decimal string/)
    await expect(admin.createRefund(ORDER, { lines: [], currency: 'JPY', transactions: [] }, 'has space')).rejects.toThrow(/idempotencyKey/)
    expect(() => new ShopifyAdminClient({ shopDomain: 'evil.example.com', accessToken: TOKEN })).toThrow(/myshopify/)
    expect(shopify.requests).toHaveLength(0)
  })
})

describe('the Shopify Admin stand-in checks what Shopify checks', () => {
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${shopify.url}${path}`, { method: 'POST', headers: { 'X-Shopify-Access-Token': TOKEN, 'Content-Type': 'application/json', ...headers }, body })

  it('a body written with JSON.stringify rounds the ids, and names no line of the order', async () => {
    const body = JSON.stringify({ refund: { currency: 'JPY', refund_line_items: [{ line_item_id: Number(LINE_A), quantity: 1, restock_type: 'no_restock' }], transactions: [] } })
    const res = await post(`/admin/api/2024-10/orders/${ORDER}/refunds.json`, body)
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ errors: { 'refund_line_items.line_item_id': ['is not a line item of this order'] } })
  })

  it('refuses a missing body type, an unknown version, a non-refund kind and a restock without location', async () => {
    const ok = JSON.stringify({ refund: { transactions: [] } })
    expect((await post(`/admin/api/2024-10/orders/${ORDER}/refunds.json`, ok, { 'Content-Type': 'text/plain' })).status).toBe(400)
    expect(await (await post(`/admin/api/2023-01/orders/${ORDER}/refunds.json`, ok)).json()).toEqual({ errors: 'Not Found' })
    const kind = await post(`/admin/api/2024-10/orders/${ORDER}/refunds.json`, `{"refund":{"transactions":[{"parent_id":${SALE},"amount":100,"kind":"suggested_refund","gateway":"${GATEWAY}"}]}}`)
    expect(await kind.json()).toEqual({ errors: { 'transactions.kind': ['is not included in the list'] } })
    const restock = await post(`/admin/api/2024-10/orders/${ORDER}/refunds.json`, `{"refund":{"refund_line_items":[{"line_item_id":${LINE_A},"quantity":1,"restock_type":"return"}]}}`)
    expect(await restock.json()).toEqual({ errors: { 'refund_line_items.location_id': ['is required when restock_type is return'] } })
    expect(shopify.refunds).toHaveLength(0)
  })

  it('rate-limits with a leaky bucket and says so in the headers', async () => {
    await shopify.close()
    shopify = await startShopifyAdminStandIn({ tokens: [TOKEN], bucket: { size: 2, leakPerSecond: 0.001 }, orders: [{ id: ORDER, currency: 'JPY', lineItems: [], transactions: [] }] })
    const get = () => fetch(`${shopify.url}/admin/api/2024-10/orders/${ORDER}/refunds.json`, { headers: { 'X-Shopify-Access-Token': TOKEN } })
    expect((await get()).headers.get('x-shopify-shop-api-call-limit')).toBe('1/2')
    expect((await get()).status).toBe(200)
    const limited = await get()
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await limited.json()).toEqual({ errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.' })
  })
})

describe('toShopifyAmount', () => {
  it('writes minor units as Shopify decimals', () => {
    expect(toShopifyAmount(1620, 'JPY')).toBe('1620')
    expect(toShopifyAmount(1999, 'USD')).toBe('19.99')
    expect(toShopifyAmount(5, 'USD')).toBe('0.05')
    expect(toShopifyAmount(0, 'USD')).toBe('0.00')
    expect(toShopifyAmount(1234, 'KWD')).toBe('1.234')
    expect(() => toShopifyAmount(19.99, 'USD')).toThrow(RangeError)
    expect(() => toShopifyAmount(-1, 'JPY')).toThrow(RangeError)
  })
})

describe('flattenShopifyErrors', () => {
  it('reads every shape Shopify uses', () => {
    expect(flattenShopifyErrors({ errors: 'Not Found' })).toBe('Not Found')
    expect(flattenShopifyErrors({ errors: { base: ['cannot exceed sales cap'] } })).toBe('cannot exceed sales cap')
    expect(flattenShopifyErrors({ errors: { 'refund_line_items.quantity': ['a', 'b'], refund: 'Required parameter missing or invalid' } }))
      .toBe('refund_line_items.quantity: a; refund_line_items.quantity: b; refund: Required parameter missing or invalid')
    expect(flattenShopifyErrors({ errors: ['The fulfillment order is not in an open state.'] })).toBe('The fulfillment order is not in an open state.')
    expect(flattenShopifyErrors({ nothing: true })).toBeUndefined()
  })
})
