import type { Kysely, Migration } from 'kysely'

export const fulfillmentMigrations: Record<string, Migration> = {
  '0012_fulfillment': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('allocations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('order_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('trigger', 'text', (c) => c.notNull())
        .addColumn('cost_total', 'bigint')
        .addColumn('decision', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('allocations_order').on('allocations').columns(['tenant_id', 'order_id', 'created_at']).execute()
      await db.schema
        .createTable('fulfillment_parcels')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('order_id', 'text', (c) => c.notNull())
        .addColumn('allocation_id', 'text', (c) => c.notNull().references('allocations.id'))
        .addColumn('location_id', 'text', (c) => c.notNull())
        .addColumn('label_ref', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('temperature', 'text', (c) => c.notNull())
        .addColumn('size_band', 'integer', (c) => c.notNull())
        .addColumn('ship_date', 'text', (c) => c.notNull())
        .addColumn('delivery_date', 'text', (c) => c.notNull())
        .addColumn('days_late', 'integer', (c) => c.notNull())
        .addColumn('shipping_cost', 'bigint', (c) => c.notNull())
        .addColumn('lines', 'text', (c) => c.notNull())
        .addColumn('short_lines', 'text', (c) => c.notNull())
        .addColumn('shipment_id', 'text')
        .addColumn('cancel_reason', 'text')
        .addColumn('acknowledged_at', 'text')
        .addColumn('shipped_at', 'text')
        .addColumn('cancelled_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('fulfillment_parcels_order').on('fulfillment_parcels').columns(['tenant_id', 'order_id']).execute()
      // Carrier label files hold 16–20 characters of reference; the carrier's file back maps to the parcel by it.
      await db.schema.createIndex('fulfillment_parcels_label_ref').on('fulfillment_parcels').columns(['tenant_id', 'label_ref']).unique().execute()
      // The warehouse's pull list: one location's parcels in a state, by ship day.
      await db.schema.createIndex('fulfillment_parcels_pull').on('fulfillment_parcels').columns(['tenant_id', 'location_id', 'status', 'ship_date', 'id']).execute()
      await db.schema
        .createTable('fulfillment_orders')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('order_id', 'text', (c) => c.notNull())
        .addColumn('backordered_units', 'integer', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('fulfillment_orders_pk', ['tenant_id', 'order_id'])
        .execute()
      await db.schema.createIndex('fulfillment_orders_backordered').on('fulfillment_orders').columns(['tenant_id', 'backordered_units', 'order_id']).execute()
      // The 3PL's contracted rate table (installation-wide; one row, id 'default').
      await db.schema
        .createTable('shipping_rates')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('rates', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema
        .createTable('fulfillment_settings')
        .addColumn('tenant_id', 'text', (c) => c.primaryKey())
        .addColumn('settings', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
    },
  },
}
