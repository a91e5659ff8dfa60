/**
 * Prepares a database for `npm run bench:notify`, in the benchmark's process before the Kando
 * worker starts: the brand (TenantService.create), its notification settings (sender; order
 * confirmations switched off with `disabledTypes`, so the shipment mail is the only mail), and
 * `orders` confirmed orders through OrderService.ingest, 200 per `kando.db.transaction`: Japanese
 * customers (each their own email address, locale ja), addresses and 1–3 lines of 8 products.
 *
 * Ingesting orders writes their events (order.placed, order.confirmed, customer.created) to the
 * outbox; with order confirmations off they could only make skipped messages, so their consumer
 * jobs are deleted before the worker starts (counted and reported), and the worker's time goes to
 * the shipments alone.
 */
import { randomInt } from 'node:crypto'
import { sql } from 'kysely'
import type { Kando } from '../../src/kando.ts'
import { NotificationSettingsInput } from '../../src/modules/notifications/schemas.ts'

const PRODUCTS = [
  { sku: 'KD-COF-DRIP10', title: '感動ブレンド ドリップバッグ 10袋', price: 1620, variant: '10袋' },
  { sku: 'KD-COF-BEAN200', title: '感動ブレンド 豆 200g', price: 1980, variant: '中煎り' },
  { sku: 'KD-TEA-HOJI', title: '京都 ほうじ茶 ティーバッグ 20包', price: 1296, variant: '20包' },
  { sku: 'KD-CARE-YUZU', title: 'ハンドクリーム 柚子 50g', price: 2200, variant: '50g' },
  { sku: 'KD-CARE-SOAP', title: '無添加 石けん 3個セット', price: 1540, variant: '3個' },
  { sku: 'KD-MUG-MINO', title: '美濃焼 マグカップ 藍', price: 3300, variant: '藍' },
  { sku: 'KD-TOWEL-IMA', title: '今治タオル フェイスタオル 2枚組', price: 2640, variant: '生成り' },
  { sku: 'KD-SWEET-YOK', title: '羊羹 詰め合わせ 5本入', price: 3240, variant: '5本' },
]

const PEOPLE = [
  { last: '山田', first: '花子', pref: '13', region: '東京都', city: '渋谷区', address1: '神宮前1-2-3', zip: '150-0001' },
  { last: '佐藤', first: '健', pref: '27', region: '大阪府', city: '大阪市北区', address1: '梅田3-1-1', zip: '530-0001' },
  { last: '鈴木', first: '美咲', pref: '01', region: '北海道', city: '札幌市中央区', address1: '北一条西2-1', zip: '060-0001' },
  { last: '高橋', first: '翔太', pref: '40', region: '福岡県', city: '福岡市博多区', address1: '博多駅前2-1-1', zip: '812-0011' },
  { last: '田中', first: 'さくら', pref: '23', region: '愛知県', city: '名古屋市中村区', address1: '名駅1-1-4', zip: '450-0002' },
  { last: '伊藤', first: '大輔', pref: '47', region: '沖縄県', city: '那覇市', address1: '久茂地1-1-1', zip: '900-0015' },
  { last: '渡辺', first: '由美', pref: '04', region: '宮城県', city: '仙台市青葉区', address1: '中央1-3-1', zip: '980-0021' },
  { last: '中村', first: '蓮', pref: '34', region: '広島県', city: '広島市中区', address1: '基町6-78', zip: '730-0011' },
]

export const BENCH_SENDER = { name: '感動ストア', email: 'shop@example.jp', supportEmail: 'support@example.jp' }

export interface NotifySeed {
  tenantId: string
  orderIds: string[]
  /** Consumer jobs of the seed's own events, deleted before the worker starts. */
  droppedJobs: number
  seconds: number
}

export async function seedNotify(kando: Kando, opts: { orders: number; batch?: number; progress?: (done: number) => void }): Promise<NotifySeed> {
  const t0 = performance.now()
  const { tenant } = await kando.tenants.create({ slug: 'bench', name: '感動ストア' })
  const scope = kando.scope(tenant.id)
  await kando.notifications.updateSettings(scope, { settings: NotificationSettingsInput.parse({ sender: BENCH_SENDER, disabledTypes: ['order_confirmed'] }) })
  const batch = opts.batch ?? 200
  const orderIds: string[] = []
  const now = Date.now()
  for (let start = 0; start < opts.orders; start += batch) {
    await kando.db.transaction(async (trx) => {
      const tx = scope.with(trx)
      for (let i = start; i < Math.min(opts.orders, start + batch); i++) {
        const person = PEOPLE[i % PEOPLE.length]!
        const products = [...PRODUCTS].sort(() => Math.random() - 0.5).slice(0, 1 + randomInt(3))
        const lines = products.map((p) => ({ sku: p.sku, title: p.title, variantTitle: p.variant, quantity: 1 + randomInt(2), unitPrice: p.price }))
        const subtotal = lines.reduce((s, l) => s + l.unitPrice * l.quantity, 0)
        const shipping = subtotal >= 5000 ? 0 : 550
        const { id } = await kando.orders.ingest(tx, {
          externalId: `bench-notify-${i}`, source: 'api', number: `#${20001 + i}`, placedAt: new Date(now - randomInt(2, 48) * 3600_000).toISOString(), currency: 'JPY', status: 'confirmed',
          customer: { email: `customer${i}@example.jp`, firstName: person.first, lastName: person.last, locale: 'ja' },
          shippingAddress: { name: `${person.last} ${person.first}`, postalCode: person.zip, prefectureCode: person.pref, region: person.region, city: person.city, address1: person.address1, country: 'JP' },
          lines, shippingTotal: shipping, total: subtotal + shipping,
        }, { actor: 'bench' })
        orderIds.push(id)
      }
    })
    opts.progress?.(Math.min(opts.orders, start + batch))
  }
  const dropped = kando.db.dialect === 'sqlite'
    ? await sql`delete from jobs where name = 'event.notifications' and state = 'created'`.execute(kando.db.kysely)
    : await sql`delete from pgboss.job where name = 'event.notifications' and state = 'created'`.execute(kando.db.kysely)
  return { tenantId: tenant.id, orderIds, droppedJobs: Number(dropped.numAffectedRows ?? 0), seconds: (performance.now() - t0) / 1000 }
}
