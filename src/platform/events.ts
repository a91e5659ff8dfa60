import { sql } from 'kysely'
import type { Clock } from './clock.js'
import type { Db } from './db/index.js'
import { fromJson, toJson } from './db/json.js'
import { newId } from './ids.js'
import type { Queue, WorkOptions } from './queue/types.js'
import { TenantDb } from './tenancy.js'

/** A domain event as consumers see it (names in DESIGN.md are stable API). */
export interface DomainEvent<T = Record<string, unknown>> {
  id: string
  tenantId: string
  type: string
  occurredAt: string
  subject: string
  data: T
}

export type EventHandler = (event: DomainEvent, tx: TenantDb) => Promise<void>

interface Consumer {
  name: string
  types: Set<string>
  handler: EventHandler
  work: WorkOptions
  wants?: (tx: TenantDb, type: string) => boolean | Promise<boolean>
}

const queueOf = (consumer: string) => `event.${consumer}`

/**
 * The transactional outbox and its fan-out. `append` writes the event row and one job per
 * subscribed consumer in the caller's transaction; a consumer runs each event once in effect:
 * its handler's writes and the (consumer, event) receipt commit together, so a redelivered
 * job finds the receipt and does nothing.
 */
export class EventBus {
  private consumers = new Map<string, Consumer>()

  constructor(
    private readonly db: Db,
    private readonly queue: Queue,
    private readonly clock: Clock,
    /** How long a consumer job held by a dead worker waits before another worker takes it. */
    private readonly expireInSeconds = 300,
  ) {}

  /** Registers a consumer; call at composition time, in every process, before appending. */
  /**
   * `wants` narrows the subscription per tenant at append time (e.g. only brands with a webhook
   * endpoint for the type), so events nobody acts on cost no job.
   */
  subscribe(name: string, types: string[], handler: EventHandler, work: WorkOptions = {}, wants?: (tx: TenantDb, type: string) => boolean | Promise<boolean>): void {
    if (this.consumers.has(name)) throw new Error(`Consumer "${name}" registered twice`)
    this.consumers.set(name, { name, types: new Set(types), handler, work, wants })
  }

  /** Declares the consumers' queues; with `work`, also runs them in this process. */
  async start(options: { work: boolean }): Promise<void> {
    for (const c of this.consumers.values()) {
      await this.queue.declare(queueOf(c.name), { retryLimit: 10, retryDelaySeconds: 2, expireInSeconds: this.expireInSeconds })
      if (options.work) {
        await this.queue.work<{ eventId: string; tenantId: string }>(queueOf(c.name), (job) =>
          this.deliver(c, job.data.eventId, job.data.tenantId),
        c.work)
      }
    }
  }

  /** Writes an event inside `tx` (a TenantDb over an open transaction). */
  async append<T extends Record<string, unknown>>(tx: TenantDb, type: string, subject: string, data: T): Promise<DomainEvent<T>> {
    return (await this.appendAll(tx, [{ type, subject, data }]))[0] as DomainEvent<T>
  }

  /** Several events of one change, in order, written with one insert. */
  async appendAll(tx: TenantDb, list: Array<{ type: string; subject: string; data: Record<string, unknown> }>): Promise<DomainEvent[]> {
    const now = this.clock.now()
    const events = list.map((e) => ({ id: newId('evt', now), tenantId: tx.tenantId, type: e.type, occurredAt: now.toISOString(), subject: e.subject, data: e.data }))
    if (events.length === 0) return events
    await tx.insertInto('events', events.map((e) => ({ id: e.id, type: e.type, subject: e.subject, data: toJson(e.data), occurred_at: e.occurredAt }))).execute()
    const jobs: Array<{ name: string; data: unknown }> = []
    for (const event of events) {
      for (const c of this.consumers.values()) {
        if ((c.types.has(event.type) || c.types.has('*')) && (!c.wants || (await c.wants(tx, event.type)))) {
          jobs.push({ name: queueOf(c.name), data: { eventId: event.id, tenantId: tx.tenantId } })
        }
      }
    }
    // One statement for every consumer's job of every event (one round trip, not one per job).
    await this.queue.sendMany(tx.db, jobs)
    return events
  }

  /** A tenant's past events in [from, to), oldest first, after the event id `after` (flow dry runs). */
  async history(tx: TenantDb, q: { from: string; to: string; after?: string; limit: number; types?: string[] }): Promise<DomainEvent[]> {
    let query = tx.selectFrom('events').selectAll().where('occurred_at', '>=', q.from).where('occurred_at', '<', q.to).orderBy('id').limit(q.limit)
    if (q.after) query = query.where('id', '>', q.after)
    if (q.types?.length) query = query.where('type', 'in', q.types)
    return (await query.execute()).map(toEvent)
  }

  private async deliver(consumer: Consumer, eventId: string, tenantId: string): Promise<void> {
    await this.db.transaction(async (trx) => {
      const tx = new TenantDb(tenantId, trx, this.db.dialect)
      const receipt = await sql`insert into consumed_events (consumer, event_id, tenant_id, consumed_at)
        values (${consumer.name}, ${eventId}, ${tenantId}, ${this.clock.now().toISOString()})
        on conflict do nothing`.execute(trx)
      if (Number(receipt.numAffectedRows ?? 0) === 0) return // already handled
      const row = await tx.selectFrom('events').selectAll().where('id', '=', eventId).executeTakeFirst()
      if (!row) return
      await consumer.handler(toEvent(row), tx)
    })
  }
}

export function toEvent(row: { id: string; tenant_id: string; type: string; subject: string; data: string; occurred_at: string }): DomainEvent {
  return { id: row.id, tenantId: row.tenant_id, type: row.type, occurredAt: row.occurred_at, subject: row.subject, data: fromJson(row.data, {}) }
}
