/**
 * Batch (wave) allocation: many open orders solved together over shared scarce stock and capacity.
 * Allocating orders one by one in arrival order ("greedy") lets an early order take the unit a later
 * order needed far more. The wave:
 *   1. lists each order's cheapest plans against the full stock (solve.ts `planEnumerator`: every
 *      way to take its units, so the list also holds what a depleted stock leaves), holding the
 *      order (ship_complete) or backordering everything always being the last plan;
 *   2. finds the contested resources: a (SKU, location) stock or a location's capacity that the
 *      orders could together ask more of than there is (Σ over orders of the most any plan takes).
 *      Orders touching none take their own best plan: nobody can be in their way, so that is exact.
 *      The rest fall into independent groups (orders linked through contested resources);
 *   3. per group: if every order's best plan fits together, done (optimal). Otherwise a regret-ordered
 *      greedy start; a Lagrangian repair (prices on the group's contested resources from a
 *      subgradient search; every few steps each order takes the fitting plan of least priced cost,
 *      the most urgent first); a large-neighbourhood search (re-solve each order against what the
 *      others leave; release an order paying more than its best plan with the orders holding what it
 *      wants, up to `groupSize`, and re-solve that neighbourhood exactly by branch and bound; widen
 *      the neighbourhoods when nothing improves); and for groups of at most `exactOrders` orders a
 *      branch and bound over the whole group from that incumbent (bounds: each order's cheapest
 *      plan that still fits, and the Lagrangian bound; the order that most needs its plan is
 *      branched on first), which proves the group optimal when it ends within the budget;
 *   4. finally re-allocates every order with solve.ts `allocate` against what the others leave (so
 *      each decision carries its candidates and reasons against the wave's stock; it can only lower
 *      the cost) and returns the decisions in input order.
 * The search effort is a budget of plan checks that grows linearly with the wave (`budget`), shared
 * between groups by size, so a wave's time grows about linearly with its orders (the earlier version
 * re-inserted groups by permutations for every hurt order, pass after pass: O(n²)). Every step keeps
 * a feasible allocation; results are deterministic for a given input and seed.
 * An order that cannot be allocated (ship_complete and short) is held; it costs
 * backorderPenalty × its units in the wave's objective, as a backorder does in ship_available.
 */
import { resolveRules, type AllocationOrder, type AllocationRules } from './cost.js'
import { planEnumerator, type AllocationDecision, type Allocator, type StockView } from './solve.js'

export interface BatchResult {
  readonly decisions: readonly AllocationDecision[]
  /** Σ order costs, held orders at backorderPenalty × units. */
  readonly totalCost: number
  /** Stock and capacity left after the wave. */
  readonly remaining: StockView
  /** Improving moves the search made after its greedy start. */
  readonly improvements: number
  /** Search statistics: groups of contested orders, nodes used, whether every group was searched to the end. */
  readonly stats?: BatchStats
}

export interface BatchStats {
  /** Orders that share no contested resource with any other (each took its own best plan). */
  readonly independent: number
  /** Groups of orders linked by contested resources, and the largest one's size. */
  readonly groups: number
  readonly largestGroup: number
  /** Groups whose best plans did not fit together and had to be searched. */
  readonly searchedGroups: number
  /** Search effort used (plan checks) of the budget. */
  readonly nodes: number
  readonly budget: number
  /**
   * True when every searched group was solved by a complete branch and bound over complete plan
   * lists: the wave's cost is then optimal for this cost model.
   */
  readonly provenOptimal: boolean
  /** Σ of each order's stand-alone optimum: a lower bound of the wave's cost (weak when stock is short). */
  readonly lowerBound: number
  /** Plans kept per order on average (after dropping dominated ones). */
  readonly meanPlans: number
  /** Milliseconds spent listing plans, finding contested resources, searching, and making decisions. */
  readonly ms: { readonly plans: number; readonly contest: number; readonly search: number; readonly decisions: number }
}

export interface BatchOptions {
  /** Rounds of large-neighbourhood search per group (default 50; stops earlier when a round finds nothing). */
  readonly passes?: number
  /** Orders released together in one neighbourhood (default 8). */
  readonly groupSize?: number
  /** Neighbourhoods tried per order paying more than its best plan, per round (default 2). */
  readonly tries?: number
  /** Times the neighbourhoods grow by half once the search settles, while the group's budget lasts (default 4). */
  readonly restarts?: number
  /** Seed of the random choices, so a wave's result is reproducible (default 1). */
  readonly seed?: number
  /**
   * Search effort for the whole wave, in plan checks (≈ 0.1 µs each): default 8,000,000 + 100 ×
   * orders, shared between groups by size. The wave's time grows linearly with this, not with n².
   */
  readonly budget?: number
  /** Plans listed per order (default 2,000 up to 10 orders, 500 up to 50, 128 up to 1,000, else 24). */
  readonly plansPerOrder?: number
  /** Groups up to this many orders end with a branch and bound over the whole group (default 24). */
  readonly exactOrders?: number
  /** Subgradient steps of the price-directed repair of a group (default 200; 0: none). */
  readonly lagrangeIterations?: number
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
  return holdCost(order, rules)
}

function holdCost(order: AllocationOrder, rules?: AllocationRules): number {
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
 * One order's plans in the wave's terms, flat. Plan p (cheapest first) costs cost[p] and takes
 * amt[j] of contested resource res[j] for j in [start[p], start[p + 1]); fres/famt/fstart are the
 * same over all resources (to keep the stock in step when decisions are made). The last plan takes
 * nothing contested (shipping nothing, or a plan through uncontested resources only).
 */
interface Plans {
  readonly cost: Float64Array
  readonly start: Int32Array
  readonly res: Int32Array
  readonly amt: Int32Array
  readonly fstart: Int32Array
  readonly fres: Int32Array
  readonly famt: Int32Array
  /** Index of each plan in the enumerated list (its length for "ship nothing"). */
  readonly index: Int32Array
}

/**
 * Allocate a wave of orders together; decisions come back in the input order.
 * @example const { decisions, totalCost } = allocateBatch(allocator, openOrders, stock, tenantRules)
 */
export function allocateBatch(allocator: Allocator, orders: readonly AllocationOrder[], stock: StockView, rules?: AllocationRules, options: BatchOptions = {}): BatchResult {
  const enumerate = planEnumerator(allocator)
  if (!enumerate) return regretSequential(allocator, orders, stock, rules)
  const n = orders.length
  const locs = allocator.locations
  const N = locs.length
  const groupSize = Math.max(2, options.groupSize ?? 8)
  const passes = options.passes ?? 50
  const tries = Math.max(1, options.tries ?? 2)
  const restarts = options.restarts ?? 4
  const exactOrders = options.exactOrders ?? 24
  const lagrangeIterations = options.lagrangeIterations ?? 200
  const budget = options.budget ?? DEFAULT_BUDGET + PER_ORDER_BUDGET * n
  const limit = options.plansPerOrder ?? (n <= 10 ? 2000 : n <= 50 ? 500 : n <= 1000 ? 128 : 24)
  const rand = seeded(options.seed ?? 1)
  const t0 = performance.now()

  // 1. Plans. Capacity of location i is resource i; stock of (SKU s, location i) is N + s·N + i.
  // listed[o]: every listed plan and "ship nothing" (last), flat: plan q takes amt[j] of res[j]
  // for j in [start[q], start[q + 1]), resources sorted.
  const skuIndex = new Map<string, number>()
  const listed: { cost: number[]; start: number[]; res: number[]; amt: number[] }[] = new Array(n)
  // Every plan an order's list leaves out costs at least floor[o] (Infinity: the list is complete).
  const floor = new Float64Array(n)
  let truncatedLists = false
  for (let o = 0; o < n; o++) {
    const set = enumerate(orders[o]!, stock, rules, limit)
    if (set.truncated) truncatedLists = true
    floor[o] = set.floor
    const lineRes = set.skus.map((sku) => {
      let s = skuIndex.get(sku)
      if (s === undefined) skuIndex.set(sku, (s = skuIndex.size))
      return N + s * N
    })
    const l = { cost: [] as number[], start: [0], res: [] as number[], amt: [] as number[] }
    for (const p of set.plans) {
      l.cost.push(p.cost)
      const from = l.res.length
      for (let j = 0; j < p.units.length; j += 3) {
        l.res.push(lineRes[p.units[j]!]! + p.units[j + 1]!)
        l.amt.push(p.units[j + 2]!)
      }
      for (let j = 0; j < p.parcels.length; j += 2) {
        l.res.push(p.parcels[j]!)
        l.amt.push(p.parcels[j + 1]!)
      }
      sortSegment(l.res, l.amt, from, l.res.length)
      l.start.push(l.res.length)
    }
    l.cost.push(holdCost(orders[o]!, rules))
    l.start.push(l.res.length)
    listed[o] = l
  }
  const t1 = performance.now()
  const R = N + skuIndex.size * N
  const supply = new Int32Array(R)
  locs.forEach((l, i) => (supply[i] = stock.capacity?.get(l.id) ?? l.dailyCapacity))
  const skuNames: string[] = new Array(skuIndex.size)
  for (const [sku, s] of skuIndex) {
    skuNames[s] = sku
    const m = stock.available.get(sku)
    if (m) locs.forEach((l, i) => (supply[N + s * N + i] = Math.max(0, m.get(l.id) ?? 0)))
  }

  // 2. Contested resources: Σ over orders of the most any of its plans takes exceeds what there is.
  const demandMax = new Float64Array(R)
  const most = new Float64Array(R)
  const seenBy = new Int32Array(R).fill(-1)
  const touched: number[] = []
  for (let o = 0; o < n; o++) {
    const { res, amt } = listed[o]!
    touched.length = 0
    for (let j = 0; j < res.length; j++) {
      const r = res[j]!
      if (seenBy[r] !== o) {
        seenBy[r] = o
        most[r] = 0
        touched.push(r)
      }
      if (amt[j]! > most[r]!) most[r] = amt[j]!
    }
    for (const r of touched) demandMax[r] = demandMax[r]! + most[r]!
  }
  const contested = new Uint8Array(R)
  for (let r = 0; r < R; r++) if (demandMax[r]! > supply[r]!) contested[r] = 1

  // Keep, per order, the plans no cheaper plan dominates on contested resources (a plan costing at
  // least as much as a kept one and taking at least as much of each contested resource is never
  // needed); link orders that share a contested resource.
  const parent = Int32Array.from({ length: n }, (_, o) => o)
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]!]!
    return x
  }
  const owner = new Int32Array(R).fill(-1)
  const touches = new Uint8Array(n)
  const plans: Plans[] = new Array(n)
  let keptPlans = 0
  for (let o = 0; o < n; o++) {
    const l = listed[o]!
    const cost: number[] = []
    const index: number[] = []
    const start = [0]
    const res: number[] = []
    const amt: number[] = []
    const fstart = [0]
    const fres: number[] = []
    const famt: number[] = []
    for (let q = 0; q < l.cost.length; q++) {
      const from = res.length
      for (let j = l.start[q]!; j < l.start[q + 1]!; j++) {
        if (!contested[l.res[j]!]) continue
        res.push(l.res[j]!)
        amt.push(l.amt[j]!)
      }
      let dominated = false
      for (let k = 0; k < cost.length && !dominated; k++) dominated = covers(res, amt, from, res.length, start[k]!, start[k + 1]!)
      if (dominated) {
        res.length = from
        amt.length = from
        continue
      }
      cost.push(l.cost[q]!)
      index.push(q)
      start.push(res.length)
      for (let j = l.start[q]!; j < l.start[q + 1]!; j++) {
        fres.push(l.res[j]!)
        famt.push(l.amt[j]!)
      }
      fstart.push(fres.length)
      for (let j = from; j < res.length; j++) {
        const r = res[j]!
        touches[o] = 1
        if (owner[r]! < 0) owner[r] = o
        else parent[find(o)] = find(owner[r]!)
      }
      if (res.length === from) break // everything after is dominated by this one
    }
    keptPlans += cost.length
    plans[o] = {
      cost: Float64Array.from(cost),
      start: Int32Array.from(start),
      res: Int32Array.from(res),
      amt: Int32Array.from(amt),
      fstart: Int32Array.from(fstart),
      fres: Int32Array.from(fres),
      famt: Int32Array.from(famt),
      index: Int32Array.from(index),
    }
  }
  listed.length = 0
  const t2 = performance.now()

  // Search state over contested resources.
  const use = new Int32Array(R)
  const cur = new Int32Array(n)
  // Orders holding each contested resource: a list per resource and each entry's position in it
  // (swap-remove), so a random holder is one draw even when thousands hold a busy centre's capacity.
  const holders = new Map<number, number[]>()
  const position = new Map<number, number>()
  let nodes = 0
  let improvements = 0
  let proven = !truncatedLists
  const costOf = (o: number): number => plans[o]!.cost[cur[o]!]!
  const fits = (o: number, p: number): boolean => {
    const { start, res, amt } = plans[o]!
    for (let j = start[p]!, e = start[p + 1]!; j < e; j++) if (use[res[j]!]! + amt[j]! > supply[res[j]!]!) return false
    return true
  }
  const take = (o: number, p: number, sign: 1 | -1): void => {
    const { start, res, amt } = plans[o]!
    for (let j = start[p]!, e = start[p + 1]!; j < e; j++) use[res[j]!]! += sign * amt[j]!
  }
  const hold = (o: number, p: number, add: boolean): void => {
    const { start, res } = plans[o]!
    for (let j = start[p]!, e = start[p + 1]!; j < e; j++) {
      const r = res[j]!
      let list = holders.get(r)
      if (!list) holders.set(r, (list = []))
      const key = o * R + r
      if (add) {
        position.set(key, list.length)
        list.push(o)
      } else {
        const at = position.get(key)!
        const last = list.pop()!
        if (at < list.length) {
          list[at] = last
          position.set(last * R + r, at)
        }
        position.delete(key)
      }
    }
  }
  const assign = (o: number, p: number): void => {
    take(o, cur[o]!, -1)
    hold(o, cur[o]!, false)
    cur[o] = p
    take(o, p, 1)
    hold(o, p, true)
  }
  const fitFrom = (o: number, from: number): number => {
    const last = plans[o]!.cost.length - 1
    for (let p = from; p < last; p++) {
      nodes++
      if (fits(o, p)) return p
    }
    return last
  }
  // Regret: what an order loses when the contested resources of its best plan are taken away.
  const regret = (o: number): number => {
    const { cost, start, res } = plans[o]!
    for (let p = 1; p < cost.length; p++) {
      let shared = false
      for (let j = start[p]!; j < start[p + 1]! && !shared; j++) for (let i = start[0]!; i < start[1]! && !shared; i++) shared = res[i] === res[j]
      if (!shared) return cost[p]! - cost[0]!
    }
    return 0
  }

  /**
   * Branch and bound over the plans of `group`'s orders against what the rest leave. Bounds: each
   * remaining order's cheapest plan that still fits alone, and a Lagrangian bound (prices on the
   * group's contested resources from a short subgradient search at the root: Σ over orders of the
   * cheapest priced plan − the prices of what is left is below any feasible completion). Keeps the
   * group's current plans unless strictly better is found. Returns [improved, complete].
   */
  const solveGroup = (group: readonly number[], nodeLimit: number, iterations: number): [boolean, boolean] => {
    const m = group.length
    const stopAt = nodes + nodeLimit
    let before = 0
    for (const o of group) {
      before += costOf(o)
      take(o, cur[o]!, -1)
    }
    const finish = (pick: readonly number[] | undefined, complete: boolean): [boolean, boolean] => {
      for (const o of group) take(o, cur[o]!, 1)
      if (!pick) return [false, complete]
      group.forEach((o, k) => {
        if (cur[o] !== pick[k]) assign(o, pick[k]!)
      })
      return [true, complete]
    }
    // Priced cost of every plan (plain cost without prices) and plans in priced order.
    let lc: Float64Array[]
    let perm: (Int32Array | undefined)[]
    let constant = 0
    if (iterations > 0) {
      const r = lagrange(group, iterations, before)
      if (r.bound >= before - 1e-6) return finish(undefined, true) // current plans are optimal
      lc = r.lc
      perm = lc.map((c) => Int32Array.from(c.keys()).sort((a, b) => c[a]! - c[b]! || a - b))
      constant = r.constant
    } else {
      lc = group.map((o) => plans[o]!.cost)
      perm = group.map(() => undefined) // plans are already cheapest first
    }

    // Members (indices into group) in the order they are branched on: at each depth the member whose
    // first fitting plan is followed by the dearest next one (the one that most needs its plan) goes first.
    // ff[d·m + k]: member k's first plan that fits at depth d (it only grows down a path); lf[d·m + k]:
    // the same in priced order (a position in perm[k]) when there are prices. Bounds of a node: partial
    // cost + Σ first fits, and partial priced cost + Σ first priced fits − λ·left.
    const at = Int32Array.from({ length: m }, (_, k) => k)
    const ff = new Int32Array((m + 1) * m)
    const lf = new Int32Array((m + 1) * m)
    const priced = perm[0] !== undefined
    const lagFrom = (k: number, from: number): number => {
      const o = group[k]!
      const order = perm[k]!
      const { start } = plans[o]!
      for (let q = from; q < order.length; q++) {
        const p = order[q]!
        nodes++
        if (start[p] === start[p + 1] || fits(o, p)) return q
      }
      return order.length - 1
    }
    let best = before
    let bestPick: number[] | undefined
    const pick = new Int32Array(m)
    let stopped = false
    for (let k = 0; k < m; k++) {
      ff[k] = fitFrom(group[k]!, 0)
      if (priced) lf[k] = lagFrom(k, 0)
    }
    const dfs = (d: number, partial: number, partialLc: number): void => {
      if (nodes > stopAt) {
        stopped = true
        return
      }
      if (d === m) {
        if (partial < best) {
          best = partial
          bestPick = [...pick]
        }
        return
      }
      const row = d * m
      const next = row + m
      let all = 0
      let allLc = -constant
      let choose = d
      let most = -1
      for (let j = d; j < m; j++) {
        const k = at[j]!
        const o = group[k]!
        const cost = plans[o]!.cost
        const f = ff[row + k]!
        all += cost[f]!
        if (priced) allLc += lc[k]![perm[k]![lf[row + k]!]!]!
        const second = f + 1 < cost.length ? cost[fitFrom(o, f + 1)]! : cost[f]!
        if (second - cost[f]! > most) {
          most = second - cost[f]!
          choose = j
        }
      }
      if (partial + all >= best || (priced && partialLc + allLc >= best)) return
      const k = at[choose]!
      at[choose] = at[d]!
      at[d] = k
      const o = group[k]!
      const cost = plans[o]!.cost
      const rest = all - cost[ff[row + k]!]!
      const restLc = priced ? allLc - lc[k]![perm[k]![lf[row + k]!]!]! : 0
      const order = perm[k]
      const lck = lc[k]!
      for (let q = priced ? lf[row + k]! : ff[row + k]!; q < cost.length; q++) {
        const p = order ? order[q]! : q
        if (priced && partialLc + lck[p]! + restLc >= best) break
        if (partial + cost[p]! + rest >= best) {
          if (!priced) break
          continue
        }
        if (p < ff[row + k]!) continue
        nodes++
        if (!fits(o, p)) continue
        take(o, p, 1)
        // First fits of the members below, and the bounds they give, before going down.
        let childRest = 0
        let childLc = -constant
        for (let j = d + 1; j < m; j++) {
          const c = at[j]!
          const f = (ff[next + c] = fitFrom(group[c]!, ff[row + c]!))
          childRest += plans[group[c]!]!.cost[f]!
          if (priced) childLc += lc[c]![perm[c]![(lf[next + c] = lagFrom(c, lf[row + c]!))]!]!
        }
        if (partial + cost[p]! + childRest < best && (!priced || partialLc + lck[p]! + childLc < best)) {
          pick[k] = p
          dfs(d + 1, partial + cost[p]!, partialLc + lck[p]!)
        }
        take(o, p, -1)
        if (stopped) break
      }
      at[d] = at[choose]!
      at[choose] = k
    }
    dfs(0, 0, 0)
    return finish(bestPick, !stopped)
  }

  /**
   * Subgradient search for prices λ ≥ 0 on the contested resources `group` takes (the rest of the
   * wave fixed): bound(λ) = Σ_orders min_plan (cost + λ·takes) − λ·left ≤ the group's optimum.
   * Returns the best bound, each plan's priced cost under its λ, and λ·left.
   */
  function lagrange(group: readonly number[], iterations: number, upper: number, every = 0, onPrices?: (priced: (k: number, p: number) => number) => void): { bound: number; lc: Float64Array[]; constant: number } {
    const m = group.length
    const local = new Map<number, number>()
    const lres = group.map((o) => {
      const res = plans[o]!.res
      const out = new Int32Array(res.length)
      for (let j = 0; j < res.length; j++) {
        let x = local.get(res[j]!)
        if (x === undefined) local.set(res[j]!, (x = local.size))
        out[j] = x
      }
      return out
    })
    const L = local.size
    const left = new Float64Array(L)
    for (const [r, j] of local) left[j] = supply[r]! - use[r]!
    const lambda = new Float64Array(L)
    let bestLambda = new Float64Array(L)
    let bestDual = -Infinity
    const g = new Float64Array(L)
    let theta = 2
    let stale = 0
    for (let it = 0; it < iterations && L > 0; it++) {
      g.fill(0)
      let dual = 0
      for (let j = 0; j < L; j++) {
        dual -= lambda[j]! * left[j]!
        g[j] = -left[j]!
      }
      for (let k = 0; k < m; k++) {
        const { cost, start, amt } = plans[group[k]!]!
        const lr = lres[k]!
        nodes += cost.length
        let bp = 0
        let bc = Infinity
        for (let p = 0; p < cost.length; p++) {
          let c = cost[p]!
          for (let j = start[p]!, e = start[p + 1]!; j < e; j++) c += lambda[lr[j]!]! * amt[j]!
          if (c < bc) {
            bc = c
            bp = p
          }
        }
        dual += bc
        for (let j = start[bp]!, e = start[bp + 1]!; j < e; j++) g[lr[j]!]! += amt[j]!
      }
      if (dual > bestDual + 1e-9) {
        bestDual = dual
        bestLambda = Float64Array.from(lambda)
        stale = 0
      } else if (++stale >= STALE_STEPS) {
        theta /= 2
        stale = 0
      }
      if (bestDual >= upper - 1e-6) break
      if (onPrices && every > 0 && it % every === every - 1) {
        onPrices((k, p) => {
          const { cost, start, amt } = plans[group[k]!]!
          const lr = lres[k]!
          let c = cost[p]!
          for (let j = start[p]!, e = start[p + 1]!; j < e; j++) c += lambda[lr[j]!]! * amt[j]!
          return c
        })
      }
      let norm = 0
      for (let j = 0; j < L; j++) {
        if (lambda[j] === 0 && g[j]! < 0) g[j] = 0
        norm += g[j]! * g[j]!
      }
      if (norm === 0) break
      const step = (theta * (upper - dual)) / norm
      for (let j = 0; j < L; j++) lambda[j] = Math.max(0, lambda[j]! + step * g[j]!)
    }
    let constant = 0
    for (let j = 0; j < L; j++) constant += bestLambda[j]! * left[j]!
    const lc = group.map((o, k) => {
      const { cost, start, amt } = plans[o]!
      const lr = lres[k]!
      const out = new Float64Array(cost.length)
      for (let p = 0; p < cost.length; p++) {
        let c = cost[p]!
        for (let j = start[p]!, e = start[p + 1]!; j < e; j++) c += bestLambda[lr[j]!]! * amt[j]!
        out[p] = c
      }
      return out
    })
    if (L === 0) bestDual = group.reduce((a, o) => a + plans[o]!.cost[0]!, 0)
    return { bound: bestDual, lc, constant }
  }

  // The neighbourhood of a hurt order: it, orders holding what its cheaper plans lack (a few drawn
  // at random per resource), orders holding what those could move to, … up to groupSize.
  const neighbourhood = (i: number, groupSize: number): number[] => {
    const group = [i]
    const inGroup = new Set(group)
    for (let q = 0; q < group.length && group.length < groupSize; q++) {
      const x = group[q]!
      const { cost, start, res, amt } = plans[x]!
      // Plans worth making room for: the hurt order's cheaper ones, the others' next few.
      const wanted: number[] = []
      if (x === i) for (let p = 0; p < cur[x]!; p++) wanted.push(p)
      else for (let p = 0; p < cost.length - 1 && wanted.length < 3; p++) if (p !== cur[x]) wanted.push(p)
      const look = wanted.length <= 4 ? wanted : [wanted[0]!, ...shuffle(wanted.slice(1), rand).slice(0, 3)]
      for (const p of look) {
        for (let j = start[p]!; j < start[p + 1]! && group.length < groupSize; j++) {
          const r = res[j]!
          if (use[r]! + amt[j]! <= supply[r]!) continue
          const list = holders.get(r)
          if (!list || list.length === 0) continue
          for (let t = 0; t < 2 && group.length < groupSize; t++) {
            const h = list[Math.floor(rand() * list.length)]!
            if (inGroup.has(h)) continue
            inGroup.add(h)
            group.push(h)
          }
        }
      }
    }
    return group
  }

  function greedy(sequence: readonly number[]): void {
    for (const o of sequence) {
      const p = fitFrom(o, 0)
      cur[o] = p
      take(o, p, 1)
      hold(o, p, true)
    }
  }

  function clear(group: readonly number[]): void {
    for (const o of group) {
      take(o, cur[o]!, -1)
      hold(o, cur[o]!, false)
    }
  }

  /**
   * Regret-ordered greedy start, price-directed repair and large-neighbourhood search (widening the
   * neighbourhoods when it settles); a small group then gets the rest of its budget for an exact
   * branch and bound from that incumbent. True when the group is proven optimal.
   */
  function searchGroup(group: number[], stopAt: number): boolean {
    const r = new Map(group.map((o) => [o, regret(o)]))
    const sequence = [...group].sort((a, b) => r.get(b)! - r.get(a)! || a - b)
    greedy(sequence)
    const small = group.length <= exactOrders
    const warm = small ? nodes + Math.floor((stopAt - nodes) / 4) : stopAt
    if (lagrangeIterations > 0) priceAndRepair(group, sequence, warm)
    lns(group, warm, groupSize)
    let size = groupSize
    for (let t = 0; t < restarts && nodes < warm && size < group.length; t++) {
      size = Math.min(group.length, Math.ceil(size * 1.5))
      lns(group, warm, size)
    }
    if (!small) return false
    const [improved, complete] = solveGroup(sequence, Math.max(0, stopAt - nodes), EXACT_ITERATIONS)
    if (improved) improvements++
    return complete
  }

  /**
   * Lagrangian heuristic: along a subgradient search for prices on the group's contested resources,
   * every few steps each order (the one losing most when denied its cheapest priced plan first)
   * takes the plan that fits with the least priced cost; the cheapest such allocation is kept if it
   * beats the current one. Prices steer scarce units to the orders that value them most.
   */
  function priceAndRepair(group: readonly number[], sequence: readonly number[], stopAt: number): void {
    const m = group.length
    let bestCost = group.reduce((a, o) => a + costOf(o), 0)
    let bestPick: number[] | undefined
    clear(group)
    const member = new Map(sequence.map((o) => [o, group.indexOf(o)]))
    const lc = group.map((o) => new Float64Array(plans[o]!.cost.length))
    const pick = new Int32Array(m)
    let perPass = 0
    for (const o of group) perPass += plans[o]!.cost.length
    // A quarter of the group's budget at most; too few steps to settle prices are not worth taking.
    const iterations = Math.min(lagrangeIterations, Math.floor((stopAt - nodes) / 4 / Math.max(1, 2 * perPass)))
    if (iterations < MIN_LAGRANGE_ITERATIONS) {
      group.forEach((o) => {
        take(o, cur[o]!, 1)
        hold(o, cur[o]!, true)
      })
      return
    }
    lagrange(group, iterations, bestCost, 5, (priced) => {
      const urgency = new Float64Array(m)
      for (let k = 0; k < m; k++) {
        const c = lc[k]!
        let a = Infinity
        let b = Infinity
        for (let p = 0; p < c.length; p++) {
          c[p] = priced(k, p)
          if (c[p]! < a) {
            b = a
            a = c[p]!
          } else if (c[p]! < b) b = c[p]!
        }
        urgency[k] = b === Infinity ? 0 : b - a
      }
      nodes += perPass
      const byUrgency = [...sequence].sort((x, y) => urgency[member.get(y)!]! - urgency[member.get(x)!]! || x - y)
      let total = 0
      for (const o of byUrgency) {
        const k = member.get(o)!
        const c = lc[k]!
        const cost = plans[o]!.cost
        let bp = cost.length - 1
        for (let p = 0; p < cost.length - 1; p++) if ((c[p]! < c[bp]! || (c[p] === c[bp] && cost[p]! < cost[bp]!)) && fits(o, p)) bp = p
        nodes += cost.length
        pick[k] = bp
        take(o, bp, 1)
        total += cost[bp]!
      }
      for (let k = 0; k < m; k++) take(group[k]!, pick[k]!, -1)
      if (total < bestCost) {
        bestCost = total
        bestPick = [...pick]
      }
    })
    group.forEach((o, k) => {
      const p = bestPick ? bestPick[k]! : cur[o]!
      cur[o] = p
      take(o, p, 1)
      hold(o, p, true)
    })
    if (bestPick) improvements++
  }

  function lns(group: readonly number[], stopAt: number, size: number): void {
    for (let pass = 0; pass < passes && nodes < stopAt; pass++) {
      let improved = false
      // Each order against what the others leave.
      for (const o of group) {
        const was = cur[o]!
        take(o, was, -1)
        const p = fitFrom(o, 0)
        take(o, was, 1)
        if (plans[o]!.cost[p]! < plans[o]!.cost[was]!) {
          assign(o, p)
          improvements++
          improved = true
        }
      }
      // Neighbourhoods of the orders paying more than their best plan, the most hurt first.
      const hurt = group.filter((o) => cur[o]! > 0 && costOf(o) > plans[o]!.cost[0]!)
      hurt.sort((a, b) => costOf(b) - plans[b]!.cost[0]! - (costOf(a) - plans[a]!.cost[0]!) || a - b)
      for (const i of hurt) {
        for (let t = 0; t < tries && nodes < stopAt; t++) {
          if (cur[i] === 0) break
          const g = neighbourhood(i, size)
          if (g.length < 2) break
          const [better] = solveGroup(g, Math.min(NEIGHBOURHOOD_NODES, stopAt - nodes), NEIGHBOURHOOD_ITERATIONS)
          if (better) {
            improvements++
            improved = true
          }
        }
        if (nodes >= stopAt) break
      }
      if (!improved) break
    }
  }

  // 3. Groups of contested orders.
  const groups = new Map<number, number[]>()
  let independent = 0
  for (let o = 0; o < n; o++) {
    cur[o] = 0
    if (!touches[o]) {
      independent++
      continue
    }
    const root = find(o)
    const g = groups.get(root)
    if (g) g.push(o)
    else groups.set(root, [o])
  }
  // Σ of each order's own optimum (its cheapest plan, or what its list's floor guarantees).
  const alone = (o: number): number => Math.min(plans[o]!.cost[0]!, floor[o]!)
  let lowerBound = 0
  for (let o = 0; o < n; o++) lowerBound += alone(o)
  const contestedOrders = n - independent
  let searchedGroups = 0
  let largestGroup = 0
  for (const group of groups.values()) {
    largestGroup = Math.max(largestGroup, group.length)
    // Every order's best plan, if they fit together.
    for (const o of group) take(o, 0, 1)
    let fitsAll = true
    for (const o of group) {
      const { start, res } = plans[o]!
      for (let j = start[0]!; j < start[1]!; j++) if (use[res[j]!]! > supply[res[j]!]!) fitsAll = false
    }
    if (fitsAll) {
      for (const o of group) hold(o, 0, true)
      continue
    }
    for (const o of group) take(o, 0, -1)
    searchedGroups++
    const share = Math.max(MIN_GROUP_BUDGET, Math.floor((budget * group.length) / Math.max(1, contestedOrders)))
    if (!searchGroup(group, nodes + share)) proven = false
  }
  const t3 = performance.now()

  // 4. Decisions: the stock after every order's plan; then each order re-allocated by `allocate`
  // against what the others leave (its plan is still there, so the result is never worse; when the
  // allocator's node budget stops short of the plan, the plan itself is taken).
  const w = cloneStock(allocator, stock)
  const takeFull = (o: number, sign: 1 | -1): void => {
    const { fstart, fres, famt } = plans[o]!
    const p = cur[o]!
    for (let j = fstart[p]!, e = fstart[p + 1]!; j < e; j++) {
      const r = fres[j]!
      if (r < N) {
        const id = locs[r]!.id
        w.capacity.set(id, (w.capacity.get(id) ?? 0) - sign * famt[j]!)
      } else {
        const sku = skuNames[((r - N) / N) | 0]!
        const id = locs[(r - N) % N]!.id
        let m = w.available.get(sku)
        if (!m) w.available.set(sku, (m = new Map()))
        m.set(id, (m.get(id) ?? 0) - sign * famt[j]!)
      }
    }
  }
  for (let o = 0; o < n; o++) takeFull(o, 1)
  const decisions: AllocationDecision[] = new Array(n)
  for (let o = 0; o < n; o++) {
    takeFull(o, -1)
    const d = allocator.allocate(orders[o]!, w, rules)
    const planned = plans[o]!.cost[cur[o]!]!
    if (decisionCost(orders[o]!, d, rules) <= planned) {
      decisions[o] = d
      apply(w, d, 1)
    } else {
      // Listed against the full stock, as in step 1 (deterministic): the same plan at the same index.
      const set = enumerate(orders[o]!, stock, rules, limit)
      decisions[o] = set.decide(set.plans[plans[o]!.index[cur[o]!]!]!)
      takeFull(o, 1)
    }
  }
  const totalCost = orders.reduce((a, o, i) => a + decisionCost(o, decisions[i]!, rules), 0)
  return {
    decisions,
    totalCost,
    remaining: w,
    improvements,
    stats: {
      independent,
      groups: groups.size,
      largestGroup,
      searchedGroups,
      nodes,
      budget,
      provenOptimal: proven,
      lowerBound,
      meanPlans: keptPlans / Math.max(1, n),
      ms: { plans: t1 - t0, contest: t2 - t1, search: t3 - t2, decisions: performance.now() - t3 },
    },
  }
}

/** Search effort (plan checks) of a wave: a base plus a share per order. */
const DEFAULT_BUDGET = 8_000_000
const PER_ORDER_BUDGET = 100
/** Least effort a group of contested orders gets, however small its share. */
const MIN_GROUP_BUDGET = 20_000
/** Effort and subgradient iterations of one neighbourhood's branch and bound, and of a whole group's. */
const NEIGHBOURHOOD_NODES = 5_000
const NEIGHBOURHOOD_ITERATIONS = 0
const EXACT_ITERATIONS = 40
const MIN_LAGRANGE_ITERATIONS = 30
const STALE_STEPS = 5

function offsets(lists: readonly (readonly number[])[]): Int32Array {
  const out = new Int32Array(lists.length + 1)
  lists.forEach((l, k) => (out[k + 1] = out[k]! + l.length))
  return out
}

/**
 * Whether the plan in [a0, a1) of (res, amt) takes at least as much of every resource as the plan
 * in [b0, b1) takes (both sorted by resource).
 */
function covers(res: readonly number[], amt: readonly number[], a0: number, a1: number, b0: number, b1: number): boolean {
  let k = a0
  for (let j = b0; j < b1; j++) {
    while (k < a1 && res[k]! < res[j]!) k++
    if (k >= a1 || res[k] !== res[j] || amt[k]! < amt[j]!) return false
  }
  return true
}

/** Sorts res[from, to) ascending, moving amt along (insertion sort: a plan takes a handful). */
function sortSegment(res: number[], amt: number[], from: number, to: number): void {
  for (let i = from + 1; i < to; i++) {
    const r = res[i]!
    const a = amt[i]!
    let j = i - 1
    while (j >= from && res[j]! > r) {
      res[j + 1] = res[j]!
      amt[j + 1] = amt[j]!
      j--
    }
    res[j + 1] = r
    amt[j + 1] = a
  }
}

/** For allocators not made by createAllocator (no plan lists): regret order, then re-solve passes. */
function regretSequential(allocator: Allocator, orders: readonly AllocationOrder[], stock: StockView, rules?: AllocationRules): BatchResult {
  const r = resolveRules(rules)
  const alone = orders.map((o) => allocator.allocate(o, stock, rules))
  const regret = alone.map((d, i) => {
    if (!d.cost) return -1
    const used = d.parcels.map((p) => p.locationId)
    return decisionCost(orders[i]!, allocator.allocate(orders[i]!, stock, { ...rules, excluded: [...r.excluded, ...used] }), rules) - d.cost.total
  })
  const sequence = orders.map((_, i) => i).sort((a, b) => regret[b]! - regret[a]! || a - b)
  const w = cloneStock(allocator, stock)
  const decisions: AllocationDecision[] = new Array(orders.length)
  for (const i of sequence) {
    decisions[i] = allocator.allocate(orders[i]!, w, rules)
    apply(w, decisions[i], 1)
  }
  let improvements = 0
  for (let pass = 0; pass < 3; pass++) {
    let improved = false
    for (const i of sequence) {
      const old = decisions[i]!
      apply(w, old, -1)
      const d = allocator.allocate(orders[i]!, w, rules)
      const better = decisionCost(orders[i]!, d, rules) < decisionCost(orders[i]!, old, rules)
      decisions[i] = better ? d : old
      apply(w, decisions[i], 1)
      if (better) {
        improvements++
        improved = true
      }
    }
    if (!improved) break
  }
  return { decisions, totalCost: orders.reduce((a, o, i) => a + decisionCost(o, decisions[i]!, rules), 0), remaining: w, improvements }
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
