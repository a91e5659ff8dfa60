/**
 * `npm run bench:reviews`: the storefront rating API `GET /public/v1/:shop/products/:product/reviews`
 * over 100,000 published reviews on 5,000 products, against a bare Fastify route answering a
 * constant JSON of the same size, in one run.
 *
 * For each engine (SQLite; PostgreSQL when KANDO_BENCH_POSTGRES_URL or KANDO_TEST_POSTGRES_URL
 * names an admin URL), on a fresh database:
 *   1. seeds one brand (bench/lib/reviews-seed.ts): products with 1–3 variants, reviews with a Zipf
 *      skew, 5/4-star heavy, ~10 % with a photo, orders of the last 14 days; bulk by multi-row
 *      inserts, a sample through ReviewService.create, then checks review_stats against a GROUP BY;
 *   2. runs bench/lib/reviews-server.ts (Kando HTTP + the bare route in one child process; the load
 *      comes from this process) and hands the bare route a real answer of median size;
 *   3. bare route: saturated (autocannon) and BENCH_RATE req/s (open loop);
 *   4. the API on a realistic mix (products by the same skew, mostly `sort=helpful`, some newest,
 *      photos, page 2, by rating): saturated; BENCH_RATE req/s from a start (empty cache, not judged);
 *      BENCH_RATE req/s after a ramp and one cache lifetime at the rate; each on a fresh server, hits
 *      and misses of the service's 30 s cache counted in the server;
 *   5. cold: every request a key never asked before (no cache): BENCH_RATE req/s, then saturated,
 *      then serial requests per product size class with the time of each SQL statement.
 * Prints a table and the targets (ratio ≥ 0.5, p99 < 20 ms at 500 req/s). See bench/README.md.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { randomBytes } from 'node:crypto'
import autocannon, { type Result } from 'autocannon'
import { sql } from 'kysely'
import { loadConfig } from '../src/platform/config.ts'
import { createKando } from '../src/kando.ts'
import type { DialectName } from '../src/platform/db/index.ts'
import { mulberry32 } from '../src/modules/tracking/simulator.ts'
import { startServer, type ServerChild } from './lib/child.ts'
import { benchEngines, freshDatabase, POSTGRES_ADMIN_URL } from './lib/db.ts'
import { cpuSnapshot, cpuSplit, machine, machineHeader, pgServer, type CpuSplit } from './lib/machine.ts'
import { control } from './lib/notify-control.ts'
import { runPacedGet } from './lib/paced-get.ts'
import { checkReviewStats, sampler, seedReviews, zipfWeights, type ReviewSeed, type SeededProduct } from './lib/reviews-seed.ts'
import type { ReviewServerStats } from './lib/reviews-server.ts'

const num = (v: string | undefined, d: number) => (v && Number.isFinite(Number(v)) ? Number(v) : d)
const PRODUCTS = num(process.env.BENCH_REVIEWS_PRODUCTS, 5_000)
const REVIEWS = num(process.env.BENCH_REVIEWS_REVIEWS, 100_000)
const SAMPLE = num(process.env.BENCH_REVIEWS_SAMPLE, Math.min(1_000, Math.round(REVIEWS / 100)))
const UNPUBLISHED = num(process.env.BENCH_REVIEWS_UNPUBLISHED, Math.round(REVIEWS / 50))
const ORDERS = num(process.env.BENCH_REVIEWS_ORDERS, 20_000)
const ZIPF = num(process.env.BENCH_REVIEWS_ZIPF, 1)
const MIX = process.env.BENCH_REVIEWS_MIX?.split(',').map(Number)
const ANALYZE = process.env.BENCH_REVIEWS_ANALYZE === '1'
const REF = process.env.BENCH_REVIEWS_REF === 'id' ? 'id' : 'external'
const SECONDS = num(process.env.BENCH_SECONDS, 10)
const RATE_SECONDS = num(process.env.BENCH_RATE_SECONDS, 20)
const RATE_WARMUP_S = num(process.env.BENCH_RATE_WARMUP, 30)
const RATE_HOLD_S = num(process.env.BENCH_RATE_HOLD, 30)
const COLD_SECONDS = num(process.env.BENCH_COLD_SECONDS, 10)
/** Seconds of the saturated mix before the saturated window is measured: longer than a page's 60 s freshness, so the window pays for stale bodies being refreshed. */
const SAT_WARM_S = num(process.env.BENCH_REVIEWS_SAT_WARM, 70)
const CONNECTIONS = num(process.env.BENCH_CONNECTIONS, 32)
const RATE = num(process.env.BENCH_RATE, 500)
const WARMUP = num(process.env.BENCH_WARMUP, 2_000)
const PROBE = num(process.env.BENCH_PROBE, 50)
const RATE_GRACE_S = num(process.env.BENCH_RATE_GRACE, 10)
const PROFILE_DIR = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined
const RATE_CLIENT = process.env.BENCH_RATE_CLIENT === 'autocannon' ? 'autocannon' : 'paced'
const ENGINES = benchEngines()
const TARGET_RATIO = 0.5
const TARGET_P99_MS = 20
const SLUG = 'kando-bench'
/** What the widget sends: `limit` 5 by default, `lang`. */
const LIMIT = 5
const HEADERS = { origin: 'https://kando-bench.myshopify.com', accept: 'application/json' }
const log = (line: string) => process.stderr.write(line + '\n')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

type Kind = 'bare' | 'api' | 'start' | 'cold'
interface Row {
  engine: DialectName
  kind: Kind
  scenario: string
  rate: number | null
  ok: number
  non200: number
  statuses: Record<string, number>
  reqPerSec: number
  p50: number
  p99: number
  max: number
  cutOff: number
  server: ReviewServerStats | null
  /** Event-loop delay in the server over the run, ms: p99 and max. */
  loop: number
  loopMax: number
  /** The load generator's longest event-loop delay over the run, ms. */
  loadGenLoopMax: number
  serverCpuMsPerReq: number | null
  cpu: CpuSplit | null
}

interface ProbeRow {
  engine: DialectName
  /** Size class by rank, e.g. "ranks 1–10". */
  products: string
  reviews: string
  kind: string
  requests: number
  misses: number
  serviceP50: number | null
  serviceMax: number | null
  sqlMsPerReq: number
  statementsPerReq: number
}

// ---------------------------------------------------------------------------- request mixes

const ref = (p: SeededProduct) => (REF === 'id' ? p.id : p.externalId)
const path = (p: SeededProduct, q: string) => `/public/v1/${SLUG}/products/${ref(p)}/reviews?${q}&lang=ja`

/** What a shopper's widget asks, with its share of requests: the first page by helpfulness mostly; newest, photos only, page 2, by rating now and then. */
const KINDS: ReadonlyArray<readonly [number, string]> = (
  [
    [70, 'sort=helpful&page=1'], [12, 'sort=newest&page=1'], [8, 'sort=helpful&filter=photos&page=1'],
    [6, 'sort=helpful&page=2'], [2, 'sort=rating_desc&page=1'], [2, 'sort=rating_asc&page=1'],
  ] as const
).map(([w, q], i) => [MIX?.[i] ?? w, q] as const)
/** Page 2 exists only for products with more reviews than a page holds. */
const fits = (p: SeededProduct, q: string) => !q.endsWith('page=2') || p.reviews > LIMIT

/** The product-page mix: products drawn by the same Zipf skew as their reviews (popular products are viewed most), queries by KINDS. */
function mix(products: SeededProduct[], seed: number): () => string {
  const r = mulberry32(seed)
  const product = sampler(zipfWeights(products.length, ZIPF), r)
  const kind = sampler(KINDS.map((k) => k[0]), r)
  return () => {
    const p = products[product()]!
    const q = KINDS[kind()]![1]
    return path(p, `${fits(p, q) ? q : 'sort=helpful&page=1'}&limit=${LIMIT}`)
  }
}

/**
 * Keys never asked before: per query kind, a shuffled queue of products; `next(weights)` picks a kind
 * by weight among those with products left and takes the next product. Only when every queue is
 * empty does a key repeat (the server then counts a hit, which the table shows).
 */
function freshKeys(products: SeededProduct[], seed: number): { next: (weights: readonly number[]) => string; used: () => number } {
  const r = mulberry32(seed)
  const queues = KINDS.map(([, q]) => shuffled(products.filter((p) => fits(p, q)), r))
  const issued: string[] = []
  return {
    next(weights) {
      let live = weights.map((w, i) => (queues[i]!.length ? w : 0))
      // The asked kinds are used up: any kind with keys left, equally.
      if (live.every((w) => w === 0)) live = queues.map((q) => (q.length ? 1 : 0))
      const total = live.reduce((a, b) => a + b, 0)
      if (total === 0) return issued[Math.floor(r() * issued.length)]!
      let x = r() * total
      let i = 0
      for (; i < live.length - 1; i++) {
        if (live[i]! > 0 && x < live[i]!) break
        x -= live[i]!
      }
      while (live[i] === 0) i--
      const key = path(queues[i]!.pop()!, `${KINDS[i]![1]}&limit=${LIMIT}`)
      issued.push(key)
      return key
    },
    used: () => issued.length,
  }
}

const shuffled = <T>(xs: readonly T[], r: () => number): T[] => {
  const a = [...xs]
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1))
    ;[a[i], a[j]] = [a[j]!, a[i]!]
  }
  return a
}

// ---------------------------------------------------------------------------- load

interface Outcome {
  ok: number
  non200: number
  statuses: Record<string, number>
  reqPerSec: number
  p50: number
  p99: number
  max: number
  cutOff: number
}

/** Closed loop, keep-alive connections, each request's path from `next()`. */
async function saturated(url: string, next: () => string, opts: { seconds?: number; amount?: number; connections: number; title: string }): Promise<Outcome> {
  const result = await autocannon({
    url, title: opts.title, connections: opts.connections, timeout: 30, headers: HEADERS,
    ...(opts.amount ? { amount: opts.amount } : { duration: opts.seconds ?? SECONDS }),
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: next() }) }],
  })
  return fromAutocannon(result)
}

function fromAutocannon(result: Result): Outcome {
  const statuses: Record<string, number> = {}
  for (const [code, s] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = s.count
  if (result.errors) statuses.error = result.errors
  if (result.timeouts) statuses.timeout = result.timeouts
  const ok = statuses['200'] ?? 0
  const non200 = Object.entries(statuses).filter(([k]) => k !== '200').reduce((s, [, n]) => s + n, 0)
  return { ok, non200, statuses, reqPerSec: ok / result.duration, p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max, cutOff: 0 }
}

/** Open loop at `rate` (bench/lib/paced-get.ts; latency from each request's due time), or autocannon's overallRate. */
async function fixedRate(url: string, next: (i: number) => string, rate: number, seconds: number): Promise<Outcome> {
  if (RATE_CLIENT === 'autocannon') {
    let i = 0
    const result = await autocannon({
      url, connections: CONNECTIONS, overallRate: rate, duration: seconds, timeout: 30, headers: HEADERS,
      requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: next(i++) }) }],
    })
    return fromAutocannon(result)
  }
  // paced-get sends no headers: with `origin: '*'` the CORS plugin answers the same with or without Origin.
  const r = await runPacedGet({ url, path: next, rate, seconds, graceMs: RATE_GRACE_S * 1000 })
  return { ok: r.ok, non200: r.failed, statuses: r.statuses, reqPerSec: r.acceptedPerSec, p50: r.p50, p99: r.p99, max: r.max, cutOff: r.cutOff }
}

/** Runs `load` inside a measurement window of the server child: CPU split, server-side counters. */
async function window(engine: DialectName, kind: Kind, scenario: string, rate: number | null, child: ServerChild, controlPort: number, load: () => Promise<Outcome>): Promise<Row> {
  await child.mark()
  // The load generator's own event-loop delay: open-loop latency counts from due times, so a stall here would show as server latency.
  const eld = monitorEventLoopDelay({ resolution: 5 })
  eld.enable()
  const cpu0 = cpuSnapshot()
  const t0 = performance.now()
  const run = await load()
  const cpu = cpuSplit(cpu0, cpuSnapshot(), child.pid)
  eld.disable()
  const loadGenLoopMax = eld.max / 1e6
  const windowS = (performance.now() - t0) / 1000
  const server = await control<ReviewServerStats>(controlPort, 'stats')
  const row: Row = {
    engine, kind, scenario, rate, ...run, server: kind === 'bare' ? null : server, loop: server.loop.p99, loopMax: server.loop.max, loadGenLoopMax, cpu,
    serverCpuMsPerReq: cpu && run.ok > 0 ? (cpu.server * windowS * 1000) / run.ok : null,
  }
  const sf = server.storefront
  log(`  ${engine} ${scenario}: ${fmt(row.reqPerSec)} req/s, p50 ${fmt(row.p50, 1)} ms, p99 ${fmt(row.p99, 1)} ms, max ${fmt(row.max)} ms, non-200 ${row.non200}${row.non200 ? ` ${JSON.stringify(row.statuses)}` : ''}` +
    (kind === 'bare' ? '' : `; cache ${sf.hits} hits / ${sf.misses} misses (${sf.duplicateBuilds} built again while already being built); in the service: hit p50 ${fmt(sf.hitP50, 3)} / p99 ${fmt(sf.hitP99, 3)} ms, miss p50 ${fmt(sf.missP50, 2)} / p99 ${fmt(sf.missP99, 2)} ms`) +
    `; loop delay p99 / max: server ${fmt(server.loop.p99, 1)} / ${fmt(server.loop.max)} ms, load gen max ${fmt(loadGenLoopMax)} ms` +
    (server.pool ? `; pg pool opened ${server.pool.connects}, closed ${server.pool.removes} connections` : '') + (cpu && cpu.other > 0.2 ? `; note: other processes used ${fmt(cpu.other, 2)} cores` : ''))
  return row
}

interface Server {
  child: ServerChild
  controlPort: number
  api: string
  bare: string
}

async function startReviewServer(env: Record<string, string>, label: string): Promise<Server> {
  const nodeArgs = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${join(PROFILE_DIR, label)}`] : []
  const child = await startServer('bench/lib/reviews-server.ts', env, { label, nodeArgs })
  const ports = await control<{ kando: number; bare: number }>(child.port, 'ports')
  return { child, controlPort: child.port, api: `http://127.0.0.1:${ports.kando}`, bare: `http://127.0.0.1:${ports.bare}` }
}

/** A statement's SQL, short: the column list elided. */
const label = (sqlText: string) => sqlText.replace(/\s+/g, ' ').replace(/^select .*? from /, 'select … from ').slice(0, 150)

// ---------------------------------------------------------------------------- one engine

async function engineRun(engine: DialectName, rows: Row[], probes: ProbeRow[]): Promise<{ seed: ReviewSeed; bodyBytes: number; sample: string }> {
  const db = await freshDatabase(engine)
  const dataDir = mkdtempSync(join(tmpdir(), 'kando-bench-data-'))
  const env = { KANDO_DATABASE_URL: db.url, KANDO_LOG_LEVEL: 'warn', KANDO_SECRET_KEY: randomBytes(32).toString('base64'), KANDO_DATA_DIR: dataDir }
  const servers: Server[] = []
  const stop = async (s: Server) => {
    await s.child.stop()
    servers.splice(servers.indexOf(s), 1)
  }
  try {
    // 1. Seed in this process, then check the aggregates.
    const setup = await createKando(loadConfig(env))
    let seed: ReviewSeed
    try {
      log(`${engine}: seeding ${PRODUCTS.toLocaleString('en-US')} products, ${REVIEWS.toLocaleString('en-US')} published reviews, ${ORDERS.toLocaleString('en-US')} orders…`)
      seed = await seedReviews(setup, SLUG, {
        products: PRODUCTS, reviews: REVIEWS, sample: SAMPLE, unpublished: UNPUBLISHED, orders: ORDERS, zipf: ZIPF, seed: 20_261_126,
        progress: (what) => log(`  ${what}`),
      })
      const checked = await checkReviewStats(setup.scope(seed.tenantId))
      // An experiment, not what Kando does: statistics for SQLite's planner (PostgreSQL's are made by the seed, as autovacuum would).
      if (ANALYZE && engine === 'sqlite') await sql`analyze`.execute(setup.db.kysely)
      log(`  seeded in ${seed.seconds.toFixed(1)} s; check: review_stats (${checked.statRows} rows) = GROUP BY over published reviews, media_count = review_media rows for all ${checked.reviewsChecked.toLocaleString('en-US')} reviews`)
    } finally {
      await setup.close()
    }
    const products = seed.products
    const top = products[0]!

    // 2. The server; a real answer of median size for the baseline.
    const a = await startReviewServer(env, `reviews-${engine}`)
    servers.push(a)
    const sampleMix = mix(products, 7)
    const samples: Array<{ body: string; headers: Record<string, string>; bytes: number }> = []
    for (let i = 0; i < 41; i++) {
      const res = await fetch(a.api + sampleMix(), { headers: HEADERS })
      const body = await res.text()
      if (res.status !== 200) throw new Error(`${engine}: the storefront API answered ${res.status}: ${body.slice(0, 300)}`)
      const headers: Record<string, string> = {}
      res.headers.forEach((v, k) => {
        if (!['date', 'content-length', 'connection', 'keep-alive', 'transfer-encoding'].includes(k)) headers[k] = v
      })
      samples.push({ body, headers, bytes: Buffer.byteLength(body) })
    }
    samples.sort((x, y) => x.bytes - y.bytes)
    const median = samples[Math.floor(samples.length / 2)]!
    await control(a.controlPort, 'baseline', { body: median.body, headers: median.headers })
    const check = await fetch(`${a.bare}${path(top, 'sort=helpful&page=1')}`)
    if (Buffer.byteLength(await check.text()) !== median.bytes) throw new Error('the bare route does not send the sampled body')
    // What the most reviewed product's page shows (must agree with the seed).
    const topRes = (await (await fetch(a.api + path(top, `sort=helpful&page=1&limit=${LIMIT}`), { headers: HEADERS })).json()) as {
      summary: { count: number; average: number; distribution: Record<string, number>; withMedia: number; variants: unknown[] }; socialProof: { boughtThisWeek: number }; reviews: unknown[]
    }
    if (topRes.summary.count !== top.reviews || topRes.summary.withMedia !== top.withMedia) throw new Error(`top product: API says ${topRes.summary.count} reviews / ${topRes.summary.withMedia} with media, seed ${top.reviews} / ${top.withMedia}`)
    const sample = `top product: ${topRes.summary.count} reviews, average ${topRes.summary.average}, distribution ${JSON.stringify(topRes.summary.distribution)}, ${topRes.summary.withMedia} with photos, ${topRes.summary.variants.length} variants, bought this week ${topRes.socialProof.boughtThisWeek}`
    log(`  answers: min ${samples[0]!.bytes} B, median ${median.bytes} B, max ${samples[samples.length - 1]!.bytes} B; headers: ${Object.entries(median.headers).map(([k, v]) => `${k}: ${v}`).join('; ')}`)
    log(`  ${sample}`)

    // 3. The bare route.
    const say = (r: Row) => rows.push(r)
    const flat = () => path(top, 'sort=helpful&page=1')
    await saturated(a.bare, flat, { amount: WARMUP, connections: 8, title: 'warm-up' })
    say(await window(engine, 'bare', 'bare route, saturated', null, a.child, a.controlPort, () => saturated(a.bare, flat, { connections: CONNECTIONS, title: `bare-${engine}` })))
    say(await window(engine, 'bare', `bare route, ${RATE}/s`, RATE, a.child, a.controlPort, () => fixedRate(a.bare, flat, RATE, RATE_SECONDS)))
    await stop(a)

    // 4. The API on the mix, each on a fresh server (empty cache).
    {
      const s = await startReviewServer(env, `reviews-${engine}-mix`)
      servers.push(s)
      const next = mix(products, 11)
      await saturated(s.api, next, { amount: WARMUP, connections: 8, title: 'warm-up' })
      // The first seconds of a server under full load (only a JIT warm-up before): most keys are new.
      say(await window(engine, 'start', 'API mix, saturated from a start', null, s.child, s.controlPort, () => saturated(s.api, next, { connections: CONNECTIONS, title: `api-start-${engine}` })))
      // Then the same traffic keeps coming: a server that has been up a while (the target's scenario).
      log(`  warm-up: ${SAT_WARM_S} s more of the saturated mix (not counted)`)
      await saturated(s.api, next, { seconds: SAT_WARM_S, connections: CONNECTIONS, title: 'warm-up' })
      say(await window(engine, 'api', 'API mix, saturated', null, s.child, s.controlPort, () => saturated(s.api, next, { connections: CONNECTIONS, title: `api-${engine}` })))
      await stop(s)
    }
    {
      // A (re)start under full traffic: the first seconds with an empty cache. Not the target's
      // scenario: everything misses at once, and the bodies built together then expire together.
      const s = await startReviewServer(env, `reviews-${engine}-start`)
      servers.push(s)
      say(await window(engine, 'start', `API mix, ${RATE}/s from a start (empty cache)`, RATE, s.child, s.controlPort, () => fixedRate(s.api, mix(products, 23), RATE, RATE_SECONDS)))
      await stop(s)
    }
    {
      // Steady traffic: the rate ramps up (so cache entries are made, and expire, spread in time),
      // holds for one cache lifetime, then is measured.
      const s = await startReviewServer(env, `reviews-${engine}-rate`)
      servers.push(s)
      const next = mix(products, 13)
      log(`  warm-up: ${RATE_WARMUP_S} s ramping to ${RATE}/s, then ${RATE_HOLD_S} s at ${RATE}/s (not counted)`)
      for (let step = 1; step <= 5; step++) await fixedRate(s.api, next, (RATE * step) / 5, RATE_WARMUP_S / 5)
      await fixedRate(s.api, next, RATE, RATE_HOLD_S)
      say(await window(engine, 'api', `API mix, ${RATE}/s`, RATE, s.child, s.controlPort, () => fixedRate(s.api, next, RATE, RATE_SECONDS)))
      await stop(s)
    }

    // 5. Cold: keys never asked before in this server.
    {
      const s = await startReviewServer(env, `reviews-${engine}-cold`)
      servers.push(s)
      const r = mulberry32(17)
      // Warm-up (JIT, pools) on keys of their own (limit=20), so the measured keys stay cold.
      const warm = shuffled(products, r)
      let w = 0
      await saturated(s.api, () => path(warm[w++ % warm.length]!, 'sort=helpful&page=1&limit=20'), { amount: Math.min(WARMUP, 1_000), connections: 8, title: 'warm-up' })
      // At the rate: every request a different product, its first page by helpfulness (the widget's first call).
      const fresh = freshKeys(products, 19)
      const firstPage = KINDS.map((_, i) => (i === 0 ? 1 : 0))
      say(await window(engine, 'cold', `cold, ${RATE}/s`, RATE, s.child, s.controlPort, () => fixedRate(s.api, () => fresh.next(firstPage), RATE, COLD_SECONDS)))
      // Saturated: fresh keys in the mix's proportions (first pages of helpful are mostly used up by now).
      const mixWeights = KINDS.map((k) => k[0])
      const cold = await window(engine, 'cold', 'cold, saturated', null, s.child, s.controlPort, () => saturated(s.api, () => fresh.next(mixWeights), { connections: CONNECTIONS, title: `cold-${engine}` }))
      say(cold)
      // Serial, one request at a time, per size class and query kind: the cold path without queueing
      // (after a pause, so nothing of the saturated run is still in flight).
      await sleep(2000)
      const classes: Array<[number, number]> = [[0, 10], [10, 100], [100, 1_000], [1_000, products.length]]
      const probeKinds = ['sort=helpful&page=1', 'sort=newest&page=1', 'sort=helpful&filter=photos&page=1', 'sort=rating_desc&page=1']
      for (const [lo, hi] of classes) {
        if (lo >= products.length) continue
        const cls = shuffled(products.slice(lo, Math.min(hi, products.length)), r)
        const counts = cls.map((p) => p.reviews)
        for (const q of probeKinds) {
          await s.child.mark()
          let requests = 0
          // limit=10: keys no earlier request of this server used.
          for (const p of cls.slice(0, PROBE)) {
            const res = await fetch(s.api + path(p, `${q}&limit=10`), { headers: HEADERS })
            await res.arrayBuffer()
            if (res.status !== 200) throw new Error(`cold probe: ${q} answered ${res.status}`)
            requests++
          }
          const st = await control<ReviewServerStats>(s.controlPort, 'stats')
          const misses = Math.max(1, st.storefront.misses)
          probes.push({
            engine, products: `ranks ${lo + 1}–${Math.min(hi, products.length)}`, reviews: `${Math.min(...counts)}–${Math.max(...counts)}`, kind: q.replace('&page=1', ''), requests, misses: st.storefront.misses,
            serviceP50: st.storefront.missP50, serviceMax: st.storefront.missMax,
            sqlMsPerReq: st.sql.reduce((a2, x) => a2 + x.ms, 0) / misses, statementsPerReq: st.sql.reduce((a2, x) => a2 + x.n, 0) / misses,
          })
        }
        const mine = probes.filter((x) => x.engine === engine && x.products.startsWith(`ranks ${lo + 1}–`))
        log(`  ${engine} cold serial, ranks ${lo + 1}–${Math.min(hi, products.length)} (${Math.min(...counts)}–${Math.max(...counts)} reviews), service p50 / max ms: ${mine.map((x) => `${x.kind} ${fmt(x.serviceP50, 2)} / ${fmt(x.serviceMax, 1)}`).join(', ')}`)
      }
      await stop(s)
    }
    return { seed, bodyBytes: median.bytes, sample }
  } finally {
    for (const s of [...servers]) await s.child.stop()
    await db.drop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

// ---------------------------------------------------------------------------- report

const fmt = (n: number | null | undefined, digits = 0) => (n === null || n === undefined || !Number.isFinite(n) ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }))

function find(rows: Row[], engine: DialectName, kind: Kind, rate: number | null): Row | undefined {
  return rows.find((r) => r.engine === engine && r.kind === kind && r.rate === rate)
}

function ratioOf(rows: Row[], engine: DialectName): number | null {
  const b = find(rows, engine, 'bare', null)
  const k = find(rows, engine, 'api', null)
  return b && k ? k.reqPerSec / b.reqPerSec : null
}

function table(head: string[], body: string[][], left = 2): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)))
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (i < left ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |'
  return [line(head), '|' + widths.map((w, i) => (i < left ? ':' + '-'.repeat(w + 1) : '-'.repeat(w + 1) + ':')).join('|') + '|', ...body.map(line)].join('\n')
}

function mainTable(rows: Row[]): string {
  return table(
    ['engine', 'scenario', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'ok', 'non-200', 'ratio api/bare', 'cache hits / misses (hit %)', 'in service ms: hit p50 · miss p50 / p99', 'loop delay ms: server p99 / max · load gen max', 'pg pool connects', 'server CPU ms/req', 'CPU cores: server / pg / load gen / other'],
    rows.map((r) => {
      const sf = r.server?.storefront
      return [
        r.engine, r.scenario, fmt(r.reqPerSec), fmt(r.p50, 1), `${r.cutOff ? '≥ ' : ''}${fmt(r.p99, 1)}`, fmt(r.max), String(r.ok),
        `${r.non200}${r.non200 ? ` (${Object.entries(r.statuses).filter(([k]) => k !== '200').map(([k, n]) => `${k}: ${n}`).join(', ')})` : ''}`,
        r.kind === 'api' && r.rate === null ? fmt(ratioOf(rows, r.engine), 2) : '—',
        sf ? `${sf.hits} / ${sf.misses} (${fmt((100 * sf.hits) / Math.max(1, sf.hits + sf.misses), 1)} %)${sf.duplicateBuilds ? `, ${sf.duplicateBuilds} joined` : ''}; ${sf.service.stale} stale: ${sf.service.revalidated} still valid, ${sf.service.refreshes} rebuilt` : '—',
        sf ? `${fmt(sf.hitP50, 3)} · ${fmt(sf.missP50, 2)} / ${fmt(sf.missP99, 2)}` : '—',
        `${fmt(r.loop, 1)} / ${fmt(r.loopMax)} · ${fmt(r.loadGenLoopMax)}`,
        r.server?.pool ? String(r.server.pool.connects) : '—',
        fmt(r.serverCpuMsPerReq, 3),
        r.cpu ? [r.cpu.server, r.cpu.postgres, r.cpu.loadGenerator, r.cpu.other].map((c) => fmt(c, 2)).join(' / ') : '—',
      ]
    }),
  )
}

function probeTable(probes: ProbeRow[]): string {
  const kinds = [...new Set(probes.map((p) => p.kind))]
  const groups = [...new Set(probes.map((p) => `${p.engine}|${p.products}`))]
  return table(
    ['engine', 'products', 'reviews each', ...kinds.map((k) => `${k}: p50 / max ms (SQL ms)`)],
    groups.map((g) => {
      const ps = probes.filter((p) => `${p.engine}|${p.products}` === g)
      return [ps[0]!.engine, ps[0]!.products, ps[0]!.reviews, ...kinds.map((k) => {
        const p = ps.find((x) => x.kind === k)
        return p ? `${fmt(p.serviceP50, 2)} / ${fmt(p.serviceMax, 1)} (${fmt(p.sqlMsPerReq, 2)})` : '—'
      })]
    }),
    3,
  )
}

/** The statements that cost most over a run, per miss (the storefront runs SQL only on a miss). */
function sqlTable(rows: Row[]): string {
  const body: string[][] = []
  for (const r of rows.filter((x) => x.server && x.server.sql.length && ((x.kind === 'cold' && x.rate === null) || (x.kind === 'api' && x.rate !== null)))) {
    const m = Math.max(1, r.server!.storefront.misses)
    for (const q of r.server!.sql.slice(0, 6)) body.push([r.engine, r.scenario, label(q.sql), fmt(q.n / m, 2), fmt(q.ms / m, 3), fmt(q.ms / q.n, 3), fmt(q.maxMs, 1)])
  }
  return table(['engine', 'run', 'statement', 'per miss', 'ms per miss', 'mean ms', 'max ms'], body, 3)
}

interface Verdict {
  target: string
  measured: string
  met: boolean | null
}

function verdicts(rows: Row[]): Verdict[] {
  const out: Verdict[] = []
  for (const engine of ENGINES) {
    const name = engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'
    const ratio = ratioOf(rows, engine)
    const b = find(rows, engine, 'bare', null)
    const k = find(rows, engine, 'api', null)
    const fixed = find(rows, engine, 'api', RATE)
    const cold = find(rows, engine, 'cold', RATE)
    const coldMax = find(rows, engine, 'cold', null)
    if (ratio !== null && b && k) out.push({ target: `${name}: API ≥ ${TARGET_RATIO} × bare route (saturated, mix)`, measured: `${fmt(ratio, 2)} (${fmt(k.reqPerSec)} vs ${fmt(b.reqPerSec)} req/s)`, met: ratio >= TARGET_RATIO && k.non200 === 0 })
    if (fixed) out.push({ target: `${name}: p99 < ${TARGET_P99_MS} ms at ${RATE} req/s (mix)`, measured: `p99 ${fixed.cutOff ? '≥ ' : ''}${fmt(fixed.p99, 1)} ms, p50 ${fmt(fixed.p50, 1)} ms, max ${fmt(fixed.max)} ms, ${fixed.non200} non-200`, met: RATE === 500 ? fixed.p99 < TARGET_P99_MS && fixed.non200 === 0 : null })
    if (cold && coldMax) out.push({ target: `${name}: cold path (no target)`, measured: `${cold.reqPerSec >= RATE * 0.98 && cold.cutOff === 0 ? 'answers' : 'does NOT answer'} ${RATE}/s (p50 ${fmt(cold.p50, 1)} ms, p99 ${cold.cutOff ? '≥ ' : ''}${fmt(cold.p99, 1)} ms); at most ${fmt(coldMax.reqPerSec)} req/s cold${coldMax.server?.storefront.hits ? ` (NOT all cold: ${coldMax.server.storefront.hits} hits, the fresh keys ran out)` : ''}`, met: null })
  }
  return out
}

async function main(): Promise<void> {
  const m = machine()
  const pgInfo = POSTGRES_ADMIN_URL && ENGINES.includes('postgres') ? await pgServer(POSTGRES_ADMIN_URL) : undefined
  log(`Kando storefront reviews API benchmark — ${m.date}`)
  for (const line of machineHeader(m, pgInfo)) log(line)
  if (!pgInfo) log('postgresql: not run (set KANDO_BENCH_POSTGRES_URL or KANDO_TEST_POSTGRES_URL to an admin URL to include it)')
  // Who else uses the machine: 3 s before anything starts.
  const idle0 = cpuSnapshot()
  await sleep(3000)
  const idle = cpuSplit(idle0, cpuSnapshot(), -1)
  const idleLine = `before the run: load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}; other processes used ${fmt(idle ? idle.other + idle.postgres : null, 2)} cores over 3 s idle`
  log(idleLine)
  log(`load: from this process, servers in a child process (bench/lib/reviews-server.ts); saturated: autocannon, ${CONNECTIONS} connections, ${SECONDS} s; fixed rate: ${RATE} req/s ${RATE_CLIENT === 'paced' ? 'open loop' : 'autocannon overallRate'}, ${RATE_SECONDS} s (steady: after a ${RATE_WARMUP_S} s ramp and ${RATE_HOLD_S} s at the rate); cold ${COLD_SECONDS} s; product ref: ${REF === 'id' ? "Kando's id" : "the shop's own id (external_id)"}; mix weights ${KINDS.map(([w, q]) => `${q} ${w}`).join(', ')}${ANALYZE ? '; SQLite ANALYZEd after the seed (an experiment: Kando never runs ANALYZE)' : ''}`)
  if (m.cores <= 2) log(`note: ${m.cores} cores are shared by the load generator, the server${pgInfo ? ' and PostgreSQL' : ''}`)

  const rows: Row[] = []
  const probes: ProbeRow[] = []
  const notes: string[] = []
  const t0 = performance.now()
  for (const engine of ENGINES) {
    const r = await engineRun(engine, rows, probes)
    const s = r.seed
    notes.push(`${engine}: ${s.products.length.toLocaleString('en-US')} products (top: ${s.products[0]!.reviews.toLocaleString('en-US')} reviews; median ${s.products[Math.floor(s.products.length / 2)]!.reviews}; ${s.products.filter((p) => p.reviews >= 1000).length} with ≥ 1,000), ` +
      `${s.published.toLocaleString('en-US')} published reviews (${s.viaService} through ReviewService.create) + ${s.unpublished.toLocaleString('en-US')} not published, ${s.mediaRows.toLocaleString('en-US')} photos (${s.jpegBytes} B JPEG), ` +
      `${s.orders.toLocaleString('en-US')} orders / ${s.orderLines.toLocaleString('en-US')} lines (${s.ordersLast7Days.toLocaleString('en-US')} in the last 7 days); seeded in ${s.seconds.toFixed(0)} s; answer served by the bare route ${fmt(r.bodyBytes)} B (median of 41); ${r.sample}`)
  }
  const out = [
    '',
    mainTable(rows),
    '',
    ...notes,
    `req/s: 200 answers ÷ load time. Latency: saturated from autocannon (closed loop); fixed rate ${RATE_CLIENT === 'paced' ? "open loop from each request's due time" : 'from autocannon overallRate'}. cache hits / misses: ReviewService.storefront calls`,
    'answered from its cache or built (counted in the server; a stale body served while it is refreshed counts as a hit; "joined": misses that waited for a build another request had started; "still valid": stale bodies found unchanged by their one-statement check, "rebuilt": stale bodies built again). "in service": time in storefront(). loop delay: event-loop delay of the server and of this process (the load generator).',
    'pg pool connects: connections the server\'s pg.Pool opened during the run (it closes clients idle for 60 s). server CPU ms/req: server process CPU (from /proc) ÷ 200 answers (PostgreSQL\'s',
    `own CPU not included). CPU cores: who used the CPU over the load, in cores (of ${m.cores}); "other" is interference from other processes.`,
    '',
    `Cold path, one request at a time (keys never asked before, limit=10; up to ${PROBE} products per cell), time in storefront() by product size class and query:`,
    probeTable(probes),
    '',
    'Where a miss spends its SQL time (every statement the server ran during the run, by text; on PostgreSQL including the wait for a pool connection):',
    sqlTable(rows),
    '',
    'Targets:',
    ...verdicts(rows).map((v) => `  [${v.met === null ? ' info ' : v.met ? '  met ' : ' NOT met'}] ${v.target}: ${v.measured}`),
    `whole benchmark: ${fmt((performance.now() - t0) / 1000, 0)} s`,
  ].join('\n')
  process.stdout.write(out + '\n')
  if (process.env.BENCH_JSON) {
    writeFileSync(process.env.BENCH_JSON, JSON.stringify({ machine: m, postgres: pgInfo ?? null, idle, settings: { PRODUCTS, REVIEWS, ORDERS, ZIPF, REF, MIX: KINDS, ANALYZE, SECONDS, RATE_SECONDS, RATE_WARMUP_S, RATE_HOLD_S, COLD_SECONDS, CONNECTIONS, RATE, RATE_CLIENT }, rows, probes, verdicts: verdicts(rows) }, null, 2))
  }
}

await main()
