import type { Kysely, Migration } from 'kysely'

export const shopifyMigrations: Record<string, Migration> = {
  '0006_shopify_webhooks': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('shopify_webhooks')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('webhook_id', 'text', (c) => c.notNull())
        .addColumn('topic', 'text', (c) => c.notNull())
        .addColumn('shop_domain', 'text')
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('processed_at', 'text')
        .addColumn('outcome', 'text')
        .addPrimaryKeyConstraint('shopify_webhooks_pk', ['tenant_id', 'webhook_id'])
        .execute()
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('shopify_webhooks').execute()
    },
  },
}
