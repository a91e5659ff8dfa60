/**
 * The Kando process of `npm run bench:notify`: `createKando` + `startWorker()` (what `kando worker`
 * runs; no HTTP), configured from the environment like production (KANDO_DATABASE_URL,
 * KANDO_SMTP_URL → the stand-in, KANDO_SMTP_POOL, KANDO_LOG_LEVEL, …).
 *
 * The shipments are created here, in the worker's process, as `kando start` would on an API call or
 * a Shopify fulfilment (HTTP and worker in one process, the embedded default): each
 * `tracking.createShipment` is one transaction that writes the shipment and its events
 * (shipment.created, …) to the outbox, and the notifications consumer turns shipment.created into a
 * `shipment_shipped` email. So Kando's CPU here covers making the event as well as mailing it.
 *
 * Control (bench/lib/notify-control.ts): `emit` {tenantId, orderIds, rate|null, lanes} starts creating
 * one shipment per order, as fast as `lanes` concurrent callers can (rate null) or open loop at `rate`
 * per second (shipment i is due at start + i/rate, whatever happened before); `emitted` tells how
 * many are written and, when all are, the result; `sqlStats` writes the SQLite statement timings. BENCH_SQL_STATS=<file>: SQLite statements timed (bench/lib/sql-stats.ts). SIGTERM closes Kando and exits 0 (so `--cpu-prof` writes its profile).
 */
import { randomInt } from 'node:crypto'
import { loadConfig } from '../../src/platform/config.ts'
import { createKando } from '../../src/kando.ts'
import { serveControl, wallMs } from './notify-control.ts'
import { serverStats } from './server-stats.ts'
import { installSqlStats } from './sql-stats.ts'

const stats = serverStats()
// Optional diagnostics (BENCH_SQL_STATS=<file>): per-statement SQLite timings since the last SIGUSR2.
const sql = process.env.BENCH_SQL_STATS ? installSqlStats(process.env.BENCH_SQL_STATS) : undefined
if (sql) process.on('SIGUSR2', () => sql.reset())
const kando = await createKando(loadConfig())
await kando.startWorker()

const numbers = new Set<string>()
/** A Yamato number: 11 digits and the mod-7 check digit, unique in this process. */
function trackingNumber(): string {
  for (;;) {
    const body = String(100_000_000_00 + randomInt(800_000_000_00))
    const n = body + String(Number(BigInt(body) % 7n))
    if (!numbers.has(n)) return numbers.add(n), n
  }
}

const progress = { written: 0 }

interface EmitResult {
  emitted: number
  errors: number
  firstError: string | null
  /** Wall-clock ms of the first call and of the last completed write. */
  startedAt: number
  finishedAt: number
  /** Open loop only: how late calls started after they were due (event loop busy). */
  lagP99Ms: number | null
  lagMaxMs: number | null
}

async function emit(body: { tenantId: string; orderIds: string[]; rate: number | null; lanes?: number }): Promise<EmitResult> {
  const scope = kando.scope(body.tenantId)
  let emitted = 0
  let errors = 0
  let firstError: string | null = null
  const one = async (orderId: string) => {
    try {
      await kando.tracking.createShipment(scope, orderId, { carrier: 'yamato', trackingNumber: trackingNumber() }, { source: 'api', actor: 'bench' })
      emitted++
      progress.written++
    } catch (err) {
      errors++
      firstError ??= err instanceof Error ? err.message : String(err)
    }
  }
  const startedAt = wallMs()
  if (body.rate === null) {
    let next = 0
    const lane = async () => {
      while (next < body.orderIds.length) {
        await one(body.orderIds[next++]!)
        // As between two API requests: let the worker (and everything else) in.
        await new Promise((r) => setImmediate(r))
      }
    }
    await Promise.all(Array.from({ length: body.lanes ?? 8 }, lane))
    return { emitted, errors, firstError, startedAt, finishedAt: wallMs(), lagP99Ms: null, lagMaxMs: null }
  }
  const rate = body.rate
  const lags: number[] = []
  const running: Array<Promise<void>> = []
  await new Promise<void>((resolve) => {
    let i = 0
    const tick = () => {
      const now = wallMs()
      while (i < body.orderIds.length && startedAt + (i * 1000) / rate <= now) {
        lags.push(now - (startedAt + (i * 1000) / rate))
        running.push(one(body.orderIds[i++]!))
      }
      if (i >= body.orderIds.length) return resolve()
      setTimeout(tick, Math.max(0, startedAt + (i * 1000) / rate - wallMs()))
    }
    tick()
  })
  await Promise.all(running)
  lags.sort((a, b) => a - b)
  return { emitted, errors, firstError, startedAt, finishedAt: wallMs(), lagP99Ms: lags[Math.floor(lags.length * 0.99)] ?? 0, lagMaxMs: lags[lags.length - 1] ?? 0 }
}

// An emission can outlast any HTTP timeout: `emit` starts it, `emitted` reports progress and, once
// done, the result.
let current: { written: () => number; result?: EmitResult; error?: string } | undefined
await serveControl({
  emit: (body: Parameters<typeof emit>[0]) => {
    if (current && !current.result && !current.error) throw new Error('an emission is still running')
    const state: NonNullable<typeof current> = { written: () => progress.written }
    current = state
    progress.written = 0
    emit(body).then((r) => (state.result = r), (err: unknown) => (state.error = err instanceof Error ? err.stack ?? err.message : String(err)))
    return null
  },
  emitted: () => ({ written: current?.written() ?? 0, result: current?.result ?? null, error: current?.error ?? null }),
  sqlStats: () => {
    sql?.write()
    sql?.reset()
    return null
  },
})

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  stats.report()
  sql?.write()
  await kando.close()
  process.exit(0)
}
process.on('SIGTERM', () => void stop())
process.on('SIGINT', () => void stop())
