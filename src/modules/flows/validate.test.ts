import { describe, expect, it } from 'vitest'
import { toPointer, validateFlow, MAX_STEPS, type FlowError } from './validate.js'

/** A minimal valid flow with the given steps (entry `a`). */
function flow(steps: Record<string, unknown>, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: 1, name: 'test', trigger: { kind: 'event', type: 'shipment.delivered' },
    entry: 'a', steps, exit: [], reentry: { kind: 'once_ever' }, ...over,
  }
}
const send = (next?: string | null) => ({ type: 'action', action: { kind: 'send_message', messageType: 'x' }, ...(next === undefined ? {} : { next }) })

function errorsOf(doc: unknown): FlowError[] {
  const r = validateFlow(doc)
  if (r.ok) throw new Error('expected the document to be rejected')
  return r.errors
}
function pointersOf(doc: unknown): string[] {
  return errorsOf(doc).map((e) => e.pointer)
}

describe('validateFlow rejects, pointing at the bad node', () => {
  it('a cycle without a sleeping wait, naming the cycle', () => {
    const errors = errorsOf(flow({
      a: send('b'),
      b: { type: 'condition', if: { fact: 'line.linked' }, then: 'c', else: 'end' },
      c: { type: 'action', action: { kind: 'add_tag', tag: 't' }, next: 'b' },
      end: { type: 'end' },
    }))
    expect(errors).toEqual([{ pointer: '/steps/b', message: expect.stringContaining('b → c → b') }])
  })

  it('a self-loop', () => {
    expect(pointersOf(flow({ a: send('a') }))).toEqual(['/steps/a'])
  })

  it('a cycle whose only wait is until a time of day (it can be due at once)', () => {
    const errors = errorsOf(flow({ a: send('w'), w: { type: 'wait', until: { time: '09:00' }, next: 'a' } }))
    expect(errors).toEqual([{ pointer: '/steps/a', message: expect.stringContaining('a → w → a') }])
  })

  it('accepts the same cycle through a wait with an event timeout', () => {
    const r = validateFlow(flow({ a: send('w'), w: { type: 'wait', event: { type: 'review.submitted', timeout: 'P3D', onTimeout: 'a' }, next: 'e' }, e: { type: 'end' } }))
    expect(r.ok ? [] : r.errors).toEqual([])
  })

  it('missing targets, every one of them', () => {
    expect(pointersOf(flow({
      a: { type: 'wait', event: { type: 'review.submitted', timeout: 'P14D', onTimeout: 'nope1' }, next: 'b' },
      b: { type: 'condition', if: { fact: 'returns.open' }, then: 'nope2', else: 'c' },
      c: { type: 'split', arms: [{ name: 'A', weight: 1, next: 'd' }, { name: 'B', weight: 1, next: 'nope3' }] },
      d: send('nope4'),
    }, { entry: 'a' }))).toEqual(['/steps/a/event/onTimeout', '/steps/b/then', '/steps/c/arms/1/next', '/steps/d/next'])
  })

  it('a missing entry step', () => {
    expect(pointersOf(flow({ a: send() }, { entry: 'start' }))).toEqual(['/entry'])
  })

  it('unknown event types in the trigger, a wait and an exit', () => {
    const errors = errorsOf(flow(
      { a: { type: 'wait', event: { type: 'review.posted', timeout: 'P1D', onTimeout: 'e' }, next: 'e' }, e: { type: 'end' } },
      { trigger: { kind: 'event', type: 'shipment.arrived' }, exit: [{ kind: 'event', type: 'order.made' }] },
    ))
    expect(errors).toEqual([
      { pointer: '/trigger/type', message: 'unknown event type "shipment.arrived"' },
      { pointer: '/steps/a/event/type', message: 'unknown event type "review.posted"' },
      { pointer: '/exit/0/type', message: 'unknown event type "order.made"' },
    ])
  })

  for (const [bad, why] of [['P0D', 'longer than zero'], ['7 days', 'not an ISO 8601 duration'], ['P500D', '400-day'], ['P1M', 'years or months'], ['PT', 'not an ISO 8601']] as const) {
    it(`the bad duration "${bad}"`, () => {
      expect(errorsOf(flow({ a: { type: 'wait', for: bad, next: 'e' }, e: { type: 'end' } })))
        .toEqual([{ pointer: '/steps/a/for', message: expect.stringContaining(why) }])
    })
  }

  it('a bad event timeout and a bad trigger offset', () => {
    expect(pointersOf(flow(
      { a: { type: 'wait', event: { type: 'review.submitted', timeout: 'P0D', onTimeout: 'e' }, next: 'e' }, e: { type: 'end' } },
      { trigger: { kind: 'date_property', property: 'last_delivered_at', offset: '90 days' } },
    ))).toEqual(['/trigger/offset', '/steps/a/event/timeout'])
  })

  for (const bad of ['25:00', '9:00', '12:60', '24:00']) {
    it(`the time of day "${bad}"`, () => {
      expect(pointersOf(flow({ a: { type: 'wait', until: { time: bad }, next: 'e' }, e: { type: 'end' } }))).toEqual(['/steps/a/until/time'])
    })
  }

  it('a weekday outside 0–6', () => {
    expect(pointersOf(flow({ a: { type: 'wait', until: { weekday: 7 }, next: 'e' }, e: { type: 'end' } }))).toEqual(['/steps/a/until/weekday'])
  })

  it('a wait with none, or two, of for / until / event', () => {
    expect(pointersOf(flow({
      a: { type: 'wait', next: 'b' },
      b: { type: 'wait', for: 'P1D', until: { time: '10:00' }, next: 'e' },
      e: { type: 'end' },
    }))).toEqual(['/steps/a', '/steps/b'])
  })

  it('a split with one arm', () => {
    expect(errorsOf(flow({ a: { type: 'split', arms: [{ name: 'A', weight: 1, next: 'e' }] }, e: { type: 'end' } })))
      .toEqual([{ pointer: '/steps/a/arms', message: 'a split needs at least 2 arms' }])
  })

  it('a split arm with weight 0, a duplicate arm name, a holdout over 50 %', () => {
    expect(pointersOf(flow({ a: { type: 'split', arms: [{ name: 'A', weight: 0, next: 'e' }, { name: 'B', weight: 1, next: 'e' }] }, e: { type: 'end' } })))
      .toEqual(['/steps/a/arms/0/weight'])
    expect(pointersOf(flow({
      a: { type: 'split', arms: [{ name: 'A', weight: 1, next: 'e' }, { name: 'A', weight: 1, next: 'e' }], holdout: { weight: 2.5 } },
      e: { type: 'end' },
    }))).toEqual(['/steps/a/arms/1/name', '/steps/a/holdout/weight'])
  })

  it('accepts a holdout of exactly 50 %', () => {
    const r = validateFlow(flow({ a: { type: 'split', arms: [{ name: 'A', weight: 1, next: 'e' }, { name: 'B', weight: 1, next: 'e' }], holdout: { weight: 2 } }, e: { type: 'end' } }))
    expect(r.ok).toBe(true)
  })

  it('an unreachable step (an error: usually a mis-wired next)', () => {
    expect(errorsOf(flow({ a: send(null), orphan: send('a') })))
      .toEqual([{ pointer: '/steps/orphan', message: 'step "orphan" cannot be reached from entry "a"' }])
  })

  it('an unknown predicate fact, even nested', () => {
    expect(pointersOf(flow({ a: { type: 'condition', if: { fact: 'customer.vibes' }, then: 'e', else: 'e' }, e: { type: 'end' } })))
      .toEqual(['/steps/a/if/fact'])
    expect(pointersOf(flow({ a: { type: 'condition', if: { all: [{ fact: 'returns.open' }, { not: { fact: 'bogus' } }] }, then: 'e', else: 'e' }, e: { type: 'end' } })))
      .toEqual(['/steps/a/if/all/1/not/fact'])
  })

  it('operators that do not fit their values', () => {
    expect(pointersOf(flow({
      a: { type: 'condition', if: { any: [
        { fact: 'customer.trait', key: 'tier', op: 'gte', value: 'gold' },
        { fact: 'customer.trait', key: 'tier', op: 'exists', value: 1 },
        { fact: 'event.data', path: 'x', op: 'in', value: 'a' },
        { fact: 'nps.last', op: 'gte', value: 11 },
      ] }, then: 'e', else: 'e' },
      e: { type: 'end' },
    }))).toEqual(['/steps/a/if/any/0/value', '/steps/a/if/any/1/value', '/steps/a/if/any/2/value', '/steps/a/if/any/3/value'])
  })

  it('an unknown step type and an unknown action kind', () => {
    expect(pointersOf(flow({ a: { type: 'jump', next: 'b' }, b: { type: 'action', action: { kind: 'fax' } } })))
      .toEqual(['/steps/a/type', '/steps/b/action/kind'])
  })

  it('a wrong schema version and unknown top-level keys', () => {
    expect(pointersOf({ ...flow({ a: send() }), schemaVersion: 2, extra: true })).toEqual(['/schemaVersion', ''])
  })

  it('predicates nested too deep', () => {
    let p: unknown = { fact: 'line.linked' }
    for (let i = 0; i < 9; i++) p = { not: p }
    expect(pointersOf(flow({ a: { type: 'condition', if: p, then: 'e', else: 'e' }, e: { type: 'end' } }))).toEqual(['/steps/a/if'])
  })

  it('more than the maximum number of steps', () => {
    const steps: Record<string, unknown> = {}
    for (let i = 0; i <= MAX_STEPS; i++) steps[`s${i}`] = i < MAX_STEPS ? send(`s${i + 1}`) : { type: 'end' }
    expect(pointersOf(flow(steps, { entry: 's0' }))).toEqual(['/steps'])
  })

  it('reports every graph error at once', () => {
    expect(pointersOf(flow({ a: send('b'), b: send('a'), c: send('zz') })))
      .toEqual(['/steps/c/next', '/steps/c', '/steps/a'])
  })
})

describe('validateFlow with a malformed document', () => {
  it('still reports missing targets of the well-formed steps beside the shape errors', () => {
    expect(pointersOf(flow({ a: send('b'), b: { type: 'wait', for: 'P0D', next: 'gone' }, c: send('nowhere') }, { entry: 'start' })))
      .toEqual(['/steps/b/for', '/entry', '/steps/c/next'])
  })
})

describe('toPointer', () => {
  it('escapes ~ and / as RFC 6901 says', () => {
    expect(toPointer(['steps', 'a/b', 'c~d', 0])).toBe('/steps/a~1b/c~0d/0')
    expect(toPointer([])).toBe('')
  })
})
