import type { Kysely, Migration } from 'kysely'

export const ordersMigrations: Record<string, Migration> = {
  '0005_orders': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('orders')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('external_id', 'text', (c) => c.notNull())
        .addColumn('number', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('customer_id', 'text')
        .addColumn('email', 'text')
        .addColumn('phone', 'text')
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('subtotal', 'bigint', (c) => c.notNull())
        .addColumn('shipping_total', 'bigint', (c) => c.notNull())
        .addColumn('tax_total', 'bigint', (c) => c.notNull())
        .addColumn('discount_total', 'bigint', (c) => c.notNull())
        .addColumn('total', 'bigint', (c) => c.notNull())
        .addColumn('shipping_address', 'text')
        .addColumn('billing_address', 'text')
        .addColumn('landing_site', 'text')
        .addColumn('referring_site', 'text')
        .addColumn('tags', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .addColumn('attributes', 'text', (c) => c.notNull())
        .addColumn('placed_at', 'text', (c) => c.notNull())
        .addColumn('source_updated_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('tracking_token', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('orders_tracking_token').on('orders').column('tracking_token').unique().execute()
      await db.schema.createIndex('orders_external').on('orders').columns(['tenant_id', 'source', 'external_id']).unique().execute()
      await db.schema.createIndex('orders_tenant_id').on('orders').columns(['tenant_id', 'id']).execute()
      await db.schema.createIndex('orders_status').on('orders').columns(['tenant_id', 'status', 'id']).execute()
      await db.schema.createIndex('orders_customer').on('orders').columns(['tenant_id', 'customer_id']).execute()
      await db.schema
        .createTable('order_lines')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('external_id', 'text')
        .addColumn('sku', 'text')
        .addColumn('variant_id', 'text')
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('variant_title', 'text')
        .addColumn('quantity', 'integer', (c) => c.notNull())
        .addColumn('unit_price', 'bigint', (c) => c.notNull())
        .addColumn('discount', 'bigint', (c) => c.notNull())
        .addColumn('requires_shipping', 'integer', (c) => c.notNull())
        .addColumn('shipped_quantity', 'integer', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('order_lines_order').on('order_lines').columns(['tenant_id', 'order_id', 'position']).execute()
      await db.schema
        .createTable('order_history')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
        .addColumn('from_status', 'text')
        .addColumn('to_status', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('occurred_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('order_history_order').on('order_history').columns(['tenant_id', 'order_id', 'id']).execute()
    },
    async down(db: Kysely<any>) {
      for (const t of ['order_history', 'order_lines', 'orders']) await db.schema.dropTable(t).execute()
    },
  },
  '0008_orders_number': {
    // The customer order lookup (order number + email or phone) finds orders by number.
    async up(db: Kysely<any>) {
      await db.schema.createIndex('orders_number').on('orders').columns(['tenant_id', 'number']).execute()
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('orders_number').execute()
    },
  },
  '0017_order_lines_variant': {
    // "N bought this week" on a product page counts recent orders by variant.
    async up(db: Kysely<any>) {
      await db.schema.createIndex('order_lines_variant').on('order_lines').columns(['tenant_id', 'variant_id', 'order_id']).execute()
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('order_lines_variant').execute()
    },
  },
}
