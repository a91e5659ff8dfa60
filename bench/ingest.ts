/**
 * `npm run bench:ingest`: Shopify orders/create webhooks against the real server.
 *
 * For each engine (SQLite always; PostgreSQL when KANDO_BENCH_POSTGRES_URL or
 * KANDO_TEST_POSTGRES_URL names an admin URL) and on a fresh database each time:
 *   1. baseline, saturated: a bare Fastify app doing one insert of the body per request;
 *   2. baseline at a fixed rate (BENCH_RATE, 500 req/s);
 *   3. Kando, saturated: `kando start` (HTTP + worker in one process) in a child process,
 *      signed ~4 KB bodies with unique webhook and order ids; accepted requests/s, then the time
 *      until the queue is drained and every order exists (end-to-end processed orders/s);
 *   4. Kando at the fixed rate: p99 latency there, and whether processing kept up.
 * Prints a table and the targets beside the figures. See bench/README.md for the knobs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { randomBytes } from 'node:crypto'
import { loadConfig } from '../src/platform/config.ts'
import { createKando } from '../src/kando.ts'
import type { DialectName } from '../src/platform/db/index.ts'
import { startServer } from './lib/child.ts'
import { benchEngines, freshDatabase, openProbe, POSTGRES_ADMIN_URL, type Progress } from './lib/db.ts'
import { DeliveryPool, runLoad, type LoadOutcome } from './lib/load.ts'
import { cpuSnapshot, cpuSplit, machine, machineHeader, pgServer, type CpuSplit } from './lib/machine.ts'
import { runPaced } from './lib/paced.ts'
import { signedPool, type SignedWebhook } from './lib/payload.ts'
import type { ServerStats } from './lib/server-stats.ts'

const num = (v: string | undefined, d: number) => (v && Number.isFinite(Number(v)) ? Number(v) : d)
const SECONDS = num(process.env.BENCH_SECONDS, 10)
const CONNECTIONS = num(process.env.BENCH_CONNECTIONS, 32)
const RATE = num(process.env.BENCH_RATE, 500)
const DRAIN_TIMEOUT_S = num(process.env.BENCH_DRAIN_TIMEOUT, 60)
/** Fixed-rate runs: how long to keep waiting for answers after the last request was due, and for the queue after that. */
const RATE_GRACE_S = num(process.env.BENCH_RATE_GRACE, 10)
const RATE_DRAIN_TIMEOUT_S = num(process.env.BENCH_RATE_DRAIN_TIMEOUT, 5)
const WARMUP = num(process.env.BENCH_WARMUP, 300)
const POOL_MAX = num(process.env.BENCH_POOL_MAX, 60_000)
const PROFILE_DIR = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined
const ENGINES = benchEngines()
const RATE_CLIENT = process.env.BENCH_RATE_CLIENT === 'autocannon' ? 'autocannon' : 'paced'
const SCENARIOS = new Set(process.env.BENCH_SCENARIOS?.split(',').map((s) => s.trim()) ?? ['baseline', 'baseline-rate', 'kando', 'kando-rate'])

const SECRET = `bench-shpss_${randomBytes(12).toString('hex')}`
const TAG = randomBytes(3).toString('hex')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const log = (line: string) => process.stderr.write(line + '\n')

interface Row {
  engine: DialectName
  scenario: string
  connections: number
  rate: number | null
  ok: number
  failed: number
  /** Fixed-rate runs: answered > 5 s after due (a failed delivery for Shopify) / never answered in the run. */
  slow: number | null
  cutOff: number | null
  acceptedPerSec: number
  /** Orders that exist ÷ time from load start until the queue drained (Kando only). */
  e2ePerSec: number | null
  /** Orders created while the load ran ÷ load duration. */
  processedDuringLoadPerSec: number | null
  backlogAtEnd: number | null
  drainSeconds: number | null
  /** Orders created after the load stopped ÷ drain time: the worker alone. */
  drainPerSec: number | null
  drained: boolean | null
  orders: number | null
  stored: number | null
  rejected: number | null
  p50: number
  p90: number
  p99: number
  max: number
  bodiesBuiltDuringRun: number
  /** Server process CPU (all its threads) from load start to drained, ÷ orders (or requests). */
  serverCpuMsPerOrder: number | null
  /** Longest the server's event loop was blocked while the load ran and drained. */
  loopDelayMaxMs: number | null
  loopDelayP99Ms: number | null
  /** Who used the CPU over the same window, in cores (1.0 = one core busy). */
  cpu: CpuSplit | null
}

function baseRow(engine: DialectName, scenario: string, run: LoadOutcome, rate: number | null, pool: DeliveryPool, stats: ServerStats | undefined, cpu: CpuSplit | null, units: number): Row {
  return {
    engine, scenario, connections: CONNECTIONS, rate, ok: run.ok, failed: run.failed, slow: run.slow ?? null, cutOff: run.cutOff ?? null, acceptedPerSec: run.acceptedPerSec,
    e2ePerSec: null, processedDuringLoadPerSec: null, backlogAtEnd: null, drainSeconds: null, drainPerSec: null, drained: null,
    orders: null, stored: null, rejected: null,
    p50: run.p50, p90: run.p90, p99: run.p99, max: run.max, bodiesBuiltDuringRun: pool.builtDuringRun,
    serverCpuMsPerOrder: stats && units > 0 ? (stats.cpuSeconds * 1000) / units : null,
    loopDelayMaxMs: stats?.loopDelayMax ?? null,
    loopDelayP99Ms: stats?.loopDelayP99 ?? null,
    cpu,
  }
}

/**
 * Before measuring: WARMUP requests (8 connections) so connection pools are open and the JIT has
 * compiled the hot paths; not counted anywhere.
 */
async function warmUp(url: string, pool: DeliveryPool, title: string): Promise<void> {
  if (WARMUP > 0) await runLoad({ url, pool, connections: 8, seconds: 60, amount: WARMUP, title: `${title} warm-up` })
}

/** Saturated (closed loop, autocannon) when `rate` is null, else open loop at `rate` req/s. */
function load(url: string, pool: DeliveryPool, rate: number | null, title: string): Promise<LoadOutcome> {
  if (rate === null) return runLoad({ url, pool, connections: CONNECTIONS, seconds: SECONDS, title })
  if (RATE_CLIENT === 'autocannon') return runLoad({ url, pool, connections: CONNECTIONS, seconds: SECONDS, overallRate: rate, title })
  return runPaced({ url, pool, rate, seconds: SECONDS, graceMs: RATE_GRACE_S * 1000 })
}

async function baseline(engine: DialectName, pool: DeliveryPool, rate: number | null): Promise<Row> {
  const db = await freshDatabase(engine)
  const label = `baseline-${engine}${rate ? `-${rate}` : ''}`
  const server = await startServer('bench/lib/baseline-server.ts', { BENCH_BASELINE_URL: db.url }, { label })
  let stopped = false
  try {
    const url = `http://127.0.0.1:${server.port}/webhooks/shopify/bench`
    pool.reset()
    await warmUp(url, pool, label)
    await server.mark()
    const cpu0 = cpuSnapshot()
    const run = await load(url, pool, rate, label)
    const cpu = cpuSplit(cpu0, cpuSnapshot(), server.pid)
    const stats = await server.stop()
    stopped = true
    return baseRow(engine, rate ? `baseline, ${rate}/s` : 'baseline, saturated', run, rate, pool, stats, cpu, run.ok)
  } finally {
    if (!stopped) await server.stop()
    await db.drop()
  }
}

async function kando(engine: DialectName, pool: DeliveryPool, rate: number | null): Promise<Row> {
  const db = await freshDatabase(engine)
  const dataDir = mkdtempSync(join(tmpdir(), 'kando-bench-data-'))
  const env = {
    KANDO_DATABASE_URL: db.url,
    KANDO_LOG_LEVEL: 'warn',
    KANDO_SECRET_KEY: randomBytes(32).toString('base64'),
    KANDO_DATA_DIR: dataDir,
  }
  // The brand, created through the service like `kando tenant create --shopify-secret` does.
  const setup = await createKando(loadConfig(env))
  try {
    await setup.tenants.create({ slug: 'bench', name: 'Bench', shopifySecret: SECRET })
  } finally {
    await setup.close()
  }
  const label = `kando-${engine}${rate ? `-${rate}` : ''}`
  // One folder per server: tsx's loader thread writes a profile of its own beside the main thread's.
  const nodeArgs = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${join(PROFILE_DIR, label)}`] : []
  const server = await startServer('bench/lib/server.ts', env, { label, nodeArgs })
  const probe = await openProbe(engine, db.url)
  let stopped = false
  try {
    const url = `http://127.0.0.1:${server.port}/webhooks/shopify/bench`
    pool.reset()
    await warmUp(url, pool, label)
    // Wait for the warm-up's orders, then count from here.
    for (let p = await probe.progress(), until = performance.now() + DRAIN_TIMEOUT_S * 1000; p.pendingJobs > 0 && performance.now() < until; p = await probe.progress()) await sleep(50)
    const base = await probe.progress()
    await server.mark()
    const cpu0 = cpuSnapshot()
    const run = await load(url, pool, rate, label)
    const atEnd = await probe.progress()
    // Drained: no job waiting or running and an order for every stored webhook (or, when some were
    // rejected, no pending job for a full second).
    let last: Progress = atEnd
    let idleSince: number | undefined
    const deadline = run.endMs + (rate === null ? DRAIN_TIMEOUT_S : RATE_DRAIN_TIMEOUT_S) * 1000
    for (;;) {
      const now = performance.now()
      if (last.pendingJobs === 0 && last.orders >= last.stored) break
      if (last.pendingJobs === 0) {
        idleSince ??= now
        if (now - idleSince > 1000) break
      } else idleSince = undefined
      if (now > deadline) break
      await sleep(25)
      last = await probe.progress()
    }
    const drainedAt = performance.now()
    const cpu = cpuSplit(cpu0, cpuSnapshot(), server.pid)
    const stats = await server.stop()
    stopped = true
    const drained = last.pendingJobs === 0
    const rejected = await probe.rejected()
    if (rejected.count > 0) log(`  ! ${rejected.count} webhooks rejected by the worker, e.g. ${rejected.sample}`)
    const loadS = run.seconds
    const drainS = (drainedAt - run.endMs) / 1000
    const orders = last.orders - base.orders
    // CPU per order only means something once every accepted order was made.
    return {
      ...baseRow(engine, rate ? `kando, ${rate}/s` : 'kando, saturated', run, rate, pool, drained ? stats : undefined, cpu, orders),
      loopDelayMaxMs: stats?.loopDelayMax ?? null,
      loopDelayP99Ms: stats?.loopDelayP99 ?? null,
      e2ePerSec: orders / ((drainedAt - run.startMs) / 1000),
      processedDuringLoadPerSec: (atEnd.orders - base.orders) / loadS,
      backlogAtEnd: atEnd.stored - atEnd.orders,
      drainSeconds: drainS,
      drainPerSec: drainS > 0.05 ? (last.orders - atEnd.orders) / drainS : null,
      drained,
      orders,
      stored: last.stored - base.stored,
      rejected: rejected.count,
    }
  } finally {
    await probe.close()
    if (!stopped) await server.stop()
    await db.drop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

// ---------------------------------------------------------------------------

const fmt = (n: number | null | undefined, digits = 0) => (n === null || n === undefined || !Number.isFinite(n) ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }))

function table(rows: Row[], base: Map<DialectName, Row>): string {
  const head = ['engine', 'scenario', 'ok / failed', 'accepted req/s', 'processed orders/s (e2e)', 'during load /s', 'backlog at end', 'drain s', 'drain orders/s', 'p50 ms', 'p99 ms', 'max ms', 'vs baseline (accept / e2e)', 'server CPU ms/order', 'loop blocked max ms', 'CPU cores: server / pg / load gen / other']
  const body = rows.map((r) => {
    const b = base.get(r.engine)
    const vs = b && !r.scenario.startsWith('baseline') && r.rate === null ? `${fmt(r.acceptedPerSec / b.acceptedPerSec, 2)} / ${fmt((r.e2ePerSec ?? NaN) / b.acceptedPerSec, 2)}` : '—'
    return [
      r.engine, r.scenario, `${r.ok} / ${r.failed}${r.slow ? ` (${r.slow} ok > 5 s)` : ''}${r.cutOff ? ` (${r.cutOff} cut off)` : ''}`, fmt(r.acceptedPerSec), r.e2ePerSec === null ? '—' : `${fmt(r.e2ePerSec)}${r.drained ? '' : ' (NOT drained)'}`,
      fmt(r.processedDuringLoadPerSec), fmt(r.backlogAtEnd), fmt(r.drainSeconds, 1), fmt(r.drainPerSec), fmt(r.p50, 1), fmt(r.p99, 1), fmt(r.max, 0), vs,
      fmt(r.serverCpuMsPerOrder, 2), fmt(r.loopDelayMaxMs, 0), r.cpu ? [r.cpu.server, r.cpu.postgres, r.cpu.loadGenerator, r.cpu.other].map((c) => fmt(c, 2)).join(' / ') : '—',
    ]
  })
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)))
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |'
  return [line(head), '|' + widths.map((w, i) => (i < 2 ? ':' + '-'.repeat(w + 1) : '-'.repeat(w + 1) + ':')).join('|') + '|', ...body.map(line)].join('\n')
}

interface Verdict {
  target: string
  measured: string
  met: boolean | null
}

function verdicts(rows: Row[], base: Map<DialectName, Row>): Verdict[] {
  const find = (engine: DialectName, scenario: string) => rows.find((r) => r.engine === engine && r.scenario === scenario)
  const out: Verdict[] = []
  const sat = find('sqlite', 'kando, saturated')
  const fixed = find('sqlite', `kando, ${RATE}/s`)
  const b = base.get('sqlite')
  if (sat) {
    out.push({ target: 'SQLite: ≥ 2,000 orders/s sustained (end-to-end: accepted, queued, processed into orders)', measured: `${fmt(sat.e2ePerSec)} orders/s e2e (accept ${fmt(sat.acceptedPerSec)} req/s)`, met: sat.drained ? (sat.e2ePerSec ?? 0) >= 2000 : false })
    if (b) out.push({ target: 'SQLite: ≥ 0.5 × bare-insert baseline', measured: `${fmt((sat.e2ePerSec ?? 0) / b.acceptedPerSec, 2)} e2e, ${fmt(sat.acceptedPerSec / b.acceptedPerSec, 2)} accept (baseline ${fmt(b.acceptedPerSec)} req/s)`, met: (sat.e2ePerSec ?? 0) / b.acceptedPerSec >= 0.5 })
  }
  if (fixed) out.push({ target: `SQLite: p99 < 50 ms at ${RATE} req/s`, measured: `p99 ${fixed.cutOff ? '≥ ' : ''}${fmt(fixed.p99, 1)} ms (${fmt(fixed.acceptedPerSec)} req/s answered${fixed.slow ? `, ${fixed.slow} answered after > 5 s` : ''}${fixed.cutOff ? `, ${fixed.cutOff} never answered` : ''}, queue backlog at end ${fmt(fixed.backlogAtEnd)})`, met: RATE === 500 ? fixed.p99 < 50 && fixed.failed === 0 : null })
  const pgSat = find('postgres', 'kando, saturated')
  if (pgSat) out.push({ target: 'PostgreSQL: ≥ 1,000 orders/s sustained (end-to-end)', measured: `${fmt(pgSat.e2ePerSec)} orders/s e2e (accept ${fmt(pgSat.acceptedPerSec)} req/s)`, met: pgSat.drained ? (pgSat.e2ePerSec ?? 0) >= 1000 : false })
  return out
}

async function main(): Promise<void> {
  const m = machine()
  const pgInfo = POSTGRES_ADMIN_URL && ENGINES.includes('postgres') ? await pgServer(POSTGRES_ADMIN_URL) : undefined
  log(`Kando ingest benchmark — ${m.date}`)
  for (const line of machineHeader(m, pgInfo)) log(line)
  if (!pgInfo) log('postgresql: not run (set KANDO_BENCH_POSTGRES_URL or KANDO_TEST_POSTGRES_URL to an admin URL to include it)')
  log(`load: from this process, server in a child process; saturated: autocannon, ${CONNECTIONS} connections; fixed rate: ${RATE} req/s ${RATE_CLIENT === 'paced' ? 'open loop' : 'autocannon overallRate'}; ${SECONDS} s per scenario${PROFILE_DIR ? `; CPU profiles of the Kando servers → ${PROFILE_DIR} (figures include profiler overhead)` : ''}`)
  if (m.cores <= 2) log(`note: ${m.cores} cores are shared by the load generator, the server${pgInfo ? ' and PostgreSQL' : ''}; figures are lower bounds for a dedicated server`)

  // Bodies: the baseline may reuse a small pool; Kando needs a unique delivery per request.
  log('building signed bodies…')
  let bodies: SignedWebhook[] = signedPool(2_000, SECRET, TAG)
  const avgBytes = bodies.reduce((s, d) => s + d.body.length, 0) / bodies.length
  log(`  bodies: avg ${fmt(avgBytes)} bytes, min ${fmt(Math.min(...bodies.map((d) => d.body.length)))}, max ${fmt(Math.max(...bodies.map((d) => d.body.length)))}`)

  const rows: Row[] = []
  const base = new Map<DialectName, Row>()
  const t0 = performance.now()
  for (const engine of ENGINES) {
    const say = (r: Row) => {
      rows.push(r)
      log(`  ${r.engine} ${r.scenario}: ${fmt(r.acceptedPerSec)} req/s accepted${r.e2ePerSec !== null ? `, ${fmt(r.e2ePerSec)} orders/s e2e${r.drained ? '' : ' (not drained)'}` : ''}, p50 ${fmt(r.p50, 1)} ms, p99 ${fmt(r.p99, 1)} ms, ${r.failed} failed${r.cpu && r.cpu.other > 0.2 ? `; note: other processes used ${fmt(r.cpu.other, 2)} cores meanwhile` : ''}`)
    }
    if (SCENARIOS.has('baseline')) {
      log(`${engine}: baseline, saturated…`)
      const r = await baseline(engine, new DeliveryPool(bodies, { unique: false, secret: SECRET, tag: TAG }), null)
      base.set(engine, r)
      say(r)
    }
    if (SCENARIOS.has('baseline-rate')) {
      log(`${engine}: baseline, ${RATE} req/s…`)
      say(await baseline(engine, new DeliveryPool(bodies, { unique: false, secret: SECRET, tag: TAG }), RATE))
    }
    // Enough unique deliveries for Kando to match the baseline for the whole run (capped; beyond
    // the cap they are built on the fly and the table says so).
    const want = Math.min(POOL_MAX, Math.ceil(Math.max(base.get(engine)?.acceptedPerSec ?? 5_000, RATE) * SECONDS * 1.1) + WARMUP)
    if (bodies.length < want) {
      log(`building ${fmt(want - bodies.length)} more signed bodies…`)
      bodies = bodies.concat(signedPool(want - bodies.length, SECRET, TAG, bodies.length + 1))
    }
    const unique = new DeliveryPool(bodies, { unique: true, secret: SECRET, tag: TAG })
    if (SCENARIOS.has('kando')) {
      log(`${engine}: kando, saturated…`)
      say(await kando(engine, unique, null))
    }
    if (SCENARIOS.has('kando-rate')) {
      log(`${engine}: kando, ${RATE} req/s…`)
      say(await kando(engine, unique, RATE))
    }
  }

  const out = [
    '',
    table(rows, base),
    '',
    'ok / failed: 2xx / other answers, errors and timeouts; "ok > 5 s": answered more than 5 s after due (Shopify gives up at 5 s);',
    `"cut off": fixed-rate requests still unanswered ${RATE_GRACE_S} s after the last was due (counted as failed).`,
    'accepted req/s: 2xx responses ÷ load time. processed orders/s (e2e): orders in the database ÷ time from load start until the',
    'queue drained. during load: orders created while the load ran ÷ load time. drain s: time after the load until the queue was empty;',
    'drain orders/s: orders created in that time ÷ it (the worker with HTTP idle).',
    `Latency: saturated runs from autocannon (${CONNECTIONS} connections, closed loop); fixed-rate runs ${RATE_CLIENT === 'paced' ? 'open loop (bench/lib/paced.ts), from each request\'s scheduled time' : 'from autocannon overallRate'}.`,
    'server CPU ms/order: CPU time of the server process from load start until drained ÷ orders (baseline: ÷ requests); PostgreSQL\'s own CPU not included.',
    'loop blocked max: longest event-loop delay in the server over that window. CPU cores: who used the CPU over that window, in',
    `cores (of ${m.cores}); "other" is everything else on the machine (other processes), i.e. interference.`,
    '',
    'Targets:',
    ...verdicts(rows, base).map((v) => `  [${v.met === null ? ' n/a ' : v.met ? ' met ' : ' MISS'}] ${v.target}: ${v.measured}`),
    ...rows.filter((r) => r.bodiesBuiltDuringRun > 0).map((r) => `  note: ${r.engine} ${r.scenario} outran the body pool; ${r.bodiesBuiltDuringRun} bodies were built during the run`),
    ...rows.filter((r) => r.rejected).map((r) => `  WARNING: ${r.engine} ${r.scenario}: ${r.rejected} webhooks were rejected by the worker`),
    `Each scenario: a fresh database and server, ${WARMUP} warm-up requests (not counted; Kando: drained first), then the measured load.`,
    `Queue drain awaited up to ${DRAIN_TIMEOUT_S} s after saturated runs, ${RATE_DRAIN_TIMEOUT_S} s after fixed-rate runs ("NOT drained": e2e is then a lower bound).`,
    `whole benchmark: ${fmt((performance.now() - t0) / 1000, 0)} s`,
  ].join('\n')
  process.stdout.write(out + '\n')
  if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify({ machine: m, postgres: pgInfo ?? null, seconds: SECONDS, connections: CONNECTIONS, rate: RATE, bodyBytesAvg: avgBytes, rows, verdicts: verdicts(rows, base) }, null, 2))
}

await main()
