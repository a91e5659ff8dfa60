/**
 * Batch (wave) allocation: many open orders solved together over shared scarce stock and capacity.
 * Allocating orders one by one in arrival order ("greedy") lets an early order take the unit a later
 * order needed far more; the wave instead
 *   1. orders the wave by regret: how much each order loses if its own best locations are taken away;
 *   2. allocates in that order, each order optimally against what is left (solve.ts);
 *   3. improves locally: re-solves each order against the stock the others leave, then ruins and
 *      recreates groups (an order paying more than its stand-alone optimum and the orders holding
 *      stock it wanted are released and re-inserted in several orders), keeping strict improvements.
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
  /** Orders released together in one ruin-and-recreate move (default 8). */
  readonly groupSize?: number
  /** Insertion orders tried per move (default 8). */
  readonly tries?: number
  /** Extra runs from random insertion orders, best kept (default: up to 30 while n² × runs ≤ 4000). */
  readonly restarts?: number
  /** Seed of the permutations, so a wave's result is reproducible (default 1). */
  readonly seed?: number
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
  const groupSize = options.groupSize ?? 8
  const tries = options.tries ?? 8
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
  const regretSequence = orders.map((_, i) => i).sort((a, b) => regret[b]! - regret[a]!)

  const rand = seeded(options.seed ?? 1)
  let improvements = 0
  // 2–3 from one insertion order; returns the improved allocation.
  const run = (sequence: readonly number[]): { current: AllocationDecision[]; w: Wave; total: number } => {
    // 2. Regret-ordered allocation.
    const w = cloneStock(allocator, stock)
    const current: AllocationDecision[] = new Array(n)
    for (const i of sequence) {
      const d = allocator.allocate(orders[i]!, w, rules)
      apply(w, d, 1)
      current[i] = d
    }

    // 3. Local improvement. `holders` says which orders hold which (sku, location), kept in step.
    const holders = new Map<string, Set<number>>()
    const index = (j: number, d: AllocationDecision, add: boolean): void => {
      // (sku@location) for stock, (@location) for capacity.
      for (const p of d.parcels) for (const k of [`@${p.locationId}`, ...p.lines.map((l) => `${l.sku}@${p.locationId}`)]) {
        let set = holders.get(k)
        if (!set) holders.set(k, (set = new Set()))
        if (add) set.add(j)
        else set.delete(j)
      }
    }
    const set = (j: number, d: AllocationDecision): void => {
      index(j, current[j]!, false)
      apply(w, current[j]!, -1)
      current[j] = d
      index(j, d, true)
      apply(w, d, 1)
    }
    current.forEach((d, j) => index(j, d, true))
    const skuLocations = (i: number): string[] => {
      const first = alone[i]!.parcels.flatMap((p) => p.lines.map((l) => `${l.sku}@${p.locationId}`))
      const rest = orders[i]!.lines.flatMap((l) => allocator.locations.map((loc) => `${l.sku}@${loc.id}`))
      const where = [...new Set([...first, ...rest].map((k) => k.slice(k.indexOf('@'))))]
      return [...new Set([...first, ...rest, ...where])]
    }
    for (let pass = 0; pass < passes; pass++) {
      let improved = false
      // Re-solve each order against what the others leave.
      for (const i of sequence) {
        const old = current[i]!
        apply(w, old, -1)
        const d = allocator.allocate(orders[i]!, w, rules)
        apply(w, old, 1)
        if (cost(i, d) < cost(i, old)) {
          set(i, d)
          improvements++
          improved = true
        }
      }
      // Ruin and recreate: an order paying more than it would alone is released together with the
      // orders holding stock it wants, and the group is re-inserted in several orders (it first,
      // then random permutations); the best strict improvement is kept.
      for (const i of sequence) {
        if (cost(i, current[i]!) <= aloneCost[i]!) continue
        const group = [i]
        for (const k of skuLocations(i)) {
          for (const j of holders.get(k) ?? []) if (!group.includes(j) && group.length < groupSize) group.push(j)
          if (group.length >= groupSize) break
        }
        if (group.length === 1) continue
        const old = group.map((j) => current[j]!)
        const before = group.reduce((a, j) => a + cost(j, current[j]!), 0)
        for (const d of old) apply(w, d, -1)
        let best: AllocationDecision[] | undefined
        let bestSum = before
        for (let t = 0; t < tries; t++) {
          const perm = t === 0 ? group : t === 1 ? [...group.slice(1), i] : shuffle(group, rand)
          const ds = new Map<number, AllocationDecision>()
          let sum = 0
          for (const j of perm) {
            const d = allocator.allocate(orders[j]!, w, rules)
            apply(w, d, 1)
            ds.set(j, d)
            sum += cost(j, d)
            if (sum >= bestSum) break
          }
          for (const d of ds.values()) apply(w, d, -1)
          if (sum < bestSum && ds.size === group.length) {
            bestSum = sum
            best = group.map((j) => ds.get(j)!)
          }
        }
        for (const d of old) apply(w, d, 1)
        if (best) {
          group.forEach((j, g) => set(j, best![g]!))
          improvements++
          improved = true
        }
      }
      if (!improved) break
    }
  return { current, w, total: current.reduce((a, d, i) => a + cost(i, d), 0) }
  }

  // Regret order first, then random restarts while the budget of solves lasts (small waves only).
  let best = run(regretSequence)
  const restarts = options.restarts ?? Math.min(30, Math.floor(4000 / Math.max(1, n * n)))
  for (let r = 0; r < restarts; r++) {
    const attempt = run(shuffle(regretSequence, rand))
    if (attempt.total < best.total) best = attempt
  }
  const current = best.current
  const w = best.w
  return { decisions: current, totalCost: current.reduce((a, d, i) => a + cost(i, d), 0), remaining: w, improvements }
}

function seeded(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 4294967296
  }
}

function shuffle<T>(a: readonly T[], rand: () => number): T[] {
  const out = [...a]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}
