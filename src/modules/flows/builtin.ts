/**
 * Built-in flows, ready to switch on. Each is an ordinary flow document (the brand can edit it
 * like any other); the copy is in the notifications module's templates for the message types they
 * send, in Japanese and English, chosen per customer.
 */
import type { FlowDefinition } from './definition.js'

export const BUILTIN_KEYS = ['thank_you', 'review_request', 'nps_survey', 'return_csat', 'replenishment', 'cross_sell', 'win_back', 'second_purchase', 'delay_apology'] as const
export type BuiltinKey = (typeof BUILTIN_KEYS)[number]

export interface BuiltinOptions {
  /** A coupon pool for the flows that can offer one (win-back, second purchase, delay apology). */
  couponPoolId?: string
  /** Days to wait where the flow waits a number of days (review request: after delivery). */
  waitDays?: number
}

interface Builtin {
  key: BuiltinKey
  name: { ja: string; en: string }
  description: { ja: string; en: string }
  document(name: string, o: BuiltinOptions): FlowDefinition
}

const days = (n: number) => `P${n}D`

/** Send, optionally preceded by a coupon from the pool. */
function offer(messageType: string, poolId: string | undefined): FlowDefinition['steps'] {
  return poolId
    ? {
        coupon: { type: 'action', action: { kind: 'issue_coupon', poolId }, next: 'send' },
        send: { type: 'action', action: { kind: 'send_message', messageType, channel: 'auto' }, next: null },
      }
    : { send: { type: 'action', action: { kind: 'send_message', messageType, channel: 'auto' }, next: null } }
}

export const BUILTIN_FLOWS: Builtin[] = [
  {
    key: 'thank_you',
    name: { ja: 'お届け後のお礼', en: 'Thank-you after delivery' },
    description: { ja: 'お届けの3時間後に、お礼と商品の使い方をお送りします。', en: 'Three hours after delivery, a thank-you with how to use and enjoy the product.' },
    document: (name) => ({
      schemaVersion: 1, name, trigger: { kind: 'event', type: 'shipment.delivered' }, entry: 'wait',
      steps: { wait: { type: 'wait', for: 'PT3H', next: 'send' }, send: { type: 'action', action: { kind: 'send_message', messageType: 'thank_you', channel: 'auto' }, next: null } },
      exit: [], reentry: { kind: 'once_per_order' },
    }),
  },
  {
    key: 'review_request',
    name: { ja: 'レビュー依頼', en: 'Review request' },
    description: { ja: 'お届けの7日後にレビューをお願いし、5日以内に投稿がなければ一度だけ再送します。返品の手続き中のお客様には送りません。', en: 'Seven days after delivery, asks for a review; one reminder if none arrives within five days. Not sent while a return is open.' },
    document: (name, o) => ({
      schemaVersion: 1, name, trigger: { kind: 'event', type: 'shipment.delivered' }, entry: 'wait',
      steps: {
        wait: { type: 'wait', for: days(o.waitDays ?? 7), next: 'returning' },
        returning: { type: 'condition', if: { fact: 'returns.open' }, then: 'done', else: 'ask' },
        ask: { type: 'action', action: { kind: 'send_message', messageType: 'review_request', channel: 'auto' }, next: 'await' },
        await: { type: 'wait', event: { type: 'review.submitted', timeout: 'P5D', onTimeout: 'remind' }, next: 'done' },
        remind: { type: 'action', action: { kind: 'send_message', messageType: 'review_request', channel: 'auto' }, next: 'done' },
        done: { type: 'end' },
      },
      exit: [{ kind: 'event', type: 'return.requested' }], reentry: { kind: 'once_per_order' },
    }),
  },
  {
    key: 'nps_survey',
    name: { ja: 'NPSアンケート', en: 'NPS survey' },
    description: { ja: 'お届けの3日後の午前10時に、おすすめ度(0〜10)をワンクリックで伺います。同じお客様には90日に1回までです。', en: 'Three days after delivery, at 10:00, asks the 0–10 recommendation question with one-click answers; at most once per 90 days per customer.' },
    document: (name) => ({
      schemaVersion: 1, name, trigger: { kind: 'event', type: 'shipment.delivered' }, entry: 'wait',
      steps: {
        wait: { type: 'wait', for: 'P3D', next: 'morning' },
        morning: { type: 'wait', until: { time: '10:00' }, next: 'send' },
        send: { type: 'action', action: { kind: 'send_message', messageType: 'nps_survey', channel: 'auto' }, next: null },
      },
      exit: [], reentry: { kind: 'every', days: 90 },
    }),
  },
  {
    key: 'return_csat',
    name: { ja: '返品・交換後の満足度アンケート', en: 'Satisfaction survey after a return' },
    description: { ja: '返品・交換のお手続きが完了した翌日の午前10時に、対応の満足度(1〜5)をワンクリックで伺います。同じご注文には1回までです。', en: 'The day after a return or exchange is settled, at 10:00, asks how satisfied the customer is with how it was handled (1–5, one click); once per order.' },
    document: (name) => ({
      schemaVersion: 1, name, trigger: { kind: 'event', type: 'return.resolved' }, entry: 'wait',
      steps: {
        wait: { type: 'wait', for: 'P1D', next: 'morning' },
        morning: { type: 'wait', until: { time: '10:00' }, next: 'send' },
        send: { type: 'action', action: { kind: 'send_message', messageType: 'csat_survey', channel: 'auto' }, next: null },
      },
      exit: [], reentry: { kind: 'once_per_order' },
    }),
  },
  {
    key: 'replenishment',
    name: { ja: '買い替え・補充のご案内', en: 'Replenishment reminder' },
    description: { ja: '商品の「なくなる目安の日数」(replenishAfterDays)が来たら、午前10時に補充をご案内します。その前にご注文があれば送りません。', en: "When the product's replenishAfterDays have passed since delivery, a reorder reminder at 10:00; not sent if the customer ordered again first." },
    document: (name) => ({
      schemaVersion: 1, name, trigger: { kind: 'date_property', property: 'replenish_due_at' }, entry: 'morning',
      steps: {
        morning: { type: 'wait', until: { time: '10:00' }, next: 'send' },
        send: { type: 'action', action: { kind: 'send_message', messageType: 'replenishment_reminder', channel: 'auto' }, next: null },
      },
      exit: [{ kind: 'event', type: 'order.placed' }], reentry: { kind: 'every', days: 14 },
    }),
  },
  {
    key: 'cross_sell',
    name: { ja: 'おすすめ商品のご案内', en: 'Cross-sell' },
    description: { ja: 'お届けの14日後に、お買い上げの商品と合わせて使える商品をご案内します。', en: 'Fourteen days after delivery, products that go with what the customer bought.' },
    document: (name) => ({
      schemaVersion: 1, name, trigger: { kind: 'event', type: 'shipment.delivered' }, entry: 'wait',
      steps: {
        wait: { type: 'wait', for: 'P14D', next: 'send' },
        send: { type: 'action', action: { kind: 'send_message', messageType: 'cross_sell', channel: 'auto' }, next: null },
      },
      exit: [{ kind: 'event', type: 'order.placed' }], reentry: { kind: 'every', days: 30 },
    }),
  },
  {
    key: 'win_back',
    name: { ja: '休眠顧客の呼び戻し', en: 'Win-back' },
    description: { ja: '最後のご注文から90日ご注文がないお客様に、お便り(クーポン付きも可)をお送りします。1割は効果測定のため送らずにおきます。', en: 'Ninety days after the last order with no new one, a we-miss-you message (with a coupon if a pool is set); 10% are held out to measure lift.' },
    document: (name, o) => ({
      schemaVersion: 1, name, trigger: { kind: 'date_property', property: 'last_order_at', offset: 'P90D' }, entry: 'split',
      steps: {
        split: { type: 'split', arms: [{ name: 'morning', weight: 45, next: 'morning' }, { name: 'evening', weight: 45, next: 'evening' }], holdout: { weight: 10 } },
        morning: { type: 'wait', until: { time: '10:00' }, next: o.couponPoolId ? 'coupon' : 'send' },
        evening: { type: 'wait', until: { time: '19:00' }, next: o.couponPoolId ? 'coupon' : 'send' },
        ...offer('win_back', o.couponPoolId),
      },
      exit: [{ kind: 'event', type: 'order.placed' }], reentry: { kind: 'every', days: 90 },
    }),
  },
  {
    key: 'second_purchase',
    name: { ja: '2回目購入のお誘い(F2転換)', en: 'Second purchase (F2) nudge' },
    description: { ja: '初めてご購入のお客様に、ご注文の21日後、まだ2回目のご注文がなければお便り(クーポン付きも可)をお送りします。', en: 'For first-time buyers, 21 days after the first order and before a second one: a nudge, with a coupon if a pool is set.' },
    document: (name, o) => ({
      schemaVersion: 1, name, trigger: { kind: 'date_property', property: 'first_order_at', offset: 'P21D' }, entry: 'morning',
      steps: { morning: { type: 'wait', until: { time: '10:00' }, next: o.couponPoolId ? 'coupon' : 'send' }, ...offer('second_purchase', o.couponPoolId) },
      exit: [{ kind: 'event', type: 'order.placed' }], reentry: { kind: 'once_ever' },
    }),
  },
  {
    key: 'delay_apology',
    name: { ja: 'お届け遅延のお詫び', en: 'Delivery delay apology' },
    description: { ja: 'お届けが遅れた注文に、お詫び(クーポン付きも可)を1回お送りします。', en: 'Once per late order, an apology (with a coupon if a pool is set).' },
    document: (name, o) => ({
      schemaVersion: 1, name, trigger: { kind: 'event', type: 'shipment.delayed' }, entry: o.couponPoolId ? 'coupon' : 'send',
      steps: offer('delay_apology', o.couponPoolId),
      exit: [], reentry: { kind: 'once_per_order' },
    }),
  },
]

export function builtinFlow(key: BuiltinKey, locale: 'ja' | 'en', options: BuiltinOptions = {}): FlowDefinition {
  const b = BUILTIN_FLOWS.find((x) => x.key === key)
  if (!b) throw new RangeError(`no built-in flow ${key}`)
  return b.document(b.name[locale], options)
}
