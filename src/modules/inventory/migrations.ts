import { sql, type Kysely, type Migration } from 'kysely'

export const inventoryMigrations: Record<string, Migration> = {
  '0011_inventory': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('locations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('prefecture_code', 'text', (c) => c.notNull())
        .addColumn('lat', 'double precision', (c) => c.notNull())
        .addColumn('lon', 'double precision', (c) => c.notNull())
        .addColumn('carriers', 'text', (c) => c.notNull())
        .addColumn('cutoff', 'text', (c) => c.notNull())
        .addColumn('daily_capacity', 'integer', (c) => c.notNull())
        .addColumn('capabilities', 'text', (c) => c.notNull())
        .addColumn('closed_weekdays', 'text', (c) => c.notNull())
        .addColumn('closed_dates', 'text', (c) => c.notNull())
        .addColumn('active', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema
        .createTable('location_days')
        .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id'))
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('parcels', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('location_days_pk', ['location_id', 'day'])
        .execute()
      await db.schema
        .createTable('inventory_items')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('sku', 'text', (c) => c.notNull())
        .addColumn('size_band', 'integer', (c) => c.notNull())
        .addColumn('temperature', 'text', (c) => c.notNull())
        .addColumn('requires', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('inventory_items_pk', ['tenant_id', 'sku'])
        .execute()
      await db.schema
        .createTable('stock_levels')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('sku', 'text', (c) => c.notNull())
        .addColumn('location_id', 'text', (c) => c.notNull().references('locations.id'))
        .addColumn('on_hand', 'integer', (c) => c.notNull())
        .addColumn('reserved', 'integer', (c) => c.notNull())
        .addColumn('snapshot_seq', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('stock_levels_pk', ['tenant_id', 'sku', 'location_id'])
        // The database itself refuses a reservation beyond what is on hand: the last line of
        // defence against overselling, whatever the code above it does.
        .addCheckConstraint('stock_levels_reserved_ok', sql`reserved >= 0`)
        .execute()
      await db.schema.createIndex('stock_levels_location').on('stock_levels').columns(['tenant_id', 'location_id', 'sku']).execute()
      await db.schema
        .createTable('stock_movements')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('sku', 'text', (c) => c.notNull())
        .addColumn('location_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('on_hand_change', 'integer', (c) => c.notNull())
        .addColumn('reserved_change', 'integer', (c) => c.notNull())
        .addColumn('on_hand_after', 'integer', (c) => c.notNull())
        .addColumn('reserved_after', 'integer', (c) => c.notNull())
        .addColumn('seq', 'bigint')
        .addColumn('delta_key', 'text')
        .addColumn('ref', 'text')
        .addColumn('at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('stock_movements_delta').on('stock_movements').columns(['tenant_id', 'delta_key']).unique().execute()
      await db.schema.createIndex('stock_movements_sku').on('stock_movements').columns(['tenant_id', 'sku', 'location_id', 'seq']).execute()
      await db.schema.createIndex('stock_movements_ref').on('stock_movements').columns(['tenant_id', 'ref']).execute()
    },
  },
}
