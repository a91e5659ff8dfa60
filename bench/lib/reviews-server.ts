/**
 * The server child of `npm run bench:reviews` (`node --import tsx bench/lib/reviews-server.ts`):
 * in one process, the real Kando HTTP app (`createKando` + `buildHttp`, configured from the
 * environment like `kando start`, without the job worker: the storefront API needs none) and a
 * bare Fastify app with one route, `GET /public/v1/:shop/products/:product/reviews`, that answers a
 * constant JSON body with constant headers (set by the benchmark through the control port: a real
 * answer of median size and its headers). Both on 127.0.0.1, free ports.
 *
 * What the benchmark reads from here (control port, `bench/lib/notify-control.ts`; never on the
 * measured path), since the last SIGUSR2 (`ServerChild.mark()`):
 * - `ReviewService.storefront` calls split into cache hits and misses, with their time in the
 *   service: a call returning an entry made during the call is a miss (the service stamps each body
 *   it builds with `Date.now()`), an older entry a hit, undefined a 404; and how many misses began
 *   while another call for the same key was running (they join the running build); and the
 *   service's own counters (`storefrontCacheCounts`: stale bodies served, background refreshes,
 *   product-level queries);
 * - every SQL statement Kysely ran, by text: count, total and longest time (wrapping the executor's
 *   `executeQuery`, so on PostgreSQL the time includes waiting for a pool connection);
 * - event-loop delay; on PostgreSQL, the connections the pool opened and closed.
 * The wrappers cost two clock reads and a map update per call (≈ 1 µs); they run for both apps' process.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import Fastify from 'fastify'
import { loadConfig } from '../../src/platform/config.ts'
import { createKando, type Kando } from '../../src/kando.ts'
import { buildHttp } from '../../src/platform/http/app.ts'
import { serveControl } from './notify-control.ts'

const quantile = (xs: number[], q: number) => {
  if (xs.length === 0) return null
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!
}

const eld = monitorEventLoopDelay({ resolution: 5 })
eld.enable()
let hitMs: number[] = []
let missMs: number[] = []
let notFound = 0
/** Misses that began while a miss for the same key was being built (they join that build). */
let duplicateBuilds = 0
let inFlight = 0
const building = new Map<string, number>()
let sqlStats = new Map<string, { n: number; ms: number; maxMs: number }>()
let windowStart = performance.now()
let cpu0 = process.cpuUsage()
let counts0: ReturnType<Kando['reviews']['storefrontCacheCounts']> | null = null
const reset = () => {
  counts0 = kando.reviews.storefrontCacheCounts()
  hitMs = []
  missMs = []
  notFound = 0
  duplicateBuilds = 0
  poolConnects = 0
  poolRemoves = 0
  sqlStats = new Map()
  eld.reset()
  windowStart = performance.now()
  cpu0 = process.cpuUsage()
}
process.on('SIGUSR2', reset)

const kando = await createKando(loadConfig())

// Every storefront call: hit or miss, and its time in the service.
const storefront = kando.reviews.storefront.bind(kando.reviews)
kando.reviews.storefront = async (shop, product, query) => {
  const wall0 = Date.now()
  const t0 = performance.now()
  const key = `${shop}/${product}?${JSON.stringify(query)}`
  const others = building.get(key) ?? 0
  building.set(key, others + 1)
  inFlight++
  try {
    const out = await storefront(shop, product, query)
    const ms = performance.now() - t0
    if (!out) notFound++
    else if (out.at >= wall0) {
      missMs.push(ms)
      if (others > 0) duplicateBuilds++
    } else hitMs.push(ms)
    return out
  } finally {
    inFlight--
    const n = building.get(key)! - 1
    if (n) building.set(key, n)
    else building.delete(key)
  }
}

// PostgreSQL: connections the pool opens and closes (pg.Pool closes a client idle for 10 s by default).
let poolConnects = 0
let poolRemoves = 0
// An experiment, not Kando's setting: BENCH_PG_IDLE_MS changes how long an idle client is kept (0: forever).
if (kando.db.pool && process.env.BENCH_PG_IDLE_MS) (kando.db.pool as unknown as { options: { idleTimeoutMillis: number } }).options.idleTimeoutMillis = Number(process.env.BENCH_PG_IDLE_MS)
kando.db.pool?.on('connect', () => poolConnects++)
kando.db.pool?.on('remove', () => poolRemoves++)

// Every statement, by its SQL text.
const executor = kando.db.kysely.getExecutor() as unknown as { executeQuery: (q: { sql: string }, id: unknown) => Promise<unknown> }
const execute = executor.executeQuery.bind(executor)
executor.executeQuery = async (q, id) => {
  const t0 = performance.now()
  try {
    return await execute(q, id)
  } finally {
    const ms = performance.now() - t0
    const s = sqlStats.get(q.sql) ?? { n: 0, ms: 0, maxMs: 0 }
    s.n++
    s.ms += ms
    if (ms > s.maxMs) s.maxMs = ms
    sqlStats.set(q.sql, s)
  }
}

const app = await buildHttp(kando)
await app.listen({ port: 0, host: '127.0.0.1' })

let baseBody = '{}'
let baseHeaders: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' }
const bare = Fastify({ logger: false })
bare.get('/public/v1/:shop/products/:product/reviews', async (_req, reply) => reply.headers(baseHeaders).send(baseBody))
await bare.listen({ port: 0, host: '127.0.0.1' })

const portOf = (a: ReturnType<typeof app.server.address>) => (typeof a === 'object' && a ? a.port : 0)

export interface ReviewServerStats {
  seconds: number
  cpuSeconds: number
  storefront: { hits: number; misses: number; notFound: number; duplicateBuilds: number; service: { stale: number; refreshes: number; revalidated: number; statsBuilt: number; boughtBuilt: number; productLookups: number }; hitP50: number | null; hitP99: number | null; missP50: number | null; missP99: number | null; missMax: number | null; missMean: number | null }
  sql: Array<{ sql: string; n: number; ms: number; maxMs: number }>
  loop: { p50: number; p99: number; max: number }
  /** PostgreSQL pool: connections opened and closed in the window. */
  pool: { connects: number; removes: number } | null
}

await serveControl({
  ports: () => ({ kando: portOf(app.server.address()), bare: portOf(bare.server.address()) }),
  baseline: (b: { body: string; headers: Record<string, string> }) => {
    baseBody = b.body
    baseHeaders = b.headers
    return { bytes: Buffer.byteLength(baseBody) }
  },
  reset: () => reset(),
  stats: (): ReviewServerStats => {
    const cpu = process.cpuUsage(cpu0)
    return {
      seconds: (performance.now() - windowStart) / 1000,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      storefront: {
        hits: hitMs.length, misses: missMs.length, notFound, duplicateBuilds,
        service: ((c, c0) => ({ stale: c.stale - (c0?.stale ?? 0), refreshes: c.refreshes - (c0?.refreshes ?? 0), revalidated: c.revalidated - (c0?.revalidated ?? 0), statsBuilt: c.statsBuilt - (c0?.statsBuilt ?? 0), boughtBuilt: c.boughtBuilt - (c0?.boughtBuilt ?? 0), productLookups: c.productLookups - (c0?.productLookups ?? 0) }))(kando.reviews.storefrontCacheCounts(), counts0),
        hitP50: quantile(hitMs, 0.5), hitP99: quantile(hitMs, 0.99),
        missP50: quantile(missMs, 0.5), missP99: quantile(missMs, 0.99), missMax: missMs.length ? missMs.reduce((a, b) => (b > a ? b : a), 0) : null,
        missMean: missMs.length ? missMs.reduce((a, b) => a + b, 0) / missMs.length : null,
      },
      sql: [...sqlStats].map(([sql, s]) => ({ sql, ...s })).sort((a, b) => b.ms - a.ms),
      loop: { p50: eld.percentile(50) / 1e6, p99: eld.percentile(99) / 1e6, max: eld.max / 1e6 },
      pool: kando.db.pool ? { connects: poolConnects, removes: poolRemoves } : null,
    }
  },
})

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  // Requests the load generator gave up on may still be running: let them finish before the database closes.
  for (let i = 0; i < 200 && inFlight > 0; i++) await new Promise((r) => setTimeout(r, 50))
  await bare.close()
  await app.close()
  await kando.close()
  process.exit(0)
}
process.on('SIGTERM', () => void stop())
process.on('SIGINT', () => void stop())
