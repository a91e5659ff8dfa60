/**
 * The Kando server under test, run as its own process (`node --import tsx bench/lib/server.ts`)
 * so the load generator does not share its event loop: createKando + startWorker + buildHttp,
 * exactly what `kando start` runs, listening on a free port. Configuration comes from the
 * environment like the real server (KANDO_DATABASE_URL, KANDO_SECRET_KEY, …).
 * Prints `BENCH_READY {"port":…}` when it accepts requests; on SIGTERM prints `BENCH_STATS {…}`
 * (CPU time and event-loop delay since SIGUSR2), closes HTTP, then the worker, and exits 0
 * (so `--cpu-prof` writes its profile).
 */
import { loadConfig } from '../../src/platform/config.ts'
import { createKando } from '../../src/kando.ts'
import { buildHttp } from '../../src/platform/http/app.ts'
import { serverStats } from './server-stats.ts'
import { installSqlStats } from './sql-stats.ts'

const stats = serverStats()
// Optional diagnostics: per-statement SQLite timings since the measurement window began.
const sql = process.env.BENCH_SQL_STATS ? installSqlStats(process.env.BENCH_SQL_STATS) : undefined
if (sql) process.on('SIGUSR2', () => sql.reset())
const config = loadConfig()
const kando = await createKando(config)
await kando.startWorker()
const app = await buildHttp(kando)
await app.listen({ port: 0, host: '127.0.0.1' })
const address = app.server.address()
const port = typeof address === 'object' && address ? address.port : 0
process.stdout.write(`BENCH_READY ${JSON.stringify({ port, pid: process.pid })}\n`)

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  stats.report()
  sql?.write()
  await app.close()
  await kando.close()
  process.exit(0)
}
process.on('SIGTERM', () => void stop())
process.on('SIGINT', () => void stop())
