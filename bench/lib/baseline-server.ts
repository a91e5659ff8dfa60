/**
 * The bare baseline: a minimal Fastify app that stores each webhook body with one insert and
 * nothing else (no signature check, no tenant lookup, no queue, no ORM). Same process model,
 * same route, same pragmas (SQLite: WAL, synchronous=NORMAL) and pool size (pg: 10) as Kando,
 * so the ratio Kando/baseline measures what Kando adds on top of "receive and store".
 * Env: BENCH_BASELINE_URL = sqlite:<file> or postgres://…
 */
import Fastify from 'fastify'
import SQLite from 'better-sqlite3'
import pg from 'pg'
import { serverStats } from './server-stats.ts'

const stats = serverStats()

const url = process.env.BENCH_BASELINE_URL ?? ''
let insert: (webhookId: string, body: string) => Promise<void> | void
let close: () => Promise<void> | void

if (url.startsWith('sqlite:')) {
  const db = new SQLite(url.slice('sqlite:'.length))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.exec('create table if not exists bench_bodies (id integer primary key, webhook_id text not null, body text not null, received_at text not null)')
  const stmt = db.prepare('insert into bench_bodies (webhook_id, body, received_at) values (?, ?, ?)')
  insert = (webhookId, body) => {
    stmt.run(webhookId, body, new Date().toISOString())
  }
  close = () => {
    db.close()
  }
} else if (url.startsWith('postgres')) {
  const pool = new pg.Pool({ connectionString: url, max: 10 })
  await pool.query('create table if not exists bench_bodies (id bigserial primary key, webhook_id text not null, body text not null, received_at timestamptz not null)')
  insert = async (webhookId, body) => {
    await pool.query('insert into bench_bodies (webhook_id, body, received_at) values ($1, $2, $3)', [webhookId, body, new Date().toISOString()])
  }
  close = () => pool.end()
} else {
  throw new Error(`BENCH_BASELINE_URL must be sqlite:<file> or postgres://… (got "${url}")`)
}

const app = Fastify({ logger: false })
app.removeAllContentTypeParsers()
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body))
app.post<{ Params: { tenant: string }; Body: Buffer }>('/webhooks/shopify/:tenant', async (req) => {
  const id = req.headers['x-shopify-webhook-id']
  await insert(typeof id === 'string' ? id : '', req.body.toString('utf8'))
  return { outcome: 'accepted' }
})
await app.listen({ port: 0, host: '127.0.0.1' })
const address = app.server.address()
const port = typeof address === 'object' && address ? address.port : 0
process.stdout.write(`BENCH_READY ${JSON.stringify({ port, pid: process.pid })}\n`)

const stop = async () => {
  stats.report()
  await app.close()
  await close()
  process.exit(0)
}
process.once('SIGTERM', () => void stop())
process.once('SIGINT', () => void stop())
