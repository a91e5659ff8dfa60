/**
 * Batch (wave) allocation: many open orders solved together over shared scarce stock and capacity.
 * Allocating orders one by one in arrival order ("greedy") lets an early order take the unit a later
 * order needed far more; the wave instead
 *   1. orders the wave by regret: how much each order loses if its own best locations are taken away;
 *   2. allocates in that order, each order optimally against what is left (solve.ts);
 *   3. improves locally: re-solves each order against the stock the others leave, then tries pair
 *      moves (an order paying more than its stand-alone optimum and an order holding the stock it
 *      wanted are released and re-solved in the other order), keeping only strict improvements.
 * Every step keeps a feasible allocation, so the result is never worse than the regret-ordered
 * greedy, and it is checked against the HiGHS MIP optimum in the tests (batch.test.ts).
 * An order that cannot be allocated (ship_complete and short) is held; it costs
 * backorderPenalty × its units in the wave's objective, as a backorder does in ship_available.
 */
import { resolveRules, type AllocationOrder, type AllocationRules } from './cost.js'
import type { AllocationDecision, Allocator, StockView } from './solve.js'

export interface BatchResult {
  readonly decisions: readonly AllocationDecision[]
  /** Σ order costs, held orders at backorderPenalty × units. */
  readonly totalCost: number
  /** Stock and capacity left after the wave. */
  readonly remaining: StockView
  readonly improvements: number
}

export interface BatchOptions {
  /** Rounds of local improvement (default 3). */
  readonly passes?: number
  /** Orders holding a wanted unit tried per hurt order in pair moves (default 6). */
  readonly pairCandidates?: number
}

interface Wave {
  readonly available: Map<string, Map<string, number>>
  readonly capacity: Map<string, number>
}

function cloneStock(allocator: Allocator, stock: StockView): Wave {
  const available = new Map([...stock.available].map(([sku, m]) => [sku, new Map(m)]))
  const capacity = new Map(allocator.locations.map((l) => [l.id, stock.capacity?.get(l.id) ?? l.dailyCapacity]))
  return { available, capacity }
}

function apply(w: Wave, d: AllocationDecision, sign: 1 | -1): void {
  for (const p of d.parcels) {
    w.capacity.set(p.locationId, (w.capacity.get(p.locationId) ?? 0) - sign)
    for (const l of p.lines) {
      let m = w.available.get(l.sku)
      if (!m) w.available.set(l.sku, (m = new Map()))
      m.set(p.locationId, (m.get(p.locationId) ?? 0) - sign * l.quantity)
    }
  }
}

/** The wave objective of one decision: its cost, or the hold penalty when it could not be allocated. */
export function decisionCost(order: AllocationOrder, d: AllocationDecision, rules?: AllocationRules): number {
  if (d.cost) return d.cost.total
  return resolveRules(rules).backorderPenalty * order.lines.reduce((a, l) => a + l.quantity, 0)
}

/**
 * Allocate orders one at a time in the given order, each optimally against what the previous ones
 * left: the per-order baseline the wave is measured against.
 */
export function allocateSequential(allocator: Allocator, orders: readonly AllocationOrder[], stock: StockView, rules?: AllocationRules): BatchResult {
  const w = cloneStock(allocator, stock)
  const decisions = orders.map((o) => {
    const d = allocator.allocate(o, w, rules)
    apply(w, d, 1)
    return d
  })
  return { decisions, totalCost: orders.reduce((a, o, i) => a + decisionCost(o, decisions[i]!, rules), 0), remaining: w, improvements: 0 }
}

/**
 * Allocate a wave of orders together (regret order, then local improvement); decisions come back in
 * the input order.
 * @example const { decisions, totalCost } = allocateBatch(allocator, openOrders, stock, tenantRules)
 */
export function allocateBatch(allocator: Allocator, orders: readonly AllocationOrder[], stock: StockView, rules?: AllocationRules, options: BatchOptions = {}): BatchResult {
  const passes = options.passes ?? 3
  const pairCandidates = options.pairCandidates ?? 6
  const n = orders.length
  const cost = (i: number, d: AllocationDecision): number => decisionCost(orders[i]!, d, rules)

  // 1. Stand-alone optimum and regret of each order.
  const alone = orders.map((o) => allocator.allocate(o, stock, rules))
  const aloneCost = alone.map((d, i) => cost(i, d))
  const regret = alone.map((d, i) => {
    if (!d.cost) return -1 // cannot be served even alone: allocate last
    const used = d.parcels.map((p) => p.locationId)
    const r = resolveRules(rules)
    const fallback = allocator.allocate(orders[i]!, stock, { ...rules, excluded: [...r.excluded, ...used] })
    return cost(i, fallback) - aloneCost[i]!
  })
  const sequence = orders.map((_, i) => i).sort((a, b) => regret[b]! - regret[a]!)

  // 2. Regret-ordered allocation.
  const w = cloneStock(allocator, stock)
  const current: AllocationDecision[] = new Array(n)
  for (const i of sequence) {
    const d = allocator.allocate(orders[i]!, w, rules)
    apply(w, d, 1)
    current[i] = d
  }

  // 3. Local improvement.
  let improvements = 0
  for (let pass = 0; pass < passes; pass++) {
    let improved = false
    for (const i of sequence) {
      const old = current[i]!
      apply(w, old, -1)
      const d = allocator.allocate(orders[i]!, w, rules)
      if (cost(i, d) < cost(i, old)) {
        current[i] = d
        improvements++
        improved = true
      }
      apply(w, current[i]!, 1)
    }
    // Who holds which (sku, location).
    const holders = new Map<string, number[]>()
    current.forEach((d, j) => {
      for (const p of d.parcels) for (const l of p.lines) {
        const k = `${l.sku}@${p.locationId}`
        const list = holders.get(k)
        if (list) list.push(j)
        else holders.set(k, [j])
      }
    })
    for (const i of sequence) {
      if (cost(i, current[i]!) <= aloneCost[i]!) continue
      const wanted = new Set<number>()
      for (const p of alone[i]!.parcels) for (const l of p.lines) for (const j of holders.get(`${l.sku}@${p.locationId}`) ?? []) if (j !== i) wanted.add(j)
      let tried = 0
      for (const j of wanted) {
        if (tried++ >= pairCandidates) break
        const oi = current[i]!
        const oj = current[j]!
        const before = cost(i, oi) + cost(j, oj)
        apply(w, oi, -1)
        apply(w, oj, -1)
        const di = allocator.allocate(orders[i]!, w, rules)
        apply(w, di, 1)
        const dj = allocator.allocate(orders[j]!, w, rules)
        apply(w, dj, 1)
        if (cost(i, di) + cost(j, dj) < before) {
          current[i] = di
          current[j] = dj
          improvements++
          improved = true
          for (const d of [di, dj]) for (const p of d.parcels) for (const l of p.lines) {
            const k = `${l.sku}@${p.locationId}`
            holders.set(k, [...(holders.get(k) ?? []), d === di ? i : j])
          }
          if (cost(i, di) <= aloneCost[i]!) break
        } else {
          apply(w, dj, -1)
          apply(w, di, -1)
          apply(w, oi, 1)
          apply(w, oj, 1)
        }
      }
    }
    if (!improved) break
  }
  return { decisions: current, totalCost: current.reduce((a, d, i) => a + cost(i, d), 0), remaining: w, improvements }
}
