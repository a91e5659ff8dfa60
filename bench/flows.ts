/**
 * `npm run bench:flows`: the flows engine with many customers waiting. Per engine, on a fresh database:
 *
 * 1. Enter: N customers (BENCH_FLOWS_CUSTOMERS, default 100,000) enter a flow with a one-day wait
 *    through events (1,000 per transaction); the 'flows' event consumer creates the runs and the
 *    sweep moves them to their wait. Until all N wait: entries/s and steps/s.
 * 2. Memory: heapUsed after gc() and RSS before entering and at 25/50/75/100 % of N waiting.
 * 3. Jump: the clock moves on 1 day + 1 minute, all N timers are due at once; until all N runs
 *    completed: steps/s and runs/s (each run takes 4 steps: resumed, branch, tag or trait, completed).
 * 4. Lateness: a second flow with a 20 s wait, customers entering at a steady rate in real time (no
 *    jump): how late each timer fires (clock now − wake_at when the run is moved).
 * 5. Same-run baseline: the pure interpreter (`advance`) with an in-memory port over the same N runs.
 *
 * The event consumers and the flows engine (step jobs + timer sweep) run in this process as
 * `kando worker` runs them, without the message sender (the flows take no send_message step).
 * Trigger events are ones no other consumer listens to (review.submitted, nps.responded), so what
 * is measured is the flows engine alone. Steps are counted as flow_run_log rows (one per step).
 */
import { performance } from 'node:perf_hooks'
import SQLite from 'better-sqlite3'
import pg from 'pg'
import pino from 'pino'
import { createKando, type Kando } from '../src/kando.ts'
import type { FlowDefinition } from '../src/modules/flows/definition.ts'
import { advance, type Facts, type RunState, type StepPort } from '../src/modules/flows/interpreter.ts'
import type { DialectName } from '../src/platform/db/index.ts'
import { newId } from '../src/platform/ids.ts'
import type { TenantDb } from '../src/platform/tenancy.ts'
import { testConfig } from '../test/harness.ts'
import { benchEngines, freshDatabase, POSTGRES_ADMIN_URL } from './lib/db.ts'
import { cpuSnapshot, cpuSplit, machine, machineHeader, pgServer, type CpuSplit } from './lib/machine.ts'

const N_DEFAULT = Number(process.env.BENCH_FLOWS_CUSTOMERS ?? 100_000)
/**
 * PostgreSQL enters customers at ~250/s on the 2-core machine (appending the events alone runs at
 * ~320/s: one queue insert per event), so 100,000 would take ~7 minutes of entering: by default it
 * gets 25,000 unless BENCH_FLOWS_CUSTOMERS(_POSTGRES) says otherwise. The output says which.
 */
const N_BY_ENGINE: Record<DialectName, number> = {
  sqlite: Number(process.env.BENCH_FLOWS_CUSTOMERS_SQLITE ?? N_DEFAULT),
  postgres: Number(process.env.BENCH_FLOWS_CUSTOMERS_POSTGRES ?? process.env.BENCH_FLOWS_CUSTOMERS ?? 25_000),
}
const RATE = Number(process.env.BENCH_FLOWS_RATE ?? 500)
const SECONDS = Number(process.env.BENCH_FLOWS_SECONDS ?? 20)
const EVENT_BATCH = 1000
/** A phase gives up (and says so) after this long without progress. */
const STALL_MS = Number(process.env.BENCH_FLOWS_STALL_SECONDS ?? 120) * 1000
const VIP_EVERY = 10
const DAY = 86_400_000

const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with node --expose-gc (npm run bench:flows does)')

/** Moves in real time; `offset` jumps it. */
const clock = { offset: 0, now() { return new Date(Date.now() + this.offset) } }

const waitFlow = (): FlowDefinition => ({
  schemaVersion: 1, name: 'bench: wait a day', trigger: { kind: 'event', type: 'review.submitted' }, entry: 'wait',
  steps: {
    wait: { type: 'wait', for: 'P1D', next: 'check' },
    check: { type: 'condition', if: { fact: 'customer.tag', tag: 'vip' }, then: 'vip', else: 'plain' },
    vip: { type: 'action', action: { kind: 'set_trait', key: 'seg', value: 'vip' } },
    plain: { type: 'action', action: { kind: 'add_tag', tag: 'thanked' } },
  },
  exit: [], reentry: { kind: 'once_ever' },
} as unknown as FlowDefinition)

const steadyFlow = (): FlowDefinition => ({
  schemaVersion: 1, name: 'bench: wait 20 s', trigger: { kind: 'event', type: 'nps.responded' }, entry: 'wait',
  steps: {
    wait: { type: 'wait', for: 'PT20S', next: 'tag' },
    tag: { type: 'action', action: { kind: 'add_tag', tag: 'asked' } },
  },
  exit: [], reentry: { kind: 'once_ever' },
} as unknown as FlowDefinition)

// ------------------------------------------------------------------ counting from outside

/** Counts read on a connection of their own (SQLite: a read-only WAL reader; PostgreSQL: one client). */
interface Probe {
  count(query: string, params: unknown[]): Promise<number>
  close(): Promise<void>
}

async function openProbe(engine: DialectName, url: string): Promise<Probe> {
  if (engine === 'sqlite') {
    const db = new SQLite(url.slice('sqlite:'.length), { readonly: true, fileMustExist: true })
    db.pragma('busy_timeout = 5000')
    const cache = new Map<string, SQLite.Statement>()
    return {
      async count(query, params) {
        let s = cache.get(query)
        if (!s) cache.set(query, (s = db.prepare(query)))
        return Number((s.get(...params) as { n: number }).n)
      },
      async close() { db.close() },
    }
  }
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  return {
    async count(query, params) {
      let i = 0
      const r = await client.query(query.replace(/\?/g, () => `$${++i}`), params)
      return Number((r.rows[0] as { n: string | number }).n)
    },
    async close() { await client.end() },
  }
}

// Each of these is an index range (flow_run_log_flow, flow_runs_flow).
const Q_WAITING = `select count(*) as n from flow_run_log where tenant_id = ? and flow_id = ? and step_id = 'wait' and outcome = 'waiting'`
const Q_COMPLETED = `select count(*) as n from flow_runs where tenant_id = ? and flow_id = ? and status = 'completed'`
const Q_FAILED = `select count(*) as n from flow_runs where tenant_id = ? and flow_id = ? and status = 'failed'`
const Q_STEPS = `select count(*) as n from flow_run_log where tenant_id = ?`

/** Polls `read` until it reaches `target`; gives up after STALL_MS without progress. */
async function until(read: () => Promise<number>, target: number, onValue: (v: number) => void = () => {}, everyMs = 200): Promise<{ reached: boolean; value: number; at: number }> {
  let last = -1
  let lastChange = performance.now()
  for (;;) {
    const v = await read()
    const at = performance.now()
    onValue(v)
    if (v >= target) return { reached: true, value: v, at }
    if (v !== last) { last = v; lastChange = at }
    if (at - lastChange > STALL_MS) return { reached: false, value: v, at }
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]! : NaN)
const mb = (bytes: number) => bytes / 2 ** 20

interface MemSample { label: string; waiting: number; heapMB: number; rssMB: number }
function memory(label: string, waiting: number): MemSample {
  gc!()
  const m = process.memoryUsage()
  return { label, waiting, heapMB: mb(m.heapUsed), rssMB: mb(m.rss) }
}

interface Row {
  engine: DialectName
  customers: number
  enter: { seconds: number; reached: boolean; entered: number; perSecond: number; stepsPerSecond: number; appendSeconds: number; cpu: CpuSplit | null }
  memory: MemSample[]
  jump: { seconds: number; reached: boolean; completed: number; failed: number; stepsPerSecond: number; runsPerSecond: number; steps: number; cpu: CpuSplit | null }
  steady: {
    planned: number; entered: number; completed: number; reached: boolean; appendLateMaxMs: number; offeredPerSecond: number
    timers: number; p50: number; p99: number; max: number
    allWakes: number; allP99: number; allMax: number
    entryP50: number; entryP99: number; cpu: CpuSplit | null
  }
  baseline: { stepsPerSecond: number; entryStepsPerSecond: number }
  sweepQueryMs: number | null
}

// ------------------------------------------------------------------ setup

async function seedCustomers(kando: Kando, scope: TenantDb, count: number, prefix: string): Promise<string[]> {
  const ids: string[] = []
  const now = clock.now().toISOString()
  for (let i = 0; i < count; i += 10_000) {
    await kando.db.transaction(async (trx) => {
      const tx = scope.with(trx)
      for (let j = i; j < Math.min(count, i + 10_000); j += 1000) {
        const rows = []
        const tags = []
        for (let k = j; k < Math.min(count, j + 1000); k++) {
          const id = newId('cus')
          ids.push(id)
          rows.push({ id, email: `${prefix}${k}@example.jp`, phone: null, first_name: '花子', last_name: '山田', locale: 'ja', line_user_id: null, external_ids: '{}', accepts_marketing: 0, created_at: now, updated_at: now })
          if (k % VIP_EVERY === 0) tags.push({ customer_id: id, tag: 'vip', created_at: now })
        }
        await tx.insertInto('customers', rows).execute()
        if (tags.length) await tx.insertInto('customer_tags', tags).execute()
      }
    })
  }
  return ids
}

async function createFlow(kando: Kando, scope: TenantDb, document: FlowDefinition): Promise<{ id: string; doc: FlowDefinition }> {
  const flow = await kando.flows.create(scope, { document })
  await kando.flows.activate(scope, flow.id, {})
  return { id: flow.id, doc: (await kando.flows.get(scope, flow.id)).document }
}

const emit = (kando: Kando, scope: TenantDb, type: string, customers: string[]) =>
  kando.db.transaction((trx) => kando.events.appendAll(scope.with(trx), customers.map((c) => ({ type, subject: `bench_${c}`, data: { customerId: c } }))))

// ------------------------------------------------------------------ the baseline

/** The interpreter alone: the same flow, the same N runs, a port over maps instead of the database. */
async function baseline(doc: FlowDefinition, flowId: string, customers: string[]): Promise<{ stepsPerSecond: number; entryStepsPerSecond: number }> {
  const tags = new Map<string, Set<string>>()
  const traits = new Map<string, Map<string, unknown>>()
  customers.forEach((c, i) => { if (i % VIP_EVERY === 0) tags.set(c, new Set(['vip'])) })
  const portFor = (customerId: string, now: Date): StepPort => {
    const facts: Facts = {
      trait: async (k) => traits.get(customerId)?.get(k) as never,
      hasTag: async (t) => tags.get(customerId)?.has(t) ?? false,
      orderHasSku: async () => false,
      boughtSku: async () => false,
      returnsOpen: async () => false,
      npsLast: async () => null,
      lineLinked: async () => false,
      unsubscribed: async () => false,
      eventData: () => undefined,
    }
    return {
      now, timeZone: 'Asia/Tokyo', facts,
      async act(action) {
        if (action.kind === 'add_tag') {
          const s = tags.get(customerId) ?? new Set<string>()
          const added = !s.has(action.tag)
          s.add(action.tag)
          tags.set(customerId, s)
          return { outcome: 'done', detail: added ? `tag ${action.tag} added` : `already tagged ${action.tag}` }
        }
        if (action.kind === 'set_trait') {
          const m = traits.get(customerId) ?? new Map<string, unknown>()
          m.set(action.key, action.value)
          traits.set(customerId, m)
          return { outcome: 'done', detail: `${action.key} = ${JSON.stringify(action.value)}` }
        }
        return { outcome: 'skipped', detail: 'not in the baseline' }
      },
    }
  }
  const t0 = Date.now()
  const states: RunState[] = []
  let entrySteps = 0
  const a = performance.now()
  for (const c of customers) {
    const s: RunState = { flowId, customerId: c, status: 'waiting', stepId: doc.entry, seq: 0, waitingFor: null, waitEvent: null, wakeAt: new Date(t0), arm: null, attributedAt: null, exitReason: null }
    const r = await advance(doc, s, portFor(c, new Date(t0)))
    entrySteps += r.logs.length
    states.push(r.state)
  }
  const entrySeconds = (performance.now() - a) / 1000
  let steps = 0
  const later = new Date(t0 + DAY + 60_000)
  const b = performance.now()
  for (const s of states) {
    const r = await advance(doc, s, portFor(s.customerId, later))
    if (r.state.status !== 'completed') throw new Error(`baseline: run ended ${r.state.status}`)
    steps += r.logs.length
  }
  const seconds = (performance.now() - b) / 1000
  return { stepsPerSecond: steps / seconds, entryStepsPerSecond: entrySteps / entrySeconds }
}

// ------------------------------------------------------------------ one engine

async function run(engine: DialectName): Promise<Row> {
  const N = N_BY_ENGINE[engine]
  const steadyCount = RATE * SECONDS
  clock.offset = 0
  const database = await freshDatabase(engine)
  const kando = await createKando(testConfig(database.url), { logger: pino({ level: 'silent' }), clock })
  let probe: Probe | undefined
  try {
    const { tenant } = await kando.tenants.create({ slug: `bench-flows-${engine}`, name: 'Bench flows' })
    const scope = kando.scope(tenant.id)
    const tid = tenant.id
    let t = performance.now()
    const customers = await seedCustomers(kando, scope, N, 'c')
    const steadyCustomers = await seedCustomers(kando, scope, steadyCount, 's')
    const f1 = await createFlow(kando, scope, waitFlow())
    const f2 = await createFlow(kando, scope, steadyFlow())
    console.log(`[${engine}] setup: ${N + steadyCount} customers (1 in ${VIP_EVERY} tagged vip), 2 flows in ${((performance.now() - t) / 1000).toFixed(1)} s`)
    probe = await openProbe(engine, database.url)
    const p = probe
    await kando.events.start({ work: true })
    await kando.flows.work()

    // ---- 1 + 2: enter, memory as customers pile up
    const mem: MemSample[] = [memory('0 %', 0)]
    const thresholds = [0.25, 0.5, 0.75, 1]
    const steps0 = await p.count(Q_STEPS, [tid])
    let cpu0 = cpuSnapshot()
    t = performance.now()
    let appendSeconds = NaN
    const appender = (async () => {
      for (let i = 0; i < N; i += EVENT_BATCH) await emit(kando, scope, 'review.submitted', customers.slice(i, i + EVENT_BATCH))
      appendSeconds = (performance.now() - t) / 1000
    })()
    let lastLog = performance.now()
    const entered = await until(() => p.count(Q_WAITING, [tid, f1.id]), N, (v) => {
      while (thresholds.length && v >= thresholds[0]! * N) mem.push(memory(`${(thresholds.shift()! * 100).toFixed(0)} %`, v))
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now()
        console.log(`[${engine}]   entering: ${v} waiting after ${((lastLog - t) / 1000).toFixed(0)} s`)
      }
    })
    await appender
    const enterSeconds = (entered.at - t) / 1000
    const enterCpu = cpuSplit(cpu0, cpuSnapshot(), process.pid)
    const steps1 = await p.count(Q_STEPS, [tid])
    const enter = {
      seconds: enterSeconds, reached: entered.reached, entered: entered.value, perSecond: entered.value / enterSeconds,
      stepsPerSecond: (steps1 - steps0) / enterSeconds, appendSeconds, cpu: enterCpu,
    }
    console.log(`[${engine}] 1. enter: ${entered.value}/${N} waiting in ${enterSeconds.toFixed(1)} s${entered.reached ? '' : ' (GAVE UP: no progress)'} = ${enter.perSecond.toFixed(0)} entries/s, ${enter.stepsPerSecond.toFixed(0)} steps/s (${steps1 - steps0} steps); events appended in ${appendSeconds.toFixed(1)} s`)
    console.log(`[${engine}] 2. memory (heapUsed after gc / RSS): ${mem.map((m) => `${m.label} ${m.heapMB.toFixed(1)} / ${m.rssMB.toFixed(0)} MB`).join(', ')}`)

    // ---- 3: the jump
    const completedBefore = await p.count(Q_COMPLETED, [tid, f1.id])
    cpu0 = cpuSnapshot()
    clock.offset += DAY + 60_000
    t = performance.now()
    lastLog = t
    const done = await until(() => p.count(Q_COMPLETED, [tid, f1.id]), entered.value, (v) => {
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now()
        console.log(`[${engine}]   after the jump: ${v} completed after ${((lastLog - t) / 1000).toFixed(0)} s`)
      }
    })
    const jumpSeconds = (done.at - t) / 1000
    const jumpCpu = cpuSplit(cpu0, cpuSnapshot(), process.pid)
    const steps2 = await p.count(Q_STEPS, [tid])
    const failed = await p.count(Q_FAILED, [tid, f1.id])
    mem.push(memory('after the jump', 0))
    const jump = {
      seconds: jumpSeconds, reached: done.reached, completed: done.value - completedBefore, failed, steps: steps2 - steps1,
      stepsPerSecond: (steps2 - steps1) / jumpSeconds, runsPerSecond: (done.value - completedBefore) / jumpSeconds, cpu: jumpCpu,
    }
    console.log(`[${engine}] 3. jump: ${jump.completed} runs completed in ${jumpSeconds.toFixed(1)} s${done.reached ? '' : ' (GAVE UP: no progress)'} = ${jump.runsPerSecond.toFixed(0)} runs/s, ${jump.stepsPerSecond.toFixed(0)} steps/s (${jump.steps} steps); failed ${failed}`)

    // ---- 4: lateness under a steady load, real time
    // Let the safety-net jobs of the jump's claims (due 15 s after each claim) run first.
    await new Promise((r) => setTimeout(r, 2000))
    kando.flows.lateness = []
    cpu0 = cpuSnapshot()
    const perTick = Math.max(1, Math.round(RATE / 10))
    const start = performance.now()
    let appendLateMaxMs = 0
    for (let i = 0, tick = 0; i < steadyCount; i += perTick, tick++) {
      const due = start + tick * 100
      const wait = due - performance.now()
      if (wait > 0) await new Promise((r) => setTimeout(r, wait))
      appendLateMaxMs = Math.max(appendLateMaxMs, performance.now() - due)
      await emit(kando, scope, 'nps.responded', steadyCustomers.slice(i, i + perTick))
    }
    // What was really offered: the events go in through the same pool, and may not keep up.
    const offeredPerSecond = steadyCount / ((performance.now() - start) / 1000)
    const steadyDone = await until(() => p.count(Q_COMPLETED, [tid, f2.id]), steadyCount, () => {}, 500)
    const steadyCpu = cpuSplit(cpu0, cpuSnapshot(), process.pid)
    const all = [...kando.flows.lateness].sort((a, b) => a - b)
    kando.flows.lateness = undefined
    // Lateness of the 20 s timers alone, from the log: when the run was moved ('resumed' row's `at`,
    // the engine's now when it took the run) − when its wait said it would end ('waiting … until').
    const log = await kando.db.kysely.selectFrom('flow_run_log').select(['run_id', 'outcome', 'detail', 'at'])
      .where('tenant_id', '=', tid).where('flow_id', '=', f2.id).where('outcome', 'in', ['entered', 'waiting', 'resumed']).execute()
    const byRun = new Map<string, { entered?: number; until?: number; waitingAt?: number; resumed?: number }>()
    for (const l of log) {
      const r = byRun.get(l.run_id) ?? {}
      if (l.outcome === 'entered') r.entered = Date.parse(l.at)
      if (l.outcome === 'waiting') { r.until = Date.parse(l.detail!.replace(/^until /, '')); r.waitingAt = Date.parse(l.at) }
      if (l.outcome === 'resumed') r.resumed = Date.parse(l.at)
      byRun.set(l.run_id, r)
    }
    const timers = [...byRun.values()].filter((r) => r.resumed !== undefined && r.until !== undefined).map((r) => r.resumed! - r.until!).sort((a, b) => a - b)
    // Entry hand-off: the consumer wrote the run (due at once) → the sweep moved it to its wait.
    const handoff = [...byRun.values()].filter((r) => r.entered !== undefined && r.waitingAt !== undefined).map((r) => r.waitingAt! - r.entered!).sort((a, b) => a - b)
    const steady = {
      planned: steadyCount, entered: byRun.size, completed: steadyDone.value, reached: steadyDone.reached, appendLateMaxMs, offeredPerSecond,
      timers: timers.length, p50: quantile(timers, 0.5), p99: quantile(timers, 0.99), max: timers.at(-1) ?? NaN,
      allWakes: all.length, allP99: quantile(all, 0.99), allMax: all.at(-1) ?? NaN,
      entryP50: quantile(handoff, 0.5), entryP99: quantile(handoff, 0.99), cpu: steadyCpu,
    }
    console.log(`[${engine}] 4. steady ${RATE}/s for ${SECONDS} s: ${steady.completed}/${steadyCount} completed${steadyDone.reached ? '' : ' (GAVE UP)'}; 20 s timers: ${timers.length}, lateness p50 ${steady.p50} ms, p99 ${steady.p99} ms, max ${steady.max} ms; every wake the engine recorded (timers + entries): ${all.length}, p99 ${steady.allP99} ms, max ${steady.allMax} ms; entry hand-off p50 ${steady.entryP50} / p99 ${steady.entryP99} ms; events appended at most ${appendLateMaxMs.toFixed(0)} ms behind schedule, ${offeredPerSecond.toFixed(0)}/s offered in fact`)

    // The sweep's "is anything due sooner" query, with N finished runs and the log in the table.
    const a = performance.now()
    for (let i = 0; i < 20; i++) await kando.db.kysely.selectFrom('flow_runs').select((eb) => eb.fn.min('wake_at').as('at')).where('status', '=', 'waiting').executeTakeFirst()
    const sweepQueryMs = (performance.now() - a) / 20

    // ---- 5: baseline, same run
    const base = await baseline(f1.doc, f1.id, customers)
    console.log(`[${engine}] 5. baseline (interpreter alone, ${N} runs): ${base.stepsPerSecond.toFixed(0)} steps/s after the wait, ${base.entryStepsPerSecond.toFixed(0)} steps/s entering`)
    return { engine, customers: N, enter, memory: mem, jump, steady, baseline: base, sweepQueryMs }
  } finally {
    await probe?.close()
    await kando.close()
    await database.drop()
  }
}

// ------------------------------------------------------------------ main

const m = machine()
const engines = benchEngines()
const pgInfo = POSTGRES_ADMIN_URL && engines.includes('postgres') ? await pgServer(POSTGRES_ADMIN_URL) : undefined
console.log(machineHeader(m, pgInfo).join('\n'))
if (!engines.includes('postgres')) console.log('PostgreSQL NOT run: set KANDO_BENCH_POSTGRES_URL or KANDO_TEST_POSTGRES_URL')
if (engines.includes('postgres') && N_BY_ENGINE.postgres < N_BY_ENGINE.sqlite) console.log(`PostgreSQL runs ${N_BY_ENGINE.postgres} customers, not ${N_BY_ENGINE.sqlite}: entering is ~250/s there (BENCH_FLOWS_CUSTOMERS_POSTGRES=100000 for the full count, ~10 min)`)
console.log(`customers: ${engines.map((e) => `${e} ${N_BY_ENGINE[e]}`).join(', ')}; flow: wait P1D → condition (tag vip, 1 in ${VIP_EVERY}) → set_trait | add_tag; steady: ${RATE}/s for ${SECONDS} s into a PT20S wait → add_tag\n`)
const rows: Row[] = []
const began = performance.now()
for (const engine of engines) rows.push(await run(engine))
const f0 = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '—')
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '—')
const heapAt = (r: Row, label: string) => r.memory.find((s) => s.label === label)?.heapMB ?? NaN
const cores = (c: CpuSplit | null) => (c ? `${c.server.toFixed(2)} / ${c.postgres.toFixed(2)} / ${c.other.toFixed(2)}` : '—')
console.log('')
console.log('| engine | customers | enter/s | steps/s after the jump | runs/s after the jump | timer lateness p50 / p99 / max ms (offered /s) | heap MB at 0 / 50 / 100 % waiting | baseline steps/s (interpreter alone) |')
console.log('|---|--:|--:|--:|--:|--:|--:|--:|')
for (const r of rows) {
  const mark = (ok: boolean) => (ok ? '' : ' (unfinished)')
  console.log(`| ${r.engine} | ${r.customers} | ${f0(r.enter.perSecond)}${mark(r.enter.reached)} | ${f0(r.jump.stepsPerSecond)}${mark(r.jump.reached)} | ${f0(r.jump.runsPerSecond)} | ${f0(r.steady.p50)} / ${f0(r.steady.p99)} / ${f0(r.steady.max)} (${f0(r.steady.offeredPerSecond)})${mark(r.steady.reached)} | ${f1(heapAt(r, '0 %'))} / ${f1(heapAt(r, '50 %'))} / ${f1(heapAt(r, '100 %'))} | ${f0(r.baseline.stepsPerSecond)} |`)
}
console.log('')
console.log('| engine | entering: s / steps/s / events appended in s | memory heap / RSS MB: 0 · 25 · 50 · 75 · 100 % · after the jump | every wake p99 / max ms | entry hand-off p50 / p99 ms | CPU cores this process / postgres / other: enter · jump · steady | sweep min(wake_at) ms |')
console.log('|---|---|---|--:|--:|---|--:|')
for (const r of rows) {
  console.log(`| ${r.engine} | ${f1(r.enter.seconds)} / ${f0(r.enter.stepsPerSecond)} / ${f1(r.enter.appendSeconds)} | ${r.memory.map((s) => `${f1(s.heapMB)}/${f0(s.rssMB)}`).join(' · ')} | ${f0(r.steady.allP99)} / ${f0(r.steady.allMax)} | ${f0(r.steady.entryP50)} / ${f0(r.steady.entryP99)} | ${cores(r.enter.cpu)} · ${cores(r.jump.cpu)} · ${cores(r.steady.cpu)} | ${r.sweepQueryMs?.toFixed(2) ?? '—'} |`)
}
console.log(`\ntotal ${((performance.now() - began) / 1000).toFixed(0)} s. Targets: ≥ 2,000 steps/s after the jump, timer lateness p99 < 1,000 ms, heap flat with waiting customers.`)
for (const r of rows) {
  const heap = r.memory.filter((s) => s.label.endsWith('%')).map((s) => s.heapMB)
  const growth = Math.max(...heap) - Math.min(...heap)
  console.log(`${r.engine}: steps/s ${r.jump.stepsPerSecond >= 2000 ? 'met' : 'NOT met'} (${f0(r.jump.stepsPerSecond)}); lateness p99 ${r.steady.p99 < 1000 ? 'met' : 'NOT met'} (${f0(r.steady.p99)} ms); heap spread over 0–100 % waiting ${f1(growth)} MB (${f1((growth * 2 ** 20) / Math.max(1, r.enter.entered))} bytes per waiting run)`)
}
