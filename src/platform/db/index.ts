import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import SQLite from 'better-sqlite3'
import pg from 'pg'
import { Kysely, PostgresDialect, SqliteDialect, sql, type SqliteDatabase, type Transaction } from 'kysely'
import type { Database } from '../../schema.js'
import { SqliteGroupCommit } from './group-commit.js'

export type DialectName = 'sqlite' | 'postgres'

export type Executor = Kysely<Database> | Transaction<Database>

/** An open database: the Kysely handle plus what differs between the two engines. */
export interface Db {
  kysely: Kysely<Database>
  dialect: DialectName
  url: string
  /** Raw pg pool (PostgreSQL only): the job library shares it. */
  pool?: pg.Pool
  /**
   * Runs `fn` as one unit of work: all or nothing. On PostgreSQL a transaction; on SQLite a
   * savepoint inside a group commit shared with the units that arrived at the same moment.
   */
  transaction<R>(fn: (trx: Transaction<Database>) => Promise<R>): Promise<R>
  close(): Promise<void>
}

// int8 (counts, sums) fits in a JS number for every value Kando stores; Shopify ids are kept as text.
pg.types.setTypeParser(20, (v) => Number(v))

/** Opens `sqlite:<path>` / `sqlite::memory:` or `postgres://…`. Creates the SQLite folder if needed. */
export function openDb(url: string, options: { poolSize?: number } = {}): Db {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    // Idle clients are kept a minute (pg's default is 10 s): reopening one costs tens of ms of
    // authentication and cold catalog caches, which a bursty public API pays on every burst.
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, idleTimeoutMillis: 60_000 })
    // An idle client losing its connection must not crash the process.
    pool.on('error', () => {})
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
    return { kysely, dialect: 'postgres', url, pool, transaction: (fn) => kysely.transaction().execute(fn), close: () => kysely.destroy() }
  }
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length)
    const inMemory = file === ':memory:' || file === ''
    if (!inMemory) mkdirSync(dirname(resolve(file)), { recursive: true })
    const database = new SQLite(inMemory ? ':memory:' : file)
    database.pragma('journal_mode = WAL')
    // NORMAL in WAL mode: durable against process crashes; a power cut may lose the last commits.
    database.pragma('synchronous = NORMAL')
    database.pragma('foreign_keys = ON')
    database.pragma('busy_timeout = 5000')
    const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) })
    const group = new SqliteGroupCommit(kysely)
    return { kysely, dialect: 'sqlite', url, transaction: (fn) => group.run(fn), close: () => kysely.destroy() }
  }
  throw new Error(`KANDO_DATABASE_URL must start with sqlite: or postgres:// (got "${url}")`)
}

/**
 * Kysely prepares every query afresh; preparing costs more than running a small statement.
 * Kando's queries are a fixed set of shapes, so statements are kept by SQL text (bounded, LRU).
 * Kysely only calls all()/run() on them, never iterate(), so reuse is safe.
 */
function withStatementCache(database: SQLite.Database, max = 500): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>()
  const prepare = (source: string) => {
    let stmt = cache.get(source)
    if (stmt) {
      cache.delete(source)
    } else {
      stmt = database.prepare(source)
      if (cache.size >= max) cache.delete(cache.keys().next().value!)
    }
    cache.set(source, stmt)
    return stmt
  }
  return { prepare, close: () => database.close() }
}

/** True when the error is a unique-constraint violation, on either engine. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string } | undefined
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
}

/** Checks the connection answers; used by /healthz. */
export async function pingDb(db: Db): Promise<void> {
  await sql`select 1`.execute(db.kysely)
}
