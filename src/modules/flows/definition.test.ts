import { describe, expect, it } from 'vitest'
import { KNOWN_EVENT_TYPES, parseDuration } from './definition.js'
import { validateFlow } from './validate.js'

/** The built-in flows issue 6 lists, written as documents. */
const BUILT_IN_FLOWS: Record<string, unknown> = {
  reviewRequest: {
    schemaVersion: 1,
    name: 'Review request 7 days after delivery',
    trigger: { kind: 'event', type: 'shipment.delivered' },
    entry: 'wait7',
    steps: {
      wait7: { type: 'wait', for: 'P7D', next: 'returnOpen' },
      returnOpen: { type: 'condition', if: { fact: 'returns.open' }, then: 'done', else: 'morning' },
      morning: { type: 'wait', until: { time: '10:00' }, next: 'ask' },
      ask: { type: 'action', action: { kind: 'send_message', messageType: 'review_request', channel: 'auto' }, next: 'awaitReview' },
      awaitReview: { type: 'wait', event: { type: 'review.submitted', timeout: 'P14D', onTimeout: 'remind' }, next: 'thank' },
      remind: { type: 'action', action: { kind: 'send_message', messageType: 'review_reminder' }, next: null },
      thank: { type: 'action', action: { kind: 'add_tag', tag: 'reviewer' } },
      done: { type: 'end' },
    },
    exit: [{ kind: 'event', type: 'return.requested' }],
    reentry: { kind: 'once_per_order' },
  },
  nps: {
    schemaVersion: 1,
    name: 'NPS survey',
    trigger: { kind: 'event', type: 'shipment.delivered' },
    entry: 'wait',
    steps: {
      wait: { type: 'wait', for: 'P14D', next: 'survey' },
      survey: { type: 'action', action: { kind: 'send_message', messageType: 'nps_survey', channel: 'auto' }, next: 'answer' },
      answer: { type: 'wait', event: { type: 'nps.responded', timeout: 'P7D', onTimeout: 'end' }, next: 'promoter' },
      promoter: {
        type: 'condition',
        if: { all: [{ fact: 'nps.last', op: 'gte', value: 9 }, { not: { fact: 'returns.open' } }] },
        then: 'askReview', else: 'detractor',
      },
      askReview: { type: 'action', action: { kind: 'send_message', messageType: 'review_request' }, next: 'end' },
      detractor: { type: 'condition', if: { fact: 'nps.last', op: 'lte', value: 6 }, then: 'alert', else: 'end' },
      alert: { type: 'action', action: { kind: 'webhook', url: 'https://hooks.example.jp/nps' }, next: 'end' },
      end: { type: 'end' },
    },
    exit: [],
    reentry: { kind: 'every', days: 90 },
  },
  replenishment: {
    schemaVersion: 1,
    name: 'Replenishment reminder',
    trigger: { kind: 'date_property', property: 'last_delivered_at', offset: 'P25D' },
    entry: 'bought',
    steps: {
      bought: { type: 'condition', if: { fact: 'customer.bought_sku', sku: 'TEA-100', withinDays: 60 }, then: 'split', else: 'end' },
      split: { type: 'split', arms: [{ name: 'plain', weight: 1, next: 'remind' }, { name: 'coupon', weight: 1, next: 'coupon' }], holdout: { weight: 0.2 } },
      coupon: { type: 'action', action: { kind: 'issue_coupon', poolId: 'pool_refill10' }, next: 'remind' },
      remind: { type: 'action', action: { kind: 'send_message', messageType: 'replenishment', channel: 'line' }, next: 'end' },
      end: { type: 'end' },
    },
    exit: [{ kind: 'event', type: 'order.placed' }, { kind: 'predicate', if: { fact: 'customer.unsubscribed' } }],
    reentry: { kind: 'every', days: 30 },
  },
  winBack: {
    schemaVersion: 1,
    name: 'Win-back after 90 days',
    trigger: { kind: 'date_property', property: 'last_order_at', offset: 'P90D' },
    entry: 'tag',
    steps: {
      tag: { type: 'action', action: { kind: 'set_trait', key: 'lapsed', value: true }, next: 'line' },
      line: { type: 'condition', if: { fact: 'line.linked' }, then: 'viaLine', else: 'viaEmail' },
      viaLine: { type: 'action', action: { kind: 'send_message', messageType: 'win_back', channel: 'line' }, next: 'weekend' },
      viaEmail: { type: 'action', action: { kind: 'send_message', messageType: 'win_back', channel: 'email' }, next: 'weekend' },
      weekend: { type: 'wait', until: { weekday: 6, time: '09:30' }, next: 'cleanup' },
      cleanup: { type: 'action', action: { kind: 'remove_tag', tag: 'vip' } },
    },
    exit: [{ kind: 'event', type: 'order.placed' }, { kind: 'event', type: 'customer.consent_changed', filter: { fact: 'event.data', path: 'status', op: 'eq', value: 'unsubscribed' } }],
    reentry: { kind: 'once_ever' },
  },
  delayApology: {
    schemaVersion: 1,
    name: 'Delivery delay apology',
    trigger: { kind: 'event', type: 'shipment.delayed', filter: { fact: 'event.data', path: 'delay.days', op: 'gte', value: 2 } },
    entry: 'apology',
    steps: {
      apology: { type: 'action', action: { kind: 'send_message', messageType: 'delay_apology', channel: 'auto' }, next: 'vip' },
      vip: { type: 'condition', if: { any: [{ fact: 'customer.tag', tag: 'vip' }, { fact: 'customer.trait', key: 'tier', op: 'in', value: ['gold', 'platinum'] }] }, then: 'coupon', else: 'end' },
      coupon: { type: 'action', action: { kind: 'issue_coupon', poolId: 'pool_sorry500' }, next: 'end' },
      end: { type: 'end' },
    },
    exit: [{ kind: 'event', type: 'shipment.delivered' }],
    reentry: { kind: 'once_per_order' },
  },
  // a loop is fine when it sleeps: check every day until the parcel is at the depot no longer
  depotReminder: {
    schemaVersion: 1,
    name: 'Held at depot reminder',
    trigger: { kind: 'event', type: 'shipment.held_at_depot' },
    entry: 'remind',
    steps: {
      remind: { type: 'action', action: { kind: 'send_message', messageType: 'held_at_depot', channel: 'sms' }, next: 'wait' },
      wait: { type: 'wait', for: 'P1D', next: 'remind' },
    },
    exit: [{ kind: 'event', type: 'shipment.delivered' }, { kind: 'event', type: 'shipment.returned_to_sender' }],
    reentry: { kind: 'once_per_order' },
  },
}

describe('flow definition', () => {
  for (const [name, doc] of Object.entries(BUILT_IN_FLOWS)) {
    it(`accepts the built-in ${name} flow`, () => {
      const r = validateFlow(doc)
      expect(r.ok ? [] : r.errors).toEqual([])
    })
  }

  it('fills exit with an empty list when it is absent', () => {
    const { exit: _, ...doc } = BUILT_IN_FLOWS.delayApology as Record<string, unknown>
    const r = validateFlow(doc)
    expect(r.ok && r.flow.exit).toEqual([])
  })

  it('parses ISO 8601 durations to seconds', () => {
    expect(parseDuration('P7D')).toBe(7 * 86_400)
    expect(parseDuration('PT2H')).toBe(7_200)
    expect(parseDuration('P1W2DT3H4M5S')).toBe(604_800 + 2 * 86_400 + 3 * 3_600 + 4 * 60 + 5)
    for (const bad of ['7 days', 'P', 'PT', 'P1.5D', 'p7d', 'P7DT', '']) expect(parseDuration(bad)).toBeNull()
  })

  it('knows the DESIGN.md events and the ones the code emits', () => {
    for (const t of ['shipment.delivered', 'review.submitted', 'nps.responded', 'segment.entered', 'shipment.held_at_depot', 'message.bounced', 'allocation.created', 'parcel.shipped']) {
      expect(KNOWN_EVENT_TYPES).toContain(t)
    }
    expect(new Set(KNOWN_EVENT_TYPES).size).toBe(KNOWN_EVENT_TYPES.length)
  })
})
