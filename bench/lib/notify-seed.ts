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
import { PEOPLE, PRODUCTS } from './tracking-seed.ts'

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
