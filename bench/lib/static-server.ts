/**
 * Baseline for the tracking page: a bare Fastify app answering `GET /t/:token` with one static
 * HTML string (a page Kando rendered, read from BENCH_STATIC_FILE, so it has the same size) and
 * the same response headers (BENCH_STATIC_HEADERS, JSON: what Kando sent, minus date/length/connection).
 * No database, no lookup, no rendering: the ratio Kando/baseline is what producing the page costs.
 * Prints `BENCH_READY {"port":…}`; SIGTERM → `BENCH_STATS {…}` and exit (like baseline-server.ts).
 */
import { readFileSync } from 'node:fs'
import Fastify from 'fastify'
import { serverStats } from './server-stats.ts'

const stats = serverStats()
const file = process.env.BENCH_STATIC_FILE
if (!file) throw new Error('BENCH_STATIC_FILE must name the HTML file to serve')
const body = readFileSync(file, 'utf8')
const headers = JSON.parse(process.env.BENCH_STATIC_HEADERS ?? '{}') as Record<string, string>
if (!headers['content-type']) headers['content-type'] = 'text/html; charset=utf-8'
if (!headers['cache-control']) headers['cache-control'] = 'private, no-store'

const app = Fastify({ logger: false })
app.get<{ Params: { token: string } }>('/t/:token', async (_req, reply) => reply.headers(headers).send(body))
await app.listen({ port: 0, host: '127.0.0.1' })
const address = app.server.address()
const port = typeof address === 'object' && address ? address.port : 0
process.stdout.write(`BENCH_READY ${JSON.stringify({ port, pid: process.pid })}\n`)

const stop = async () => {
  stats.report()
  await app.close()
  process.exit(0)
}
process.once('SIGTERM', () => void stop())
process.once('SIGINT', () => void stop())
