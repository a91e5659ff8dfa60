import { Migrator, type Migration, type MigrationProvider } from 'kysely'
import type { Db } from './platform/db/index.js'
import { platformMigrations } from './platform/migrations.js'
import { tenantsMigrations } from './modules/tenants/migrations.js'
import { catalogMigrations } from './modules/catalog/migrations.js'
import { customersMigrations } from './modules/customers/migrations.js'
import { ordersMigrations } from './modules/orders/migrations.js'
import { shopifyMigrations } from './integrations/shopify/migrations.js'

/** Every module's migrations; names start with a global sequence number so they apply in order. */
export const allMigrations: Record<string, Migration> = {
  ...platformMigrations,
  ...tenantsMigrations,
  ...catalogMigrations,
  ...customersMigrations,
  ...ordersMigrations,
  ...shopifyMigrations,
}

const provider: MigrationProvider = { getMigrations: async () => allMigrations }

/** Brings the schema up to date; safe to run from several processes at once (Kysely locks). */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db: db.kysely, provider })
  const { error, results } = await migrator.migrateToLatest()
  if (error) throw error instanceof Error ? error : new Error(String(error))
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}
