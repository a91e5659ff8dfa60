import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely'

export const returnsMigrations: Record<string, Migration> = {
  '0021_returns': {
    async up(db: Kysely<any>) {
      const bytes = db.getExecutor().adapter instanceof PostgresAdapter ? sql`bytea` : sql`blob`
      await db.schema
        .createTable('return_settings')
        .addColumn('tenant_id', 'text', (c) => c.primaryKey())
        .addColumn('policy', 'text', (c) => c.notNull())
        .addColumn('refund_via', 'text', (c) => c.notNull())
        .addColumn('shopify_domain', 'text')
        .addColumn('shopify_token_sealed', 'text')
        .addColumn('shopify_location_id', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()

      let t = db.schema.createTable('returns').addColumn('id', 'text', (c) => c.primaryKey()).addColumn('tenant_id', 'text', (c) => c.notNull())
      for (const [name, notNull] of [
        ['rma', true], ['order_id', true], ['customer_id', false], ['status', true], ['reason_code', true], ['reason_note', false], ['resolution', true], ['method', true],
        ['pickup_date', false], ['pickup_slot', false], ['shipping_paid_by', true], ['decision', true], ['currency', true], ['exchange_order_id', false], ['exchange_hold', false],
        ['return_by', false], ['refund_status', true], ['refund_ref', false], ['store_credit_id', false], ['carrier', false], ['tracking_number', false], ['location_id', false],
        ['nonce', true], ['token_hash', true], ['request_key', false], ['note', false], ['created_at', true], ['updated_at', true], ['approved_at', false], ['received_at', false], ['inspected_at', false], ['resolved_at', false],
      ] as const) t = t.addColumn(name, 'text', (c) => (notNull ? c.notNull() : c))
      for (const name of ['needs_review', 'items_value', 'refund_amount', 'credit_amount', 'exchange_difference', 'instant', 'version'] as const) t = t.addColumn(name, 'bigint', (c) => c.notNull())
      await t.execute()
      await db.schema.createIndex('returns_rma').on('returns').columns(['tenant_id', 'rma']).unique().execute()
      await db.schema.createIndex('returns_order').on('returns').columns(['tenant_id', 'order_id']).execute()
      await db.schema.createIndex('returns_status').on('returns').columns(['tenant_id', 'status', 'id']).execute()
      await db.schema.createIndex('returns_customer').on('returns').columns(['tenant_id', 'customer_id', 'created_at']).execute()
      await db.schema.createIndex('returns_token').on('returns').column('token_hash').unique().execute()
      // A form sent twice (a double click, a retry after a lost answer) opens one case.
      await sql`create unique index returns_request_key on returns (tenant_id, order_id, request_key) where request_key is not null`.execute(db)
      // Instant exchanges waiting for the original: the escalation sweep reads only these.
      await sql`create index returns_due on returns (return_by) where return_by is not null and received_at is null and status = 'approved'`.execute(db)

      let l = db.schema.createTable('return_lines').addColumn('id', 'text', (c) => c.primaryKey()).addColumn('tenant_id', 'text', (c) => c.notNull())
      for (const [name, notNull] of [
        ['return_id', true], ['order_line_id', true], ['variant_id', false], ['sku', false], ['title', true], ['variant_title', false], ['condition', true],
        ['exchange_variant_id', false], ['exchange_sku', false], ['exchange_title', false], ['grade', false], ['restocked_location', false], ['inspection_note', false],
      ] as const) l = l.addColumn(name, 'text', (c) => (notNull ? c.notNull() : c))
      for (const name of ['quantity', 'unit_price', 'received_quantity'] as const) l = l.addColumn(name, 'bigint', (c) => c.notNull())
      l = l.addColumn('exchange_unit_price', 'bigint')
      await l.execute()
      await db.schema.createIndex('return_lines_return').on('return_lines').columns(['tenant_id', 'return_id']).execute()
      await db.schema.createIndex('return_lines_order_line').on('return_lines').columns(['tenant_id', 'order_line_id']).execute()
      await db.schema.createIndex('return_lines_sku').on('return_lines').columns(['tenant_id', 'sku']).execute()

      await db.schema
        .createTable('return_media')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('return_id', 'text', (c) => c.notNull())
        .addColumn('stage', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('mime', 'text', (c) => c.notNull())
        .addColumn('bytes', 'integer', (c) => c.notNull())
        .addColumn('width', 'integer')
        .addColumn('height', 'integer')
        .addColumn('data', bytes, (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('return_media_return').on('return_media').columns(['tenant_id', 'return_id']).execute()

      await db.schema
        .createTable('return_history')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('return_id', 'text', (c) => c.notNull())
        .addColumn('from_status', 'text')
        .addColumn('to_status', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('detail', 'text')
        .addColumn('at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('return_history_return').on('return_history').columns(['tenant_id', 'return_id', 'id']).execute()

      await db.schema
        .createTable('store_credits')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('customer_id', 'text')
        .addColumn('return_id', 'text', (c) => c.notNull())
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('amount', 'bigint', (c) => c.notNull())
        .addColumn('balance', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute()
      // Once per return, whatever retries or double events do.
      await db.schema.createIndex('store_credits_return').on('store_credits').columns(['tenant_id', 'return_id']).unique().execute()
      await db.schema.createIndex('store_credits_code').on('store_credits').columns(['tenant_id', 'code']).unique().execute()
    },
    async down(db: Kysely<any>) {
      for (const t of ['store_credits', 'return_history', 'return_media', 'return_lines', 'returns', 'return_settings']) await db.schema.dropTable(t).execute()
    },
  },
}
