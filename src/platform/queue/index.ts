import type { Clock } from '../clock.js'
import type { Db } from '../db/index.js'
import { PgBossQueue } from './pgboss-queue.js'
import { SqliteQueue } from './sqlite-queue.js'
import type { JobFailure, Queue } from './types.js'

export type { Queue } from './types.js'

/** The queue that fits the database: pg-boss on PostgreSQL, the embedded queue on SQLite. */
export function openQueue(
  db: Db,
  clock: Clock,
  options: { pollMs?: number; maintenanceIntervalSeconds?: number; onError?: (err: unknown) => void; onJobFailed?: (f: JobFailure) => void } = {},
): Queue {
  const { pollMs, maintenanceIntervalSeconds, ...report } = options
  return db.dialect === 'postgres' ? new PgBossQueue(db, { maintenanceIntervalSeconds, ...report }) : new SqliteQueue(db, clock, { pollMs, ...report })
}
