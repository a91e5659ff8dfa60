import { demoShopifyOrder } from '../../src/demo.ts'
import { signShopifyBody } from '../../src/integrations/shopify/hmac.ts'

/** One ready-to-send Shopify webhook delivery. */
export interface SignedWebhook {
  webhookId: string
  orderId: number
  body: Buffer
  hmac: string
}

export const SHOP_DOMAIN = 'kando-bench.myshopify.com'
const UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1 Line/14.9.0'

const money = (amount: string) => ({ shop_money: { amount, currency_code: 'JPY' } })

/**
 * A Shopify orders/create body: the demo shop's order (src/demo.ts) plus the fields a real
 * delivery carries and Kando ignores (price sets, client details, tokens, per-line detail), so the
 * body is about `targetBytes` long like a real one. Order, customer and line ids derive from `n`.
 */
export function shopifyOrderBody(n: number, at: Date, targetBytes = 4096): Buffer {
  const order = demoShopifyOrder(n, at)
  const token = (n * 2654435761 % 2 ** 32).toString(16).padStart(8, '0') + 'c0ffee5a1e0d4b1e9f7a3c2d'
  const lineItems = order.line_items.map((l) => Object.assign(l, {
    admin_graphql_api_id: `gid://shopify/LineItem/${l.id}`,
    fulfillable_quantity: l.quantity,
    fulfillment_service: 'manual',
    fulfillment_status: null,
    gift_card: false,
    grams: 250,
    name: `${l.title} - ${l.variant_title}`,
    product_exists: true,
    properties: [],
    taxable: true,
    total_discount: '0',
    vendor: '感動ストア',
  }))
  // Extra fields are serialised separately and spliced in (and line items extended in place):
  // spreading a 30-key object into a literal with more keys sends V8 down a slow path, ~200 µs a body.
  const extra = {
    admin_graphql_api_id: `gid://shopify/Order/${order.id}`,
    app_id: 580111,
    browser_ip: `203.0.113.${n % 250}`,
    buyer_accepts_marketing: false,
    cart_token: `Z2NwLWFzaWEtbm9ydGhlYXN0MTowMUhY${token}`,
    checkout_id: 30_000_000_000_000 + n,
    checkout_token: token,
    client_details: { accept_language: 'ja-JP', browser_height: 844, browser_ip: `203.0.113.${n % 250}`, browser_width: 390, session_hash: null, user_agent: UA },
    confirmation_number: `K${(n % 99_999_999).toString(36).toUpperCase().padStart(8, '0')}`,
    confirmed: true,
    contact_email: order.email,
    current_subtotal_price: order.subtotal_price,
    current_total_discounts: '0',
    current_total_price_set: money(order.total_price),
    current_total_tax: order.total_tax,
    discount_codes: [],
    estimated_taxes: false,
    order_number: 1000 + n,
    order_status_url: `https://kando-bench.myshopify.com/58011100/orders/${token}/authenticate?key=${token}`,
    presentment_currency: 'JPY',
    source_name: 'web',
    subtotal_price_set: money(order.subtotal_price),
    tax_exempt: false,
    tax_lines: [{ price: order.total_tax, rate: 0.08, title: '消費税', price_set: money(order.total_tax), channel_liable: false }],
    test: false,
    token,
    total_line_items_price: order.subtotal_price,
    total_outstanding: '0',
    total_price_set: money(order.total_price),
    total_tax_set: money(order.total_tax),
    total_tip_received: '0',
    total_weight: 250 * lineItems.reduce((s, l) => s + l.quantity, 0),
    fulfillments: [],
    refunds: [],
  }
  const json = (pad: number) => {
    if (pad > 0) extra.client_details.user_agent = `${UA} KandoBench/${'x'.repeat(pad)}`
    return Buffer.from(JSON.stringify(order).slice(0, -1) + ',' + JSON.stringify(extra).slice(1))
  }
  const body = json(0)
  // Real bodies vary in size; top this one up to the target through a field Kando does not read.
  const short = targetBytes - body.length
  return short > 0 ? json(short - 12) : body
}

/**
 * Signed deliveries with unique webhook ids and unique order ids, `first`…`first+count-1`.
 * Building one costs ~50 µs, so the pool is made before the load starts (not on the load generator's clock).
 */
export function signedPool(count: number, secret: string, tag: string, first = 1): SignedWebhook[] {
  const at = new Date()
  const out: SignedWebhook[] = new Array(count)
  for (let i = 0; i < count; i++) {
    const n = first + i
    const body = shopifyOrderBody(n, at)
    out[i] = { webhookId: `bench-${tag}-${n}`, orderId: 5_500_000_000_000 + n, body, hmac: signShopifyBody(body, secret) }
  }
  return out
}
