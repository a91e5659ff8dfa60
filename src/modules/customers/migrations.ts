import type { Kysely, Migration } from 'kysely'

export const customersMigrations: Record<string, Migration> = {
  '0004_customers': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('customers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('email', 'text')
        .addColumn('phone', 'text')
        .addColumn('first_name', 'text')
        .addColumn('last_name', 'text')
        .addColumn('locale', 'text', (c) => c.notNull())
        .addColumn('line_user_id', 'text')
        .addColumn('external_ids', 'text', (c) => c.notNull())
        .addColumn('accepts_marketing', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('customers_email').on('customers').columns(['tenant_id', 'email']).execute()
      await db.schema.createIndex('customers_phone').on('customers').columns(['tenant_id', 'phone']).execute()
      await db.schema
        .createTable('customer_external_ids')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('external_id', 'text', (c) => c.notNull())
        .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
        .addPrimaryKeyConstraint('customer_external_ids_pk', ['tenant_id', 'source', 'external_id'])
        .execute()
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('customer_external_ids').execute()
      await db.schema.dropTable('customers').execute()
    },
  },
  '0009_customer_consents': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('customer_consents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('granted', 'integer', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('evidence', 'text')
        .addColumn('recorded_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('customer_consents_current').on('customer_consents').columns(['tenant_id', 'customer_id', 'channel', 'id']).execute()
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('customer_consents').execute()
    },
  },
  '0015_customer_profile': {
    async up(db: Kysely<any>) {
      // The primary keys lead with (tenant, customer): reading one customer's profile is one range of each.
      await db.schema
        .createTable('customer_tags')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('tag', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('customer_tags_pk', ['tenant_id', 'customer_id', 'tag'])
        .execute()
      await db.schema
        .createTable('customer_traits')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('customer_traits_pk', ['tenant_id', 'customer_id', 'key'])
        .execute()
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('customer_traits').execute()
      await db.schema.dropTable('customer_tags').execute()
    },
  },
}
