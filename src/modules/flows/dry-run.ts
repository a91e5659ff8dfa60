/**
 * Dry run: the tenant's past events replayed through a flow with a simulated clock, using the same
 * interpreter as the engine, so "who would have received what" is what the engine would have done.
 * Timers fire at their exact simulated time between events. Nothing is written and nothing is sent.
 */
import type { DomainEvent } from '../../platform/events.js'
import { quietHoursRelease, type QuietHours } from '../notifications/rules.js'
import { MESSAGE_TYPES, type CustomerChannel, type MessageType } from '../notifications/types.js'
import type { Order } from '../orders/service.js'
import { parseDuration, type FlowAction, type FlowDefinition } from './definition.js'
import { advance, dateEvent, evaluate, onAwaitedEvent, type ActionResult, type Facts, type RunState } from './interpreter.js'

export interface DryRunSettings { smartSendingHours: number; respectQuietHours: boolean }

export interface DryRunInput {
  flowId: string
  flow: FlowDefinition
  settings: DryRunSettings
  from: Date
  to: Date
  timeZone: string
  quietHours: QuietHours | null
  /** Rows of `recipients` to return (the counts cover everyone). */
  limit: number
  events(after: string | undefined, limit: number): Promise<DomainEvent[]>
  subjectOf(event: DomainEvent): Promise<{ customerId: string | null; orderId: string | null; order?: Order }>
  facts(customerId: string, orderId: string | null, event: DomainEvent): Facts
  channelFor(customerId: string, orderId: string | null, type: MessageType, channel?: CustomerChannel): Promise<{ channel: CustomerChannel | null; reason: string | null }>
  dateDue(property: string, event: DomainEvent, order: Order | undefined, customerId: string): Promise<Date | undefined>
}

export interface DryRunAction {
  customerId: string
  orderId: string | null
  at: string
  stepId: string
  action: string
  outcome: 'would_send' | 'would_skip' | 'would_do' | 'deferred'
  channel: CustomerChannel | null
  detail: string
}

export interface DryRunReport {
  from: string
  to: string
  eventsRead: number
  entered: number
  completed: number
  exited: number
  stillWaiting: number
  messages: Record<string, { wouldSend: number; wouldSkip: number; byChannel: Record<string, number> }>
  skippedReasons: Record<string, number>
  actions: DryRunAction[]
  truncated: boolean
}

interface SimRun {
  id: number
  state: RunState
  customerId: string
  orderId: string | null
  event: DomainEvent
  enteredAt: number
  pending: boolean
}

export async function simulate(input: DryRunInput): Promise<DryRunReport> {
  const { flow } = input
  const report: DryRunReport = {
    from: input.from.toISOString(), to: input.to.toISOString(), eventsRead: 0, entered: 0, completed: 0, exited: 0, stillWaiting: 0,
    messages: {}, skippedReasons: {}, actions: [], truncated: false,
  }
  const runs: SimRun[] = []
  const byCustomer = new Map<string, SimRun[]>()
  const timers = new MinHeap<{ at: number; run: SimRun }>((a, b) => a.at - b.at)
  const entries = new Map<string, number>()
  const lastMarketing = new Map<string, number>()
  let nextId = 1

  const record = (a: DryRunAction) => {
    if (report.actions.length < input.limit) report.actions.push(a)
    else report.truncated = true
  }

  const move = async (run: SimRun, now: Date) => {
    const facts = input.facts(run.customerId, run.orderId, run.event)
    const act = async (action: FlowAction, stepId: string): Promise<ActionResult> => {
      const base = { customerId: run.customerId, orderId: run.orderId, at: now.toISOString(), stepId, action: action.kind }
      if (action.kind !== 'send_message') {
        record({ ...base, outcome: 'would_do', channel: null, detail: JSON.stringify(action) })
        return { outcome: 'done', detail: 'dry run' }
      }
      const type = action.messageType as MessageType
      const m = (report.messages[type] ??= { wouldSend: 0, wouldSkip: 0, byChannel: {} })
      if (input.settings.respectQuietHours) {
        const release = quietHoursRelease(now, input.timeZone, input.quietHours)
        if (release) {
          record({ ...base, action: `send_message:${type}`, outcome: 'deferred', channel: null, detail: `quiet hours until ${release.toISOString()}` })
          return { outcome: 'deferred', until: release, detail: 'quiet hours' }
        }
      }
      const marketing = MESSAGE_TYPES[type]?.category === 'marketing'
      const last = lastMarketing.get(run.customerId)
      let skip: string | null = null
      if (marketing && input.settings.smartSendingHours > 0 && last !== undefined && now.getTime() - last < input.settings.smartSendingHours * 3_600_000) skip = 'smart sending'
      const choice = skip ? { channel: null, reason: skip } : await input.channelFor(run.customerId, run.orderId, type, action.channel && action.channel !== 'auto' ? action.channel : undefined)
      if (!choice.channel) {
        m.wouldSkip++
        const reason = choice.reason ?? 'no channel'
        report.skippedReasons[reason] = (report.skippedReasons[reason] ?? 0) + 1
        record({ ...base, action: `send_message:${type}`, outcome: 'would_skip', channel: null, detail: reason })
        return { outcome: 'skipped', detail: reason }
      }
      m.wouldSend++
      m.byChannel[choice.channel] = (m.byChannel[choice.channel] ?? 0) + 1
      if (marketing) lastMarketing.set(run.customerId, now.getTime())
      record({ ...base, action: `send_message:${type}`, outcome: 'would_send', channel: choice.channel, detail: `${type} by ${choice.channel}` })
      return { outcome: 'sent', detail: 'dry run' }
    }
    const { state } = await advance(flow, run.state, { now, timeZone: input.timeZone, facts, act })
    run.state = state
    if (state.status === 'waiting' && state.wakeAt) timers.push({ at: state.wakeAt.getTime(), run })
    if (state.status === 'completed') report.completed++
    if (state.status === 'exited' || state.status === 'failed') report.exited++
  }

  const admit = (customerId: string, orderId: string | null, now: Date): boolean => {
    const r = flow.reentry
    const key = `${customerId}:${r.kind === 'once_per_order' ? (orderId ?? '*') : '*'}`
    const last = entries.get(key)
    if (r.kind === 'every' ? last !== undefined && now.getTime() - last < r.days * 86_400_000 : last !== undefined) return false
    entries.set(key, now.getTime())
    return true
  }

  const add = (run: SimRun) => {
    runs.push(run)
    const list = byCustomer.get(run.customerId)
    if (list) list.push(run)
    else byCustomer.set(run.customerId, [run])
  }

  const start = async (run: SimRun, now: Date) => {
    report.entered++
    add(run)
    await move(run, now)
  }

  /** Fires every timer due at or before `until`, earliest first, each at its own time. */
  const fireTimers = async (until: number) => {
    for (;;) {
      const top = timers.peek()
      if (!top || top.at > until) return
      timers.pop()
      const due = top.run
      // A stale entry: the run moved (event, exit) since this timer was set.
      if (due.state.status !== 'waiting' || due.state.wakeAt?.getTime() !== top.at) continue
      const at = due.state.wakeAt
      if (due.pending) {
        due.pending = false
        due.state = { ...due.state, waitingFor: null }
        if (!admit(due.customerId, due.orderId, at)) {
          due.state = { ...due.state, status: 'exited', wakeAt: null }
          continue
        }
        report.entered++
      }
      await move(due, at)
    }
  }

  let after: string | undefined
  for (;;) {
    const page = await input.events(after, 500)
    if (page.length === 0) break
    for (const event of page) {
      after = event.id
      report.eventsRead++
      const at = new Date(event.occurredAt)
      await fireTimers(at.getTime())
      const { customerId, orderId, order } = await input.subjectOf(event)
      if (!customerId) continue
      const facts = input.facts(customerId, orderId, event)
      for (const run of byCustomer.get(customerId) ?? []) {
        if ( !['waiting', 'paused'].includes(run.state.status) || run.enteredAt >= at.getTime()) continue
        for (const e of flow.exit) {
          if (e.kind === 'event' && e.type === event.type && (!e.filter || (await evaluate(e.filter, facts)))) {
            run.state = { ...run.state, status: 'exited', wakeAt: null, exitReason: `exit: ${event.type}` }
            if (!run.pending) report.exited++
            break
          }
        }
        const moved = await onAwaitedEvent(flow, run.state, event.type, facts, at)
        if (moved) {
          run.state = moved.state
          await move(run, at)
        }
      }
      const t = flow.trigger
      if ((t.kind === 'event' && t.type === event.type && (!t.filter || (await evaluate(t.filter, facts))))
        || (t.kind === 'segment_entered' && event.type === 'segment.entered' && (event.data as Record<string, unknown>).segmentId === t.segmentId)) {
        if (admit(customerId, orderId, at)) {
          await start({ id: nextId++, customerId, orderId, event, enteredAt: at.getTime(), pending: false, state: initial(input.flowId, customerId, flow.entry, at) }, at)
        }
      } else if (t.kind === 'date_property' && dateEvent(t.property) === event.type) {
        const due = await input.dateDue(t.property, event, order, customerId)
        if (!due) continue
        const wake = new Date(due.getTime() + (t.offset ? parseDuration(t.offset)! * 1000 : 0))
        let run = (byCustomer.get(customerId) ?? []).find((r) => r.pending && r.state.status === 'waiting')
        if (run) { run.state = { ...run.state, wakeAt: wake }; run.orderId = orderId; run.event = event }
        else add(run = { id: nextId++, customerId, orderId, event, enteredAt: at.getTime(), pending: true, state: { ...initial(input.flowId, customerId, flow.entry, at), status: 'waiting', waitingFor: null, wakeAt: wake } })
        timers.push({ at: wake.getTime(), run })
      }
    }
  }
  await fireTimers(input.to.getTime())
  report.stillWaiting = runs.filter((r) => !r.pending && (r.state.status === 'waiting' || r.state.status === 'running')).length
  return report
}

function initial(flowId: string, customerId: string, entry: string, at: Date): RunState {
  return { flowId, customerId, status: 'waiting', stepId: entry, seq: 0, waitingFor: null, waitEvent: null, wakeAt: at, arm: null, attributedAt: null, exitReason: null }
}

/** A binary min-heap: the dry run's timer queue. */
class MinHeap<T> {
  private items: T[] = []
  constructor(private readonly less: (a: T, b: T) => number) {}
  peek(): T | undefined { return this.items[0] }
  push(x: T): void {
    const a = this.items
    a.push(x)
    for (let i = a.length - 1; i > 0;) {
      const p = (i - 1) >> 1
      if (this.less(a[i]!, a[p]!) >= 0) break
      ;[a[i], a[p]] = [a[p]!, a[i]!]
      i = p
    }
  }
  pop(): T | undefined {
    const a = this.items
    const top = a[0]
    const last = a.pop()
    if (a.length > 0 && last !== undefined) {
      a[0] = last
      for (let i = 0; ;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < a.length && this.less(a[l]!, a[m]!) < 0) m = l
        if (r < a.length && this.less(a[r]!, a[m]!) < 0) m = r
        if (m === i) break
        ;[a[i], a[m]] = [a[m]!, a[i]!]
        i = m
      }
    }
    return top
  }
}
