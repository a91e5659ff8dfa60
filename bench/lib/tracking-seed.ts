/**
 * Seeds a brand with orders, shipments and carrier events for the tracking-page benchmark,
 * through the services (OrderService.ingest, TrackingService.createShipment / addEventCounts),
 * in batches, each batch one `kando.db.transaction`. Realistic Japanese data: names, addresses,
 * products, Yamato / Sagawa / Japan Post numbers with their mod-7 check digit, carrier words.
 * Every event lies in the past (system clock).
 */
import { randomInt } from 'node:crypto'
import type { Kando } from '../../src/kando.ts'
import type { ShipmentInput, TrackingEventInput } from '../../src/modules/tracking/schemas.ts'

/** Products and customers every benchmark seeds from (Japanese names, prefectures, 〒). */
export const PRODUCTS = [
  { sku: 'KD-COF-DRIP10', title: '感動ブレンド ドリップバッグ 10袋', price: 1620, variant: '10袋' },
  { sku: 'KD-COF-BEAN200', title: '感動ブレンド 豆 200g', price: 1980, variant: '中煎り' },
  { sku: 'KD-TEA-HOJI', title: '京都 ほうじ茶 ティーバッグ 20包', price: 1296, variant: '20包' },
  { sku: 'KD-CARE-YUZU', title: 'ハンドクリーム 柚子 50g', price: 2200, variant: '50g' },
  { sku: 'KD-CARE-SOAP', title: '無添加 石けん 3個セット', price: 1540, variant: '3個' },
  { sku: 'KD-MUG-MINO', title: '美濃焼 マグカップ 藍', price: 3300, variant: '藍' },
  { sku: 'KD-TOWEL-IMA', title: '今治タオル フェイスタオル 2枚組', price: 2640, variant: '生成り' },
  { sku: 'KD-SWEET-YOK', title: '羊羹 詰め合わせ 5本入', price: 3240, variant: '5本' },
]

export const PEOPLE = [
  { last: '山田', first: '花子', pref: '13', region: '東京都', city: '渋谷区', address1: '神宮前1-2-3', zip: '150-0001' },
  { last: '佐藤', first: '健', pref: '27', region: '大阪府', city: '大阪市北区', address1: '梅田3-1-1', zip: '530-0001' },
  { last: '鈴木', first: '美咲', pref: '01', region: '北海道', city: '札幌市中央区', address1: '北一条西2-1', zip: '060-0001' },
  { last: '高橋', first: '翔太', pref: '40', region: '福岡県', city: '福岡市博多区', address1: '博多駅前2-1-1', zip: '812-0011' },
  { last: '田中', first: 'さくら', pref: '23', region: '愛知県', city: '名古屋市中村区', address1: '名駅1-1-4', zip: '450-0002' },
  { last: '伊藤', first: '大輔', pref: '47', region: '沖縄県', city: '那覇市', address1: '久茂地1-1-1', zip: '900-0015' },
  { last: '渡辺', first: '由美', pref: '04', region: '宮城県', city: '仙台市青葉区', address1: '中央1-3-1', zip: '980-0021' },
  { last: '中村', first: '蓮', pref: '34', region: '広島県', city: '広島市中区', address1: '基町6-78', zip: '730-0011' },
  { last: '小林', first: '陽菜', pref: '14', region: '神奈川県', city: '横浜市西区', address1: 'みなとみらい2-2-1', zip: '220-0012' },
  { last: '加藤', first: '悠真', pref: '26', region: '京都府', city: '京都市下京区', address1: '烏丸通七条下る', zip: '600-8216' },
]

/** Carrier words per step (all in the adapters' word tables), and centre names. */
const CARRIERS = {
  yamato: { steps: ['荷物受付', '発送', '配達店到着', '配達中', '配達完了'], centre: ['羽田クロノゲート', '厚木ゲートウェイ', '渋谷神宮前センター', '大阪北センター'] },
  sagawa: { steps: ['集荷', '輸送中', '輸送中', '輸送中', '配達終了'], centre: ['東京営業所', '江東営業所', '大阪営業所', '福岡営業所'] },
  japan_post: { steps: ['引受', '通過', '到着', '到着', 'お届け先にお届け済み'], centre: ['新東京郵便局', '大阪北郵便局', '渋谷郵便局', '札幌中央郵便局'] },
} as const
type CarrierCode = keyof typeof CARRIERS
const STATUS = ['picked_up', 'in_transit', 'in_transit', 'out_for_delivery', 'delivered'] as const

const pick = <T>(a: readonly T[]): T => a[randomInt(a.length)]!
const mod7 = (body: string) => body + String(Number(BigInt(body) % 7n))

export interface SeedFigures {
  orders: number
  shipments: number
  events: number
  tokens: string[]
  seconds: number
}

/**
 * `orders` orders for `tenantId`: half with one shipment, a quarter split into two, a quarter not
 * shipped yet (so shipments ≈ orders). Each shipment gets 1–5 events. Returns every order's token.
 */
export async function seedTracking(kando: Kando, tenantId: string, opts: { orders: number; batch?: number; progress?: (done: number) => void }): Promise<SeedFigures> {
  const t0 = performance.now()
  const scope = kando.scope(tenantId)
  const batch = opts.batch ?? 200
  const now = Date.now()
  const hour = 3600_000
  const tokens: string[] = []
  let shipments = 0
  let events = 0
  const numbers = new Set<string>()
  const trackingNumber = (): string => {
    for (;;) {
      const n = mod7(String(100_000_000_00 + randomInt(800_000_000_00)).padStart(11, '0'))
      if (!numbers.has(n)) return numbers.add(n), n
    }
  }

  for (let start = 0; start < opts.orders; start += batch) {
    await kando.db.transaction(async (trx) => {
      const tx = scope.with(trx)
      for (let i = start; i < Math.min(opts.orders, start + batch); i++) {
        const kind = i % 4 === 0 || i % 4 === 2 ? 'one' : i % 4 === 1 ? 'split' : 'unshipped'
        const person = pick(PEOPLE)
        const lineCount = kind === 'split' ? 2 + randomInt(2) : 1 + randomInt(3)
        const products = [...PRODUCTS].sort(() => Math.random() - 0.5).slice(0, lineCount)
        const lines = products.map((p) => ({ sku: p.sku, title: p.title, variantTitle: p.variant, quantity: 1 + randomInt(2), unitPrice: p.price }))
        const subtotal = lines.reduce((s, l) => s + l.unitPrice * l.quantity, 0)
        const shipping = subtotal >= 5000 ? 0 : 550
        // Unshipped orders are recent; shipped ones were placed 1–14 days ago.
        const placedAt = kind === 'unshipped' ? now - randomInt(2, 36) * hour : now - randomInt(24, 14 * 24) * hour
        const { id } = await kando.orders.ingest(tx, {
          externalId: `bench-trk-${i}`, source: 'api', number: `#${10001 + i}`, placedAt: new Date(placedAt).toISOString(), currency: 'JPY', status: 'confirmed',
          customer: { email: `customer${i}@example.jp`, firstName: person.first, lastName: person.last, locale: 'ja', phone: `090-${1000 + randomInt(9000)}-${1000 + randomInt(9000)}` },
          shippingAddress: {
            name: `${person.last} ${person.first}`, postalCode: person.zip, prefectureCode: person.pref, region: person.region, city: person.city,
            address1: person.address1, ...(randomInt(2) ? { address2: `感動マンション${100 + randomInt(900)}号室` } : {}), country: 'JP',
          },
          lines, shippingTotal: shipping, total: subtotal + shipping,
          attributes: { '配送希望時間帯': pick(['午前中', '14時〜16時', '16時〜18時', '19時〜21時', '指定なし']) },
        }, { actor: 'bench' })
        const order = (await kando.orders.get(tx, id))!
        tokens.push(order.trackingToken)
        if (kind === 'unshipped') continue
        const parts = kind === 'split' ? [order.lines.slice(0, 1), order.lines.slice(1)] : [order.lines]
        for (const part of parts) {
          const carrier: CarrierCode = pick(['yamato', 'yamato', 'yamato', 'sagawa', 'japan_post'])
          const readyAt = placedAt + randomInt(6, 30) * hour
          const input: ShipmentInput = {
            carrier, trackingNumber: trackingNumber(), readyAt: new Date(Math.min(readyAt, now - hour)).toISOString(),
            origin: { location: '厚木倉庫', prefectureCode: '14', cutoff: '15:00' },
            ...(carrier === 'yamato' && randomInt(2) ? { timeSlot: pick(['am', '14-16', '19-21'] as const) } : {}),
            lines: part.map((l) => ({ orderLineId: l.id, quantity: l.quantity })),
          }
          const { shipment } = await kando.tracking.createShipment(tx, order.id, input, { source: 'bench', actor: 'bench' })
          shipments++
          // 1–5 steps, each 4–20 h after the one before, never in the future.
          const steps = 1 + randomInt(5)
          const evs: TrackingEventInput[] = []
          let at = Date.parse(input.readyAt!)
          for (let s = 0; s < steps; s++) {
            at += randomInt(4, 20) * hour
            if (at > now - 60_000) break
            evs.push({ status: STATUS[s]!, rawStatus: CARRIERS[carrier].steps[s]!, location: pick(CARRIERS[carrier].centre), occurredAt: new Date(at).toISOString() })
          }
          if (evs.length > 0) {
            await kando.tracking.addEventCounts(tx, shipment.id, evs, { source: 'bench', actor: 'bench' })
            events += evs.length
          }
        }
      }
    })
    opts.progress?.(Math.min(opts.orders, start + batch))
  }
  return { orders: opts.orders, shipments, events, tokens, seconds: (performance.now() - t0) / 1000 }
}

/** The page settings a real brand would have: colours, support contact, two CTAs. */
export const BENCH_PAGE_SETTINGS = {
  brand: { primaryColor: '#1f5f4a', accentColor: '#b5562b' },
  support: { email: 'support@example.jp', phone: '03-1234-5678', hours: '平日 10:00〜18:00', url: 'https://example.jp/contact' },
  ctas: [
    { id: 'review', kind: 'review', title: { ja: 'レビューを書いてポイントゲット', en: 'Review and earn points' }, label: { ja: 'レビューを書く', en: 'Write a review' }, url: 'https://example.jp/review', show: 'after_delivery' },
    { id: 'line', kind: 'line_friend', title: { ja: 'LINE友だち追加で配送通知', en: 'Delivery updates on LINE' }, label: { ja: '友だち追加', en: 'Add friend' }, url: 'https://line.me/R/ti/p/@example', show: 'always' },
  ],
}
