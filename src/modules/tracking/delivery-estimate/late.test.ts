import { describe, expect, it } from 'vitest'
import { estimateDelivery, type Estimate, type EstimateInput } from './estimate.js'
import { assessLateness, type LatenessInput } from './late.js'

const jst = (date: string, hhmm = '10:00'): string => new Date(`${date}T${hhmm}:00+09:00`).toISOString()
const input: EstimateInput = {
  carrier: 'yamato', service: null, originPrefecture: '13', destinationPrefecture: '27', destinationPostalCode: null,
  readyAt: jst('2026-11-26'), cutoff: '15:00', timeZone: 'Asia/Tokyo', events: [],
}
// Ships Thu 26 Nov, 関東→関西 1 day → Fri 27 Nov.
const promise = estimateDelivery(input) as Estimate
const assess = (over: Partial<LatenessInput>) =>
  assessLateness({ estimate: promise, originalEstimate: promise, status: 'in_transit', lastEventAt: jst('2026-11-26', '18:00'), now: jst('2026-11-27', '09:00'), timeZone: 'Asia/Tokyo', thresholds: { slaDays: 5 }, ...over })

describe('assessLateness', () => {
  it('on time: nothing to report', () => {
    expect(promise.date).toBe('2026-11-27')
    expect(assess({ now: jst('2026-11-26', '20:00') })).toEqual({ late: false, trendingLate: false, watch: [] })
  })

  it('late once the JST day after the estimate starts, not before', () => {
    expect(assess({ now: '2026-11-27T14:59:00Z' }).late).toBe(false) // 23:59 JST on the 27th
    expect(assess({ now: '2026-11-27T15:00:00Z' }).late).toBe(true) // 00:00 JST on the 28th
  })

  it('delivered is never late, even after the date', () => {
    const delivered = estimateDelivery({ ...input, events: [{ status: 'delivered', occurredAt: jst('2026-11-29') }] }) as Estimate
    expect(assess({ estimate: delivered, status: 'delivered', now: jst('2026-12-01') })).toEqual({ late: false, trendingLate: false, watch: [] })
  })

  it('trending late when the re-estimate is after the first promise', () => {
    const failed = estimateDelivery({ ...input, events: [{ status: 'delivery_failed', occurredAt: jst('2026-11-27', '14:00') }] }) as Estimate
    const r = assess({ estimate: failed, status: 'delivery_failed', now: jst('2026-11-27', '15:00') })
    expect(failed.date).toBe('2026-11-28')
    expect(r).toMatchObject({ late: false, trendingLate: true })
  })

  it('trending late when not picked up after the ship day and the lane can no longer make it', () => {
    const r = assess({ status: 'label_created', lastEventAt: jst('2026-11-26'), now: jst('2026-11-27', '08:00') })
    expect(r.trendingLate).toBe(true)
    expect(assess({ status: 'label_created', lastEventAt: jst('2026-11-26'), now: jst('2026-11-26', '14:00') }).trendingLate).toBe(false)
  })

  it('trending late when still on the trunk route on the day itself', () => {
    expect(assess({ status: 'in_transit', now: jst('2026-11-27', '13:00') }).trendingLate).toBe(true)
    expect(assess({ status: 'out_for_delivery', now: jst('2026-11-27', '13:00') }).trendingLate).toBe(false)
  })

  it('watch: not picked up within 24 hours of the label', () => {
    expect(assess({ status: 'label_created', lastEventAt: jst('2026-11-26'), now: jst('2026-11-27', '09:59') }).watch).toEqual([])
    expect(assess({ status: 'label_created', lastEventAt: jst('2026-11-26'), now: jst('2026-11-27', '10:00') }).watch).toEqual(['not_picked_up'])
    expect(assess({ status: 'label_created', lastEventAt: jst('2026-11-26'), now: jst('2026-11-26', '16:00'), thresholds: { notPickedUpHours: 6 } }).watch).toEqual(['not_picked_up'])
  })

  it('watch: no scan for three days', () => {
    expect(assess({ now: jst('2026-11-29', '17:59') }).watch).not.toContain('no_scan')
    expect(assess({ now: jst('2026-11-29', '18:00') }).watch).toContain('no_scan')
  })

  it('watch: past the SLA by estimate, by clock, or not at all without an SLA', () => {
    const chichijima = estimateDelivery({ ...input, destinationPrefecture: null, destinationPostalCode: '100-2101' }) as Estimate
    expect(assess({ estimate: chichijima, originalEstimate: chichijima, now: jst('2026-11-27') }).watch).toEqual(['past_sla'])
    expect(assess({ now: jst('2026-12-01', '10:00'), lastEventAt: jst('2026-11-30') }).watch).toEqual([]) // 5 days, not more
    expect(assess({ now: jst('2026-12-02', '10:00'), lastEventAt: jst('2026-11-30') }).watch).toEqual(['past_sla'])
    expect(assess({ now: jst('2026-12-01', '10:00'), readyAt: jst('2026-11-26'), lastEventAt: jst('2026-11-30') }).watch).toEqual(['past_sla'])
    expect(assess({ now: jst('2026-12-09'), lastEventAt: jst('2026-12-08'), thresholds: {} }).watch).toEqual([])
  })

  it('no estimate: only the watch list is assessed', () => {
    const r = assess({ estimate: null, originalEstimate: null, status: 'label_created', lastEventAt: jst('2026-11-20'), readyAt: jst('2026-11-20'), now: jst('2026-11-27') })
    expect(r).toEqual({ late: false, trendingLate: false, watch: ['not_picked_up', 'past_sla'] })
  })
})
