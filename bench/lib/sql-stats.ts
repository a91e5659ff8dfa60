import { writeFileSync } from 'node:fs'
import SQLite from 'better-sqlite3'

/**
 * Diagnostics for the SQLite server child (BENCH_SQL_STATS=<file>): wraps better-sqlite3 so every
 * statement is timed by its SQL text, plus the cost of preparing statements (Kysely prepares each
 * query anew). Install before the database is opened; `write()` saves the totals as JSON.
 */
export function installSqlStats(file: string): { reset(): void; write(): void } {
  const stats = new Map<string, { n: number; us: number; rows: number }>()
  const prep = { n: 0, us: 0 }
  const proto = SQLite.prototype as unknown as { prepare: (sql: string) => Record<string, unknown> }
  const original = proto.prepare
  proto.prepare = function (this: unknown, sql: string) {
    const t0 = process.hrtime.bigint()
    const stmt = original.call(this, sql)
    prep.n++
    prep.us += Number(process.hrtime.bigint() - t0) / 1000
    const key = sql.replace(/\s+/g, ' ').trim()
    for (const m of ['run', 'all', 'get', 'iterate']) {
      const f = stmt[m]
      if (typeof f !== 'function') continue
      stmt[m] = function (...args: unknown[]) {
        const t = process.hrtime.bigint()
        const r = (f as (...a: unknown[]) => unknown).apply(stmt, args)
        const s = stats.get(key) ?? { n: 0, us: 0, rows: 0 }
        s.n++
        s.us += Number(process.hrtime.bigint() - t) / 1000
        s.rows += Array.isArray(r) ? r.length : 0
        stats.set(key, s)
        return r
      }
    }
    return stmt
  }
  return {
    reset() {
      stats.clear()
      prep.n = 0
      prep.us = 0
    },
    write() {
      const statements = [...stats].map(([sql, s]) => ({ sql, ...s })).sort((a, b) => b.us - a.us)
      writeFileSync(file, JSON.stringify({ prepare: prep, statements }, null, 2))
    },
  }
}
