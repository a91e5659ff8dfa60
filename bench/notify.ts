/**
 * `npm run bench:notify`: shipment events → emails accepted by a local SMTP server, against
 * nodemailer sending directly to the same server, in one run.
 *
 * Three processes besides this one: the SMTP stand-in (bench/lib/notify-smtp.ts: smtp-server, lazy
 * parsing, records each message's Message-ID and acceptance time), Kando (bench/lib/notify-worker.ts:
 * createKando + startWorker, SMTP pointed at the stand-in) and the baseline (bench/lib/notify-baseline.ts:
 * nodemailer's pooled transport, same pool size). For each engine (SQLite; PostgreSQL when
 * KANDO_BENCH_POSTGRES_URL or KANDO_TEST_POSTGRES_URL names an admin URL), on a fresh database:
 *   1. seed: a brand, its notification settings (order confirmations off) and one confirmed order
 *      per shipment to come (bench/lib/notify-seed.ts);
 *   2. Kando warm-up: BENCH_WARMUP shipments, their mails awaited; one of them is the baseline's template;
 *   3. baseline: BENCH_WARMUP, then BENCH_MESSAGES messages of that size and subject, directly;
 *   4. Kando saturated: BENCH_MESSAGES shipments created as fast as BENCH_LANES callers can
 *      (`tracking.createShipment`, one transaction each, in the Kando process), until every mail is in;
 *   5. Kando at BENCH_RATE shipments/s for BENCH_SECONDS, open loop.
 * Latency: event `occurred_at` (events row of the message's event_id) → the stand-in's acceptance
 * of the message with that Message-ID. Prints a table and the targets. See bench/README.md.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { randomBytes } from 'node:crypto'
import SQLite from 'better-sqlite3'
import pg from 'pg'
import { loadConfig } from '../src/platform/config.ts'
import { createKando } from '../src/kando.ts'
import type { DialectName } from '../src/platform/db/index.ts'
import { startServer, type ServerChild } from './lib/child.ts'
import { benchEngines, freshDatabase, POSTGRES_ADMIN_URL } from './lib/db.ts'
import { cpuSnapshot, machine, machineHeader, pgServer, type CpuSnapshot } from './lib/machine.ts'
import { control } from './lib/notify-control.ts'
import { BENCH_SENDER, seedNotify } from './lib/notify-seed.ts'

const num = (v: string | undefined, d: number) => (v && Number.isFinite(Number(v)) ? Number(v) : d)
const MESSAGES = num(process.env.BENCH_MESSAGES, 10_000)
const RATE = num(process.env.BENCH_RATE, 100)
const SECONDS = num(process.env.BENCH_SECONDS, 30)
const WARMUP = num(process.env.BENCH_WARMUP, 300)
const LANES = num(process.env.BENCH_LANES, 8)
const POOL = num(process.env.BENCH_SMTP_POOL ?? process.env.KANDO_SMTP_POOL, 5)
const WINDOW = num(process.env.BENCH_BASELINE_WINDOW, 64)
const DRAIN_TIMEOUT_S = num(process.env.BENCH_DRAIN_TIMEOUT, 300)
const PROFILE_DIR = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined
const ENGINES = benchEngines()
const TARGET_RATIO = 0.5
const TARGET_P99_MS = 1000
const log = (line: string) => process.stderr.write(line + '\n')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** [Message-ID, accepted at (epoch ms), bytes], from the stand-in. */
type Arrival = [string, number, number]

interface Cores {
  kando: number
  smtp: number
  baseline: number
  postgres: number
  bench: number
  other: number
}

interface Row {
  engine: DialectName
  scenario: string
  kind: 'baseline' | 'saturated' | 'paced'
  messages: number
  expected: number
  /** Messages the stand-in saw twice (same Message-ID). */
  duplicates: number
  perSec: number
  seconds: number
  p50: number | null
  p99: number | null
  max: number | null
  avgBytes: number
  /** CPU ms per message of the process that sends (Kando worker, or the baseline). */
  cpuMsPerMsg: number | null
  cores: Cores | null
  /** Kando only: how the shipments were written. */
  emit?: { seconds: number; perSec: number; errors: number; firstError: string | null; lagP99Ms: number | null; lagMaxMs: number | null }
  /** Kando only: message rows of the scenario by status (should be all `sent`). */
  statuses?: Record<string, number>
  /** Acceptance rate between the 10th–50th and 50th–90th percentile of arrivals. */
  halves?: [number, number] | null
  /** Job table rows by state after the scenario. */
  jobs?: Record<string, number>
}

/** Cores' worth of CPU per process over a window (1.0 = one core busy), from /proc. */
function cores(a: CpuSnapshot, b: CpuSnapshot, pids: { kando?: number; smtp?: number; baseline?: number }): Cores | null {
  if (!a.machine || !b.machine) return null
  const seconds = (b.at - a.at) / 1000
  const hz = 100
  const used = (pid: number | undefined) => {
    if (pid === undefined) return 0
    const after = b.procs.get(pid)
    const before = a.procs.get(pid)
    return after ? (after[1] - (before && before[0] === after[0] ? before[1] : 0)) / hz / seconds : 0
  }
  let postgres = 0
  for (const [pid, [comm, ticks]] of b.procs) {
    if (!comm.startsWith('postgres')) continue
    const before = a.procs.get(pid)
    postgres += (ticks - (before && before[0] === comm ? before[1] : 0)) / hz / seconds
  }
  const c = { kando: used(pids.kando), smtp: used(pids.smtp), baseline: used(pids.baseline), postgres, bench: used(process.pid) }
  const busy = (b.machine.busy - a.machine.busy) / hz / seconds
  return { ...c, other: Math.max(0, busy - c.kando - c.smtp - c.baseline - c.postgres - c.bench) }
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]! : null)

type Emit = { emitted: number; errors: number; firstError: string | null; startedAt: number; finishedAt: number; lagP99Ms: number | null; lagMaxMs: number | null }

/**
 * Polls the stand-in until `expected` messages have arrived since the last take (with `kandoPort`:
 * until Kando has written all its shipments and as many messages have arrived); returns them all.
 * Gives up after BENCH_DRAIN_TIMEOUT s, or 60 s without progress. Logs progress every 10 s.
 */
async function collect(smtpPort: number, expected: number, label: string, kandoPort?: number): Promise<{ arrivals: Arrival[]; emit?: Emit }> {
  const all: Arrival[] = []
  let last = -1
  let lastChange = performance.now()
  let lastLog = performance.now()
  const t0 = performance.now()
  const deadline = t0 + DRAIN_TIMEOUT_S * 1000
  let emit: Emit | undefined
  let written = 0
  for (;;) {
    all.push(...(await control<Arrival[]>(smtpPort, 'take')))
    if (kandoPort !== undefined && !emit) {
      const st = await control<{ written: number; result: Emit | null; error: string | null }>(kandoPort, 'emitted')
      if (st.error) throw new Error(`${label}: emission failed: ${st.error}`)
      written = st.written
      if (st.result) (emit = st.result), (expected = st.result.emitted)
    }
    if ((kandoPort === undefined || emit) && all.length >= expected) return { arrivals: all, emit }
    if (all.length + written !== last) (last = all.length + written), (lastChange = performance.now())
    if (performance.now() - lastLog > 10_000) (lastLog = performance.now()), log(`    ${((performance.now() - t0) / 1000).toFixed(0)} s: ${kandoPort !== undefined ? `${written} shipments written, ` : ''}${all.length} messages in`)
    if (performance.now() > deadline || performance.now() - lastChange > 60_000) {
      log(`  ${label}: only ${all.length} of ${expected} messages arrived${kandoPort !== undefined ? `, ${written} shipments written` : ''} (gave up after ${((performance.now() - t0) / 1000).toFixed(0)} s${performance.now() - lastChange > 60_000 ? ', no progress for 60 s' : ''})`)
      if (!emit && kandoPort !== undefined) throw new Error(`${label}: stalled`)
      return { arrivals: all, emit }
    }
    await sleep(200)
  }
}

/** Messages/s between the 10th and 50th, and the 50th and 90th percentile of arrivals: does the rate hold? */
function rateHalves(times: number[]): [number, number] | null {
  if (times.length < 100) return null
  const t = [...times].sort((a, b) => a - b)
  const at = (p: number) => t[Math.floor((t.length - 1) * p)]!
  const n = (a: number, b: number) => (Math.floor((t.length - 1) * b) - Math.floor((t.length - 1) * a)) / ((at(b) - at(a)) / 1000)
  return [n(0.1, 0.5), n(0.5, 0.9)]
}

/** Runs one read-only query against the benchmark's database, outside the Kando process. */
async function readRows<T>(engine: DialectName, url: string, q: string): Promise<T[]> {
  if (engine === 'sqlite') {
    const db = new SQLite(url.slice('sqlite:'.length), { readonly: true, fileMustExist: true })
    db.pragma('busy_timeout = 5000')
    try {
      return db.prepare(q).all() as T[]
    } finally {
      db.close()
    }
  }
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    return (await c.query(q)).rows as T[]
  } finally {
    await c.end()
  }
}

/** Rows in the job table (SQLite `jobs`; pg-boss `pgboss.job`), by state: what a claim has to look past. */
async function jobCounts(engine: DialectName, url: string): Promise<Record<string, number>> {
  const q = engine === 'sqlite' ? `select state, count(*) as n from jobs group by state` : `select state::text as state, count(*)::int as n from pgboss.job group by 1`
  const rows = await readRows<{ state: string; n: number }>(engine, url, q)
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]))
}

/** Reads the messages (id → event time, status) from the database, outside the Kando process. */
async function messageFacts(engine: DialectName, url: string): Promise<Map<string, { occurredAt: number; status: string }>> {
  const q = `select m.id as id, m.status as status, e.occurred_at as occurred_at from messages m join events e on e.id = m.event_id where m.type = 'shipment_shipped'`
  const rows = await readRows<{ id: string; status: string; occurred_at: string }>(engine, url, q)
  return new Map(rows.map((r) => [r.id, { occurredAt: Date.parse(r.occurred_at), status: r.status }]))
}

/** `<msg_…@domain>` → `msg_…` */
const ourId = (messageId: string) => /^<(msg_[0-9A-Za-z]+)@/.exec(messageId)?.[1]

async function engineRun(engine: DialectName, rows: Row[], notes: string[]): Promise<void> {
  const db = await freshDatabase(engine)
  const dataDir = mkdtempSync(join(tmpdir(), 'kando-bench-data-'))
  const children: ServerChild[] = []
  try {
    const smtpChild = await startServer('bench/lib/notify-smtp.ts', {}, { label: `smtp-${engine}` })
    children.push(smtpChild)
    const smtp = await control<{ url: string; port: number }>(smtpChild.port, 'info')
    const env = {
      KANDO_DATABASE_URL: db.url, KANDO_LOG_LEVEL: process.env.KANDO_LOG_LEVEL ?? 'warn', KANDO_SECRET_KEY: randomBytes(32).toString('base64'), KANDO_DATA_DIR: dataDir,
      KANDO_SMTP_URL: smtp.url, KANDO_SMTP_POOL: String(POOL), KANDO_PUBLIC_URL: 'https://track.example.jp',
    }

    // 1. Seed, in this process, before the worker exists.
    const paced = Math.round(RATE * SECONDS)
    const total = WARMUP + MESSAGES + paced
    log(`${engine}: seeding ${total.toLocaleString('en-US')} orders…`)
    const setup = await createKando(loadConfig(env))
    let seed: Awaited<ReturnType<typeof seedNotify>>
    try {
      let lastLog = performance.now()
      seed = await seedNotify(setup, {
        orders: total,
        progress: (done) => {
          if (performance.now() - lastLog > 10_000) (lastLog = performance.now()), log(`  ${done.toLocaleString('en-US')} orders`)
        },
      })
    } finally {
      await setup.close()
    }
    const seedNote = `${engine}: ${total.toLocaleString('en-US')} confirmed orders seeded in ${seed.seconds.toFixed(0)} s; ${seed.droppedJobs.toLocaleString('en-US')} consumer jobs of their own events (order.placed/confirmed, customer.created) deleted before the worker started`
    log(`  ${seedNote}`)
    notes.push(seedNote)
    const ids = { warmup: seed.orderIds.slice(0, WARMUP), saturated: seed.orderIds.slice(WARMUP, WARMUP + MESSAGES), paced: seed.orderIds.slice(WARMUP + MESSAGES) }

    // 2. Kando and its warm-up.
    const label = `kando-${engine}`
    const nodeArgs = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${join(PROFILE_DIR, label)}`] : []
    const kando = await startServer('bench/lib/notify-worker.ts', env, { label, nodeArgs })
    children.push(kando)
    log(`${engine}: Kando warm-up, ${WARMUP} shipments…`)
    await control(smtpChild.port, 'forgetSamples')
    await control(kando.port, 'emit', { tenantId: seed.tenantId, orderIds: ids.warmup, rate: null, lanes: LANES })
    const w = (await collect(smtpChild.port, WARMUP, 'warm-up', kando.port)).emit!
    if (w.errors) throw new Error(`warm-up: ${w.errors} shipments failed: ${w.firstError}`)
    for (const id of (await messageFacts(engine, db.url)).keys()) seenBefore.add(id)
    const sample = await control<{ messageId: string; bytes: number; subject: string; html: string; text: string } | null>(smtpChild.port, 'sample', { match: '<msg_' })
    if (!sample) throw new Error('no Kando message kept by the stand-in')
    log(`  Kando's mail: ${sample.bytes.toLocaleString('en-US')} B on the wire, subject "${sample.subject}", HTML ${sample.html.length.toLocaleString('en-US')} chars, text ${sample.text.length.toLocaleString('en-US')} chars`)

    // 3. Baseline: nodemailer straight to the stand-in.
    const base = await startServer('bench/lib/notify-baseline.ts', { BENCH_SMTP_URL: smtp.url, BENCH_SMTP_POOL: String(POOL) }, { label: `baseline-${engine}` })
    children.push(base)
    const content = { subject: sample.subject, html: sample.html, text: sample.text, fromName: BENCH_SENDER.name, fromAddress: BENCH_SENDER.email }
    log(`${engine}: baseline (nodemailer direct, pool ${POOL}, ${WINDOW} in hand), ${MESSAGES.toLocaleString('en-US')} messages…`)
    await control(base.port, 'send', { count: WARMUP, window: WINDOW, content })
    await collect(smtpChild.port, WARMUP, 'baseline warm-up')
    {
      const c0 = cpuSnapshot()
      const r = await control<{ sent: number; failed: number; firstError: string | null; startedAt: number; finishedAt: number }>(base.port, 'send', { count: MESSAGES, window: WINDOW, content })
      const { arrivals } = await collect(smtpChild.port, MESSAGES, 'baseline')
      const c = cores(c0, cpuSnapshot(), { smtp: smtpChild.pid, baseline: base.pid, kando: kando.pid })
      const lastAt = Math.max(...arrivals.map((a) => a[1]))
      const seconds = (lastAt - r.startedAt) / 1000
      const windowS = (performance.now() - c0.at) / 1000
      const row: Row = {
        engine, scenario: 'baseline: nodemailer direct', kind: 'baseline', messages: arrivals.length, expected: MESSAGES, duplicates: arrivals.length - new Set(arrivals.map((a) => a[0])).size,
        perSec: arrivals.length / seconds, seconds, p50: null, p99: null, max: null, avgBytes: arrivals.reduce((s, a) => s + a[2], 0) / arrivals.length,
        cpuMsPerMsg: c ? (c.baseline * windowS * 1000) / arrivals.length : null, cores: c,
      }
      if (r.failed) log(`  baseline: ${r.failed} failed: ${r.firstError}`)
      rows.push(row)
      log(`  ${fmt(row.perSec)} messages/s (${row.messages} in ${fmt(seconds, 1)} s), ${fmt(row.avgBytes)} B each${c && c.other > 0.2 ? `; note: other processes used ${fmt(c.other, 2)} cores` : ''}`)
    }
    await base.stop()
    children.splice(children.indexOf(base), 1)

    // 4./5. Kando saturated, then at a fixed rate.
    for (const kind of ['saturated', 'paced'] as const) {
      const orderIds = kind === 'saturated' ? ids.saturated : ids.paced
      log(`${engine}: Kando ${kind === 'saturated' ? `saturated, ${orderIds.length.toLocaleString('en-US')} shipments as fast as ${LANES} callers can write them` : `${RATE} shipments/s for ${SECONDS} s (${orderIds.length.toLocaleString('en-US')}), open loop`}…`)
      // Start from an idle worker: the previous scenario's last consumer jobs (message.sent, …) may still be queued.
      const d0 = performance.now()
      for (;;) {
        const j = await jobCounts(engine, db.url)
        const pending = (j.created ?? 0) + (j.active ?? 0) + (j.retry ?? 0)
        if (pending === 0) break
        if (performance.now() - d0 > DRAIN_TIMEOUT_S * 1000) throw new Error(`${engine}: ${pending} jobs still pending before the ${kind} run`)
        await sleep(250)
      }
      if (performance.now() - d0 > 500) log(`  (waited ${fmt((performance.now() - d0) / 1000, 1)} s for the previous scenario's remaining jobs)`)
      await kando.mark()
      const c0 = cpuSnapshot()
      await control(kando.port, 'emit', { tenantId: seed.tenantId, orderIds, rate: kind === 'saturated' ? null : RATE, lanes: LANES })
      const got = await collect(smtpChild.port, orderIds.length, kind, kando.port)
      const e = got.emit!
      const arrivals = got.arrivals
      log(`  shipments written: ${e.emitted} in ${fmt((e.finishedAt - e.startedAt) / 1000, 1)} s${e.errors ? `, ${e.errors} failed (${e.firstError})` : ''}${e.lagMaxMs !== null ? `; calls started late by p99 ${fmt(e.lagP99Ms, 1)} ms, max ${fmt(e.lagMaxMs, 1)} ms` : ''}`)
      if (process.env.BENCH_SQL_STATS && engine === 'sqlite') {
        await control(kando.port, 'sqlStats')
        renameSync(process.env.BENCH_SQL_STATS, `${process.env.BENCH_SQL_STATS}.${kind}.json`)
        log(`  SQLite statement timings → ${process.env.BENCH_SQL_STATS}.${kind}.json`)
      }
      const c = cores(c0, cpuSnapshot(), { smtp: smtpChild.pid, kando: kando.pid })
      const windowS = (performance.now() - c0.at) / 1000
      const facts = await messageFacts(engine, db.url)
      const latencies: number[] = []
      const seen = new Set<string>()
      let duplicates = 0
      let unknown = 0
      for (const [mid, at] of arrivals) {
        const id = ourId(mid)
        const f = id ? facts.get(id) : undefined
        if (!f) {
          unknown++
          continue
        }
        if (seen.has(id!)) {
          duplicates++
          continue
        }
        seen.add(id!)
        latencies.push(at - f.occurredAt)
      }
      latencies.sort((a, b) => a - b)
      if (unknown) log(`  ${unknown} arrivals not matched to a shipment_shipped message`)
      const lastAt = Math.max(...arrivals.map((a) => a[1]))
      const seconds = (lastAt - e.startedAt) / 1000
      const statuses: Record<string, number> = {}
      for (const [id, f] of facts) if (!seenBefore.has(id)) statuses[f.status] = (statuses[f.status] ?? 0) + 1
      for (const id of facts.keys()) seenBefore.add(id)
      const row: Row = {
        engine, scenario: kind === 'saturated' ? `kando, saturated (${LANES} writers)` : `kando, ${RATE} events/s`, kind, messages: seen.size, expected: orderIds.length, duplicates,
        perSec: seen.size / seconds, seconds, p50: pct(latencies, 50), p99: pct(latencies, 99), max: latencies.at(-1) ?? null,
        avgBytes: arrivals.reduce((s, a) => s + a[2], 0) / Math.max(1, arrivals.length),
        cpuMsPerMsg: c ? (c.kando * windowS * 1000) / Math.max(1, seen.size) : null, cores: c,
        emit: { seconds: (e.finishedAt - e.startedAt) / 1000, perSec: e.emitted / ((e.finishedAt - e.startedAt) / 1000), errors: e.errors, firstError: e.firstError, lagP99Ms: e.lagP99Ms, lagMaxMs: e.lagMaxMs },
        statuses,
      }
      const halves = rateHalves(arrivals.map((a) => a[1]))
      const jobs = await jobCounts(engine, db.url)
      row.halves = halves
      row.jobs = jobs
      rows.push(row)
      log(`  job table after: ${JSON.stringify(jobs)}${halves && kind === 'saturated' ? `; accept rate 10→50 % of messages ${fmt(halves[0])}/s, 50→90 % ${fmt(halves[1])}/s` : ''}`)
      log(`  ${fmt(row.perSec)} messages/s (${row.messages} of ${row.expected} in ${fmt(seconds, 1)} s from the first shipment), event→SMTP p50 ${fmt(row.p50)} ms, p99 ${fmt(row.p99)} ms, max ${fmt(row.max)} ms; message rows: ${JSON.stringify(statuses)}${c && c.other > 0.2 ? `; note: other processes used ${fmt(c.other, 2)} cores` : ''}`)
    }
  } finally {
    for (const s of children.reverse()) await s.stop()
    await db.drop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
/** Message ids already counted in an earlier scenario of this engine (so each row's statuses are its own). */
const seenBefore = new Set<string>()

const fmt = (n: number | null | undefined, digits = 0) => (n === null || n === undefined || !Number.isFinite(n) ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }))

function ratioOf(rows: Row[], engine: DialectName): number | null {
  const b = rows.find((r) => r.engine === engine && r.kind === 'baseline')
  const k = rows.find((r) => r.engine === engine && r.kind === 'saturated')
  return b && k ? k.perSec / b.perSec : null
}

function table(rows: Row[]): string {
  const head = ['engine', 'scenario', 'messages', 'messages/s', 'event→SMTP p50 ms', 'p99 ms', 'max ms', 'ratio vs baseline', 'sender CPU ms/msg', 'CPU cores: sender / smtp / pg / other']
  const body = rows.map((r) => [
    r.engine, r.scenario, `${r.messages}${r.messages !== r.expected ? ` of ${r.expected}` : ''}${r.duplicates ? ` (+${r.duplicates} dup)` : ''}`, fmt(r.perSec), fmt(r.p50), fmt(r.p99), fmt(r.max),
    r.kind === 'saturated' ? fmt(ratioOf(rows, r.engine), 2) : '—', fmt(r.cpuMsPerMsg, 2),
    r.cores ? [r.kind === 'baseline' ? r.cores.baseline : r.cores.kando, r.cores.smtp, r.cores.postgres, r.cores.other].map((c) => fmt(c, 2)).join(' / ') : '—',
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)))
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |'
  return [line(head), '|' + widths.map((w, i) => (i < 2 ? ':' + '-'.repeat(w + 1) : '-'.repeat(w + 1) + ':')).join('|') + '|', ...body.map(line)].join('\n')
}

interface Verdict {
  target: string
  measured: string
  met: boolean
}

function verdicts(rows: Row[]): Verdict[] {
  const out: Verdict[] = []
  for (const engine of ENGINES) {
    const name = engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'
    const b = rows.find((r) => r.engine === engine && r.kind === 'baseline')
    const k = rows.find((r) => r.engine === engine && r.kind === 'saturated')
    const p = rows.find((r) => r.engine === engine && r.kind === 'paced')
    const ratio = ratioOf(rows, engine)
    if (b && k && ratio !== null) out.push({ target: `${name}: ≥ ${TARGET_RATIO} × nodemailer direct (saturated)`, measured: `${fmt(ratio, 2)} (${fmt(k.perSec)} vs ${fmt(b.perSec)} messages/s), ${k.messages} of ${k.expected} delivered`, met: ratio >= TARGET_RATIO && k.messages === k.expected })
    if (p) out.push({ target: `${name}: event→SMTP p99 < ${TARGET_P99_MS} ms at ${RATE} events/s`, measured: `p99 ${fmt(p.p99)} ms (p50 ${fmt(p.p50)}, max ${fmt(p.max)}), ${p.messages} of ${p.expected} delivered`, met: (p.p99 ?? Infinity) < TARGET_P99_MS && p.messages === p.expected && RATE === 100 })
  }
  return out
}

async function main(): Promise<void> {
  const m = machine()
  const pgInfo = POSTGRES_ADMIN_URL && ENGINES.includes('postgres') ? await pgServer(POSTGRES_ADMIN_URL) : undefined
  log(`Kando notification benchmark — ${m.date}`)
  for (const line of machineHeader(m, pgInfo)) log(line)
  if (!pgInfo) {
    log('')
    log('*** PostgreSQL NOT RUN: set KANDO_BENCH_POSTGRES_URL or KANDO_TEST_POSTGRES_URL to an admin URL (scripts/test-postgres.sh start) to include it ***')
    log('')
  }
  log(`load: ${MESSAGES.toLocaleString('en-US')} shipments saturated (${LANES} writers), ${RATE}/s for ${SECONDS} s open loop, ${WARMUP} warm-up; SMTP pool ${POOL} (Kando and baseline); baseline keeps ${WINDOW} messages in hand${PROFILE_DIR ? `; CPU profiles of Kando → ${PROFILE_DIR}` : ''}`)
  if (m.cores <= 2) log(`note: ${m.cores} cores are shared by Kando, the SMTP stand-in${pgInfo ? ', PostgreSQL' : ''} and this process`)

  const rows: Row[] = []
  const notes: string[] = []
  const t0 = performance.now()
  for (const engine of ENGINES) {
    seenBefore.clear()
    await engineRun(engine, rows, notes)
  }
  const out = [
    '',
    table(rows),
    '',
    ...notes,
    ...rows.filter((r) => r.emit).map((r) => `${r.engine} ${r.scenario}: shipments written at ${fmt(r.emit!.perSec)}/s (${fmt(r.emit!.seconds, 1)} s)${r.halves && r.kind === 'saturated' ? `; mails accepted at ${fmt(r.halves[0])}/s (10→50 %) then ${fmt(r.halves[1])}/s (50→90 %)` : ''}; job table after: ${JSON.stringify(r.jobs)}${r.emit!.errors ? `, ${r.emit!.errors} failed` : ''}${r.emit!.lagMaxMs !== null ? `, calls late by p99 ${fmt(r.emit!.lagP99Ms, 1)} / max ${fmt(r.emit!.lagMaxMs, 1)} ms` : ''}; message rows ${JSON.stringify(r.statuses)}; ${fmt(r.avgBytes)} B per mail`),
    `messages/s: distinct messages accepted by the SMTP stand-in ÷ time from the first send (baseline) or the first shipment written (Kando) to the last acceptance.`,
    `event→SMTP: events.occurred_at of the message's event → the stand-in's acceptance (just before its 250). sender CPU ms/msg: CPU of the sending process (Kando worker, or the baseline) from /proc ÷ messages;`,
    `for Kando it includes writing the shipments. CPU cores: who used the CPU over the scenario, in cores (of ${m.cores}); "other" is everything else on the machine (interference).`,
    '',
    'Targets:',
    ...verdicts(rows).map((v) => `  [${v.met ? ' PASS' : ' FAIL'}] ${v.target}: ${v.measured}`),
    ...(ENGINES.includes('postgres') ? [] : ['  [ n/a ] PostgreSQL: NOT RUN (no KANDO_BENCH_POSTGRES_URL / KANDO_TEST_POSTGRES_URL)']),
    `whole benchmark: ${fmt((performance.now() - t0) / 1000, 0)} s`,
  ].join('\n')
  process.stdout.write(out + '\n')
  if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify({ machine: m, postgres: pgInfo ?? null, messages: MESSAGES, rate: RATE, seconds: SECONDS, pool: POOL, lanes: LANES, rows, verdicts: verdicts(rows) }, null, 2))
}

await main()
