import type { Kysely, Migration } from 'kysely'

export const catalogMigrations: Record<string, Migration> = {
  '0003_catalog': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('products')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('external_id', 'text')
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('vendor', 'text')
        .addColumn('product_type', 'text')
        .addColumn('tags', 'text', (c) => c.notNull())
        .addColumn('image_url', 'text')
        .addColumn('replenish_after_days', 'integer')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('products_external').on('products').columns(['tenant_id', 'source', 'external_id']).unique().execute()
      await db.schema
        .createTable('variants')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('product_id', 'text', (c) => c.notNull().references('products.id'))
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('external_id', 'text')
        .addColumn('sku', 'text')
        .addColumn('barcode', 'text')
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('price', 'bigint', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('weight_grams', 'integer')
        .addColumn('image_url', 'text')
        .addColumn('replenish_after_days', 'integer')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('variants_sku').on('variants').columns(['tenant_id', 'sku']).unique().execute()
      await db.schema.createIndex('variants_external').on('variants').columns(['tenant_id', 'source', 'external_id']).unique().execute()
      await db.schema.createIndex('variants_product').on('variants').columns(['tenant_id', 'product_id']).execute()
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('variants').execute()
      await db.schema.dropTable('products').execute()
    },
  },
  '0018_products_external_ref': {
    // Storefront widgets name a product by the shop's own id, whatever the source.
    async up(db: Kysely<any>) {
      await db.schema.createIndex('products_external_ref').on('products').columns(['tenant_id', 'external_id']).execute()
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('products_external_ref').execute()
    },
  },
}
