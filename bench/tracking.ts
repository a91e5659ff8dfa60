/**
 * `npm run bench:tracking`: the customer tracking page `GET /t/:token` against a bare Fastify
 * route that returns a static page of the same size, in one run.
 *
 * For each engine (SQLite; PostgreSQL when KANDO_BENCH_POSTGRES_URL or KANDO_TEST_POSTGRES_URL
 * names an admin URL), on a fresh database:
 *   1. seeds BENCH_ORDERS orders (10,000: half with one shipment, a quarter split in two, a quarter
 *      not shipped; ≈ 10,000 shipments with 1–5 carrier events each) through the services;
 *   2. starts `kando start` (bench/lib/server.ts) in a child process and fetches pages to take one
 *      of median size; the baseline (bench/lib/static-server.ts) serves that page, same headers;
 *   3. baseline and Kando saturated (autocannon, BENCH_CONNECTIONS), then at BENCH_RATE req/s open
 *      loop; every request asks for a random valid token (no 404s, so the guess limiter never trips).
 * Prints a table and the targets (ratio ≥ 0.5, p99 < 30 ms at 500 req/s). See bench/README.md.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { randomBytes, randomInt } from 'node:crypto'
import autocannon from 'autocannon'
import { loadConfig } from '../src/platform/config.ts'
import { createKando } from '../src/kando.ts'
import type { DialectName } from '../src/platform/db/index.ts'
import { startServer, type ServerChild } from './lib/child.ts'
import { benchEngines, freshDatabase, POSTGRES_ADMIN_URL } from './lib/db.ts'
import { cpuSnapshot, cpuSplit, machine, machineHeader, pgServer, type CpuSplit } from './lib/machine.ts'
import { runPacedGet } from './lib/paced-get.ts'
import { BENCH_PAGE_SETTINGS, seedTracking } from './lib/tracking-seed.ts'

const num = (v: string | undefined, d: number) => (v && Number.isFinite(Number(v)) ? Number(v) : d)
const SECONDS = num(process.env.BENCH_SECONDS, 10)
const CONNECTIONS = num(process.env.BENCH_CONNECTIONS, 32)
const RATE = num(process.env.BENCH_RATE, 500)
const ORDERS = num(process.env.BENCH_ORDERS, 10_000)
const WARMUP = num(process.env.BENCH_WARMUP, 1000)
const RATE_GRACE_S = num(process.env.BENCH_RATE_GRACE, 10)
const PROFILE_DIR = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined
const ENGINES = benchEngines()
const TARGET_RATIO = 0.5
const TARGET_P99_MS = 30
const log = (line: string) => process.stderr.write(line + '\n')

interface Row {
  engine: DialectName
  scenario: string
  kind: 'baseline' | 'kando'
  rate: number | null
  ok: number
  non200: number
  statuses: Record<string, number>
  reqPerSec: number
  p50: number
  p99: number
  max: number
  cutOff: number
  serverCpuMsPerReq: number | null
  cpu: CpuSplit | null
}

/** Closed loop, `connections` keep-alive connections, each GET for a random token. */
async function saturated(url: string, tokens: string[], opts: { seconds?: number; amount?: number; connections: number; title: string }) {
  const result = await autocannon({
    url, title: opts.title, connections: opts.connections, timeout: 30,
    ...(opts.amount ? { amount: opts.amount } : { duration: opts.seconds ?? SECONDS }),
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/t/${tokens[randomInt(tokens.length)]}` }) }],
  })
  const statuses: Record<string, number> = {}
  for (const [code, s] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = s.count
  if (result.errors) statuses.error = result.errors
  if (result.timeouts) statuses.timeout = result.timeouts
  const ok = statuses['200'] ?? 0
  const non200 = Object.entries(statuses).filter(([k]) => k !== '200').reduce((s, [, n]) => s + n, 0)
  return { ok, non200, statuses, reqPerSec: ok / result.duration, p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max, cutOff: 0 }
}

async function measure(engine: DialectName, kind: 'baseline' | 'kando', server: ServerChild, tokens: string[], rate: number | null): Promise<Row> {
  const url = `http://127.0.0.1:${server.port}`
  await saturated(url, tokens, { amount: WARMUP, connections: 8, title: 'warm-up' })
  await server.mark()
  const cpu0 = cpuSnapshot()
  const t0 = performance.now()
  const run = rate === null
    ? await saturated(url, tokens, { connections: CONNECTIONS, title: `${kind}-${engine}` })
    : await (async () => {
        const r = await runPacedGet({ url, path: () => `/t/${tokens[randomInt(tokens.length)]}`, rate, seconds: SECONDS, graceMs: RATE_GRACE_S * 1000 })
        return { ok: r.ok, non200: r.failed, statuses: r.statuses, reqPerSec: r.acceptedPerSec, p50: r.p50, p99: r.p99, max: r.max, cutOff: r.cutOff }
      })()
  const cpu = cpuSplit(cpu0, cpuSnapshot(), server.pid)
  const windowS = (performance.now() - t0) / 1000
  return {
    engine, kind, rate, scenario: `${kind}, ${rate === null ? 'saturated' : `${rate}/s`}`, ...run,
    // The child reports its own stats only on exit; per scenario, its CPU comes from /proc.
    serverCpuMsPerReq: cpu && run.ok > 0 ? (cpu.server * windowS * 1000) / run.ok : null, cpu,
  }
}

async function engineRun(engine: DialectName, rows: Row[]): Promise<{ pageBytes: number; seed: string }> {
  const db = await freshDatabase(engine)
  const dataDir = mkdtempSync(join(tmpdir(), 'kando-bench-data-'))
  const htmlDir = mkdtempSync(join(tmpdir(), 'kando-bench-page-'))
  const env = { KANDO_DATABASE_URL: db.url, KANDO_LOG_LEVEL: 'warn', KANDO_SECRET_KEY: randomBytes(32).toString('base64'), KANDO_DATA_DIR: dataDir }
  const servers: ServerChild[] = []
  try {
    // Seed through the services in this process.
    const setup = await createKando(loadConfig(env))
    let tokens: string[]
    let seedNote: string
    try {
      const { tenant } = await setup.tenants.create({ slug: 'bench', name: '感動ストア' })
      await setup.tracking.updateSettings(setup.scope(tenant.id), BENCH_PAGE_SETTINGS)
      log(`${engine}: seeding ${ORDERS.toLocaleString('en-US')} orders…`)
      let lastLog = performance.now()
      const seed = await seedTracking(setup, tenant.id, {
        orders: ORDERS,
        progress: (done) => {
          if (performance.now() - lastLog > 10_000) (lastLog = performance.now()), log(`  ${done.toLocaleString('en-US')} orders`)
        },
      })
      tokens = seed.tokens
      seedNote = `${seed.orders.toLocaleString('en-US')} orders, ${seed.shipments.toLocaleString('en-US')} shipments, ${seed.events.toLocaleString('en-US')} events (seeded in ${seed.seconds.toFixed(0)} s)`
      log(`  ${seedNote}`)
    } finally {
      await setup.close()
    }

    const label = `kando-${engine}`
    const nodeArgs = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${join(PROFILE_DIR, label)}`] : []
    const kando = await startServer('bench/lib/server.ts', env, { label, nodeArgs })
    servers.push(kando)
    // A page of median size (pages differ by shipments, events and lines), and its headers.
    const samples: Array<{ body: string; headers: Record<string, string>; bytes: number }> = []
    for (let i = 0; i < 41; i++) {
      const res = await fetch(`http://127.0.0.1:${kando.port}/t/${tokens[randomInt(tokens.length)]}`)
      const body = await res.text()
      if (res.status !== 200) throw new Error(`${label}: GET /t/:token answered ${res.status}`)
      const headers: Record<string, string> = {}
      res.headers.forEach((v, k) => {
        if (!['date', 'content-length', 'connection', 'keep-alive', 'transfer-encoding'].includes(k)) headers[k] = v
      })
      samples.push({ body, headers, bytes: Buffer.byteLength(body) })
    }
    samples.sort((a, b) => a.bytes - b.bytes)
    const page = samples[Math.floor(samples.length / 2)]!
    log(`  page sizes: min ${samples[0]!.bytes} B, median ${page.bytes} B, max ${samples[samples.length - 1]!.bytes} B; headers: ${Object.entries(page.headers).map(([k, v]) => `${k}: ${v}`).join('; ')}`)
    const file = join(htmlDir, 'page.html')
    writeFileSync(file, page.body)

    const base = await startServer('bench/lib/static-server.ts', { BENCH_STATIC_FILE: file, BENCH_STATIC_HEADERS: JSON.stringify(page.headers) }, { label: `static-${engine}` })
    servers.push(base)
    const check = await fetch(`http://127.0.0.1:${base.port}/t/x`)
    const checkBytes = Buffer.byteLength(await check.text())
    if (checkBytes !== page.bytes) throw new Error(`static server sends ${checkBytes} B, expected ${page.bytes}`)

    const say = (r: Row) => {
      rows.push(r)
      log(`  ${r.engine} ${r.scenario}: ${fmt(r.reqPerSec)} req/s, p50 ${fmt(r.p50, 1)} ms, p99 ${fmt(r.p99, 1)} ms, non-200 ${r.non200}${r.non200 ? ` ${JSON.stringify(r.statuses)}` : ''}${r.cpu && r.cpu.other > 0.2 ? `; note: other processes used ${fmt(r.cpu.other, 2)} cores` : ''}`)
    }
    for (const [kind, server] of [['baseline', base], ['kando', kando]] as const) {
      for (const rate of [null, RATE]) {
        log(`${engine}: ${kind}, ${rate === null ? 'saturated' : `${rate} req/s`}…`)
        const r = await measure(engine, kind, server, tokens, rate)
        say(r)
      }
    }
    return { pageBytes: page.bytes, seed: seedNote }
  } finally {
    for (const s of servers) await s.stop()
    await db.drop()
    rmSync(dataDir, { recursive: true, force: true })
    rmSync(htmlDir, { recursive: true, force: true })
  }
}

const fmt = (n: number | null | undefined, digits = 0) => (n === null || n === undefined || !Number.isFinite(n) ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }))

function ratioOf(rows: Row[], engine: DialectName): number | null {
  const b = rows.find((r) => r.engine === engine && r.kind === 'baseline' && r.rate === null)
  const k = rows.find((r) => r.engine === engine && r.kind === 'kando' && r.rate === null)
  return b && k ? k.reqPerSec / b.reqPerSec : null
}

function table(rows: Row[]): string {
  const head = ['engine', 'scenario', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'ok', 'non-200', 'ratio kando/baseline', 'server CPU ms/req', 'CPU cores: server / pg / load gen / other']
  const body = rows.map((r) => [
    r.engine, r.scenario, fmt(r.reqPerSec), fmt(r.p50, 1), fmt(r.p99, 1), fmt(r.max, 0), String(r.ok),
    `${r.non200}${r.non200 ? ` (${Object.entries(r.statuses).filter(([k]) => k !== '200').map(([k, n]) => `${k}: ${n}`).join(', ')})` : ''}`,
    r.kind === 'kando' && r.rate === null ? fmt(ratioOf(rows, r.engine), 2) : '—',
    fmt(r.serverCpuMsPerReq, 2),
    r.cpu ? [r.cpu.server, r.cpu.postgres, r.cpu.loadGenerator, r.cpu.other].map((c) => fmt(c, 2)).join(' / ') : '—',
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)))
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |'
  return [line(head), '|' + widths.map((w, i) => (i < 2 ? ':' + '-'.repeat(w + 1) : '-'.repeat(w + 1) + ':')).join('|') + '|', ...body.map(line)].join('\n')
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
    const b = rows.find((r) => r.engine === engine && r.kind === 'baseline' && r.rate === null)
    const k = rows.find((r) => r.engine === engine && r.kind === 'kando' && r.rate === null)
    const fixed = rows.find((r) => r.engine === engine && r.kind === 'kando' && r.rate === RATE)
    if (ratio !== null && b && k) out.push({ target: `${name}: ≥ ${TARGET_RATIO} × static-page baseline (saturated)`, measured: `${fmt(ratio, 2)} (${fmt(k.reqPerSec)} vs ${fmt(b.reqPerSec)} req/s)`, met: ratio >= TARGET_RATIO && k.non200 === 0 })
    if (fixed) out.push({ target: `${name}: p99 < ${TARGET_P99_MS} ms at ${RATE} req/s`, measured: `p99 ${fixed.cutOff ? '≥ ' : ''}${fmt(fixed.p99, 1)} ms, p50 ${fmt(fixed.p50, 1)} ms, ${fixed.non200} non-200`, met: RATE === 500 ? fixed.p99 < TARGET_P99_MS && fixed.non200 === 0 : null })
  }
  return out
}

async function main(): Promise<void> {
  const m = machine()
  const pgInfo = POSTGRES_ADMIN_URL && ENGINES.includes('postgres') ? await pgServer(POSTGRES_ADMIN_URL) : undefined
  log(`Kando tracking page benchmark — ${m.date}`)
  for (const line of machineHeader(m, pgInfo)) log(line)
  if (!pgInfo) log('postgresql: not run (set KANDO_BENCH_POSTGRES_URL or KANDO_TEST_POSTGRES_URL to an admin URL to include it)')
  log(`load: from this process, servers in child processes; saturated: autocannon, ${CONNECTIONS} connections; fixed rate: ${RATE} req/s open loop; ${SECONDS} s per scenario, ${WARMUP} warm-up requests${PROFILE_DIR ? `; CPU profiles of the Kando servers → ${PROFILE_DIR}` : ''}`)
  if (m.cores <= 2) log(`note: ${m.cores} cores are shared by the load generator, the server${pgInfo ? ' and PostgreSQL' : ''}`)

  const rows: Row[] = []
  const notes: string[] = []
  const t0 = performance.now()
  for (const engine of ENGINES) {
    const r = await engineRun(engine, rows)
    notes.push(`${engine}: ${r.seed}; page served ${fmt(r.pageBytes)} B (median of 41 sampled)`)
  }
  const out = [
    '',
    table(rows),
    '',
    ...notes,
    `req/s: 200 answers ÷ load time. Latency: saturated from autocannon (${CONNECTIONS} connections, closed loop); fixed rate open loop from each request's due time.`,
    `non-200: every other status, errors, timeouts and "cut off" (fixed rate: unanswered ${RATE_GRACE_S} s after the last was due); all tokens are valid, so any 404/429 is a bug. server CPU ms/req: server process CPU (from /proc) ÷ 200 answers;`,
    `PostgreSQL's own CPU not included. CPU cores: who used the CPU over the load, in cores (of ${m.cores}); "other" is interference.`,
    '',
    'Targets:',
    ...verdicts(rows).map((v) => `  [${v.met === null ? ' n/a ' : v.met ? ' PASS' : ' FAIL'}] ${v.target}: ${v.measured}`),
    `whole benchmark: ${fmt((performance.now() - t0) / 1000, 0)} s`,
  ].join('\n')
  process.stdout.write(out + '\n')
  if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify({ machine: m, postgres: pgInfo ?? null, seconds: SECONDS, connections: CONNECTIONS, rate: RATE, orders: ORDERS, rows, verdicts: verdicts(rows) }, null, 2))
}

await main()
