/** Tables owned by the platform itself (queue, outbox, idempotency). */
export interface JobsTable {
  id: string
  name: string
  data: string
  state: 'created' | 'active' | 'completed' | 'failed'
  attempt: number
  retry_limit: number
  retry_delay_s: number
  expire_in_s: number
  start_after: number
  locked_until: number | null
  last_error: string | null
  created_at: number
  finished_at: number | null
}

/** The transactional outbox: every domain event, written in the transaction of its state change. */
export interface EventsTable {
  id: string
  tenant_id: string
  type: string
  subject: string
  data: string
  occurred_at: string
}

/** Which consumer already handled which event: makes at-least-once delivery have one effect. */
export interface ConsumedEventsTable {
  consumer: string
  event_id: string
  tenant_id: string
  consumed_at: string
}

/** Stored answers to requests made with an Idempotency-Key header. */
export interface IdempotencyKeysTable {
  tenant_id: string
  key: string
  request_hash: string
  status_code: number
  response_body: string
  created_at: string
}

export interface PlatformTables {
  jobs: JobsTable
  events: EventsTable
  consumed_events: ConsumedEventsTable
  idempotency_keys: IdempotencyKeysTable
}
