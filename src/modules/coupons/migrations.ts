import { sql, type Kysely, type Migration } from 'kysely'

export const couponsMigrations: Record<string, Migration> = {
  '0014_coupons': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('coupon_pools')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('expires_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('coupon_pools_tenant').on('coupon_pools').columns(['tenant_id', 'id']).execute()
      await db.schema
        .createTable('coupon_codes')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('pool_id', 'text', (c) => c.notNull().references('coupon_pools.id'))
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('issued_key', 'text')
        .addColumn('customer_id', 'text')
        .addColumn('issued_at', 'text')
        .addPrimaryKeyConstraint('coupon_codes_pk', ['tenant_id', 'pool_id', 'code'])
        .execute()
      // Shopify discount codes ignore case: SAVE10 and save10 are one code, so a pool holds it once.
      await sql`create unique index coupon_codes_code_ci on coupon_codes (tenant_id, pool_id, lower(code))`.execute(db)
      // Idempotent issuing: one code per key and pool.
      await sql`create unique index coupon_codes_issued_key on coupon_codes (tenant_id, pool_id, issued_key) where issued_key is not null`.execute(db)
      // Only the free codes, in claim order: issuing reads the first entry and never walks past issued ones.
      await sql`create index coupon_codes_free on coupon_codes (tenant_id, pool_id, code) where issued_key is null`.execute(db)
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('coupon_codes').execute()
      await db.schema.dropTable('coupon_pools').execute()
    },
  },
}
