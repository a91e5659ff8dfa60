import type { Kysely, Migration } from 'kysely'

/** Platform tables: the embedded job queue, the event outbox, consumer inbox, idempotency keys. */
export const platformMigrations: Record<string, Migration> = {
  '0001_platform': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('retry_limit', 'integer', (c) => c.notNull())
        .addColumn('retry_delay_s', 'integer', (c) => c.notNull())
        .addColumn('expire_in_s', 'integer', (c) => c.notNull())
        .addColumn('start_after', 'bigint', (c) => c.notNull())
        .addColumn('locked_until', 'bigint')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('finished_at', 'bigint')
        .execute()
      await db.schema.createIndex('jobs_due').on('jobs').columns(['name', 'state', 'start_after']).execute()

      await db.schema
        .createTable('events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('occurred_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('events_tenant_id').on('events').columns(['tenant_id', 'id']).execute()
      await db.schema.createIndex('events_subject').on('events').columns(['tenant_id', 'subject']).execute()

      await db.schema
        .createTable('consumed_events')
        .addColumn('consumer', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('consumed_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('consumed_events_pk', ['consumer', 'event_id'])
        .execute()

      await db.schema
        .createTable('idempotency_keys')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('request_hash', 'text', (c) => c.notNull())
        .addColumn('status_code', 'integer', (c) => c.notNull())
        .addColumn('response_body', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['tenant_id', 'key'])
        .execute()
    },
    async down(db: Kysely<any>) {
      for (const t of ['idempotency_keys', 'consumed_events', 'events', 'jobs']) await db.schema.dropTable(t).execute()
    },
  },
}
