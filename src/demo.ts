import { BUILTIN_KEYS } from './modules/flows/index.js'
import { NotificationSettingsInput } from './modules/notifications/schemas.js'
import { randomInt } from 'node:crypto'
import type { Config } from './platform/config.js'
import type { Kando } from './kando.js'
import { newToken } from './platform/ids.js'
import { signShopifyBody } from './integrations/shopify/hmac.js'
import { CarrierSimulator, type SimulatedMove } from './modules/tracking/index.js'
import type { TenantDb } from './platform/tenancy.js'

const DEMO_SLUG = 'demo'

/** Default demo pace: one carrier day every 6 seconds (time compressed 14,400×), so parcels shipped during a run arrive before it ends. */
export const DEMO_DAY_SECONDS = 6

const PRODUCTS = [
  { sku: 'KD-COF-DRIP10', title: '感動ブレンド ドリップバッグ 10袋', price: 1620, days: 20, variant: '10袋' },
  { sku: 'KD-COF-BEAN200', title: '感動ブレンド 豆 200g', price: 1980, days: 25, variant: '中煎り' },
  { sku: 'KD-TEA-HOJI', title: '京都 ほうじ茶 ティーバッグ 20包', price: 1296, days: 30, variant: '20包' },
  { sku: 'KD-CARE-YUZU', title: 'ハンドクリーム 柚子 50g', price: 2200, days: 45, variant: '50g' },
  { sku: 'KD-CARE-SOAP', title: '無添加 石けん 3個セット', price: 1540, days: 60, variant: '3個' },
  { sku: 'KD-MUG-MINO', title: '美濃焼 マグカップ 藍', price: 3300, days: null, variant: '藍' },
]

const PEOPLE = [
  { last: '山田', first: '花子', pref: 'JP-13', province: 'Tokyo', city: '渋谷区', address1: '神宮前1-2-3', zip: '150-0001' },
  { last: '佐藤', first: '健', pref: 'JP-27', province: 'Ōsaka', city: '大阪市北区', address1: '梅田3-1-1', zip: '530-0001' },
  { last: '鈴木', first: '美咲', pref: 'JP-01', province: 'Hokkaidō', city: '札幌市中央区', address1: '北一条西2-1', zip: '060-0001' },
  { last: '高橋', first: '翔太', pref: 'JP-40', province: 'Fukuoka', city: '福岡市博多区', address1: '博多駅前2-1-1', zip: '812-0011' },
  { last: '田中', first: 'さくら', pref: 'JP-23', province: 'Aichi', city: '名古屋市中村区', address1: '名駅1-1-4', zip: '450-0002' },
  { last: '伊藤', first: '大輔', pref: 'JP-47', province: 'Okinawa', city: '那覇市', address1: '久茂地1-1-1', zip: '900-0015' },
  { last: '渡辺', first: '由美', pref: 'JP-04', province: 'Miyagi', city: '仙台市青葉区', address1: '中央1-3-1', zip: '980-0021' },
  { last: '中村', first: '蓮', pref: 'JP-34', province: 'Hiroshima', city: '広島市中区', address1: '基町6-78', zip: '730-0011' },
]

const SLOTS = ['午前中', '14時〜16時', '16時〜18時', '18時〜20時', '19時〜21時', '指定なし']

/**
 * On an empty installation, creates the demo brand with a small catalog and prints how to use it.
 * Prints a reminder instead when the database already has brands.
 */
export async function ensureDemoTenant(kando: Kando, print: (line: string) => void): Promise<void> {
  const base = kando.config.publicUrl
  const existing = await kando.tenants.list()
  if (existing.length > 0) {
    print(`Kando is running at ${base}  (API ${base}/api/v1, docs ${base}/docs)`)
    print(`Brands: ${existing.map((t) => t.slug).join(', ')}. New API key: npx kando apikey create --tenant ${existing[0]!.slug}`)
    return
  }
  const { tenant, apiKey } = await kando.tenants.create({ slug: DEMO_SLUG, name: '感動ストア (Kando demo)', shopifySecret: newToken(24) })
  // The sender's name and postal address go in every marketing mail (特定電子メール法).
  await kando.notifications.updateSettings(kando.scope(tenant.id), {
    settings: NotificationSettingsInput.parse({ sender: { name: '感動ストア', postalAddress: '〒150-0001 東京都渋谷区神宮前1-2-3 感動ビル 5F', supportEmail: 'support@kando-demo.example' } }),
  })
  await kando.db.transaction(async (trx) => {
    const tx = kando.scope(tenant.id).with(trx)
    for (const p of PRODUCTS) {
      await kando.catalog.upsertProduct(tx, {
        source: 'shopify', externalId: `demo-${p.sku}`, title: p.title, vendor: '感動ストア', tags: ['demo'],
        replenishAfterDays: p.days ?? undefined,
        variants: [{ externalId: `demo-v-${p.sku}`, sku: p.sku, title: p.variant, price: p.price, currency: 'JPY' }],
      })
    }
  })
  // The 3PL's network and the brand's stock in it: popular goods in many centres, the mug only in
  // two, so allocation has real choices (and splits) to explain.
  await kando.inventory.seedDemoNetwork()
  const demoScope = kando.scope(tenant.id)
  const spread: Record<string, string[]> = {
    'KD-COF-DRIP10': ['loc_saitama_kuki', 'loc_osaka_ibaraki', 'loc_fukuoka_kasuya', 'loc_sapporo_ebetsu', 'loc_sendai'],
    'KD-COF-BEAN200': ['loc_saitama_kuki', 'loc_osaka_ibaraki', 'loc_nagoya_komaki'],
    'KD-TEA-HOJI': ['loc_osaka_ibaraki', 'loc_chiba_ichikawa', 'loc_hiroshima'],
    'KD-CARE-YUZU': ['loc_kanagawa_atsugi', 'loc_osaka_ibaraki'],
    'KD-CARE-SOAP': ['loc_saitama_kuki', 'loc_fukuoka_kasuya'],
    'KD-MUG-MINO': ['loc_nagoya_komaki', 'loc_hyogo_amagasaki'],
  }
  const byLocation = new Map<string, Array<{ sku: string; onHand: number }>>()
  for (const [sku, at] of Object.entries(spread)) at.forEach((loc, i) => byLocation.set(loc, [...(byLocation.get(loc) ?? []), { sku, onHand: 200 - i * 35 }]))
  for (const [locationId, items] of byLocation) await kando.inventory.applySnapshot(demoScope, { locationId, seq: 1, items })
  await kando.inventory.putItems(demoScope, [{ sku: 'KD-MUG-MINO', sizeBand: 80 }, { sku: 'KD-COF-BEAN200', sizeBand: 60 }])
  // Demo orders are shipped by the simulated shop (Shopify fulfilments), so allocation is on demand here.
  await kando.fulfillment.updateSettings(demoScope, {
    autoAllocate: false, promiseDays: 3,
    labelSender: { name: '感動ストア', phone: '03-1234-5678', postalCode: '150-0001', address: '東京都渋谷区神宮前1-2-3 感動ビル5F' },
  })
  // Post-purchase flows: the thank-you, the review request and the survey after a return are on;
  // the other built-ins wait as drafts.
  for (const key of BUILTIN_KEYS) {
    const flow = await kando.flows.create(demoScope, { builtin: key, locale: 'ja' })
    if (key === 'thank_you' || key === 'review_request' || key === 'return_csat') await kando.flows.activate(demoScope, flow.id, {})
  }
  // Reviews: one zero-party question on the review page, and a few reviews from the shop's old
  // review tool so the storefront JSON and the widget have something to show.
  await kando.reviews.updateSettings(demoScope, {
    profilingQuestion: { key: 'roast', label: { ja: 'お好みの焙煎は？', en: 'Your favourite roast?' }, options: [
      { value: 'light', label: { ja: '浅煎り', en: 'Light' } }, { value: 'medium', label: { ja: '中煎り', en: 'Medium' } }, { value: 'dark', label: { ja: '深煎り', en: 'Dark' } }] },
  })
  const demoReviews: Array<[number, string, string, string]> = [
    [5, '香りが素晴らしい', '朝の一杯が楽しみになりました。お湯を注いだ瞬間の香りが違います。', '佐藤 様'],
    [4, 'すっきり飲みやすい', '酸味が少なく、毎日飲んでも飽きません。', '鈴木 様'],
    [5, 'ギフトにも', '両親に贈ったらとても喜ばれました。個包装なのも便利です。', '高橋 様'],
  ]
  for (const [i, [rating, title, body, author]] of demoReviews.entries()) {
    await kando.reviews.create(demoScope, { sku: PRODUCTS[0]!.sku, source: 'demo', externalId: `demo-review-${i}`, rating, title, body, authorName: author, publish: true }, 'demo')
  }
  // Returns: the shop's own terms (返品特約) shown before a customer commits, exchanges first,
  // store credit with a 10 % bonus; the hand cream is a hygiene item, the mug made to order.
  await kando.returns.updateSettings(demoScope, {
    policy: {
      terms: {
        ja: '商品到着日を含む14日以内にご連絡ください。未使用・未開封の商品に限り、返品・交換を承ります。お客様のご都合による返品の送料はお客様のご負担となります。不良品・誤配送の場合は送料当店負担で交換または返金いたします。',
        en: 'Tell us within 14 days of delivery (the day of delivery counts). Unused, unopened items may be returned or exchanged; return shipping is yours unless the item is defective or not what you ordered, in which case we pay it.',
      },
      windowDays: 14,
      rules: [
        { id: 'hygiene-care', kind: 'hygiene', match: { skus: ['KD-CARE-YUZU', 'KD-CARE-SOAP'] }, label: { ja: '化粧品・衛生用品', en: 'Cosmetics and hygiene items' } },
        { id: 'mug-made-to-order', kind: 'made_to_order', match: { skus: ['KD-MUG-MINO'] }, label: { ja: '受注生産品', en: 'Made to order' } },
      ],
      resolutions: { storeCredit: { enabled: true, bonusPercent: 10 } },
    },
  })
  // Ordered yesterday morning and handed to Yamato at 13:00 Japan time, so it was collected that
  // afternoon whatever the hour now (by today it is somewhere between the hub and the doorstep).
  const now = kando.clock.now().getTime()
  const jstMidnight = now - ((now + 9 * 3600_000) % 86_400_000)
  const readyAt = jstMidnight - 11 * 3600_000
  const { id: firstOrderId } = await kando.orders.ingest(kando.scope(tenant.id), {
    externalId: 'demo-first-order', source: 'api', number: '#1000', placedAt: new Date(readyAt - 4 * 3600_000).toISOString(), currency: 'JPY', status: 'confirmed',
    customer: { email: 'hanako@example.jp', firstName: '花子', lastName: '山田', locale: 'ja' },
    shippingAddress: { name: '山田 花子', postalCode: '150-0001', prefectureCode: '13', region: '東京都', city: '渋谷区', address1: '神宮前1-2-3', country: 'JP' },
    lines: [
      { sku: PRODUCTS[0]!.sku, title: PRODUCTS[0]!.title, variantTitle: PRODUCTS[0]!.variant, quantity: 2, unitPrice: PRODUCTS[0]!.price },
      { sku: PRODUCTS[3]!.sku, title: PRODUCTS[3]!.title, variantTitle: PRODUCTS[3]!.variant, quantity: 1, unitPrice: PRODUCTS[3]!.price },
    ],
    shippingTotal: 550,
    total: PRODUCTS[0]!.price * 2 + PRODUCTS[3]!.price + 550,
  }, { actor: 'demo' })
  // The simulated carrier (in real time here) gives the parcel the steps it would have by now, so the
  // sample tracking link shows a timeline.
  await kando.tracking.createShipment(kando.scope(tenant.id), firstOrderId, {
    carrier: 'yamato', trackingNumber: demoYamatoNumber(), readyAt: new Date(readyAt).toISOString(),
  } as never, { source: 'demo', actor: 'demo' })
  await new CarrierSimulator(kando.tracking, kando.clock, { compression: 1, sources: ['demo'] }).tick(kando.scope(tenant.id))
  const order = await kando.orders.getOrThrow(kando.scope(tenant.id), firstOrderId)
  print('')
  print('  Kando (感動) is running with a demo brand.')
  print(`  Admin / API:     ${base}/api/v1   (OpenAPI docs: ${base}/docs)`)
  print(`  Demo brand:      ${tenant.name}  slug=${tenant.slug}`)
  print(`  API key (shown once, keep it): ${apiKey.key}`)
  print(`  Try:             curl -H "Authorization: Bearer ${apiKey.key}" ${base}/api/v1/orders`)
  print(`  Shopify webhooks: ${base}/webhooks/shopify/${tenant.slug}`)
  print(`  Sample tracking link: ${base}/t/${order.trackingToken}`)
  print(kando.config.smtpUrl
    ? `  Mail goes out through KANDO_SMTP_URL; log: curl -H "Authorization: Bearer ${apiKey.key}" ${base}/api/v1/messages`
    : `  Mail (no SMTP set, kept in the dev mailbox): curl -H "Authorization: Bearer ${apiKey.key}" ${base}/api/v1/dev-mailbox`)
  print(`  Stock in 11 centres: curl -H "Authorization: Bearer ${apiKey.key}" ${base}/api/v1/stock`)
  print(`  Allocate an order and see why: curl -X POST -H "Authorization: Bearer ${apiKey.key}" -H 'content-type: application/json' -d '{}' ${base}/api/v1/orders/<id>/allocation`)
  const reviewed = await kando.catalog.variantBySku(demoScope, PRODUCTS[0]!.sku)
  print(`  Reviews (storefront JSON): ${base}/public/v1/${tenant.slug}/products/${reviewed?.productId}/reviews`)
  print(`  Reviews widget on any page: <script src="${base}/widget/reviews.js" defer></script><kando-reviews shop="${tenant.slug}" product="${reviewed?.productId}"></kando-reviews>`)
  print(`  Returns portal:  ${base}/r/${tenant.slug}   (order #1000, hanako@example.jp — returnable once delivered)`)
  print('  Feed demo orders:      npm run demo   (in another terminal)')
  print('')
}

/** A Shopify orders/create payload of the demo shop, shaped like the real thing. */
export function demoShopifyOrder(n: number, at: Date) {
  const person = PEOPLE[randomInt(PEOPLE.length)]!
  const count = 1 + randomInt(3)
  const picked = [...PRODUCTS].sort(() => Math.random() - 0.5).slice(0, count)
  const items = picked.map((p, i) => ({
    id: 9_000_000_000_000 + n * 10 + i,
    variant_id: 40_000_000_000 + PRODUCTS.indexOf(p),
    product_id: 7_000_000_000 + PRODUCTS.indexOf(p),
    sku: p.sku,
    title: p.title,
    variant_title: p.variant,
    quantity: 1 + randomInt(2),
    price: String(p.price),
    requires_shipping: true,
    discount_allocations: [],
  }))
  const subtotal = items.reduce((s, i) => s + Number(i.price) * i.quantity, 0)
  const shipping = subtotal >= 5000 ? 0 : 550
  const cod = randomInt(5) === 0
  const email = `demo+${n}@example.jp`
  const address = {
    first_name: person.first, last_name: person.last, name: `${person.last} ${person.first}`, zip: person.zip,
    province: person.province, province_code: person.pref, country: 'Japan', country_code: 'JP', city: person.city,
    address1: person.address1, address2: randomInt(2) ? `感動マンション${100 + randomInt(900)}号室` : null, phone: `090-${1000 + randomInt(9000)}-${1000 + randomInt(9000)}`, company: null,
  }
  return {
    id: 5_500_000_000_000 + n,
    name: `#${1000 + n}`,
    email,
    created_at: at.toISOString(),
    processed_at: at.toISOString(),
    updated_at: at.toISOString(),
    currency: 'JPY',
    financial_status: cod ? 'pending' : 'paid',
    fulfillment_status: null,
    cancelled_at: null,
    payment_gateway_names: cod ? ['代金引換'] : ['shopify_payments'],
    current_total_price: String(subtotal + shipping + (cod ? 330 : 0)),
    total_price: String(subtotal + shipping + (cod ? 330 : 0)),
    subtotal_price: String(subtotal),
    total_tax: String(Math.floor(((subtotal + shipping) * 8) / 108)),
    total_discounts: '0',
    total_shipping_price_set: { shop_money: { amount: String(shipping), currency_code: 'JPY' } },
    taxes_included: true,
    customer_locale: 'ja',
    landing_site: `/products/${picked[0]!.sku.toLowerCase()}?utm_source=line&utm_medium=message&utm_campaign=autumn`,
    referring_site: 'https://line.me/',
    tags: randomInt(3) === 0 ? '定期便' : '',
    note: null,
    note_attributes: [
      { name: '配送希望時間帯', value: SLOTS[randomInt(SLOTS.length)]! },
    ],
    customer: { id: 6_600_000_000_000 + n, email, first_name: person.first, last_name: person.last, phone: null, email_marketing_consent: { state: randomInt(2) ? 'subscribed' : 'not_subscribed' } },
    shipping_address: address,
    billing_address: address,
    line_items: items,
    shipping_lines: [{ title: 'ヤマト運輸', price: String(shipping) }],
  }
}

/** A Yamato (ヤマト運輸) 12-digit tracking number: 11 digits and their remainder mod 7 as check digit. */
export function demoYamatoNumber(): string {
  const body = String(100_000_000_00 + randomInt(800_000_000_00)).padStart(11, '0')
  return body + String(Number(BigInt(body) % 7n))
}

/** A Shopify fulfillments/create payload shipping every line of a demo order with Yamato. */
export function demoShopifyFulfillment(order: ReturnType<typeof demoShopifyOrder>, at: Date) {
  const number = demoYamatoNumber()
  return {
    id: order.id + 7_000_000_000_000,
    order_id: order.id,
    status: 'success',
    created_at: at.toISOString(),
    updated_at: at.toISOString(),
    service: 'manual',
    shipment_status: null,
    tracking_company: 'Yamato (JA)',
    tracking_number: number,
    tracking_numbers: [number],
    tracking_url: `https://jizen.kuronekoyamato.co.jp/jizen/servlet/crjz.b.NQ0010?id=${number}`,
    tracking_urls: [`https://jizen.kuronekoyamato.co.jp/jizen/servlet/crjz.b.NQ0010?id=${number}`],
    line_items: order.line_items.map((l) => ({ id: l.id, variant_id: l.variant_id, product_id: l.product_id, sku: l.sku, title: l.title, quantity: l.quantity, price: l.price })),
  }
}

/**
 * Feeds demo orders as signed Shopify webhooks: to the running server when it answers, else
 * in-process. Like a real shop, it ships about half of the earlier orders (fulfilment with a Yamato
 * tracking number) and now and then a customer cancels one, so orders move through their lifecycle.
 */
export async function runDemo(kando: Kando, config: Config, opts: { tenant: string; orders: number; intervalMs: number; daySeconds?: number }): Promise<void> {
  const tenant = await kando.tenants.find(opts.tenant)
  const secret = await kando.tenants.shopifySecret(tenant.id)
  if (!secret) throw new Error(`Brand ${tenant.slug} has no Shopify secret; create it with --shopify-secret.`)
  const url = `${config.publicUrl}/webhooks/shopify/${tenant.slug}`
  const serverUp = await fetch(`${config.publicUrl}/healthz`).then((r) => r.ok).catch(() => false)
  if (!serverUp) await kando.startWorker()
  console.log(serverUp ? `Posting ${opts.orders} demo orders to ${url}` : `No server at ${config.publicUrl}; taking ${opts.orders} demo orders in directly`)

  const send = async (topic: string, payload: unknown) => {
    const body = Buffer.from(JSON.stringify(payload))
    const h = { hmac: signShopifyBody(body, secret), topic, webhookId: `demo-${newToken(12)}`, shopDomain: 'kando-demo.myshopify.com' }
    if (!serverUp) return kando.shopify.accept(tenant.slug, h, body)
    const res = await fetch(url, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json', 'x-shopify-topic': h.topic, 'x-shopify-hmac-sha256': h.hmac,
        'x-shopify-webhook-id': h.webhookId, 'x-shopify-shop-domain': h.shopDomain,
      },
    })
    if (!res.ok) throw new Error(`Server answered ${res.status}: ${await res.text()}`)
  }

  // The simulated carrier moves parcels in compressed time. On the demo brand it moves every open
  // parcel; fed into another brand, only the parcels this run shipped.
  const daySeconds = opts.daySeconds ?? DEMO_DAY_SECONDS
  const shippedNumbers: string[] = []
  const scope = kando.scope(tenant.id)
  const simulator = new CarrierSimulator(kando.tracking, kando.clock, {
    compression: 86_400 / daySeconds, ...(tenant.slug === DEMO_SLUG ? {} : { trackingNumbers: shippedNumbers }),
  })
  const orderNumbers = new Map<string, string>()
  const moveParcels = async (): Promise<number> => {
    const { moves, open } = await simulator.tick(scope)
    for (const m of moves) console.log(await describeMove(kando, scope, m, orderNumbers))
    return open
  }

  const startN = Date.now() % 1_000_000
  const open: Array<ReturnType<typeof demoShopifyOrder>> = []
  for (let i = 0; i < opts.orders; i++) {
    const order = demoShopifyOrder(startN + i, new Date())
    await send('orders/create', order)
    open.push(order)
    console.log(`  ${order.name}  ${order.shipping_address.name} 様  ¥${Number(order.total_price).toLocaleString('ja-JP')}  (${order.line_items.length} 点)  ご注文`)
    // The warehouse ships an earlier order about every other tick; a customer cancels now and then.
    if (open.length > 2 && randomInt(2) === 0) {
      const shipped = open.splice(randomInt(open.length - 1), 1)[0]!
      const f = demoShopifyFulfillment(shipped, new Date())
      await send('fulfillments/create', f)
      shippedNumbers.push(f.tracking_number)
      console.log(`  ${shipped.name}  発送しました  ヤマト運輸 ${f.tracking_number}`)
    } else if (open.length > 3 && randomInt(8) === 0) {
      const cancelled = open.splice(randomInt(open.length - 1), 1)[0]!
      const at = new Date().toISOString()
      await send('orders/cancelled', { ...cancelled, cancelled_at: at, cancel_reason: 'customer', updated_at: at })
      console.log(`  ${cancelled.name}  キャンセルされました`)
    }
    await moveParcels()
    if (opts.intervalMs > 0) await new Promise((r) => setTimeout(r, opts.intervalMs))
  }
  if (!serverUp) await kando.queue.drain(60_000)
  // The server's worker makes shipments of the last fulfilments; give it a moment before moving them.
  else await kando.queue.drain(15_000).catch(() => undefined)
  // Let the parcels on their way arrive (at most a week of carrier time).
  const until = Date.now() + 7 * daySeconds * 1000
  const pause = Math.min(1000, Math.max(20, (daySeconds * 1000) / 48))
  while ((await moveParcels()) > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, pause))
  console.log('Done. See them with GET /api/v1/orders (and their events with GET /api/v1/events).')
}

/** `🚚 #1012 ヤマト運輸 4444-1375-8703: 配達中 (渋谷神宮前センター)` */
async function describeMove(kando: Kando, scope: TenantDb, m: SimulatedMove, orderNumbers: Map<string, string>): Promise<string> {
  let number = orderNumbers.get(m.orderId)
  if (!number) {
    number = (await kando.orders.get(scope, m.orderId))?.number ?? m.orderId
    orderNumbers.set(m.orderId, number)
  }
  return `  🚚 ${number} ${m.carrierName} ${m.trackingNumber}: ${m.rawStatus} (${m.location})`
}
