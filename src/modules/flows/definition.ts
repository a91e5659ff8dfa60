/**
 * Flow definition: the versioned JSON document a tenant saves to describe one automated flow.
 *
 * Shape (schemaVersion 1):
 * ```json
 * {
 *   "schemaVersion": 1,
 *   "name": "Review request",
 *   "trigger": { "kind": "event", "type": "shipment.delivered", "filter": { "fact": "line.linked" } },
 *   "entry": "wait7",
 *   "steps": {
 *     "wait7":  { "type": "wait", "for": "P7D", "next": "check" },
 *     "check":  { "type": "condition", "if": { "fact": "returns.open" }, "then": "done", "else": "ask" },
 *     "ask":    { "type": "action", "action": { "kind": "send_message", "messageType": "review_request", "channel": "auto" }, "next": null },
 *     "done":   { "type": "end" }
 *   },
 *   "exit": [{ "kind": "event", "type": "order.placed" }],
 *   "reentry": { "kind": "once_per_order" }
 * }
 * ```
 * - trigger: `event` (a domain event type from KNOWN_EVENT_TYPES, optional predicate on it),
 *   `segment_entered` (segment id), or `date_property` (`offset`, optional, after a customer date:
 *   the last order, first order, last delivery, or `replenish_due_at` = the delivery plus the
 *   shortest `replenishAfterDays` of the delivered products). A newer fact moves a pending entry.
 * - steps are a map id → step; `entry` names the first. Edges are `next`, `then`/`else`,
 *   `event.onTimeout` and `arms[].next`. An action with `next: null` (or none) ends the run.
 * - wait: exactly one of `for` (ISO 8601 duration), `until` (`{ time: 'HH:MM' }` or
 *   `{ weekday: 0-6 (0 = Sunday), time? }`, in the tenant's time zone), or `event`
 *   (`{ type, timeout, onTimeout }`: wait for the event up to `timeout`, then go to `onTimeout`;
 *   when the event arrives the run continues at `next`).
 * - durations: ISO 8601 `PnW`, `PnD`, `PTnH`, `PTnM`, `PTnS` and combinations, integers only,
 *   > 0 and ≤ 400 days. Years and months are refused: their length varies, write days.
 * - split: A/B/n arms with positive weights (relative, any scale), optional holdout whose share
 *   of the total weight is 0–50 %; assignment is sticky per customer (see sticky.ts).
 * - exit: conditions checked before every step: an event happened (`{ kind: 'event', type, filter? }`)
 *   or a predicate holds (`{ kind: 'predicate', if }`).
 * - reentry: `once_ever`, `once_per_order`, or `every` N `days`.
 *
 * This file checks shape and field-level rules (known event types, durations, times) with zod;
 * graph rules (references, reachability, cycles, split shares) are in validate.ts.
 */
import { z } from 'zod'

/** Domain events from DESIGN.md plus the ones the code emits today; flows may trigger and wait on these. */
export const KNOWN_EVENT_TYPES = [
  // DESIGN.md "Domain events"
  'order.placed', 'order.confirmed', 'order.cancelled', 'order.updated',
  'shipment.created', 'shipment.label_created', 'shipment.shipped', 'shipment.in_transit',
  'shipment.out_for_delivery', 'shipment.delivery_failed', 'shipment.delayed', 'shipment.delivered',
  'shipment.exception',
  'return.requested', 'return.approved', 'return.received', 'return.resolved', 'return.escalated', 'refund.issued',
  'message.sent', 'message.failed', 'message.delivered', 'message.opened', 'link.clicked',
  'review.submitted', 'review.published', 'nps.responded',
  'customer.created', 'customer.merged', 'customer.consent_changed', 'segment.entered', 'segment.exited',
  // emitted by the code beyond the DESIGN.md list
  'shipment.held_at_depot', 'shipment.returned_to_sender',
  'allocation.created', 'allocation.backordered', 'parcel.shipped', 'parcel.cancelled',
  'message.bounced', 'customer.updated', 'stock.over_reserved',
] as const
export type KnownEventType = (typeof KNOWN_EVENT_TYPES)[number]
const knownEvents: ReadonlySet<string> = new Set(KNOWN_EVENT_TYPES)

export const MAX_DURATION_SECONDS = 400 * 86_400

const DURATION_RE = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/

/** Seconds in an ISO 8601 duration (weeks, days, hours, minutes, seconds), or null when it is not one. */
export function parseDuration(s: string): number | null {
  const m = DURATION_RE.exec(s)
  if (!m || s === 'P' || s.endsWith('T')) return null
  const [, w, d, h, min, sec] = m.map((x) => (x === undefined ? 0 : Number(x)))
  return (w ?? 0) * 604_800 + (d ?? 0) * 86_400 + (h ?? 0) * 3_600 + (min ?? 0) * 60 + (sec ?? 0)
}

const duration = z.string().check((ctx) => {
  const s = ctx.value
  if (/^P[^T]*[YM]/.test(s)) {
    ctx.issues.push({ code: 'custom', input: s, message: `duration "${s}" uses years or months, whose length varies; write days (e.g. P90D)` })
    return
  }
  const secs = parseDuration(s)
  if (secs === null) ctx.issues.push({ code: 'custom', input: s, message: `"${s}" is not an ISO 8601 duration such as P7D or PT2H` })
  else if (secs <= 0) ctx.issues.push({ code: 'custom', input: s, message: `duration "${s}" must be longer than zero` })
  else if (secs > MAX_DURATION_SECONDS) ctx.issues.push({ code: 'custom', input: s, message: `duration "${s}" is longer than the 400-day limit` })
})

const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'time of day must be HH:MM, 24-hour, 00:00–23:59' })

const eventType = z.string().check((ctx) => {
  if (!knownEvents.has(ctx.value)) ctx.issues.push({ code: 'custom', input: ctx.value, message: `unknown event type "${ctx.value}"` })
})

export const STEP_ID_RE = /^[A-Za-z0-9_-]{1,64}$/
const stepRef = z.string().regex(STEP_ID_RE, { message: 'step id must be 1–64 letters, digits, _ or -' })

// ── Predicates ────────────────────────────────────────────────────────────────

export const COMPARE_OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'exists', 'in'] as const
export type CompareOp = (typeof COMPARE_OPS)[number]
const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()])
export type Scalar = z.infer<typeof scalar>

/** Operator/value agreement: `exists` takes no value, `in` a list, the rest one scalar (numbers for gt/lt). */
function checkOpValue(ctx: { value: { op: CompareOp; value?: unknown }; issues: z.core.$ZodRawIssue[] }): void {
  const { op, value } = ctx.value
  const bad = (message: string) => ctx.issues.push({ code: 'custom', input: ctx.value, path: ['value'], message })
  if (op === 'exists') { if (value !== undefined) bad('op "exists" takes no value') }
  else if (value === undefined) bad(`op "${op}" needs a value`)
  else if (op === 'in') { if (!Array.isArray(value)) bad('op "in" needs a list of values') }
  else if (Array.isArray(value)) bad(`op "${op}" needs one value, not a list`)
  else if (['gt', 'gte', 'lt', 'lte'].includes(op) && typeof value !== 'number') bad(`op "${op}" needs a number`)
}

const compareValue = z.union([scalar, z.array(scalar)]).optional()

const traitFact = z.strictObject({ fact: z.literal('customer.trait'), key: z.string().min(1), op: z.enum(COMPARE_OPS), value: compareValue }).check(checkOpValue)
const tagFact = z.strictObject({ fact: z.literal('customer.tag'), tag: z.string().min(1) })
const orderSkuFact = z.strictObject({ fact: z.literal('order.has_sku'), sku: z.string().min(1) })
const boughtSkuFact = z.strictObject({ fact: z.literal('customer.bought_sku'), sku: z.string().min(1), withinDays: z.number().int().positive().max(3650).optional() })
const returnsOpenFact = z.strictObject({ fact: z.literal('returns.open') })
const npsFact = z.strictObject({ fact: z.literal('nps.last'), op: z.enum(['eq', 'neq', 'gt', 'gte', 'lt', 'lte']), value: z.number().int().min(0).max(10) })
const lineFact = z.strictObject({ fact: z.literal('line.linked') })
const unsubscribedFact = z.strictObject({ fact: z.literal('customer.unsubscribed'), channel: z.enum(['email', 'line', 'sms']).optional() })
const eventDataFact = z.strictObject({ fact: z.literal('event.data'), path: z.string().regex(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/, { message: 'path must be dotted keys such as "delay.days"' }), op: z.enum(COMPARE_OPS), value: compareValue }).check(checkOpValue)

const factPredicate = z.discriminatedUnion('fact', [
  traitFact, tagFact, orderSkuFact, boughtSkuFact, returnsOpenFact, npsFact, lineFact, unsubscribedFact, eventDataFact,
])
export type FactPredicate = z.infer<typeof factPredicate>
export const PREDICATE_FACTS = factPredicate.options.map((o) => o.shape.fact.value)

/** A condition over the event, order, and customer: facts combined with all / any / not. */
export type Predicate = { all: Predicate[] } | { any: Predicate[] } | { not: Predicate } | FactPredicate

export const predicateSchema: z.ZodType<Predicate> = z.lazy(() => z.union([
  z.strictObject({ all: z.array(predicateSchema).min(1) }),
  z.strictObject({ any: z.array(predicateSchema).min(1) }),
  z.strictObject({ not: predicateSchema }),
  factPredicate,
]))

// ── Trigger ───────────────────────────────────────────────────────────────────

export const triggerSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('event'), type: eventType, filter: predicateSchema.optional() }),
  z.strictObject({ kind: z.literal('segment_entered'), segmentId: z.string().min(1) }),
  z.strictObject({ kind: z.literal('date_property'), property: z.enum(['last_delivered_at', 'last_order_at', 'first_order_at', 'replenish_due_at']), offset: duration.optional() }),
])
export type Trigger = z.infer<typeof triggerSchema>

// ── Steps ─────────────────────────────────────────────────────────────────────

export const waitStep = z.strictObject({
  type: z.literal('wait'),
  for: duration.optional(),
  until: z.union([
    z.strictObject({ time: timeOfDay }),
    z.strictObject({ weekday: z.number().int().min(0).max(6), time: timeOfDay.optional() }),
  ]).optional(),
  event: z.strictObject({ type: eventType, filter: predicateSchema.optional(), timeout: duration, onTimeout: stepRef }).optional(),
  next: stepRef,
})
export type WaitStep = z.infer<typeof waitStep>

export const conditionStep = z.strictObject({ type: z.literal('condition'), if: predicateSchema, then: stepRef, else: stepRef })
export type ConditionStep = z.infer<typeof conditionStep>

export const actionSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('send_message'), messageType: z.string().min(1), channel: z.enum(['email', 'line', 'sms', 'auto']).optional() }),
  z.strictObject({ kind: z.literal('add_tag'), tag: z.string().min(1) }),
  z.strictObject({ kind: z.literal('remove_tag'), tag: z.string().min(1) }),
  z.strictObject({ kind: z.literal('set_trait'), key: z.string().min(1), value: scalar }),
  z.strictObject({ kind: z.literal('issue_coupon'), poolId: z.string().min(1) }),
  z.strictObject({ kind: z.literal('webhook'), url: z.url({ protocol: /^https?$/ }) }),
])
export type FlowAction = z.infer<typeof actionSchema>

export const actionStep = z.strictObject({ type: z.literal('action'), action: actionSchema, next: stepRef.nullable().optional() })
export type ActionStep = z.infer<typeof actionStep>

export const splitStep = z.strictObject({
  type: z.literal('split'),
  arms: z.array(z.strictObject({ name: z.string().min(1), weight: z.number().positive(), next: stepRef })).min(2, { message: 'a split needs at least 2 arms' }),
  holdout: z.strictObject({ weight: z.number().min(0) }).optional(),
})
export type SplitStep = z.infer<typeof splitStep>

export const endStep = z.strictObject({ type: z.literal('end') })

export const stepSchema = z.discriminatedUnion('type', [waitStep, conditionStep, actionStep, splitStep, endStep])
export type Step = z.infer<typeof stepSchema>

// ── Document ──────────────────────────────────────────────────────────────────

export const exitSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('event'), type: eventType, filter: predicateSchema.optional() }),
  z.strictObject({ kind: z.literal('predicate'), if: predicateSchema }),
])
export type ExitCondition = z.infer<typeof exitSchema>

export const reentrySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('once_ever') }),
  z.strictObject({ kind: z.literal('once_per_order') }),
  z.strictObject({ kind: z.literal('every'), days: z.number().int().min(1).max(3650) }),
])
export type Reentry = z.infer<typeof reentrySchema>

export const flowSchema = z.strictObject({
  schemaVersion: z.literal(1),
  name: z.string().min(1).max(200),
  trigger: triggerSchema,
  entry: stepRef,
  steps: z.record(z.string().regex(STEP_ID_RE, { message: 'step id must be 1–64 letters, digits, _ or -' }), stepSchema),
  exit: z.array(exitSchema).default([]),
  reentry: reentrySchema,
})
/** A flow document that passed the shape checks (graph checks are validateFlow's). */
export type FlowDefinition = z.infer<typeof flowSchema>
