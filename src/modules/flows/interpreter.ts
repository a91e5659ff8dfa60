/**
 * The flow interpreter: how a run moves through its steps, as a pure function of the flow, the
 * run's state, the time and a port that answers questions (facts) and performs actions. The engine
 * gives it a port over the database; the dry run a port that only records. Both therefore decide
 * exactly the same way.
 */
import { parseDuration, type ExitCondition, type FlowAction, type FlowDefinition, type Predicate, type Scalar, type WaitStep } from './definition.js'
import { splitArm } from './sticky.js'
import { localDateTime } from '../tracking/delivery-estimate/calendar.js'
import { zonedInstant } from '../notifications/rules.js'

/** What a condition may ask about the customer, their order and the event. */
export interface Facts {
  trait(key: string): Promise<Scalar | undefined>
  hasTag(tag: string): Promise<boolean>
  orderHasSku(sku: string): Promise<boolean>
  boughtSku(sku: string, withinDays?: number): Promise<boolean>
  returnsOpen(): Promise<boolean>
  npsLast(): Promise<number | null>
  lineLinked(): Promise<boolean>
  unsubscribed(channel?: 'email' | 'line' | 'sms'): Promise<boolean>
  /** A value in the trigger (or awaited) event's data, by dotted path. */
  eventData(path: string): unknown
}

/** What an action did: done, skipped with the reason, or deferred until a time (quiet hours). */
export type ActionResult =
  | { outcome: 'done' | 'sent'; detail?: string; messageId?: string; attributed?: boolean }
  | { outcome: 'skipped'; detail: string; messageId?: string }
  | { outcome: 'deferred'; until: Date; detail: string }

export interface StepPort {
  now: Date
  /** The tenant's time zone for waits until a time of day or weekday. */
  timeZone: string
  facts: Facts
  act(action: FlowAction, stepId: string): Promise<ActionResult>
}

export type RunStatus = 'waiting' | 'running' | 'paused' | 'completed' | 'exited' | 'cancelled' | 'failed'

/** The part of a run the interpreter reads and changes. */
export interface RunState {
  flowId: string
  customerId: string
  status: RunStatus
  stepId: string
  seq: number
  waitingFor: 'time' | 'event' | 'defer' | 'retry' | null
  waitEvent: string | null
  wakeAt: Date | null
  arm: string | null
  attributedAt: Date | null
  exitReason: string | null
}

export interface StepLog {
  seq: number
  stepId: string
  outcome: string
  detail: string | null
  messageId: string | null
}

/** Steps one run may take in one go; a flow that passes validation sleeps long before this. */
export const MAX_STEPS_PER_ADVANCE = 64

export async function evaluate(p: Predicate, facts: Facts): Promise<boolean> {
  if ('all' in p) {
    for (const q of p.all) if (!(await evaluate(q, facts))) return false
    return true
  }
  if ('any' in p) {
    for (const q of p.any) if (await evaluate(q, facts)) return true
    return false
  }
  if ('not' in p) return !(await evaluate(p.not, facts))
  switch (p.fact) {
    case 'customer.trait': return compare(await facts.trait(p.key), p.op, p.value)
    case 'customer.tag': return facts.hasTag(p.tag)
    case 'order.has_sku': return facts.orderHasSku(p.sku)
    case 'customer.bought_sku': return facts.boughtSku(p.sku, p.withinDays)
    case 'returns.open': return facts.returnsOpen()
    case 'nps.last': {
      const v = await facts.npsLast()
      return v !== null && compare(v, p.op, p.value)
    }
    case 'line.linked': return facts.lineLinked()
    case 'customer.unsubscribed': return facts.unsubscribed(p.channel)
    case 'event.data': return compare(facts.eventData(p.path), p.op, p.value)
  }
}

function compare(actual: unknown, op: string, expected: unknown): boolean {
  if (op === 'exists') return actual !== undefined && actual !== null
  if (op === 'in') return Array.isArray(expected) && expected.some((e) => e === actual)
  if (op === 'eq') return actual === expected
  if (op === 'neq') return actual !== expected
  if (typeof actual !== 'number' || typeof expected !== 'number') return false
  switch (op) {
    case 'gt': return actual > expected
    case 'gte': return actual >= expected
    case 'lt': return actual < expected
    case 'lte': return actual <= expected
  }
  return false
}

/** The first exit condition that holds (predicates only; event exits are applied when the event arrives). */
export async function exitReason(exits: readonly ExitCondition[], facts: Facts): Promise<string | null> {
  for (const [i, e] of exits.entries()) {
    if (e.kind === 'predicate' && (await evaluate(e.if, facts))) return `exit condition ${i} holds`
  }
  return null
}

const WEEKDAY_DEFAULT_TIME = '09:00'

/**
 * When a time wait ends. `for`: now + duration. `until.time`: the next such local time after now
 * (today if still ahead). `until.weekday`: the next such weekday at `time` (default 09:00), today if
 * it is that day and the time is still ahead.
 */
export function waitEnd(step: WaitStep, now: Date, timeZone: string): Date {
  if (step.for) return new Date(now.getTime() + parseDuration(step.for)! * 1000)
  const until = step.until!
  const local = localDateTime(now.toISOString(), timeZone)!
  const time = 'weekday' in until ? (until.time ?? WEEKDAY_DEFAULT_TIME) : until.time
  for (let d = 0; d <= 7; d++) {
    const date = addDays(local.date, d)
    if ('weekday' in until && new Date(`${date}T00:00:00Z`).getUTCDay() !== until.weekday) continue
    const at = zonedInstant(date, time, timeZone)
    if (at.getTime() > now.getTime()) return at
  }
  return zonedInstant(addDays(local.date, 8), time, timeZone)
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

/**
 * Moves a due run forward until it sleeps or ends. Returns the new state and one log row per step
 * taken. A run woken at an event wait took the timeout path; a run woken at a time wait or a
 * deferred action carries on from there.
 */
export async function advance(flow: FlowDefinition, run: RunState, port: StepPort): Promise<{ state: RunState; logs: StepLog[] }> {
  const s: RunState = { ...run, status: 'running' }
  const logs: StepLog[] = []
  const log = (stepId: string, outcome: string, detail: string | null = null, messageId: string | null = null) => {
    s.seq += 1
    logs.push({ seq: s.seq, stepId, outcome, detail, messageId })
  }
  const end = (status: RunStatus, stepId: string, outcome: string, reason: string | null) => {
    s.status = status
    s.waitingFor = null
    s.waitEvent = null
    s.wakeAt = null
    s.exitReason = reason
    log(stepId, outcome, reason)
  }
  for (let taken = 0; ; taken++) {
    if (taken >= MAX_STEPS_PER_ADVANCE) {
      // Cannot happen with a validated flow; sleep a second rather than spin.
      s.status = 'waiting'
      s.waitingFor = 'retry'
      s.wakeAt = new Date(port.now.getTime() + 1000)
      return { state: s, logs }
    }
    const step = flow.steps[s.stepId]
    if (!step) {
      end('failed', s.stepId, 'failed', `step "${s.stepId}" is not in this version of the flow`)
      return { state: s, logs }
    }
    const exit = await exitReason(flow.exit, port.facts)
    if (exit) {
      end('exited', s.stepId, 'exited', exit)
      return { state: s, logs }
    }
    const wokeFrom = s.waitingFor
    s.waitingFor = null
    s.waitEvent = null
    s.wakeAt = null
    switch (step.type) {
      case 'end':
        end('completed', s.stepId, 'completed', null)
        return { state: s, logs }
      case 'condition': {
        const yes = await evaluate(step.if, port.facts)
        log(s.stepId, 'branch', yes ? `then → ${step.then}` : `else → ${step.else}`)
        s.stepId = yes ? step.then : step.else
        break
      }
      case 'split': {
        const a = splitArm(s.flowId, s.customerId, step.arms, step.holdout)
        if (a.kind === 'holdout') {
          s.arm = 'holdout'
          s.attributedAt = port.now
          end('completed', s.stepId, 'holdout', 'held out: receives nothing, measured for lift')
          return { state: s, logs }
        }
        s.arm = a.name
        s.attributedAt = port.now
        log(s.stepId, 'arm', a.name)
        s.stepId = step.arms[a.index]!.next
        break
      }
      case 'wait': {
        if (wokeFrom === 'event') {
          // Woken by the clock while waiting for an event: the timeout path.
          log(s.stepId, 'timeout', `no ${step.event!.type} within ${step.event!.timeout}`)
          s.stepId = step.event!.onTimeout
          break
        }
        if (wokeFrom === 'time') {
          log(s.stepId, 'resumed', null)
          s.stepId = step.next
          break
        }
        s.status = 'waiting'
        if (step.event) {
          s.waitingFor = 'event'
          s.waitEvent = step.event.type
          s.wakeAt = new Date(port.now.getTime() + parseDuration(step.event.timeout)! * 1000)
          log(s.stepId, 'waiting', `for ${step.event.type} until ${s.wakeAt.toISOString()}`)
        } else {
          s.waitingFor = 'time'
          s.wakeAt = waitEnd(step, port.now, port.timeZone)
          log(s.stepId, 'waiting', `until ${s.wakeAt.toISOString()}`)
        }
        return { state: s, logs }
      }
      case 'action': {
        const r = await port.act(step.action, s.stepId)
        if (r.outcome === 'deferred') {
          s.status = 'waiting'
          s.waitingFor = 'defer'
          s.wakeAt = r.until
          log(s.stepId, 'deferred', r.detail)
          return { state: s, logs }
        }
        log(s.stepId, r.outcome, r.detail ?? null, r.messageId ?? null)
        if (r.outcome === 'sent' && r.attributed !== false) s.attributedAt = port.now
        if (!step.next) {
          end('completed', s.stepId, 'completed', null)
          return { state: s, logs }
        }
        s.stepId = step.next
        break
      }
    }
  }
}

/**
 * A run waiting at an event wait sees the event: it continues at the wait's `next` (now), when the
 * event passes the wait's filter. Returns undefined when the run is not waiting for it.
 */
export async function onAwaitedEvent(flow: FlowDefinition, run: RunState, eventType: string, facts: Facts, now: Date): Promise<{ state: RunState; log: StepLog } | undefined> {
  if (run.status !== 'waiting' || run.waitingFor !== 'event' || run.waitEvent !== eventType) return undefined
  const step = flow.steps[run.stepId]
  if (!step || step.type !== 'wait' || !step.event || step.event.type !== eventType) return undefined
  if (step.event.filter && !(await evaluate(step.event.filter, facts))) return undefined
  const seq = run.seq + 1
  return {
    state: { ...run, seq, stepId: step.next, waitingFor: null, waitEvent: null, wakeAt: now },
    log: { seq, stepId: run.stepId, outcome: 'event', detail: `${eventType} arrived`, messageId: null },
  }
}

/** The event that sets a date-property trigger's date. */
export function dateEvent(property: string): string {
  return property === 'last_delivered_at' || property === 'replenish_due_at' ? 'shipment.delivered' : 'order.placed'
}
