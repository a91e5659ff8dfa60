import { sql } from 'kysely'
import type { Logger } from 'pino'
import type { Clock } from '../../platform/clock.js'
import type { Db, Executor } from '../../platform/db/index.js'
import { fromJson, toJson } from '../../platform/db/json.js'
import { AppError } from '../../platform/errors.js'
import type { DomainEvent, EventBus } from '../../platform/events.js'
import { newId } from '../../platform/ids.js'
import type { Queue } from '../../platform/queue/types.js'
import { TenantDb } from '../../platform/tenancy.js'
import type { CatalogService } from '../catalog/service.js'
import type { CouponService } from '../coupons/service.js'
import type { CustomerService } from '../customers/service.js'
import { quietHoursRelease } from '../notifications/rules.js'
import type { NotificationService } from '../notifications/service.js'
import { MESSAGE_TYPES, type MessageType } from '../notifications/types.js'
import type { Order, OrderService } from '../orders/service.js'
import type { TenantService } from '../tenants/service.js'
import { BUILTIN_FLOWS, builtinFlow, type BuiltinKey, type BuiltinOptions } from './builtin.js'
import { parseDuration, type FlowAction, type FlowDefinition } from './definition.js'
import { advance, dateEvent, evaluate, onAwaitedEvent, type ActionResult, type Facts, type RunState, type RunStatus, type StepLog, type StepPort } from './interpreter.js'
import type { FlowRunsTable } from './tables.js'
import { validateFlow, type FlowError } from './validate.js'
import { simulate, type DryRunReport } from './dry-run.js'

export const STEP_QUEUE = 'flows.steps'
/** Runs one sweep hands to one job: one transaction moves them all. */
const CHUNK = 100
/** Runs one sweep claims at most. */
const SWEEP_LIMIT = 1000
/** When the step jobs of a claim come due: only if the sweeping process did not move the runs itself (it died). */
const SAFETY_NET_MS = 15_000
/** How soon after a due-now entry the sweep looks (the entering transaction commits first). */
const NUDGE_MS = 20
const MAX_ATTEMPTS = 5
const LIVE: RunStatus[] = ['waiting', 'running', 'paused']

export type FlowStatus = 'draft' | 'active' | 'paused' | 'archived'

export interface FlowSettings {
  /** Skip a marketing message when the customer got one within this many hours (0 = off). */
  smartSendingHours: number
  /** An order within this many days of a message (or of the split) counts as a conversion. */
  attributionDays: number
  /** Hold every message step of this flow during the brand's quiet hours. */
  respectQuietHours: boolean
}
export const DEFAULT_FLOW_SETTINGS: FlowSettings = { smartSendingHours: 16, attributionDays: 5, respectQuietHours: true }

export interface Flow {
  id: string
  name: string
  status: FlowStatus
  activeVersion: number | null
  latestVersion: number
  builtin: string | null
  settings: FlowSettings
  document: FlowDefinition
  createdAt: string
  updatedAt: string
}

export interface FlowRun {
  id: string
  flowId: string
  version: number
  customerId: string
  orderId: string | null
  status: RunStatus | 'skipped'
  stepId: string
  waitingFor: string | null
  wakeAt: string | null
  arm: string | null
  convertedAt: string | null
  convertedOrderId: string | null
  exitReason: string | null
  lastError: string | null
  enteredAt: string
  endedAt: string | null
  log?: Array<{ seq: number; stepId: string; outcome: string; detail: string | null; messageId: string | null; clicked: boolean; at: string }>
}

interface ActiveFlow {
  id: string
  version: number
  doc: FlowDefinition
  settings: FlowSettings
}

interface Interest {
  at: number
  flows: ActiveFlow[]
  types: Set<string>
  /** The brand has flows with runs that may convert or be clicked (active or paused). */
  measuring: boolean
}

export interface FlowDeps {
  tenants: TenantService
  customers: CustomerService
  orders: OrderService
  catalog: CatalogService
  notifications: NotificationService
  coupons: CouponService
}

const invalidFlow = (errors: FlowError[], prefix = '/document') =>
  new AppError('FLOW_INVALID', 'invalid_data', `The flow document has ${errors.length} problem(s); each names the node that is wrong.`, {
    fields: errors.map((e) => ({ pointer: `${prefix}${e.pointer}`, message: e.message })),
  })
const flowNotFound = (id: string) => new AppError('FLOW_NOT_FOUND', 'not_found', `No flow with id ${id}.`)

/**
 * Flows: versioned automation documents and the engine that moves customers through them.
 *
 * A run's row is its timer. The sweep claims due runs through the `flow_runs_due` index (only
 * waiting runs are in it) and hands them, in chunks, to `flows.steps` jobs in the same
 * transaction; a job moves its runs with the interpreter and writes every step's effects (messages,
 * tags, coupons), the log rows and the run's new state in one transaction, guarded by the claim.
 * A crash anywhere rolls back to a state the sweep or the queue picks up again: every step happens
 * once.
 */
export class FlowService {
  private interest = new Map<string, Interest>()
  private versions = new Map<string, FlowDefinition>()
  private zones = new Map<string, { at: number; zone: string }>()
  private sweeper: NodeJS.Timeout | undefined
  private sweeping = false
  /** The background sweep in progress, so `runDue` can wait for runs it has claimed but not yet moved. */
  private sweepDone: Promise<void> = Promise.resolve()
  private nextSweepAt = Infinity
  private stopped = true
  /** When set (benchmarks), every woken run's lateness in ms is pushed here. */
  lateness: number[] | undefined

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly events: EventBus,
    private readonly queue: Queue,
    private readonly deps: FlowDeps,
    private readonly log: Logger,
    private readonly options: { pollMs: number; jobExpireSeconds?: number } = { pollMs: 250 },
  ) {}

  // ------------------------------------------------------------------ wiring

  register(): void {
    this.events.subscribe('flows', ['*'], (event, tx) => this.onEvent(event, tx), { parallel: 4 }, async (tx, type) => {
      const i = await this.interestOf(tx)
      return i.types.has(type) || (i.measuring && (type === 'order.placed' || type === 'link.clicked'))
    })
  }

  async declare(): Promise<void> {
    await this.queue.declare(STEP_QUEUE, { retryLimit: 10, retryDelaySeconds: 2, expireInSeconds: this.options.jobExpireSeconds ?? 120 })
  }

  /** Runs the step jobs and the timer sweep in this process. */
  async work(): Promise<void> {
    await this.queue.work<{ claim: string; ids: string[] }>(STEP_QUEUE, (job) => this.processClaim(job.data.claim, job.data.ids), { batchSize: 4, concurrency: 2 })
    this.stopped = false
    this.schedule(0)
  }

  stop(): void {
    this.stopped = true
    if (this.sweeper) clearTimeout(this.sweeper)
    this.sweeper = undefined
  }

  private schedule(ms: number): void {
    if (this.stopped) return
    if (this.sweeper) clearTimeout(this.sweeper)
    this.nextSweepAt = Date.now() + ms
    this.sweeper = setTimeout(() => void this.sweepLoop(), ms)
    this.sweeper.unref()
  }

  /** A run due now was written (its transaction commits in a moment): sweep soon, never later than planned. */
  private nudge(): void {
    if (this.stopped || this.sweeping || this.nextSweepAt <= Date.now() + NUDGE_MS) return
    this.schedule(NUDGE_MS)
  }

  /** Sweeps until nothing is due, then sleeps until the next timer (at most pollMs). */
  private sweepLoop(): Promise<void> {
    if (this.sweeping || this.stopped) return this.sweepDone
    this.sweeping = true
    this.sweepDone = this.sweepOnce()
    return this.sweepDone
  }

  private async sweepOnce(): Promise<void> {
    let next = this.options.pollMs
    try {
      while (!this.stopped && (await this.sweepAndMove()) === SWEEP_LIMIT) { /* more are due */ }
      const soonest = await this.db.kysely.selectFrom('flow_runs').select((eb) => eb.fn.min('wake_at').as('at')).where('status', '=', 'waiting').executeTakeFirst()
      if (soonest?.at) next = Math.max(0, Math.min(next, Date.parse(soonest.at) - this.clock.now().getTime()))
    } catch (err) {
      this.log.error({ err }, 'flow sweep failed')
    } finally {
      this.sweeping = false
      this.schedule(next)
    }
  }

  /**
   * Claims what is due and moves it here and now, two chunks at a time. The queued jobs are the
   * safety net: they come due a little later and find nothing left unless this process died.
   */
  private async sweepAndMove(): Promise<number> {
    const { claim, ids } = await this.claimDue(SWEEP_LIMIT)
    const chunks: string[][] = []
    for (let i = 0; i < ids.length; i += CHUNK) chunks.push(ids.slice(i, i + CHUNK))
    await Promise.all([0, 1].map(async () => {
      for (let c = chunks.shift(); c; c = chunks.shift()) await this.processClaim(claim, c)
    }))
    return ids.length
  }

  /**
   * Claims due runs (an index range on `flow_runs_due`) and queues them for the step jobs, in one
   * transaction. Two sweepers never claim the same run: the update re-checks `status = 'waiting'`
   * (and on PostgreSQL skips rows another sweeper holds).
   */
  private async claimDue(limit: number): Promise<{ claim: string; ids: string[] }> {
    const now = this.clock.now()
    const claim = newId('clm')
    return this.db.transaction(async (trx) => {
      const lock = this.db.dialect === 'postgres' ? sql`for update skip locked` : sql``
      const res = await sql<{ id: string }>`update flow_runs set status = 'running', claim = ${claim}, updated_at = ${now.toISOString()}
        where status = 'waiting' and id in (select id from flow_runs where status = 'waiting' and wake_at <= ${now.toISOString()} order by wake_at limit ${limit} ${lock})
        returning id`.execute(trx)
      const ids = res.rows.map((r) => r.id)
      const later = new Date(now.getTime() + Math.min(SAFETY_NET_MS, (this.options.jobExpireSeconds ?? 60) * 1000))
      for (let i = 0; i < ids.length; i += CHUNK) await this.queue.send(trx, STEP_QUEUE, { claim, ids: ids.slice(i, i + CHUNK) }, { startAfter: later })
      return { claim, ids }
    })
  }

  /**
   * Sweeps and moves until nothing is due at the clock's now (tests, the demo, benchmarks). Waits
   * for the flows' event consumer only: not for messages to go out, nor for the step jobs (the
   * safety net, which finds nothing left after a sweep here moved the runs).
   */
  async runDue(timeoutMs = 600_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    const mine = ['event.flows']
    for (;;) {
      await this.queue.drain(Math.max(1, deadline - Date.now()), mine)
      if ((await this.sweepAndMove()) === 0) {
        // A background sweep (nudged by an entry) may hold runs it claimed and has not moved yet.
        await this.sweepDone
        await this.queue.drain(Math.max(1, deadline - Date.now()), mine)
        if ((await this.sweepAndMove()) === 0) {
          await this.sweepDone
          if ((await this.sweepAndMove()) === 0) return
        }
      }
      if (Date.now() > deadline) throw new Error('flows: runDue timed out')
    }
  }

  // ------------------------------------------------------------------ the step job

  /**
   * Moves the runs of one claim. All in one transaction; if any run throws, each is retried in its
   * own transaction so one bad run cannot hold the others back, and a run that keeps failing
   * sleeps with backoff, then stops as failed with the error in its log.
   */
  async processClaim(claim: string, ids: string[]): Promise<void> {
    try {
      await this.db.transaction(async (trx) => {
        const rows = await trx.selectFrom('flow_runs').selectAll().where('id', 'in', ids).where('claim', '=', claim).where('status', '=', 'running').execute()
        const flows = await this.flowRows(trx, rows)
        const logs: LogRow[] = []
        const moved: RunUpdate[] = []
        for (const row of rows) {
          const r = await this.moveRun(trx, row, flows)
          logs.push(...r.logs)
          if (r.update) moved.push(r.update)
        }
        await this.writeRuns(trx, claim, moved)
        if (logs.length) await insertLogs(trx, logs)
      })
    } catch (batchErr) {
      this.log.warn({ err: batchErr, claim }, 'flow step batch failed; moving runs one by one')
      for (const id of ids) {
        try {
          await this.db.transaction(async (trx) => {
            const row = await trx.selectFrom('flow_runs').selectAll().where('id', '=', id).where('claim', '=', claim).where('status', '=', 'running').executeTakeFirst()
            if (!row) return
            const r = await this.moveRun(trx, row, await this.flowRows(trx, [row]))
            if (r.update) await this.writeRuns(trx, claim, [r.update])
            if (r.logs.length) await insertLogs(trx, r.logs)
          })
        } catch (err) {
          await this.recordFailure(id, claim, err)
        }
      }
    }
  }

  private async recordFailure(id: string, claim: string, err: unknown): Promise<void> {
    const now = this.clock.now()
    const message = err instanceof Error ? err.message : String(err)
    this.log.error({ err, runId: id }, 'flow step failed')
    await this.db.transaction(async (trx) => {
      const row = await trx.selectFrom('flow_runs').selectAll().where('id', '=', id).where('claim', '=', claim).where('status', '=', 'running').executeTakeFirst()
      if (!row) return
      const attempts = row.attempts + 1
      const dead = attempts >= MAX_ATTEMPTS
      const seq = row.seq + 1
      await trx.updateTable('flow_runs').set({
        status: dead ? 'failed' : 'waiting', attempts, last_error: message.slice(0, 1000), seq, claim: null, updated_at: now.toISOString(),
        // The step is tried again from where it was: 30 s, 2 min, 8 min, 32 min.
        ...(dead ? { wake_at: null, ended_at: now.toISOString(), exit_reason: 'failed' } : { wake_at: new Date(now.getTime() + 30_000 * 4 ** (attempts - 1)).toISOString() }),
      }).where('id', '=', id).execute()
      await insertLogs(trx, [{ tenant_id: row.tenant_id, run_id: id, seq, flow_id: row.flow_id, version: row.version, step_id: row.step_id, outcome: dead ? 'failed' : 'retry', detail: message.slice(0, 1000), message_id: null, clicked: 0, at: now.toISOString() }])
    })
  }

  /** The flows of a batch of runs, read once. */
  private async flowRows(trx: Executor, rows: FlowRunsTable[]): Promise<Map<string, { status: string; settings: string }>> {
    const ids = [...new Set(rows.map((r) => r.flow_id))]
    if (ids.length === 0) return new Map()
    // Runs of several tenants share a batch; each row is read under its own id, never shown across.
    const found = await trx.selectFrom('flows').select(['id', 'tenant_id', 'status', 'settings']).where('id', 'in', ids).execute()
    return new Map(found.map((f) => [`${f.tenant_id}:${f.id}`, f]))
  }

  /**
   * The runs' new states, each guarded by the claim: one statement per batch on PostgreSQL
   * (UPDATE … FROM VALUES), one per run on SQLite (in process, no round trip). A run exited or
   * cancelled by an event while it moved fails the guard, and the whole transaction rolls back.
   */
  private async writeRuns(trx: Executor, claim: string, moved: RunUpdate[]): Promise<void> {
    if (moved.length === 0) return
    if (this.db.dialect === 'postgres') {
      const values = sql.join(moved.map((u) => sql`(${u.id}, ${u.status}, ${u.step_id}, ${u.seq}::int, ${u.waiting_for}::text, ${u.wait_event}::text, ${u.wake_at}::text, ${u.arm}::text, ${u.attributed_at}::text, ${u.exit_reason}::text, ${u.context}, ${u.updated_at}, ${u.ended_at}::text)`))
      const res = await sql`update flow_runs as r set status = v.status, step_id = v.step_id, seq = v.seq, waiting_for = v.waiting_for, wait_event = v.wait_event,
          wake_at = v.wake_at, arm = v.arm, attributed_at = v.attributed_at, exit_reason = v.exit_reason, claim = null, attempts = 0, context = v.context,
          updated_at = v.updated_at, ended_at = coalesce(v.ended_at, r.ended_at)
        from (values ${values}) as v(id, status, step_id, seq, waiting_for, wait_event, wake_at, arm, attributed_at, exit_reason, context, updated_at, ended_at)
        where r.id = v.id and r.claim = ${claim} and r.status = 'running'`.execute(trx)
      if (Number(res.numAffectedRows ?? 0) !== moved.length) throw new StaleRun(`${moved.length - Number(res.numAffectedRows ?? 0)} of ${moved.length}`)
      return
    }
    for (const u of moved) {
      const { id, ended_at, ...set } = u
      const res = await trx.updateTable('flow_runs').set({ ...set, claim: null, attempts: 0, ...(ended_at ? { ended_at } : {}) })
        .where('id', '=', id).where('claim', '=', claim).where('status', '=', 'running').executeTakeFirst()
      if (Number(res.numUpdatedRows) !== 1) throw new StaleRun(id)
    }
  }

  /** One run: the interpreter with a port over the database; returns the run's new state and its log. */
  private async moveRun(trx: Executor, row: FlowRunsTable, flows: Map<string, { status: string; settings: string }>): Promise<{ logs: LogRow[]; update?: RunUpdate }> {
    const now = this.clock.now()
    if (this.lateness && row.wake_at) this.lateness.push(now.getTime() - Date.parse(row.wake_at))
    const tx = new TenantDb(row.tenant_id, trx, this.db.dialect)
    const flow = flows.get(`${row.tenant_id}:${row.flow_id}`)
    const base = { tenant_id: row.tenant_id, run_id: row.id, flow_id: row.flow_id, version: row.version, clicked: 0, at: now.toISOString() }
    if (!flow || flow.status !== 'active') {
      // Paused (or archived) between the sweep and now: park the run as the flow is.
      const status = flow?.status === 'paused' ? 'paused' : 'cancelled'
      await tx.updateTable('flow_runs').set({ status, claim: null, updated_at: now.toISOString(), ...(status === 'cancelled' ? { ended_at: now.toISOString(), exit_reason: 'flow archived', wake_at: null } : {}) }).where('id', '=', row.id).execute()
      return { logs: [] }
    }
    const doc = await this.version(tx, row.flow_id, row.version)
    const settings = { ...DEFAULT_FLOW_SETTINGS, ...fromJson<Partial<FlowSettings>>(flow.settings, {}) }
    const context = fromJson<RunContext>(row.context, { event: null })
    const logs: LogRow[] = []
    if (row.waiting_for === 'entry') {
      // A date-property entry comes due: the re-entry rule is applied now, when the customer enters.
      const gate = await this.admit(tx, row.flow_id, doc, row.customer_id, row.order_id, now)
      if (!gate.ok) {
        await tx.updateTable('flow_runs').set({ status: 'exited', exit_reason: gate.reason, wake_at: null, waiting_for: null, claim: null, seq: row.seq + 1, ended_at: now.toISOString(), updated_at: now.toISOString() }).where('id', '=', row.id).execute()
        return { logs: [{ ...base, seq: row.seq + 1, step_id: row.step_id, outcome: 'exited', detail: gate.reason, message_id: null }] }
      }
      row = { ...row, waiting_for: null }
    }
    const facts = this.factsFor(tx, row.customer_id, row.order_id, context)
    const port: StepPort = {
      now, timeZone: await this.zone(tx), facts,
      act: (action, stepId) => this.act(tx, { row, context, settings, action, stepId, now }),
    }
    const { state, logs: steps } = await advance(doc, toState(row), port)
    for (const l of steps) logs.push({ ...base, seq: l.seq, step_id: l.stepId, outcome: l.outcome, detail: l.detail, message_id: l.messageId })
    const ended = state.status === 'completed' || state.status === 'exited' || state.status === 'failed'
    return {
      logs,
      update: {
        id: row.id, status: state.status, step_id: state.stepId, seq: state.seq, waiting_for: state.waitingFor, wait_event: state.waitEvent,
        wake_at: state.wakeAt?.toISOString() ?? null, arm: state.arm, attributed_at: state.attributedAt?.toISOString() ?? null,
        exit_reason: state.exitReason, context: toJson(context), updated_at: now.toISOString(), ended_at: ended ? now.toISOString() : null,
      },
    }
  }

  private async act(tx: TenantDb, a: { row: FlowRunsTable; context: RunContext; settings: FlowSettings; action: FlowAction; stepId: string; now: Date }): Promise<ActionResult> {
    const { row, context, action, stepId, now } = a
    const key = `flow:${row.id}:${stepId}`
    switch (action.kind) {
      case 'send_message': {
        const type = action.messageType as MessageType
        const def = MESSAGE_TYPES[type]
        if (!def) return { outcome: 'skipped', detail: `unknown message type ${action.messageType}` }
        const { settings: ns } = await this.deps.notifications.settingsOf(tx)
        if (a.settings.respectQuietHours) {
          const release = quietHoursRelease(now, await this.zone(tx), ns.quietHours)
          if (release) return { outcome: 'deferred', until: release, detail: `quiet hours: held until ${release.toISOString()}` }
        }
        if (def.category === 'marketing' && a.settings.smartSendingHours > 0) {
          const since = new Date(now.getTime() - a.settings.smartSendingHours * 3_600_000).toISOString()
          const recent = await this.deps.notifications.recentCount(tx, row.customer_id, 'marketing', since)
          if (recent > 0) return { outcome: 'skipped', detail: `smart sending: a marketing message went to this customer within ${a.settings.smartSendingHours} h` }
        }
        // A flow started by a return event: its messages are about that return (links, number).
        const d = context.event?.data
        const ret = typeof d?.returnId === 'string' ? { returnId: d.returnId, return: { ...(typeof d.rma === 'string' ? { number: d.rma } : {}) } } : {}
        const { message } = await this.deps.notifications.prepare(tx, {
          type, customerId: row.customer_id, orderId: row.order_id, subjectRef: key, eventId: context.event?.id ?? null, ...ret,
          ...(action.channel && action.channel !== 'auto' ? { channel: action.channel } : {}),
          extras: { ...(context.coupon ? { coupon: context.coupon } : {}), ...(await this.productsFor(tx, row.order_id, type)) },
        })
        if (message.status === 'skipped') return { outcome: 'skipped', detail: message.reason ?? 'skipped', messageId: message.id }
        return { outcome: 'sent', detail: `${type} by ${message.channel}${message.reason ? ` (${message.reason})` : ''}`, messageId: message.id }
      }
      case 'add_tag': {
        const added = await this.deps.customers.addTag(tx, row.customer_id, action.tag)
        return { outcome: 'done', detail: added ? `tag ${action.tag} added` : `already tagged ${action.tag}` }
      }
      case 'remove_tag': {
        const removed = await this.deps.customers.removeTag(tx, row.customer_id, action.tag)
        return { outcome: 'done', detail: removed ? `tag ${action.tag} removed` : `had no tag ${action.tag}` }
      }
      case 'set_trait':
        await this.deps.customers.setTrait(tx, row.customer_id, action.key, action.value, `flow:${row.flow_id}`)
        return { outcome: 'done', detail: `${action.key} = ${JSON.stringify(action.value)}` }
      case 'issue_coupon': {
        const r = await this.deps.coupons.issue(tx, action.poolId, { key, customerId: row.customer_id })
        if (r.exhausted) return { outcome: 'skipped', detail: `coupon pool ${action.poolId}: ${r.reason === 'pool_expired' ? 'the pool has expired' : 'no code left'}` }
        context.coupon = { code: r.code, ...(r.expiresAt ? { expiresAt: r.expiresAt.slice(0, 10) } : {}) }
        return { outcome: 'done', detail: `coupon issued from ${action.poolId}` }
      }
      case 'webhook': {
        const r = await this.deps.notifications.queueWebhook(tx, {
          url: action.url, key,
          event: { id: key, type: 'flow.webhook', occurredAt: now.toISOString(), subject: row.id, data: { flowId: row.flow_id, runId: row.id, stepId, customerId: row.customer_id, orderId: row.order_id, trigger: context.event } },
        })
        return r.queued ? { outcome: 'done', detail: `webhook to ${action.url}`, messageId: r.messageId } : { outcome: 'skipped', detail: r.reason }
      }
    }
  }

  /** Products a reminder or cross-sell is about: the order's lines with their images. */
  private async productsFor(tx: TenantDb, orderId: string | null, type: MessageType): Promise<{ products?: Array<{ title: string; imageUrl?: string }> }> {
    if (!orderId || (type !== 'replenishment_reminder' && type !== 'cross_sell' && type !== 'review_request')) return {}
    const order = await this.deps.orders.get(tx, orderId, { history: false })
    if (!order) return {}
    return { products: order.lines.filter((l) => l.requiresShipping).slice(0, 6).map((l) => ({ title: l.variantTitle ? `${l.title} (${l.variantTitle})` : l.title })) }
  }

  // ------------------------------------------------------------------ events in

  private async onEvent(event: DomainEvent, tx: TenantDb): Promise<void> {
    const interest = await this.interestOf(tx)
    const data = event.data as Record<string, unknown>
    if (event.type === 'link.clicked' && typeof data.messageId === 'string') {
      await tx.updateTable('flow_run_log').set({ clicked: 1 }).where('message_id', '=', data.messageId).execute()
      return
    }
    const { customerId, orderId, order } = await this.subjectOf(tx, event)
    if (!customerId) return
    const now = this.clock.now()
    const context: RunContext = { event: { id: event.id, type: event.type, occurredAt: event.occurredAt, data } }
    const facts = this.factsFor(tx, customerId, orderId, context, order)
    const logs: LogRow[] = []

    // 1. Exits: runs that entered before this event leave their flow.
    const exitFlows = new Map<string, string>()
    for (const f of interest.flows) {
      for (const [i, e] of f.doc.exit.entries()) {
        if (e.kind === 'event' && e.type === event.type && (!e.filter || (await evaluate(e.filter, facts)))) exitFlows.set(f.id, `exit ${i}: ${event.type}`)
      }
    }
    const live = (exitFlows.size > 0 || interest.types.has(event.type))
      ? await tx.selectFrom('flow_runs').selectAll().where('customer_id', '=', customerId).where('status', 'in', LIVE).execute()
      : []
    for (const run of live) {
      const reason = exitFlows.get(run.flow_id)
      if (!reason || run.entered_at >= event.occurredAt) continue
      const seq = run.seq + 1
      const r = await tx.updateTable('flow_runs').set({ status: 'exited', exit_reason: reason, wake_at: null, waiting_for: null, wait_event: null, claim: null, seq, ended_at: now.toISOString(), updated_at: now.toISOString() })
        .where('id', '=', run.id).where('seq', '=', run.seq).where('status', 'in', LIVE).executeTakeFirst()
      if (Number(r.numUpdatedRows) === 1) {
        run.status = 'exited'
        logs.push(logRow(run, seq, run.step_id, 'exited', reason, now))
      }
    }

    // 2. Event waits: a run waiting for this event goes on now.
    for (const run of live) {
      if (run.status !== 'waiting' || run.waiting_for !== 'event' || run.wait_event !== event.type) continue
      const doc = await this.version(tx, run.flow_id, run.version)
      const moved = await onAwaitedEvent(doc, toState(run), event.type, facts, now)
      if (!moved) continue
      const r = await tx.updateTable('flow_runs').set({ step_id: moved.state.stepId, seq: moved.state.seq, waiting_for: null, wait_event: null, wake_at: now.toISOString(), updated_at: now.toISOString() })
        .where('id', '=', run.id).where('seq', '=', run.seq).where('status', '=', 'waiting').executeTakeFirst()
      if (Number(r.numUpdatedRows) === 1) logs.push(logRow(run, moved.log.seq, moved.log.stepId, moved.log.outcome, moved.log.detail, now))
    }

    // 3. Conversions: an order within the attribution window of a run's message or split.
    if (event.type === 'order.placed' && interest.measuring) {
      const windows = new Map(interest.flows.map((f) => [f.id, f.settings.attributionDays]))
      const candidates = await tx.selectFrom('flow_runs').select(['id', 'flow_id', 'attributed_at']).where('customer_id', '=', customerId)
        .where('status', 'in', ['waiting', 'running', 'paused', 'completed', 'exited']).where('converted_at', 'is', null).where('attributed_at', 'is not', null).execute()
      for (const c of candidates) {
        const days = windows.get(c.flow_id) ?? DEFAULT_FLOW_SETTINGS.attributionDays
        const at = Date.parse(c.attributed_at!)
        const placed = Date.parse(event.occurredAt)
        if (placed >= at && placed - at <= days * 86_400_000) {
          await tx.updateTable('flow_runs').set({ converted_at: event.occurredAt, converted_order_id: orderId }).where('id', '=', c.id).where('converted_at', 'is', null).execute()
        }
      }
    }

    // 4. Triggers: enter the flows this event starts.
    for (const f of interest.flows) {
      const t = f.doc.trigger
      if (t.kind === 'event' && t.type === event.type) {
        if (t.filter && !(await evaluate(t.filter, facts))) continue
        const gate = await this.admit(tx, f.id, f.doc, customerId, orderId, now)
        if (!gate.ok) continue
        logs.push(await this.insertRun(tx, f, customerId, orderId, context, now, null, now))
      } else if (t.kind === 'segment_entered' && event.type === 'segment.entered' && data.segmentId === t.segmentId) {
        const gate = await this.admit(tx, f.id, f.doc, customerId, orderId, now)
        if (gate.ok) logs.push(await this.insertRun(tx, f, customerId, orderId, context, now, null, now))
      } else if (t.kind === 'date_property' && dateEvent(t.property) === event.type) {
        const due = await this.dateDue(tx, t.property, event, order, customerId)
        if (!due) continue
        const at = new Date(due.getTime() + (t.offset ? parseDuration(t.offset)! * 1000 : 0))
        // One pending entry per customer and flow: a newer fact moves it.
        const pending = live.find((r) => r.flow_id === f.id && r.status === 'waiting' && r.waiting_for === 'entry')
        if (pending) {
          await tx.updateTable('flow_runs').set({ wake_at: at.toISOString(), order_id: orderId, context: toJson(context), updated_at: now.toISOString() })
            .where('id', '=', pending.id).where('status', '=', 'waiting').where('waiting_for', '=', 'entry').execute()
        } else {
          logs.push(await this.insertRun(tx, f, customerId, orderId, context, now, 'entry', at))
        }
      }
    }
    if (logs.length) await insertLogs(tx.db, logs)
    if (logs.some((l) => l.outcome === 'entered' || l.outcome === 'event')) this.nudge()
  }

  /** When a date-property trigger's date is, given the event that sets it. */
  private async dateDue(tx: TenantDb, property: string, event: DomainEvent, order: Order | undefined, customerId: string): Promise<Date | undefined> {
    const at = new Date(event.occurredAt)
    if (property === 'last_order_at' || property === 'last_delivered_at') return at
    if (property === 'first_order_at') {
      const orders = await this.deps.orders.list(tx, { customerId, limit: 2 })
      return orders.length <= 1 ? at : undefined
    }
    if (property === 'replenish_due_at') {
      if (!order) return undefined
      let days: number | undefined
      for (const line of order.lines) {
        if (!line.sku) continue
        const v = await this.deps.catalog.variantBySku(tx, line.sku)
        if (v?.replenishAfterDays) days = Math.min(days ?? Infinity, v.replenishAfterDays)
      }
      return days === undefined ? undefined : new Date(at.getTime() + days * 86_400_000)
    }
    return undefined
  }

  private async insertRun(tx: TenantDb, f: ActiveFlow, customerId: string, orderId: string | null, context: RunContext, now: Date, waitingFor: 'entry' | null, wakeAt: Date, how?: string): Promise<LogRow> {
    const id = newId('run', now)
    await tx.insertInto('flow_runs', {
      id, flow_id: f.id, version: f.version, customer_id: customerId, order_id: orderId, status: 'waiting', step_id: f.doc.entry, seq: 0,
      waiting_for: waitingFor, wait_event: null, wake_at: wakeAt.toISOString(), claim: null, arm: null, attributed_at: null, converted_at: null,
      converted_order_id: null, context: toJson(context), exit_reason: null, attempts: 0, last_error: null, entered_at: now.toISOString(), updated_at: now.toISOString(), ended_at: null,
    }).execute()
    return { tenant_id: tx.tenantId, run_id: id, seq: 0, flow_id: f.id, version: f.version, step_id: f.doc.entry, outcome: waitingFor === 'entry' ? 'scheduled' : 'entered', detail: waitingFor === 'entry' ? `enters at ${wakeAt.toISOString()} (${context.event?.type})` : how ?? `by ${context.event?.type}`, message_id: null, clicked: 0, at: now.toISOString() }
  }

  /** The re-entry rule, applied atomically through the entries ledger (concurrent triggers enter once). */
  private async admit(tx: TenantDb, flowId: string, doc: FlowDefinition, customerId: string, orderId: string | null, now: Date): Promise<{ ok: true } | { ok: false; reason: string }> {
    const r = doc.reentry
    const row = { flow_id: flowId, customer_id: customerId, last_entered_at: now.toISOString() }
    if (r.kind === 'every') {
      const cutoff = new Date(now.getTime() - r.days * 86_400_000).toISOString()
      const res = await tx.insertInto('flow_entries', { ...row, entry_key: '*' })
        .onConflict((oc) => oc.columns(['flow_id', 'customer_id', 'entry_key']).doUpdateSet({ last_entered_at: now.toISOString() }).where('flow_entries.last_entered_at', '<=', cutoff))
        .executeTakeFirst()
      return Number(res.numInsertedOrUpdatedRows ?? 0) > 0 ? { ok: true } : { ok: false, reason: `re-entry: entered within the last ${r.days} days` }
    }
    const key = r.kind === 'once_per_order' ? (orderId ?? '*') : '*'
    const res = await tx.insertInto('flow_entries', { ...row, entry_key: key }).onConflict((oc) => oc.columns(['flow_id', 'customer_id', 'entry_key']).doNothing()).executeTakeFirst()
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0 ? { ok: true } : { ok: false, reason: r.kind === 'once_ever' ? 're-entry: once ever, already entered' : 're-entry: once per order, already entered for this order' }
  }

  /** Who and which order an event is about. */
  private async subjectOf(tx: TenantDb, event: DomainEvent): Promise<{ customerId: string | null; orderId: string | null; order?: Order }> {
    const d = event.data as Record<string, unknown>
    const orderId = typeof d.orderId === 'string' ? d.orderId : event.type.startsWith('order.') ? event.subject : null
    let customerId = typeof d.customerId === 'string' ? d.customerId : event.type.startsWith('customer.') || event.type.startsWith('segment.') ? event.subject : null
    let order: Order | undefined
    if (orderId) {
      order = await this.deps.orders.get(tx, orderId, { history: false })
      customerId = customerId ?? order?.customerId ?? null
    }
    return { customerId, orderId, order }
  }

  private factsFor(tx: TenantDb, customerId: string, orderId: string | null, context: RunContext, loaded?: Order): Facts {
    const memo = new Map<string, Promise<unknown>>()
    const once = <T>(k: string, f: () => Promise<T>): Promise<T> => {
      if (!memo.has(k)) memo.set(k, f())
      return memo.get(k) as Promise<T>
    }
    const customer = () => once('customer', () => this.deps.customers.get(tx, customerId))
    const traits = () => once('traits', () => this.deps.customers.traits(tx, customerId))
    const order = () => once('order', async () => loaded ?? (orderId ? this.deps.orders.get(tx, orderId, { history: false }) : undefined))
    const history = () => once('history', () => this.deps.orders.list(tx, { customerId, limit: 200 }))
    return {
      trait: async (k) => (await traits())[k],
      hasTag: async (t) => (await once('tags', () => this.deps.customers.tags(tx, customerId))).includes(t),
      orderHasSku: async (sku) => ((await order())?.lines ?? []).some((l) => l.sku === sku),
      boughtSku: async (sku, withinDays) => {
        const since = withinDays ? this.clock.now().getTime() - withinDays * 86_400_000 : -Infinity
        return (await history()).some((o) => o.status !== 'cancelled' && Date.parse(o.placedAt) >= since && o.lines.some((l) => l.sku === sku))
      },
      // Returns arrive with the returns module; until then a brand marks one with the trait.
      returnsOpen: async () => (await traits())['returns.open'] === true,
      npsLast: async () => {
        const v = (await traits())['nps.last']
        return typeof v === 'number' ? v : null
      },
      lineLinked: async () => Boolean((await customer())?.lineUserId),
      unsubscribed: async (channel) => {
        const consents = await once('consents', () => this.deps.customers.consents(tx, customerId))
        const chans = channel ? [channel] : (['email', 'line', 'sms'] as const)
        return chans.some((c) => consents[c]?.granted === false)
      },
      eventData: (path) => path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), context.event?.data),
    }
  }

  private async interestOf(tx: TenantDb): Promise<Interest> {
    const cached = this.interest.get(tx.tenantId)
    if (cached && Date.now() - cached.at < 5_000) return cached
    const rows = await tx.selectFrom('flows').select(['id', 'status', 'active_version', 'settings']).where('status', 'in', ['active', 'paused']).execute()
    const flows: ActiveFlow[] = []
    const types = new Set<string>()
    for (const r of rows) {
      if (r.status !== 'active' || r.active_version === null) continue
      const doc = await this.version(tx, r.id, r.active_version)
      flows.push({ id: r.id, version: r.active_version, doc, settings: { ...DEFAULT_FLOW_SETTINGS, ...fromJson<Partial<FlowSettings>>(r.settings, {}) } })
      for (const t of eventTypesOf(doc)) types.add(t)
    }
    // Runs of older versions may wait for events or exit on events their new version dropped.
    const olderVersions = await tx.selectFrom('flow_runs').select(['flow_id', 'version']).distinct().where('status', 'in', ['waiting', 'paused']).where('waiting_for', '=', 'event').execute()
    for (const v of olderVersions) for (const t of eventTypesOf(await this.version(tx, v.flow_id, v.version))) types.add(t)
    const interest = { at: Date.now(), flows, types, measuring: rows.length > 0 }
    this.interest.set(tx.tenantId, interest)
    return interest
  }

  private forget(tenantId: string): void {
    this.interest.delete(tenantId)
  }

  private async version(tx: TenantDb, flowId: string, version: number): Promise<FlowDefinition> {
    const k = `${flowId}:${version}`
    let doc = this.versions.get(k)
    if (!doc) {
      const row = await tx.selectFrom('flow_versions').select('document').where('flow_id', '=', flowId).where('version', '=', version).executeTakeFirst()
      if (!row) throw new Error(`flow ${flowId} has no version ${version}`)
      doc = JSON.parse(row.document) as FlowDefinition
      // Versions never change once written, so this cache never goes stale.
      if (this.versions.size > 5_000) this.versions.clear()
      this.versions.set(k, doc)
    }
    return doc
  }

  private async zone(tx: TenantDb): Promise<string> {
    const c = this.zones.get(tx.tenantId)
    if (c && Date.now() - c.at < 60_000) return c.zone
    const t = await this.deps.tenants.find(tx.tenantId, tx.db)
    this.zones.set(tx.tenantId, { at: Date.now(), zone: t.timezone })
    return t.timezone
  }

  /**
   * Adds existing customers to an active flow now ("add past customers"), as if its trigger had
   * fired for each, with the re-entry rule applied; 1,000 per transaction. Unknown ids are reported.
   */
  async enroll(scope: TenantDb, flowId: string, input: { customerIds: string[]; orderId?: string | null }): Promise<{ entered: number; refused: number; unknown: string[] }> {
    const flow = await this.get(scope, flowId)
    if (flow.status !== 'active' || flow.activeVersion === null) throw new AppError('FLOW_NOT_ACTIVE', 'conflict', `Flow ${flowId} is ${flow.status}; activate it before adding customers.`)
    const doc = await this.version(scope, flowId, flow.activeVersion)
    const active: ActiveFlow = { id: flowId, version: flow.activeVersion, doc, settings: flow.settings }
    let entered = 0
    let refused = 0
    const unknown: string[] = []
    const ids = [...new Set(input.customerIds)]
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000)
      await this.db.transaction(async (trx) => {
        const tx = scope.with(trx)
        const now = this.clock.now()
        const known = await this.deps.customers.existing(tx, chunk)
        const logs: LogRow[] = []
        for (const customerId of chunk) {
          if (!known.has(customerId)) { unknown.push(customerId); continue }
          const gate = await this.admit(tx, flowId, doc, customerId, input.orderId ?? null, now)
          if (!gate.ok) { refused++; continue }
          logs.push(await this.insertRun(tx, active, customerId, input.orderId ?? null, { event: null }, now, null, now, 'added through the API'))
          entered++
        }
        if (logs.length) await insertLogs(trx, logs)
      })
    }
    return { entered, refused, unknown }
  }

  // ------------------------------------------------------------------ documents and lifecycle

  /** validateFlow plus what only the brand's data can tell: message types, coupon pools, webhook endpoints. */
  async validate(scope: TenantDb, document: unknown): Promise<{ valid: true; flow: FlowDefinition } | { valid: false; errors: FlowError[] }> {
    const v = validateFlow(document)
    if (!v.ok) return { valid: false, errors: v.errors }
    const errors: FlowError[] = []
    const pools = new Set((await this.deps.coupons.listPools(scope)).map((p) => p.id))
    const endpoints = new Set((await this.deps.notifications.listEndpoints(scope)).filter((e) => e.active).map((e) => e.url))
    for (const [id, step] of Object.entries(v.flow.steps)) {
      if (step.type !== 'action') continue
      const at = `/steps/${id.replace(/~/g, '~0').replace(/\//g, '~1')}/action`
      const a = step.action
      if (a.kind === 'send_message' && !(a.messageType in MESSAGE_TYPES)) errors.push({ pointer: `${at}/messageType`, message: `unknown message type "${a.messageType}"; one of ${Object.keys(MESSAGE_TYPES).join(', ')}` })
      if (a.kind === 'issue_coupon' && !pools.has(a.poolId)) errors.push({ pointer: `${at}/poolId`, message: `no coupon pool ${a.poolId}` })
      if (a.kind === 'webhook' && !endpoints.has(a.url)) errors.push({ pointer: `${at}/url`, message: 'register this URL as a webhook endpoint first (POST /api/v1/webhook-endpoints): its signing secret signs the call' })
    }
    return errors.length ? { valid: false, errors } : { valid: true, flow: v.flow }
  }

  /** A new flow (a draft) from a document or from a built-in flow with its options. */
  async create(scope: TenantDb, input: { document?: unknown; builtin?: BuiltinKey; options?: BuiltinOptions; locale?: 'ja' | 'en'; settings?: Partial<FlowSettings> }): Promise<Flow> {
    let document = input.document
    if (input.builtin) document = builtinFlow(input.builtin, input.locale ?? 'ja', input.options)
    if (document === undefined) throw new AppError('FLOW_DOCUMENT_REQUIRED', 'invalid_data', 'Send a flow document or the key of a built-in flow.', { fields: [{ pointer: '/body/document', message: 'document or builtin is required' }] })
    const v = await this.validate(scope, document)
    if (!v.valid) throw invalidFlow(v.errors, input.builtin ? '/body/builtin' : '/body/document')
    const now = this.clock.now().toISOString()
    const id = newId('flw')
    await this.db.transaction(async (trx) => {
      const tx = scope.with(trx)
      await tx.insertInto('flows', { id, name: v.flow.name, status: 'draft', active_version: null, latest_version: 1, builtin: input.builtin ?? null, settings: toJson({ ...DEFAULT_FLOW_SETTINGS, ...input.settings }), created_at: now, updated_at: now }).execute()
      await tx.insertInto('flow_versions', { flow_id: id, version: 1, document: toJson(v.flow), created_at: now }).execute()
    })
    return this.get(scope, id)
  }

  /** A new version of the document; a live flow keeps running its active version until activated again. */
  async update(scope: TenantDb, id: string, input: { document?: unknown; settings?: Partial<FlowSettings> }): Promise<Flow> {
    const flow = await this.get(scope, id)
    if (flow.status === 'archived') throw new AppError('FLOW_ARCHIVED', 'conflict', 'An archived flow cannot be edited; create a new one.')
    const now = this.clock.now().toISOString()
    let doc: FlowDefinition | undefined
    if (input.document !== undefined) {
      const v = await this.validate(scope, input.document)
      if (!v.valid) throw invalidFlow(v.errors, '/body/document')
      doc = v.flow
    }
    await this.db.transaction(async (trx) => {
      const tx = scope.with(trx)
      if (doc) {
        const version = flow.latestVersion + 1
        await tx.insertInto('flow_versions', { flow_id: id, version, document: toJson(doc), created_at: now }).execute()
        await tx.updateTable('flows').set({ latest_version: version, name: doc.name, updated_at: now }).where('id', '=', id).where('latest_version', '=', flow.latestVersion).execute()
      }
      if (input.settings) await tx.updateTable('flows').set({ settings: toJson({ ...flow.settings, ...input.settings }), updated_at: now }).where('id', '=', id).execute()
    })
    this.forget(scope.tenantId)
    return this.get(scope, id)
  }

  /**
   * Makes a version (default the latest) the one new customers enter. With `migrateRuns`, runs on
   * older versions move to it when the step they are at exists in it with the same kind; the
   * others finish on the version they entered with.
   */
  async activate(scope: TenantDb, id: string, input: { version?: number; migrateRuns?: boolean }): Promise<Flow & { migrated: number; stayed: number }> {
    const flow = await this.get(scope, id)
    if (flow.status === 'archived') throw new AppError('FLOW_ARCHIVED', 'conflict', 'An archived flow cannot be activated; create a new one.')
    const version = input.version ?? flow.latestVersion
    if (version < 1 || version > flow.latestVersion) throw new AppError('FLOW_VERSION_NOT_FOUND', 'invalid_data', `Flow ${id} has versions 1–${flow.latestVersion}.`, { fields: [{ pointer: '/body/version', message: 'no such version' }] })
    const now = this.clock.now().toISOString()
    let migrated = 0
    let stayed = 0
    await this.db.transaction(async (trx) => {
      const tx = scope.with(trx)
      const doc = await this.version(tx, id, version)
      await tx.updateTable('flows').set({ status: 'active', active_version: version, updated_at: now }).where('id', '=', id).execute()
      // Resume runs parked by a pause.
      await tx.updateTable('flow_runs').set({ status: 'waiting', updated_at: now }).where('flow_id', '=', id).where('status', '=', 'paused').execute()
      const older = await tx.selectFrom('flow_runs').select(['version', 'step_id']).select((eb) => eb.fn.countAll<number>().as('n'))
        .where('flow_id', '=', id).where('status', '=', 'waiting').where('version', '!=', version).groupBy(['version', 'step_id']).execute()
      for (const g of older) {
        const from = await this.version(tx, id, g.version)
        const same = doc.steps[g.step_id] && from.steps[g.step_id] && doc.steps[g.step_id]!.type === from.steps[g.step_id]!.type
        if (input.migrateRuns && same) {
          const r = await tx.updateTable('flow_runs').set({ version, updated_at: now }).where('flow_id', '=', id).where('status', '=', 'waiting').where('version', '=', g.version).where('step_id', '=', g.step_id).executeTakeFirst()
          migrated += Number(r.numUpdatedRows)
        } else stayed += Number(g.n)
      }
    })
    this.forget(scope.tenantId)
    return { ...(await this.get(scope, id)), migrated, stayed }
  }

  /** New customers stop entering; waiting runs are parked where they are until activation. */
  async pause(scope: TenantDb, id: string): Promise<Flow> {
    const flow = await this.get(scope, id)
    if (flow.status !== 'active') throw new AppError('FLOW_NOT_ACTIVE', 'conflict', `Flow ${id} is ${flow.status}; only an active flow can be paused.`)
    const now = this.clock.now().toISOString()
    await this.db.transaction(async (trx) => {
      const tx = scope.with(trx)
      await tx.updateTable('flows').set({ status: 'paused', updated_at: now }).where('id', '=', id).execute()
      await tx.updateTable('flow_runs').set({ status: 'paused', updated_at: now }).where('flow_id', '=', id).where('status', '=', 'waiting').execute()
    })
    this.forget(scope.tenantId)
    return this.get(scope, id)
  }

  /** Ends the flow: every run still inside is cancelled and its pending wait with it. */
  async archive(scope: TenantDb, id: string): Promise<Flow & { cancelled: number }> {
    await this.get(scope, id)
    const now = this.clock.now().toISOString()
    const cancelled = await this.db.transaction(async (trx) => {
      const tx = scope.with(trx)
      await tx.updateTable('flows').set({ status: 'archived', updated_at: now }).where('id', '=', id).execute()
      const r = await tx.updateTable('flow_runs').set({ status: 'cancelled', exit_reason: 'flow archived', wake_at: null, waiting_for: null, claim: null, ended_at: now, updated_at: now })
        .where('flow_id', '=', id).where('status', 'in', ['waiting', 'paused']).executeTakeFirst()
      return Number(r.numUpdatedRows)
    })
    this.forget(scope.tenantId)
    return { ...(await this.get(scope, id)), cancelled }
  }

  async cancelRun(scope: TenantDb, runId: string, reason = 'cancelled through the API'): Promise<FlowRun> {
    const now = this.clock.now()
    await this.db.transaction(async (trx) => {
      const tx = scope.with(trx)
      const run = await tx.selectFrom('flow_runs').selectAll().where('id', '=', runId).executeTakeFirst()
      if (!run) throw new AppError('FLOW_RUN_NOT_FOUND', 'not_found', `No flow run with id ${runId}.`)
      if (!LIVE.includes(run.status as RunStatus)) throw new AppError('FLOW_RUN_ENDED', 'conflict', `Run ${runId} has already ended (${run.status}).`)
      const seq = run.seq + 1
      const r = await tx.updateTable('flow_runs').set({ status: 'cancelled', exit_reason: reason, wake_at: null, waiting_for: null, claim: null, seq, ended_at: now.toISOString(), updated_at: now.toISOString() })
        .where('id', '=', runId).where('seq', '=', run.seq).where('status', 'in', LIVE).executeTakeFirst()
      if (Number(r.numUpdatedRows) !== 1) throw new AppError('FLOW_RUN_BUSY', 'conflict', `Run ${runId} moved while it was being cancelled; try again.`)
      await insertLogs(trx, [logRow(run, seq, run.step_id, 'cancelled', reason, now)])
    })
    return this.run(scope, runId)
  }

  async get(scope: TenantDb, id: string): Promise<Flow> {
    const row = await scope.selectFrom('flows').selectAll().where('id', '=', id).executeTakeFirst()
    if (!row) throw flowNotFound(id)
    const doc = await this.version(scope, id, row.latest_version)
    return toFlow(row, doc)
  }

  async versionOf(scope: TenantDb, id: string, version: number): Promise<{ version: number; document: FlowDefinition; createdAt: string }> {
    const row = await scope.selectFrom('flow_versions').selectAll().where('flow_id', '=', id).where('version', '=', version).executeTakeFirst()
    if (!row) throw new AppError('FLOW_VERSION_NOT_FOUND', 'not_found', `Flow ${id} has no version ${version}.`)
    return { version, document: JSON.parse(row.document), createdAt: row.created_at }
  }

  async list(scope: TenantDb): Promise<Flow[]> {
    const rows = await scope.selectFrom('flows').selectAll().orderBy('created_at', 'desc').execute()
    return Promise.all(rows.map(async (r) => toFlow(r, await this.version(scope, r.id, r.latest_version))))
  }

  builtins(): Array<{ key: BuiltinKey; name: { ja: string; en: string }; description: { ja: string; en: string } }> {
    return BUILTIN_FLOWS.map((b) => ({ key: b.key, name: b.name, description: b.description }))
  }

  // ------------------------------------------------------------------ reading runs

  async run(scope: TenantDb, id: string): Promise<FlowRun> {
    const row = await scope.selectFrom('flow_runs').selectAll().where('id', '=', id).executeTakeFirst()
    if (!row) throw new AppError('FLOW_RUN_NOT_FOUND', 'not_found', `No flow run with id ${id}.`)
    const log = await scope.selectFrom('flow_run_log').selectAll().where('run_id', '=', id).orderBy('seq').execute()
    return { ...toRun(row), log: log.map((l) => ({ seq: l.seq, stepId: l.step_id, outcome: l.outcome, detail: l.detail, messageId: l.message_id, clicked: l.clicked === 1, at: l.at })) }
  }

  async runs(scope: TenantDb, q: { flowId?: string; customerId?: string; status?: string; limit: number; after?: string }): Promise<FlowRun[]> {
    let query = scope.selectFrom('flow_runs').selectAll().orderBy('id', 'desc').limit(q.limit)
    if (q.flowId) query = query.where('flow_id', '=', q.flowId)
    if (q.customerId) query = query.where('customer_id', '=', q.customerId)
    if (q.status) query = query.where('status', '=', q.status)
    if (q.after) query = query.where('id', '<', q.after)
    return (await query.execute()).map(toRun)
  }

  /** "Why did this customer get / not get this message?": every run with every step and its reason. */
  async history(scope: TenantDb, customerId: string): Promise<FlowRun[]> {
    const rows = await scope.selectFrom('flow_runs').selectAll().where('customer_id', '=', customerId).orderBy('entered_at', 'desc').limit(100).execute()
    return Promise.all(rows.map((r) => this.run(scope, r.id)))
  }

  // ------------------------------------------------------------------ stats and dry runs

  async stats(scope: TenantDb, id: string): Promise<FlowStats> {
    const flow = await this.get(scope, id)
    const byStatus = await scope.selectFrom('flow_runs').select(['status', 'exit_reason']).select((eb) => eb.fn.countAll<number>().as('n'))
      .where('flow_id', '=', id).groupBy(['status', 'exit_reason']).execute()
    const waitingAt = await scope.selectFrom('flow_runs').select('step_id').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('flow_id', '=', id).where('status', '=', 'waiting').groupBy('step_id').execute()
    const steps = await scope.selectFrom('flow_run_log').select(['step_id', 'outcome']).select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('clicked').as('clicks')])
      .where('flow_id', '=', id).groupBy(['step_id', 'outcome']).execute()
    const arms = await scope.selectFrom('flow_runs').select('arm').select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.count<number>('converted_at').as('converted')])
      .where('flow_id', '=', id).where('arm', 'is not', null).groupBy('arm').execute()
    const converted = await scope.selectFrom('flow_runs').select((eb) => eb.fn.count<number>('converted_at').as('n')).where('flow_id', '=', id).executeTakeFirst()
    const count = (s: string) => byStatus.filter((r) => r.status === s).reduce((a, r) => a + Number(r.n), 0)
    const exitedBy: Record<string, number> = {}
    for (const r of byStatus) if (r.status === 'exited' || r.status === 'cancelled') exitedBy[r.exit_reason ?? r.status] = (exitedBy[r.exit_reason ?? r.status] ?? 0) + Number(r.n)
    const perStep: FlowStats['steps'] = {}
    for (const r of steps) {
      const s = (perStep[r.step_id] ??= { waiting: 0, outcomes: {}, sent: 0, skipped: 0, clicks: 0 })
      s.outcomes[r.outcome] = Number(r.n)
      if (r.outcome === 'sent') { s.sent += Number(r.n); s.clicks += Number(r.clicks ?? 0) }
      if (r.outcome === 'skipped') s.skipped += Number(r.n)
    }
    for (const w of waitingAt) (perStep[w.step_id] ??= { waiting: 0, outcomes: {}, sent: 0, skipped: 0, clicks: 0 }).waiting = Number(w.n)
    const holdout = arms.find((a) => a.arm === 'holdout')
    const rate = (c: number, n: number) => (n > 0 ? c / n : null)
    const holdoutRate = holdout ? rate(Number(holdout.converted), Number(holdout.n)) : null
    return {
      flowId: id, status: flow.status, activeVersion: flow.activeVersion,
      entered: byStatus.reduce((a, r) => a + Number(r.n), 0) - count('skipped'),
      waiting: count('waiting') + count('running'), paused: count('paused'), completed: count('completed'), exited: count('exited'), cancelled: count('cancelled'), failed: count('failed'),
      exitedBy,
      messagesSent: Object.values(perStep).reduce((a, s) => a + s.sent, 0),
      clicks: Object.values(perStep).reduce((a, s) => a + s.clicks, 0),
      conversions: Number(converted?.n ?? 0),
      arms: arms.map((a) => {
        const r = rate(Number(a.converted), Number(a.n))
        return { arm: a.arm!, customers: Number(a.n), conversions: Number(a.converted), conversionRate: r, liftOverHoldout: a.arm !== 'holdout' && r !== null && holdoutRate ? r / holdoutRate - 1 : null }
      }),
      steps: perStep,
    }
  }

  /**
   * Replays the tenant's events of [from, to) through a flow version (default the latest, usually a
   * draft) with a simulated clock, and reports who would have entered and received what. Nothing
   * is written or sent; facts about customers are read as they are now.
   */
  async dryRun(scope: TenantDb, id: string, input: { from: string; to: string; version?: number; limit?: number }): Promise<DryRunReport> {
    const flow = await this.get(scope, id)
    const doc = input.version ? (await this.versionOf(scope, id, input.version)).document : flow.document
    const zone = await this.zone(scope)
    const { settings: ns } = await this.deps.notifications.settingsOf(scope)
    return simulate({
      flowId: id, flow: doc, settings: flow.settings, from: new Date(input.from), to: new Date(input.to), timeZone: zone, quietHours: ns.quietHours,
      limit: input.limit ?? 1000,
      events: (after, limit) => this.events.history(scope, { from: input.from, to: input.to, after, limit }),
      subjectOf: (event) => this.subjectOf(scope, event),
      facts: (customerId, orderId, event) => this.factsFor(scope, customerId, orderId, { event: { id: event.id, type: event.type, occurredAt: event.occurredAt, data: event.data as Record<string, unknown> } }),
      channelFor: (customerId, orderId, type, channel) => this.deps.notifications.decideChannel(scope, { type, customerId, orderId, channel }),
      dateDue: (property, event, order, customerId) => this.dateDue(scope, property, event, order, customerId),
    })
  }
}

export interface FlowStats {
  flowId: string
  status: FlowStatus
  activeVersion: number | null
  entered: number
  waiting: number
  paused: number
  completed: number
  exited: number
  cancelled: number
  failed: number
  exitedBy: Record<string, number>
  messagesSent: number
  clicks: number
  conversions: number
  arms: Array<{ arm: string; customers: number; conversions: number; conversionRate: number | null; liftOverHoldout: number | null }>
  steps: Record<string, { waiting: number; outcomes: Record<string, number>; sent: number; skipped: number; clicks: number }>
}

interface RunContext {
  event: { id: string; type: string; occurredAt: string; data: Record<string, unknown> } | null
  coupon?: { code: string; expiresAt?: string }
}

/** A run's new state after it moved, written with the claim guard. */
interface RunUpdate {
  id: string
  status: string
  step_id: string
  seq: number
  waiting_for: string | null
  wait_event: string | null
  wake_at: string | null
  arm: string | null
  attributed_at: string | null
  exit_reason: string | null
  context: string
  updated_at: string
  ended_at: string | null
}

interface LogRow {
  tenant_id: string
  run_id: string
  seq: number
  flow_id: string
  version: number
  step_id: string
  outcome: string
  detail: string | null
  message_id: string | null
  clicked: number
  at: string
}

class StaleRun extends Error {
  constructor(id: string) {
    super(`flow run ${id} changed while it was moving (exited or cancelled); its step is rolled back`)
  }
}

async function insertLogs(db: Executor, rows: LogRow[]): Promise<void> {
  // Stay under SQLite's 32,766 bound parameters (11 per row).
  for (let i = 0; i < rows.length; i += 2_000) await db.insertInto('flow_run_log').values(rows.slice(i, i + 2_000)).execute()
}

function logRow(run: FlowRunsTable, seq: number, stepId: string, outcome: string, detail: string | null, now: Date): LogRow {
  return { tenant_id: run.tenant_id, run_id: run.id, seq, flow_id: run.flow_id, version: run.version, step_id: stepId, outcome, detail, message_id: null, clicked: 0, at: now.toISOString() }
}

function toState(row: FlowRunsTable): RunState {
  return {
    flowId: row.flow_id, customerId: row.customer_id, status: row.status as RunStatus, stepId: row.step_id, seq: row.seq,
    waitingFor: row.waiting_for as RunState['waitingFor'], waitEvent: row.wait_event, wakeAt: row.wake_at ? new Date(row.wake_at) : null,
    arm: row.arm, attributedAt: row.attributed_at ? new Date(row.attributed_at) : null, exitReason: row.exit_reason,
  }
}

function toRun(r: FlowRunsTable): FlowRun {
  return {
    id: r.id, flowId: r.flow_id, version: r.version, customerId: r.customer_id, orderId: r.order_id, status: r.status as FlowRun['status'], stepId: r.step_id,
    waitingFor: r.waiting_for, wakeAt: r.wake_at, arm: r.arm, convertedAt: r.converted_at, convertedOrderId: r.converted_order_id, exitReason: r.exit_reason,
    lastError: r.last_error, enteredAt: r.entered_at, endedAt: r.ended_at,
  }
}

function toFlow(row: { id: string; name: string; status: string; active_version: number | null; latest_version: number; builtin: string | null; settings: string; created_at: string; updated_at: string }, doc: FlowDefinition): Flow {
  return {
    id: row.id, name: row.name, status: row.status as FlowStatus, activeVersion: row.active_version, latestVersion: row.latest_version, builtin: row.builtin,
    settings: { ...DEFAULT_FLOW_SETTINGS, ...fromJson<Partial<FlowSettings>>(row.settings, {}) }, document: doc, createdAt: row.created_at, updatedAt: row.updated_at,
  }
}

/** Event types a flow version listens to: its trigger, exits and event waits. */
export function eventTypesOf(doc: FlowDefinition): string[] {
  const types = new Set<string>()
  const t = doc.trigger
  if (t.kind === 'event') types.add(t.type)
  if (t.kind === 'segment_entered') types.add('segment.entered')
  if (t.kind === 'date_property') types.add(dateEvent(t.property))
  for (const e of doc.exit) if (e.kind === 'event') types.add(e.type)
  for (const s of Object.values(doc.steps)) if (s.type === 'wait' && s.event) types.add(s.event.type)
  return [...types]
}

export type { StepLog }
