import { mkdirSync, rmSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { Migrator, type Migration, type MigrationProvider } from 'kysely'
import type { Db } from './platform/db/index.js'
import { platformMigrations } from './platform/migrations.js'
import { tenantsMigrations } from './modules/tenants/migrations.js'
import { catalogMigrations } from './modules/catalog/migrations.js'
import { customersMigrations } from './modules/customers/migrations.js'
import { ordersMigrations } from './modules/orders/migrations.js'
import { shopifyMigrations } from './integrations/shopify/migrations.js'
import { trackingMigrations } from './modules/tracking/migrations.js'
import { notificationsMigrations } from './modules/notifications/migrations.js'
import { inventoryMigrations } from './modules/inventory/migrations.js'
import { fulfillmentMigrations } from './modules/fulfillment/migrations.js'
import { couponsMigrations } from './modules/coupons/migrations.js'
import { flowsMigrations } from './modules/flows/migrations.js'
import { reviewsMigrations } from './modules/reviews/migrations.js'
import { returnsMigrations } from './modules/returns/migrations.js'

/** Every module's migrations; names start with a global sequence number so they apply in order. */
export const allMigrations: Record<string, Migration> = {
  ...platformMigrations,
  ...tenantsMigrations,
  ...catalogMigrations,
  ...customersMigrations,
  ...ordersMigrations,
  ...shopifyMigrations,
  ...trackingMigrations,
  ...notificationsMigrations,
  ...inventoryMigrations,
  ...fulfillmentMigrations,
  ...flowsMigrations,
  ...couponsMigrations,
  ...reviewsMigrations,
  ...returnsMigrations,
}

const provider: MigrationProvider = { getMigrations: async () => allMigrations }

/**
 * Brings the schema up to date; safe to run from several processes at once. On PostgreSQL Kysely
 * locks a table for it; on SQLite Kysely takes no lock (it assumes one connection), so processes
 * sharing the file take turns through a lock directory beside it.
 */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const run = async () => {
    const migrator = new Migrator({ db: db.kysely, provider })
    const { error, results } = await migrator.migrateToLatest()
    if (error) throw error instanceof Error ? error : new Error(String(error))
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
  }
  const file = db.dialect === 'sqlite' ? db.url.slice('sqlite:'.length) : ''
  if (!file || file === ':memory:') return run()
  return withLockDir(`${resolve(file)}.migrate-lock`, run)
}

/** mkdir is atomic: whoever creates the directory holds the lock. A lock older than a minute is stale. */
async function withLockDir<R>(dir: string, fn: () => Promise<R>): Promise<R> {
  const deadline = Date.now() + 120_000
  for (;;) {
    try {
      mkdirSync(dir)
      break
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const age = Date.now() - (statSync(dir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now())
      if (age > 60_000) rmSync(dir, { recursive: true, force: true })
      else if (Date.now() > deadline) throw new Error(`Timed out waiting for the migration lock ${dir}`)
      else await new Promise((r) => setTimeout(r, 50))
    }
  }
  try {
    return await fn()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
