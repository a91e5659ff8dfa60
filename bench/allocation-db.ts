/**
 * `npm run bench:allocation:db`: per-order allocation as a brand's orders really go through it —
 * read stock (locked on PostgreSQL), solve, reserve each line, book capacity, write the decision,
 * parcels, ledger rows and events in one transaction — on SQLite and PostgreSQL. Same-run baseline:
 * the pure solver on the same orders and stock, which is what the database path adds to.
 * Orders and stock come from bench/lib/allocation-instances.ts (Zipf 5,000 SKUs, population demand).
 */
import pino from 'pino'
import { createKando } from '../src/kando.ts'
import { createAllocator } from '../src/modules/fulfillment/allocation/solve.ts'
import { japanClock } from '../src/modules/fulfillment/index.ts'
import type { DialectName } from '../src/platform/db/index.ts'
import { testConfig } from '../test/harness.ts'
import { benchEngines, freshDatabase, POSTGRES_ADMIN_URL } from './lib/db.ts'
import { catalogue, orders as makeOrders, perOrderStock } from './lib/allocation-instances.ts'
import { machine, machineHeader, pgServer } from './lib/machine.ts'

const N = Number(process.env.BENCH_ALLOC_DB_ORDERS ?? 2000)
const CONCURRENCY = Number(process.env.BENCH_ALLOC_DB_CONCURRENCY ?? 8)

interface Row {
  engine: DialectName
  orders: number
  seconds: number
  perSecond: number
  p50: number
  p99: number
  parcels: number
  solverPerSecond: number
}

async function run(engine: DialectName): Promise<Row> {
  const database = await freshDatabase(engine)
  const kando = await createKando(testConfig(database.url, { dbPoolSize: 20 }), { logger: pino({ level: 'silent' }) })
  try {
    await kando.inventory.seedDemoNetwork()
    const { tenant } = await kando.tenants.create({ slug: 'bench', name: 'Bench' })
    const scope = kando.scope(tenant.id)
    await kando.fulfillment.updateSettings(scope, { autoAllocate: false })
    const cat = catalogue(7)
    const stock = perOrderStock(cat, 8)
    // Items (size, temperature) and stock per centre, as the WMS would send them.
    const items = cat.skus.map((s) => ({ sku: s.id, sizeBand: s.sizeBand, temperature: s.temperature }))
    for (let i = 0; i < items.length; i += 1000) await kando.inventory.putItems(scope, items.slice(i, i + 1000))
    const byLocation = new Map<string, Array<{ sku: string; onHand: number }>>()
    for (const [sku, at] of stock.available) for (const [loc, q] of at) byLocation.set(loc, [...(byLocation.get(loc) ?? []), { sku, onHand: q }])
    for (const [locationId, list] of byLocation) for (let i = 0; i < list.length; i += 1000) await kando.inventory.applySnapshot(scope, { locationId, seq: 1, items: list.slice(i, i + 1000) })
    const orders = makeOrders(cat, N, 9, { promised: 0, cod: 0 })
    const ids: string[] = []
    for (const o of orders) {
      const r = await kando.orders.ingest(scope, {
        source: 'api', externalId: `bench-${o.id}`, placedAt: new Date().toISOString(), currency: 'JPY', status: 'confirmed',
        customer: { email: `${o.id}@example.jp` },
        shippingAddress: { name: 'ベンチ 太郎', prefectureCode: o.destinationPrefecture, postalCode: '100-0001', city: '某市', address1: '1-1', country: 'JP' },
        lines: o.lines.map((l) => ({ sku: l.sku, title: l.sku, quantity: l.quantity, unitPrice: 1000 })),
        total: 1000,
      } as never, { actor: 'bench' })
      ids.push(r.id)
    }
    // Baseline: the solver alone on the same orders and stock (no database).
    const allocator = createAllocator({ locations: await kando.inventory.allocationLocations(), now: japanClock(new Date()) })
    const t0 = performance.now()
    for (const o of orders) allocator.allocate(o, stock, { mode: 'ship_complete' })
    const solverPerSecond = orders.length / ((performance.now() - t0) / 1000)

    const latencies: number[] = []
    let next = 0
    const start = performance.now()
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < ids.length) {
        const id = ids[next++]!
        const a = performance.now()
        await kando.fulfillment.allocateOrder(scope, id)
        latencies.push(performance.now() - a)
      }
    }))
    const seconds = (performance.now() - start) / 1000
    latencies.sort((a, b) => a - b)
    const parcels = Number((await scope.selectFrom('fulfillment_parcels').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
    return {
      engine, orders: ids.length, seconds, perSecond: ids.length / seconds,
      p50: latencies[Math.floor(latencies.length * 0.5)]!, p99: latencies[Math.floor(latencies.length * 0.99)]!, parcels, solverPerSecond,
    }
  } finally {
    await kando.close()
    await database.drop()
  }
}

const m = machine()
const pg = POSTGRES_ADMIN_URL && benchEngines().includes('postgres') ? await pgServer(POSTGRES_ADMIN_URL) : undefined
console.log(machineHeader(m, pg).join('\n'))
console.log(`${N} orders (1–5 lines, Zipf over 5,000 SKUs, 11 centres), ship_complete, ${CONCURRENCY} allocations at a time in one process\n`)
const rows: Row[] = []
for (const engine of benchEngines()) rows.push(await run(engine))
console.log('| engine | orders | allocations/s (database, end to end) | p50 ms | p99 ms | parcels | solver alone, same orders (decisions/s) | share of time in the solver |')
console.log('|---|---|---|---|---|---|---|---|')
for (const r of rows) {
  console.log(`| ${r.engine} | ${r.orders} | ${r.perSecond.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.parcels} | ${r.solverPerSecond.toFixed(0)} | ${((r.perSecond / r.solverPerSecond) * 100).toFixed(1)}% |`)
}
