/**
 * Seeds one brand for `npm run bench:reviews`: a catalogue of products (1–3 variants each), published
 * reviews spread over them with a Zipf skew (a few products with thousands, most with a handful),
 * ratings skewed to 5 and 4, ~10 % with photos (a real, tiny JPEG), some not published (pending,
 * rejected), and orders of the last 14 days on those variants (the storefront's "bought this week").
 *
 * The bulk goes in as multi-row inserts, a few thousand rows per `kando.db.transaction`, with
 * review_stats computed here; a sample goes through `ReviewService.create` / `addMedia` so the
 * service's own upsert of review_stats runs on top of the bulk rows. `checkReviewStats` then compares
 * review_stats with a GROUP BY over the published reviews (and media_count with review_media) and
 * throws on any difference. Reproducible: every draw comes from one seeded generator.
 */
import { randomBytes } from 'node:crypto'
import sharp from 'sharp'
import { sql } from 'kysely'
import type { Kando } from '../../src/kando.ts'
import { mulberry32 } from '../../src/modules/tracking/simulator.ts'
import { authorName } from '../../src/modules/reviews/index.ts'
import type { TenantDb } from '../../src/platform/tenancy.ts'

const DAY = 86_400_000
const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz'

export interface ReviewSeedOptions {
  products: number
  /** Published reviews (the storefront's population). */
  reviews: number
  /** Of those, how many go through ReviewService.create (the rest: direct inserts). */
  sample: number
  /** Extra reviews that are not published (pending, rejected): the storefront must not count them. */
  unpublished: number
  /** Orders over the last 14 days (about half in the last 7). */
  orders: number
  /** Zipf exponent of reviews per product and of product-page traffic. */
  zipf: number
  seed: number
  progress?: (what: string) => void
}

export interface SeededProduct {
  id: string
  /** The shop's own product id (what a Shopify theme embeds in the widget). */
  externalId: string
  /** 0 = the product with the most reviews (and the most traffic). */
  rank: number
  reviews: number
  withMedia: number
  variantIds: string[]
}

export interface ReviewSeed {
  tenantId: string
  slug: string
  /** By rank: products[0] has the most reviews. */
  products: SeededProduct[]
  published: number
  unpublished: number
  mediaRows: number
  viaService: number
  orders: number
  orderLines: number
  ordersLast7Days: number
  seconds: number
  jpegBytes: number
}

/** A time-ordered id in Kando's format (prefix_ + 26 Crockford base32: 48 bits of ms, 80 random) for a given moment. */
function idAt(prefix: string, ms: number, r: () => number): string {
  const bytes = new Uint8Array(16)
  let t = ms
  for (let i = 5; i >= 0; i--) {
    bytes[i] = t % 256
    t = Math.floor(t / 256)
  }
  for (let i = 6; i < 16; i++) bytes[i] = Math.floor(r() * 256)
  bytes[6]! &= 0x7f
  let out = ''
  let bits = 0
  let value = 0
  for (const byte of bytes) {
    value = (value << 8) | byte
    bits += 8
    while (bits >= 5) {
      out += CROCKFORD[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
    value &= (1 << bits) - 1
  }
  if (bits > 0) out += CROCKFORD[(value << (5 - bits)) & 31]
  return `${prefix}_${out}`
}

/** Index drawn with probability proportional to weights (cumulative array, binary search). */
export function sampler(weights: readonly number[], r: () => number): () => number {
  const cum = new Float64Array(weights.length)
  let acc = 0
  weights.forEach((w, i) => (cum[i] = acc += w))
  return () => {
    const x = r() * acc
    let lo = 0
    let hi = cum.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (cum[mid]! <= x) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

/** Zipf weights 1/k^s for ranks 1…n. */
export const zipfWeights = (n: number, s: number): number[] => Array.from({ length: n }, (_, k) => 1 / (k + 1) ** s)

/** `total` split over `n` ranks in proportion to Zipf weights (largest remainders), each at least 1. */
function zipfCounts(n: number, total: number, s: number): number[] {
  const w = zipfWeights(n, s)
  const sum = w.reduce((a, b) => a + b, 0)
  const exact = w.map((x) => Math.max(1, (total * x) / sum))
  const counts = exact.map(Math.floor)
  let left = total - counts.reduce((a, b) => a + b, 0)
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0])
  for (let j = 0; left > 0; j = (j + 1) % n, left--) counts[order[j]![1]]!++
  // A floor of 1 may overshoot on tiny totals: take back from the top.
  for (let i = 0; left < 0; i = (i + 1) % n) if (counts[i]! > 1) counts[i]!--, left++
  return counts
}

const ITEMS = [
  ['コーヒー', ['ドリップバッグ', '深煎り豆', 'カフェインレス豆', 'コールドブリュー', 'エスプレッソ豆']],
  ['お茶', ['ほうじ茶', '抹茶', '玄米茶', '和紅茶', '煎茶']],
  ['スキンケア', ['ハンドクリーム', '化粧水', '美容液', 'ボディソープ', '洗顔石けん']],
  ['アパレル', ['リネンシャツ', 'オーガニックTシャツ', 'ウールソックス', 'パーカー', 'ワイドパンツ']],
  ['キッチン', ['美濃焼マグ', '有田焼プレート', '鉄フライパン', '木製カトラリー', '土鍋']],
  ['タオル', ['今治フェイスタオル', 'バスタオル', 'ガーゼケット', 'ハンドタオル', 'ワッフルタオル']],
  ['和菓子', ['羊羹', 'どら焼き', '最中', 'せんべい', 'かりんとう']],
] as const
const QUALIFIERS = ['定番', '限定', '感動', '季節の', 'プレミアム', 'ギフト用', 'お徳用', '職人の', '国産', '有機']
const VARIANTS = [['S', 'M', 'L'], ['白', '藍', '生成り'], ['100g', '200g', '500g'], ['1個', '3個セット', '6個セット']] as const
const SURNAMES = ['山田', '佐藤', '鈴木', '高橋', '田中', '伊藤', '渡辺', '中村', '小林', '加藤', '吉田', '山本', '松本', '井上', '木村', '林', '清水', '山崎', '森', '池田']
const GOOD = ['とても満足しています。', '期待以上の品質でした。', 'リピート購入しました。', '家族にも好評です。', 'ギフトに使いましたが喜ばれました。', '香りがとても良いです。', '丁寧な梱包で届きました。', '毎日使っています。', '肌触りが気持ちいいです。', 'また買いたいと思います。']
const MIXED = ['値段を考えると普通です。', 'もう少し量が多いと嬉しいです。', 'サイズが少し小さめでした。', '思っていた色と少し違いました。', '届くまでに少し時間がかかりました。']
const BAD = ['残念ながら期待外れでした。', '一度使っただけで壊れてしまいました。', '香りが強すぎて合いませんでした。', '写真と実物の印象がかなり違いました。']
const DETAIL = ['朝の時間が楽しみになりました。', '説明書きも分かりやすかったです。', 'パッケージもおしゃれで、そのまま贈れます。', '洗濯しても型崩れしませんでした。', '価格以上の価値があると思います。', '友人にも勧めました。', '少し高いですが納得の品質です。', '前に使っていたものより断然良いです。']
const TITLES_GOOD = ['最高です', 'リピート確定', '大満足', '買ってよかった', 'おすすめです', '毎日愛用']
const TITLES_MIXED = ['まあまあ', '普通です', '好みが分かれそう']
const TITLES_BAD = ['残念', '期待外れ', 'いまいち']
const REPLIES = ['この度はご購入いただき誠にありがとうございます。スタッフ一同励みになります。', 'ご不便をおかけし申し訳ございません。担当よりご連絡いたします。', '嬉しいお言葉をありがとうございます。またのご利用をお待ちしております。']

interface PlannedReview {
  product: number
  variant: string | null
  rating: number
  media: number
  helpful: number
  at: number
  source: 'kando' | 'rakuten'
  title: string | null
  body: string
  author: string
  reply: string | null
}

/** The tiny real JPEG every photo row holds (sharp makes it: a 16×12 gradient-ish block). */
async function tinyJpeg(): Promise<{ data: Buffer; width: number; height: number }> {
  const data = await sharp({ create: { width: 16, height: 12, channels: 3, background: { r: 196, g: 120, b: 64 } } }).jpeg({ quality: 70 }).toBuffer()
  return { data, width: 16, height: 12 }
}

async function insertChunks(kando: Kando, table: string, rows: Array<Record<string, unknown>>, perInsert: number, perTransaction: number): Promise<void> {
  for (let i = 0; i < rows.length; i += perTransaction) {
    const slice = rows.slice(i, i + perTransaction)
    await kando.db.transaction(async (trx) => {
      for (let j = 0; j < slice.length; j += perInsert) {
        await trx.insertInto(table as 'reviews').values(slice.slice(j, j + perInsert) as never).execute()
      }
    })
  }
}

/** Seeds the brand `slug` (created through TenantService.create). See the file comment. */
export async function seedReviews(kando: Kando, slug: string, o: ReviewSeedOptions): Promise<ReviewSeed> {
  const t0 = performance.now()
  const r = mulberry32(o.seed)
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!
  const say = o.progress ?? (() => {})
  const { tenant } = await kando.tenants.create({ slug, name: '感動ストア 本店' })
  const tenantId = tenant.id
  const scope = kando.scope(tenantId)
  const now = Date.now()
  const iso = (ms: number) => new Date(ms).toISOString()
  const jpeg = await tinyJpeg()

  // ---------------------------------------------------------------- catalogue
  const counts = zipfCounts(o.products, o.reviews, o.zipf)
  const products: SeededProduct[] = []
  const productRows: Array<Record<string, unknown>> = []
  const variantRows: Array<Record<string, unknown>> = []
  const variantInfo: Array<Array<{ id: string; sku: string; title: string; price: number }>> = []
  const titles: string[] = []
  // Products are created in a shuffled order, so rank (popularity) and age are unrelated.
  const createdOrder = Array.from({ length: o.products }, (_, k) => k)
  for (let i = createdOrder.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1))
    ;[createdOrder[i], createdOrder[j]] = [createdOrder[j]!, createdOrder[i]!]
  }
  for (let k = 0; k < o.products; k++) {
    const created = now - (900 - (createdOrder[k]! * 880) / o.products) * DAY
    const [type, items] = pick(ITEMS)
    const title = `${pick(QUALIFIERS)} ${pick(items)} No.${1000 + k}`
    const id = idAt('prod', created, r)
    const externalId = String(7_100_000_000_000 + k * 1013)
    titles.push(title)
    productRows.push({
      id, tenant_id: tenantId, source: 'shopify', external_id: externalId, title, vendor: '感動ストア', product_type: type, tags: '[]',
      image_url: `https://cdn.shopify.com/s/files/1/0000/0001/products/${externalId}.jpg`, replenish_after_days: null, created_at: iso(created), updated_at: iso(created),
    })
    const x = r()
    const n = x < 0.5 ? 1 : x < 0.8 ? 2 : 3
    const names = n === 1 ? ['Default Title'] : pick(VARIANTS).slice(0, n)
    const price = 800 + Math.floor(r() * 60) * 100
    const vs = names.map((name, j) => ({ id: idAt('var', created, r), sku: `KD-${k}-${j}`, title: name, price: price + j * 300 }))
    for (const [j, v] of vs.entries()) {
      variantRows.push({
        id: v.id, tenant_id: tenantId, product_id: id, source: 'shopify', external_id: String(4_400_000_000_000 + k * 7 + j), sku: v.sku, barcode: null, title: v.title,
        price: v.price, currency: 'JPY', weight_grams: 300, image_url: null, replenish_after_days: null, created_at: iso(created), updated_at: iso(created),
      })
    }
    variantInfo.push(vs)
    products.push({ id, externalId, rank: k, reviews: counts[k]!, withMedia: 0, variantIds: vs.map((v) => v.id) })
  }
  say(`catalogue: ${o.products} products, ${variantRows.length} variants`)
  await insertChunks(kando, 'products', productRows, 500, 5000)
  await insertChunks(kando, 'variants', variantRows, 500, 5000)

  // ---------------------------------------------------------------- reviews, planned
  // Each product has a "quality": most are liked, some divide, a few disappoint.
  const RATING_WEIGHTS = { liked: [2, 3, 7, 25, 63], mixed: [8, 10, 22, 35, 25], poor: [25, 20, 25, 18, 12] }
  const plan: PlannedReview[] = []
  for (let k = 0; k < o.products; k++) {
    const q = r()
    const rate = sampler(q < 0.8 ? RATING_WEIGHTS.liked : q < 0.95 ? RATING_WEIGHTS.mixed : RATING_WEIGHTS.poor, r)
    const age0 = (now - Date.parse(productRows[k]!.created_at as string)) / DAY
    for (let i = 0; i < counts[k]!; i++) {
      const rating = rate() + 1
      const m = r()
      const media = m < 0.1 ? (m < 0.02 ? 3 : m < 0.04 ? 2 : 1) : 0
      // Recent reviews are more common: age drawn with a square, never before the product existed.
      const at = now - Math.max(0.01, r() ** 2 * Math.min(age0, 730)) * DAY - Math.floor(r() * DAY)
      const sentences = rating >= 4 ? [GOOD, DETAIL] : rating === 3 ? [MIXED, GOOD, DETAIL] : [BAD, MIXED]
      const len = 1 + Math.floor(r() * r() * 6)
      const body = Array.from({ length: len }, (_, j) => pick(sentences[j % sentences.length]!)).join('')
      const source = r() < 0.8 ? 'kando' : 'rakuten'
      const h = r()
      const helpful = h < 0.55 ? 0 : Math.floor(1 + -Math.log(r()) * (k < 50 ? 12 : 3))
      plan.push({
        product: k, variant: r() < 0.92 ? pick(variantInfo[k]!).id : null, rating, media, helpful, at, source,
        title: r() < 0.6 ? pick(rating >= 4 ? TITLES_GOOD : rating === 3 ? TITLES_MIXED : TITLES_BAD) : null,
        body, author: authorName(pick(SURNAMES), null, 'ja'), reply: r() < 0.05 ? pick(REPLIES) : null,
      })
    }
  }

  // The sample through the service: drawn uniformly over reviews (so mostly on popular products).
  const viaService = new Set<number>()
  while (viaService.size < Math.min(o.sample, plan.length)) viaService.add(Math.floor(r() * plan.length))

  // ---------------------------------------------------------------- reviews, bulk
  const reviewRows: Array<Record<string, unknown>> = []
  const mediaRows: Array<Record<string, unknown>> = []
  const stats = new Map<string, { product_id: string; variant_id: string; count: number; rating_sum: number; r: number[]; with_media: number; at: number }>()
  const addStat = (productId: string, variant: string, rating: number, media: number, at: number) => {
    const k = `${productId}|${variant}`
    const s = stats.get(k) ?? { product_id: productId, variant_id: variant, count: 0, rating_sum: 0, r: [0, 0, 0, 0, 0], with_media: 0, at: 0 }
    s.count++
    s.rating_sum += rating
    s.r[rating - 1]!++
    if (media > 0) s.with_media++
    s.at = Math.max(s.at, at)
    stats.set(k, s)
  }
  let importNo = 0
  const row = (p: PlannedReview, status: 'published' | 'pending' | 'rejected') => {
    const id = idAt('rev', p.at, r)
    const product = products[p.product]!
    reviewRows.push({
      id, tenant_id: tenantId, product_id: product.id, variant_id: p.variant, source: p.source, external_id: p.source === 'kando' ? null : `rk-${++importNo}`,
      verified: p.source === 'kando' ? 1 : 0, request_id: null, order_id: null, customer_id: null, rating: p.rating, title: p.title, body: p.body,
      author_name: p.author, fit: '{}', locale: 'ja', status,
      status_reason: status === 'published' ? 'auto-published: no flags' : status === 'pending' ? 'waits for moderation: low rating' : 'rejected by the brand',
      flags: '[]', helpful: status === 'published' ? p.helpful : 0, media_count: p.media,
      reply_body: status === 'published' ? p.reply : null, reply_at: status === 'published' && p.reply ? iso(Math.min(now, p.at + 2 * DAY)) : null,
      incentive_tier: null, incentive_code: null, created_at: iso(p.at), updated_at: iso(p.at), published_at: status === 'published' ? iso(p.at) : null,
    })
    for (let j = 0; j < p.media; j++) {
      mediaRows.push({ id: idAt('med', p.at, r), tenant_id: tenantId, review_id: id, position: j, kind: 'image', mime: 'image/jpeg', bytes: jpeg.data.length, width: jpeg.width, height: jpeg.height, data: jpeg.data, created_at: iso(p.at) })
    }
    if (status === 'published') {
      addStat(product.id, '', p.rating, p.media, p.at)
      if (p.variant) addStat(product.id, p.variant, p.rating, p.media, p.at)
      if (p.media > 0) product.withMedia++
    }
  }
  plan.forEach((p, i) => {
    if (!viaService.has(i)) row(p, 'published')
  })
  // Not published: same shapes, on products drawn by the same skew.
  const byReviews = sampler(counts, r)
  for (let i = 0; i < o.unpublished; i++) {
    const base = plan[Math.floor(r() * plan.length)]!
    row({ ...base, product: byReviews(), variant: null, rating: 1 + Math.floor(r() * 3) }, r() < 0.75 ? 'pending' : 'rejected')
  }
  // Inserted in time order, as they would have arrived.
  reviewRows.sort((a, b) => ((a.id as string) < (b.id as string) ? -1 : 1))
  say(`reviews: inserting ${reviewRows.length.toLocaleString('en-US')} rows directly (${o.unpublished} not published), ${mediaRows.length.toLocaleString('en-US')} photos`)
  await insertChunks(kando, 'reviews', reviewRows, 400, 4000)
  await insertChunks(kando, 'review_media', mediaRows, 400, 4000)
  const statRows = [...stats.values()].map((s) => ({
    tenant_id: tenantId, product_id: s.product_id, variant_id: s.variant_id, count: s.count, rating_sum: s.rating_sum,
    r1: s.r[0], r2: s.r[1], r3: s.r[2], r4: s.r[3], r5: s.r[4], with_media: s.with_media, updated_at: iso(s.at),
  }))
  await insertChunks(kando, 'review_stats', statRows, 500, 5000)

  // ---------------------------------------------------------------- the sample, through the service
  say(`reviews: ${viaService.size} through ReviewService.create (+ addMedia for those with photos)`)
  const sample = [...viaService].map((i) => plan[i]!)
  let next = 0
  const lane = async () => {
    for (let i = next++; i < sample.length; i = next++) {
      const p = sample[i]!
      const product = products[p.product]!
      const sku = p.variant ? variantInfo[p.product]!.find((v) => v.id === p.variant)!.sku : undefined
      const { review } = await kando.reviews.create(scope, {
        ...(sku ? { sku } : { productId: product.id }), source: 'rakuten', externalId: `svc-${i}`, rating: p.rating, title: p.title, body: p.body,
        authorName: p.author, locale: 'ja', createdAt: iso(p.at), publish: true,
      }, 'bench-seed')
      for (let j = 0; j < p.media; j++) await kando.reviews.addMedia(scope, review.id, { kind: 'image', mime: 'image/jpeg', data: jpeg.data, width: jpeg.width, height: jpeg.height }, 'bench-seed')
      if (p.media > 0) product.withMedia++
    }
  }
  await Promise.all(Array.from({ length: 8 }, lane))

  // ---------------------------------------------------------------- orders of the last 14 days
  const traffic = sampler(zipfWeights(o.products, o.zipf), r)
  const orderRows: Array<Record<string, unknown>> = []
  const lineRows: Array<Record<string, unknown>> = []
  let last7 = 0
  for (let i = 0; i < o.orders; i++) {
    const placed = now - r() * 14 * DAY
    if (placed >= now - 7 * DAY) last7++
    const id = idAt('ord', placed, r)
    const x = r()
    const nLines = x < 0.6 ? 1 : x < 0.88 ? 2 : 3
    let subtotal = 0
    const seen = new Set<number>()
    for (let j = 0; j < nLines; j++) {
      const k = traffic()
      if (seen.has(k)) continue
      seen.add(k)
      const v = pick(variantInfo[k]!)
      const qty = r() < 0.85 ? 1 : 2
      subtotal += v.price * qty
      lineRows.push({
        id: idAt('oli', placed, r), tenant_id: tenantId, order_id: id, position: j, external_id: null, sku: v.sku, variant_id: v.id, title: titles[k],
        variant_title: v.title === 'Default Title' ? null : v.title, quantity: qty, unit_price: v.price, discount: 0, requires_shipping: 1, shipped_quantity: 0,
      })
    }
    const s = r()
    const shipping = subtotal >= 5000 ? 0 : 660
    orderRows.push({
      id, tenant_id: tenantId, source: 'shopify', external_id: String(5_600_000_000_000 + i), number: `#${10001 + i}`,
      status: s < 0.02 ? 'cancelled' : s < 0.35 ? 'confirmed' : s < 0.65 ? 'shipped' : 'delivered',
      customer_id: null, email: null, phone: null, currency: 'JPY', subtotal, shipping_total: shipping, tax_total: Math.floor((subtotal * 10) / 110), discount_total: 0,
      total: subtotal + shipping, shipping_address: null, billing_address: null, landing_site: null, referring_site: null, tags: '[]', note: null, attributes: '{}',
      placed_at: iso(placed), source_updated_at: iso(placed), created_at: iso(placed), updated_at: iso(placed), version: 1, tracking_token: randomBytes(32).toString('base64url'),
    })
  }
  orderRows.sort((a, b) => ((a.id as string) < (b.id as string) ? -1 : 1))
  say(`orders: ${orderRows.length.toLocaleString('en-US')} orders, ${lineRows.length.toLocaleString('en-US')} lines (last 14 days)`)
  await insertChunks(kando, 'orders', orderRows, 300, 3000)
  await insertChunks(kando, 'order_lines', lineRows, 500, 5000)

  // PostgreSQL's autovacuum vacuums and analyzes freshly loaded tables within a minute; do it now so
  // the measurements do not depend on when it runs. SQLite: Kando never runs ANALYZE, nor here.
  if (kando.db.dialect === 'postgres') await sql`vacuum analyze`.execute(kando.db.kysely)

  const published = o.reviews
  return {
    tenantId, slug, products, published, unpublished: o.unpublished, mediaRows: mediaRows.length + sample.reduce((a, p) => a + p.media, 0), viaService: sample.length,
    orders: orderRows.length, orderLines: lineRows.length, ordersLast7Days: last7, seconds: (performance.now() - t0) / 1000, jpegBytes: jpeg.data.length,
  }
}

/**
 * review_stats must equal a GROUP BY over the published reviews (per product with variant_id '' and
 * per variant), and each review's media_count its review_media rows. Throws, listing differences.
 */
export async function checkReviewStats(scope: TenantDb): Promise<{ statRows: number; reviewsChecked: number }> {
  const db = scope.db
  const flat = (x: { count: unknown; rating_sum: unknown; r1: unknown; r2: unknown; r3: unknown; r4: unknown; r5: unknown; with_media: unknown }) =>
    [x.count, x.rating_sum, x.r1, x.r2, x.r3, x.r4, x.r5, x.with_media].map(Number).join(',')
  const stored = new Map<string, string>()
  for (const s of await scope.selectFrom('review_stats').selectAll().execute()) {
    // A row brought to zero by removals is the same as no row.
    if (Number(s.count) !== 0 || Number(s.with_media) !== 0) stored.set(`${s.product_id}|${s.variant_id}`, flat(s))
  }
  const agg = (eb: any) => [
    eb.fn.countAll().as('count'), eb.fn.sum('rating').as('rating_sum'),
    ...[1, 2, 3, 4, 5].map((n) => sql`sum(case when rating = ${n} then 1 else 0 end)`.as(`r${n}`)),
    sql`sum(case when media_count > 0 then 1 else 0 end)`.as('with_media'),
  ]
  const perProduct = await scope.selectFrom('reviews').select((eb) => ['product_id', ...agg(eb)]).where('status', '=', 'published').groupBy('product_id').execute()
  const perVariant = await scope.selectFrom('reviews').select((eb) => ['product_id', 'variant_id', ...agg(eb)]).where('status', '=', 'published').where('variant_id', 'is not', null).groupBy(['product_id', 'variant_id']).execute()
  const expected = new Map<string, string>()
  for (const g of perProduct as any[]) expected.set(`${g.product_id}|`, flat(g))
  for (const g of perVariant as any[]) expected.set(`${g.product_id}|${g.variant_id}`, flat(g))
  const diffs: string[] = []
  for (const [k, v] of expected) if (stored.get(k) !== v) diffs.push(`${k}: review_stats ${stored.get(k) ?? 'missing'} ≠ GROUP BY ${v}`)
  for (const [k, v] of stored) if (!expected.has(k)) diffs.push(`${k}: review_stats ${v} but no published review`)
  const media = await db.selectFrom('reviews as r')
    .leftJoin('review_media as m', (j) => j.onRef('m.review_id', '=', 'r.id'))
    .select((eb) => ['r.id', 'r.media_count', eb.fn.count('m.id').as('rows')])
    .where('r.tenant_id', '=', scope.tenantId).groupBy(['r.id', 'r.media_count']).execute()
  const badMedia = media.filter((m) => Number(m.media_count) !== Number(m.rows))
  for (const m of badMedia.slice(0, 5)) diffs.push(`${m.id}: media_count ${m.media_count} ≠ ${m.rows} review_media rows`)
  if (diffs.length || badMedia.length) {
    throw new Error(`review_stats does not match the reviews (${diffs.length} differences${badMedia.length ? `, ${badMedia.length} media counts` : ''}):\n  ${diffs.slice(0, 10).join('\n  ')}`)
  }
  return { statRows: stored.size, reviewsChecked: media.length }
}
