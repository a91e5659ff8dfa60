import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely'

export const reviewsMigrations: Record<string, Migration> = {
  '0016_reviews': {
    async up(db: Kysely<any>) {
      const bytes = db.getExecutor().adapter instanceof PostgresAdapter ? sql`bytea` : sql`blob`
      await db.schema
        .createTable('review_requests')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('order_id', 'text', (c) => c.notNull())
        .addColumn('customer_id', 'text')
        .addColumn('nonce', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('closes_at', 'text', (c) => c.notNull())
        .addColumn('opened_at', 'text')
        .addColumn('submitted_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('review_requests_order', ['tenant_id', 'order_id'])
        .execute()

      await db.schema
        .createTable('reviews')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('product_id', 'text', (c) => c.notNull())
        .addColumn('variant_id', 'text')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('external_id', 'text')
        .addColumn('verified', 'integer', (c) => c.notNull())
        .addColumn('request_id', 'text')
        .addColumn('order_id', 'text')
        .addColumn('customer_id', 'text')
        .addColumn('rating', 'integer', (c) => c.notNull())
        .addColumn('title', 'text')
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('author_name', 'text', (c) => c.notNull())
        .addColumn('fit', 'text', (c) => c.notNull())
        .addColumn('locale', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('status_reason', 'text')
        .addColumn('flags', 'text', (c) => c.notNull())
        .addColumn('helpful', 'integer', (c) => c.notNull())
        .addColumn('media_count', 'integer', (c) => c.notNull())
        .addColumn('reply_body', 'text')
        .addColumn('reply_at', 'text')
        .addColumn('incentive_tier', 'text')
        .addColumn('incentive_code', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('published_at', 'text')
        .execute()
      // One review per product per order through the token (editing updates it).
      await sql`create unique index reviews_request_product on reviews (tenant_id, request_id, product_id) where request_id is not null`.execute(db)
      // Imports and API sources are idempotent on the source's own id.
      await sql`create unique index reviews_source_external on reviews (tenant_id, source, external_id) where external_id is not null`.execute(db)
      // The storefront list: published reviews of one product, newest or most helpful first.
      await sql`create index reviews_product_newest on reviews (tenant_id, product_id, published_at desc) where status = 'published'`.execute(db)
      await sql`create index reviews_product_helpful on reviews (tenant_id, product_id, helpful desc, published_at desc) where status = 'published'`.execute(db)
      // The moderation queue and the brand's lists.
      await db.schema.createIndex('reviews_status').on('reviews').columns(['tenant_id', 'status', 'id']).execute()
      await db.schema.createIndex('reviews_customer').on('reviews').columns(['tenant_id', 'customer_id']).execute()

      await db.schema
        .createTable('review_media')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('review_id', 'text', (c) => c.notNull().references('reviews.id'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('mime', 'text', (c) => c.notNull())
        .addColumn('bytes', 'integer', (c) => c.notNull())
        .addColumn('width', 'integer')
        .addColumn('height', 'integer')
        .addColumn('data', bytes, (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('review_media_review').on('review_media').columns(['tenant_id', 'review_id', 'position']).execute()

      await db.schema
        .createTable('review_votes')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('review_id', 'text', (c) => c.notNull())
        .addColumn('voter', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('review_votes_pk', ['tenant_id', 'review_id', 'voter'])
        .execute()

      await db.schema
        .createTable('review_audit')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('review_id', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('detail', 'text')
        .addColumn('at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('review_audit_review').on('review_audit').columns(['tenant_id', 'review_id', 'id']).execute()

      await db.schema
        .createTable('review_stats')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('product_id', 'text', (c) => c.notNull())
        .addColumn('variant_id', 'text', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addColumn('rating_sum', 'integer', (c) => c.notNull())
        .addColumn('r1', 'integer', (c) => c.notNull())
        .addColumn('r2', 'integer', (c) => c.notNull())
        .addColumn('r3', 'integer', (c) => c.notNull())
        .addColumn('r4', 'integer', (c) => c.notNull())
        .addColumn('r5', 'integer', (c) => c.notNull())
        .addColumn('with_media', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('review_stats_pk', ['tenant_id', 'product_id', 'variant_id'])
        .execute()

      await db.schema
        .createTable('review_settings')
        .addColumn('tenant_id', 'text', (c) => c.primaryKey())
        .addColumn('settings', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()

      await db.schema
        .createTable('survey_responses')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('order_id', 'text')
        .addColumn('customer_id', 'text')
        .addColumn('nonce', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('location', 'text')
        .addColumn('carrier', 'text')
        .addColumn('score', 'integer')
        .addColumn('score_via', 'text')
        .addColumn('comment', 'text')
        .addColumn('link_hits', 'text', (c) => c.notNull())
        .addColumn('responded_at', 'text')
        .addColumn('alerted_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('survey_responses_subject', ['tenant_id', 'kind', 'subject'])
        .execute()
      await sql`create index survey_responses_answered on survey_responses (tenant_id, kind, responded_at) where score is not null`.execute(db)

      await db.schema
        .createTable('review_imports')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('total', 'integer', (c) => c.notNull())
        .addColumn('processed', 'integer', (c) => c.notNull())
        .addColumn('created', 'integer', (c) => c.notNull())
        .addColumn('skipped', 'integer', (c) => c.notNull())
        .addColumn('errors', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .execute()
    },
    async down(db: Kysely<any>) {
      for (const t of ['review_imports', 'survey_responses', 'review_settings', 'review_stats', 'review_audit', 'review_votes', 'review_media', 'reviews', 'review_requests']) {
        await db.schema.dropTable(t).execute()
      }
    },
  },
  '0020_reviews_by_rating': {
    // The storefront's rating sorts: without these SQLite reads every published review of the brand.
    async up(db: Kysely<any>) {
      await sql`create index reviews_product_rating_desc on reviews (tenant_id, product_id, rating desc, published_at desc, id desc) where status = 'published'`.execute(db)
      await sql`create index reviews_product_rating_asc on reviews (tenant_id, product_id, rating asc, published_at desc, id desc) where status = 'published'`.execute(db)
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('reviews_product_rating_asc').execute()
      await db.schema.dropIndex('reviews_product_rating_desc').execute()
    },
  },
  '0022_review_stats_version': {
    // The storefront's validator: bumped by every change a product page could show (reviews,
    // replies, photos, votes), so a stale page is checked with one statement instead of rebuilt.
    async up(db: Kysely<any>) {
      await db.schema.alterTable('review_stats').addColumn('version', 'bigint', (c) => c.notNull().defaultTo(0)).execute()
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('review_stats').dropColumn('version').execute()
    },
  },
}
