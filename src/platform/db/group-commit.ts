import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database } from '../../schema.js'

interface Unit {
  fn: (trx: Transaction<Database>) => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

/**
 * Group commit for SQLite. A commit costs far more than the statements of a typical unit of work
 * (writing the WAL frames), and SQLite has one writer anyway; so units that arrive together run
 * one after another inside ONE transaction, each in its own savepoint. A unit that throws is
 * rolled back to its savepoint alone and gets its error; the others commit together, and each
 * caller hears back only after that commit. Units must do database work only (no waiting on the
 * network), since they hold the writer while they run, and only through the transaction they are
 * given: a query on the plain handle inside a unit waits for the connection the unit holds.
 */
export class SqliteGroupCommit {
  private queue: Unit[] = []
  private flushing = false

  constructor(
    private readonly kysely: Kysely<Database>,
    private readonly maxBatch = 64,
  ) {}

  run<R>(fn: (trx: Transaction<Database>) => Promise<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject })
      if (!this.flushing) {
        this.flushing = true
        // One turn of the event loop lets the requests that arrived together join this batch.
        setImmediate(() => void this.flush())
      }
    })
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch)
        const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = []
        try {
          await this.kysely.transaction().execute(async (trx) => {
            for (const unit of batch) {
              await sql`savepoint unit`.execute(trx)
              try {
                const value = await unit.fn(trx)
                await sql`release unit`.execute(trx)
                outcomes.push({ ok: true, value })
              } catch (error) {
                await sql`rollback to unit`.execute(trx)
                await sql`release unit`.execute(trx)
                outcomes.push({ ok: false, error })
              }
            }
          })
        } catch (error) {
          // The commit itself failed: nothing of this batch was stored.
          for (const unit of batch) unit.reject(error)
          continue
        }
        batch.forEach((unit, i) => {
          const o = outcomes[i]!
          if (o.ok) unit.resolve(o.value)
          else unit.reject(o.error)
        })
      }
    } finally {
      this.flushing = false
    }
  }
}
