import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { foldProgress, type TimedStatus } from './progress.js'
import { SHIPMENT_STATUSES } from './status.js'

const READY = '2026-11-20T01:00:00.000Z'
const at = (h: number) => new Date(Date.parse(READY) + h * 3600_000).toISOString()

describe('foldProgress', () => {
  it('follows events in time order, not arrival order', () => {
    const events: TimedStatus[] = [
      { status: 'out_for_delivery', occurredAt: at(30) },
      { status: 'picked_up', occurredAt: at(5) },
      { status: 'in_transit', occurredAt: at(12) },
    ]
    const p = foldProgress(READY, events)
    expect(p.status).toBe('out_for_delivery')
    expect(p.pickedUpAt).toBe(at(5))
    expect(p.lastEventAt).toBe(at(30))
  })

  it('a delivered parcel never goes back to in_transit, even for a later scan', () => {
    const p = foldProgress(READY, [
      { status: 'delivered', occurredAt: at(30) },
      { status: 'in_transit', occurredAt: at(31) },
      { status: 'in_transit', occurredAt: at(10) },
    ])
    expect(p.status).toBe('delivered')
    expect(p.deliveredAt).toBe(at(30))
  })

  it('a failed attempt then a new attempt is progress', () => {
    const p = foldProgress(READY, [
      { status: 'out_for_delivery', occurredAt: at(24) },
      { status: 'delivery_failed', occurredAt: at(28) },
      { status: 'out_for_delivery', occurredAt: at(48) },
    ])
    expect(p.status).toBe('out_for_delivery')
  })

  it('with no events the parcel is label_created since it was ready', () => {
    expect(foldProgress(READY, [])).toEqual({ status: 'label_created', statusAt: READY, pickedUpAt: null, deliveredAt: null, lastEventAt: null })
  })

  it('offsets are compared as instants', () => {
    const p = foldProgress(READY, [
      { status: 'in_transit', occurredAt: '2026-11-21T09:00:00+09:00' }, // 00:00Z
      { status: 'out_for_delivery', occurredAt: '2026-11-21T01:00:00Z' },
    ])
    expect(p.status).toBe('out_for_delivery')
  })

  it('property: the result does not depend on arrival order or repeats', () => {
    const event = fc.record({ status: fc.constantFrom(...SHIPMENT_STATUSES), occurredAt: fc.integer({ min: 0, max: 6 }).map(at) })
    fc.assert(
      fc.property(fc.array(event, { maxLength: 12 }), fc.infiniteStream(fc.nat()), (events, picks) => {
        const shuffled = [...events]
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = picks.next().value % (i + 1)
          ;[shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!]
        }
        const repeated = [...shuffled, ...shuffled.slice(0, 3)]
        expect(foldProgress(READY, repeated)).toEqual(foldProgress(READY, events))
      }),
      { numRuns: 500 },
    )
  })
})
