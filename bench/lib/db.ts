import SQLite from 'better-sqlite3'
import pg from 'pg'
import type { DialectName } from '../../src/platform/db/index.ts'

export interface FreshDatabase {
  dialect: DialectName
  url: string
  drop(): Promise<void>
}

/** The PostgreSQL admin URL the benchmark may use, or undefined (then it runs SQLite only). */
export const POSTGRES_ADMIN_URL = process.env.KANDO_BENCH_POSTGRES_URL || process.env.KANDO_TEST_POSTGRES_URL || undefined

/** A fresh, empty database (test/databases.ts: a temp SQLite file, or a new database on the PG server). */
export async function freshDatabase(dialect: DialectName): Promise<FreshDatabase> {
  // test/databases.ts reads its admin URL when loaded; hand it ours first.
  if (POSTGRES_ADMIN_URL) process.env.KANDO_TEST_POSTGRES_URL = POSTGRES_ADMIN_URL
  const { createTestDatabase } = await import('../../test/databases.ts')
  return createTestDatabase(dialect)
}

export interface Progress {
  /** Webhooks stored (accepted) so far. */
  stored: number
  /** Orders that exist. */
  orders: number
  /** Jobs waiting or running in the queue. */
  pendingJobs: number
}

/** Reads ingest progress straight from the database, from outside the server process. */
export interface Probe {
  progress(): Promise<Progress>
  /** Webhooks the worker refused (outcome `rejected: …`), with a sample reason. */
  rejected(): Promise<{ count: number; sample: string | null }>
  close(): Promise<void>
}

export async function openProbe(dialect: DialectName, url: string): Promise<Probe> {
  if (dialect === 'sqlite') {
    // A second connection on the WAL file: reads never block the server's writes.
    const db = new SQLite(url.slice('sqlite:'.length), { readonly: true, fileMustExist: true })
    db.pragma('busy_timeout = 5000')
    // Counted through indexes (shopify_webhooks' primary key, jobs_due): the 4 KB bodies are never read.
    const stmt = db.prepare(`select
        (select count(*) from shopify_webhooks) as stored,
        (select count(*) from orders) as orders,
        (select count(*) from jobs where name = 'shopify.webhook' and state in ('created', 'active')) as pendingJobs`)
    return {
      async progress() {
        return stmt.get() as Progress
      },
      async rejected() {
        const r = db.prepare(`select count(*) as count, max(outcome) as sample from shopify_webhooks where outcome like 'rejected%'`).get() as { count: number; sample: string | null }
        return r
      },
      async close() {
        db.close()
      },
    }
  }
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  return {
    async progress() {
      const r = await client.query(`select
          (select count(*) from shopify_webhooks)::int as stored,
          (select count(*) from orders)::int as orders,
          (select count(*) from pgboss.job where name = 'shopify.webhook' and state in ('created', 'retry', 'active'))::int as "pendingJobs"`)
      return r.rows[0] as Progress
    },
    async rejected() {
      const r = await client.query(`select count(*)::int as count, max(outcome) as sample from shopify_webhooks where outcome like 'rejected%'`)
      return r.rows[0] as { count: number; sample: string | null }
    },
    async close() {
      await client.end()
    },
  }
}

/** The engines a benchmark runs (`BENCH_ENGINES`, default both); PostgreSQL only with an admin URL. */
export function benchEngines(): DialectName[] {
  return (process.env.BENCH_ENGINES?.split(',').map((s) => s.trim()) ?? ['sqlite', 'postgres']).filter(
    (e): e is DialectName => e === 'sqlite' || (e === 'postgres' && !!POSTGRES_ADMIN_URL),
  )
}
