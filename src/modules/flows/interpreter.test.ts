import { describe, expect, it } from 'vitest'
import type { FlowAction, FlowDefinition } from './definition.js'
import { advance, onAwaitedEvent, waitEnd, type ActionResult, type Facts, type RunState } from './interpreter.js'

const facts = (over: Partial<Facts> = {}): Facts => ({
  trait: async () => undefined, hasTag: async () => false, orderHasSku: async () => false, boughtSku: async () => false,
  returnsOpen: async () => false, npsLast: async () => null, lineLinked: async () => false, unsubscribed: async () => false,
  eventData: () => undefined, ...over,
})
const run = (stepId: string, over: Partial<RunState> = {}): RunState => ({
  flowId: 'flw_1', customerId: 'cus_1', status: 'running', stepId, seq: 0, waitingFor: null, waitEvent: null, wakeAt: null, arm: null, attributedAt: null, exitReason: null, ...over,
})
const TOKYO = 'Asia/Tokyo'
const at = (iso: string) => new Date(iso)

describe('waitEnd', () => {
  it('a duration from now', () => {
    expect(waitEnd({ type: 'wait', for: 'P1DT2H', next: 'x' }, at('2026-11-26T01:00:00Z'), TOKYO).toISOString()).toBe('2026-11-27T03:00:00.000Z')
  })
  it('until a time of day: today when still ahead, else tomorrow, in the tenant zone', () => {
    // 09:00 in Tokyo → 10:00 today; 11:00 → 10:00 tomorrow; exactly 10:00 → tomorrow.
    expect(waitEnd({ type: 'wait', until: { time: '10:00' }, next: 'x' }, at('2026-11-26T00:00:00Z'), TOKYO).toISOString()).toBe('2026-11-26T01:00:00.000Z')
    expect(waitEnd({ type: 'wait', until: { time: '10:00' }, next: 'x' }, at('2026-11-26T02:00:00Z'), TOKYO).toISOString()).toBe('2026-11-27T01:00:00.000Z')
    expect(waitEnd({ type: 'wait', until: { time: '10:00' }, next: 'x' }, at('2026-11-26T01:00:00Z'), TOKYO).toISOString()).toBe('2026-11-27T01:00:00.000Z')
    // 23:30 UTC on the 25th is 08:30 on the 26th in Tokyo: the local date counts, not UTC's.
    expect(waitEnd({ type: 'wait', until: { time: '09:00' }, next: 'x' }, at('2026-11-25T23:30:00Z'), TOKYO).toISOString()).toBe('2026-11-26T00:00:00.000Z')
  })
  it('until a weekday (Thursday 2026-11-26): next Monday 09:00 by default; today if the time is ahead', () => {
    expect(waitEnd({ type: 'wait', until: { weekday: 1 }, next: 'x' }, at('2026-11-26T01:00:00Z'), TOKYO).toISOString()).toBe('2026-11-30T00:00:00.000Z')
    expect(waitEnd({ type: 'wait', until: { weekday: 4, time: '18:00' }, next: 'x' }, at('2026-11-26T01:00:00Z'), TOKYO).toISOString()).toBe('2026-11-26T09:00:00.000Z')
    expect(waitEnd({ type: 'wait', until: { weekday: 4, time: '08:00' }, next: 'x' }, at('2026-11-26T01:00:00Z'), TOKYO).toISOString()).toBe('2026-12-02T23:00:00.000Z')
  })
})

describe('advance', () => {
  const flow: FlowDefinition = {
    schemaVersion: 1, name: 't', trigger: { kind: 'event', type: 'shipment.delivered' }, entry: 'wait',
    steps: {
      wait: { type: 'wait', for: 'P7D', next: 'check' },
      check: { type: 'condition', if: { fact: 'returns.open' }, then: 'done', else: 'ask' },
      ask: { type: 'action', action: { kind: 'send_message', messageType: 'review_request' }, next: 'await' },
      await: { type: 'wait', event: { type: 'review.submitted', timeout: 'P5D', onTimeout: 'remind' }, next: 'done' },
      remind: { type: 'action', action: { kind: 'send_message', messageType: 'review_request' }, next: 'done' },
      done: { type: 'end' },
    },
    exit: [{ kind: 'predicate', if: { fact: 'customer.unsubscribed' } }], reentry: { kind: 'once_per_order' },
  }
  const now = at('2026-11-26T01:00:00Z')
  const acted: string[] = []
  const port = (f: Facts = facts(), result: ActionResult = { outcome: 'sent', messageId: 'msg_1' }) => ({
    now, timeZone: TOKYO, facts: f, act: async (a: FlowAction, stepId: string) => { acted.push(`${stepId}:${a.kind}`); return result },
  })

  it('sleeps at a wait, then goes on from it when woken', async () => {
    const first = await advance(flow, run('wait'), port())
    expect(first.state).toMatchObject({ status: 'waiting', waitingFor: 'time', stepId: 'wait', seq: 1 })
    expect(first.state.wakeAt!.toISOString()).toBe('2026-12-03T01:00:00.000Z')
    acted.length = 0
    const second = await advance(flow, first.state, port())
    expect(acted).toEqual(['ask:send_message'])
    expect(second.state).toMatchObject({ status: 'waiting', waitingFor: 'event', waitEvent: 'review.submitted', stepId: 'await' })
    expect(second.logs.map((l) => `${l.stepId}:${l.outcome}`)).toEqual(['wait:resumed', 'check:branch', 'ask:sent', 'await:waiting'])
    expect(second.state.attributedAt).toEqual(now)
    // Woken by the clock at an event wait: the timeout path.
    acted.length = 0
    const third = await advance(flow, second.state, port())
    expect(acted).toEqual(['remind:send_message'])
    expect(third.state).toMatchObject({ status: 'completed', stepId: 'done' })
    expect(third.logs.map((l) => l.seq)).toEqual([6, 7, 8])
  })

  it('the awaited event moves the run to the wait\'s next step instead', async () => {
    const waiting = run('await', { status: 'waiting', waitingFor: 'event', waitEvent: 'review.submitted', seq: 4, wakeAt: at('2026-12-08T01:00:00Z') })
    expect(await onAwaitedEvent(flow, waiting, 'order.placed', facts(), now)).toBeUndefined()
    const moved = await onAwaitedEvent(flow, waiting, 'review.submitted', facts(), now)
    expect(moved!.state).toMatchObject({ stepId: 'done', waitingFor: null, seq: 5, wakeAt: now })
  })

  it('a condition branches on the facts; an exit predicate ends the run before any step', async () => {
    acted.length = 0
    const returning = await advance(flow, run('check'), port(facts({ returnsOpen: async () => true })))
    expect(returning.state.status).toBe('completed')
    expect(acted).toEqual([])
    const gone = await advance(flow, run('check'), port(facts({ unsubscribed: async () => true })))
    expect(gone.state).toMatchObject({ status: 'exited', exitReason: 'exit condition 0 holds' })
    expect(gone.logs.map((l) => l.outcome)).toEqual(['exited'])
  })

  it('a deferred action sleeps at the same step and is tried again', async () => {
    const until = at('2026-11-26T23:00:00Z')
    const r = await advance(flow, run('ask'), port(facts(), { outcome: 'deferred', until, detail: 'quiet hours' }))
    expect(r.state).toMatchObject({ status: 'waiting', waitingFor: 'defer', stepId: 'ask', wakeAt: until })
  })

  it('a split holdout ends the run at once and is remembered for lift', async () => {
    const split: FlowDefinition = {
      ...flow, entry: 's', exit: [],
      steps: { s: { type: 'split', arms: [{ name: 'A', weight: 1, next: 'x' }, { name: 'B', weight: 1, next: 'x' }], holdout: { weight: 2 } }, x: { type: 'end' } },
    }
    const seen = new Map<string, number>()
    for (let i = 0; i < 400; i++) {
      const r = await advance(split, run('s', { customerId: `cus_${i}` }), port())
      seen.set(r.state.arm!, (seen.get(r.state.arm!) ?? 0) + 1)
      if (r.state.arm === 'holdout') expect(r.logs.map((l) => l.outcome)).toEqual(['holdout'])
    }
    expect(seen.get('holdout')).toBeGreaterThan(160) // half, within noise
    expect(seen.get('holdout')).toBeLessThan(240)
    expect((seen.get('A') ?? 0) + (seen.get('B') ?? 0) + seen.get('holdout')!).toBe(400)
  })

  it('a step that is not in the version fails the run with the reason', async () => {
    const r = await advance(flow, run('gone'), port())
    expect(r.state).toMatchObject({ status: 'failed', exitReason: 'step "gone" is not in this version of the flow' })
  })
})
