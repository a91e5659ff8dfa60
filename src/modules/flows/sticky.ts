/**
 * Sticky split assignment: a customer's place in [0, 1) comes from SHA-256 of `flowId:customerId`,
 * so it does not depend on the flow's version, the time, or the order customers arrive in. The
 * holdout takes the bottom of the interval and the arms follow in order, so the same arms and
 * weights give the same arm in every version, and growing the holdout only moves customers from arms
 * into it.
 */
import { createHash } from 'node:crypto'

export interface SplitArm { name: string; weight: number }
export type SplitAssignment = { kind: 'arm'; name: string; index: number } | { kind: 'holdout' }

/** The customer's fixed point in [0, 1) for this flow (53 bits of SHA-256). */
export function stickyPoint(flowId: string, customerId: string): number {
  const h = createHash('sha256').update(`${flowId}:${customerId}`).digest()
  // 21 high bits + 32 low bits = 53 bits, exactly representable in a double
  return ((h.readUInt32BE(0) >>> 11) * 2 ** 32 + h.readUInt32BE(4)) / 2 ** 53
}

/**
 * Which arm (or the holdout) a customer is in. Weights are relative; arms must be non-empty with
 * positive weights (validateFlow guarantees this for saved flows).
 * @example splitArm('flw_1', 'cus_9', [{ name: 'A', weight: 1 }, { name: 'B', weight: 1 }], { weight: 0.25 })
 */
export function splitArm(flowId: string, customerId: string, arms: ReadonlyArray<SplitArm>, holdout?: { weight: number }): SplitAssignment {
  if (arms.length === 0) throw new RangeError('splitArm needs at least one arm')
  const hold = holdout?.weight ?? 0
  const total = arms.reduce((s, a) => s + a.weight, 0) + hold
  const x = stickyPoint(flowId, customerId) * total
  if (x < hold) return { kind: 'holdout' }
  let edge = hold
  for (let i = 0; i < arms.length; i++) {
    edge += arms[i]!.weight
    if (x < edge) return { kind: 'arm', name: arms[i]!.name, index: i }
  }
  // rounding can leave x a hair above the last edge
  const last = arms.length - 1
  return { kind: 'arm', name: arms[last]!.name, index: last }
}
