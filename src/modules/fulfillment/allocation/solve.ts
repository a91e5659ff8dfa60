/**
 * Per-order allocation: choose which location ships which units of an order at least expected cost
 * (cost.ts), within stock, today's capacity, capabilities and the tenant's rules, and say why.
 *
 * Method (exact): every single-location plan is priced first (these are the candidates shown to
 * people). Then a depth-first branch and bound over lines: each line picks one "option", a set of
 * locations that covers its quantity and is minimal (no member can be dropped; a line that one
 * location can cover never splits, because splitting it never lowers the cost) or, in
 * ship_available, a set that ships what it can and backorders the rest. The partial cost of a node
 * is a valid lower bound (every cost part only grows as lines are added), so pruning at the best
 * plan found is exact. Orders with ≤ 4 distinct SKUs are always searched to the end; beyond that the
 * search stops after NODE_BUDGET nodes and returns the best plan found with `optimal: false` (the
 * first leaf is the greedy plan, so it is never worse than greedy).
 */
import { DEFAULT_LEAD_TIMES, type LeadTimeTable } from '../../tracking/delivery-estimate/index.js'
import { regionOf, REGIONS } from '../../tracking/delivery-estimate/index.js'
import {
  addDays,
  daysBetween,
  leadDays,
  planCost,
  resolveRules,
  shipDayOffset,
  type AllocationOrder,
  type AllocationRules,
  type Clock,
  type CostBreakdown,
  type PlannedParcel,
  type Temperature,
} from './cost.js'
import type { Location } from './network.js'
import { DEFAULT_RATES, SIZE_BANDS, bandIndex, type RateTable } from './rates.js'

/** Stock and capacity an allocation may use. */
export interface StockView {
  /** Units available to promise, by SKU then location id. */
  readonly available: ReadonlyMap<string, ReadonlyMap<string, number>>
  /** Parcels each location can still ship today; a location absent here has its dailyCapacity. */
  readonly capacity?: ReadonlyMap<string, number>
}

/** A plan the solver weighed: its cost, or why it could not be used. */
export interface CandidatePlan {
  readonly kind: 'single' | 'split' | 'backorder'
  readonly locations: readonly string[]
  readonly cost?: CostBreakdown
  readonly infeasible?: string
  chosen: boolean
}

export interface AllocationDecision {
  readonly orderId: string
  readonly status: 'allocated' | 'partial' | 'backordered' | 'infeasible'
  readonly parcels: readonly PlannedParcel[]
  readonly backorders: readonly { readonly sku: string; readonly quantity: number }[]
  /** Null when infeasible. */
  readonly cost: CostBreakdown | null
  /** Single-location plans (all locations), then each improving split plan found by the search. */
  readonly candidates: readonly CandidatePlan[]
  /** False only when the node budget stopped the search of an order with more than 4 SKUs. */
  readonly optimal: boolean
  readonly reason?: string
  readonly nodes: number
}

export interface AllocatorConfig {
  readonly locations: readonly Location[]
  readonly now: Clock
  readonly rates?: RateTable
  readonly leadTimes?: LeadTimeTable
}

export interface Allocator {
  readonly locations: readonly Location[]
  /** Allocate one order against the given stock (nothing is reserved: the caller applies the result). */
  allocate(order: AllocationOrder, stock: StockView, rules?: AllocationRules): AllocationDecision
}

/** Nodes searched for orders with more than EXACT_SKUS distinct SKUs before settling. */
export const NODE_BUDGET = 20_000
export const EXACT_SKUS = 4

const TEMPS: readonly Temperature[] = ['ambient', 'cool', 'frozen']

interface Line {
  sku: string
  qty: number
  band: number
  temp: number
  requires: readonly string[]
}

interface Option {
  locs: number[]
  qty: number[]
  shipped: number
  key: number
}

interface Setup {
  rules: ReturnType<typeof resolveRules>
  P: number
  available: boolean
  pref: number
  locReason: (string | undefined)[]
  cap: Int32Array
  late: Int32Array
  lines: Line[]
  lineStock: Int32Array[]
  lineWhy: (string | undefined)[][]
  price: (i: number, t: number, b: number) => number
}

/** One plan of an order as the wave sees it (see `planEnumerator`). */
export interface EnumeratedPlan {
  /** planCost total, yen. */
  readonly cost: number
  /** Units taken, flattened triples [line index into `PlanSet.skus`, location index, quantity]. */
  readonly units: readonly number[]
  /** Parcels per location, flattened pairs [location index, parcels]. */
  readonly parcels: readonly number[]
}

/** An order's cheapest plans against a stock (see `planEnumerator`). */
export interface PlanSet {
  /** The order's SKUs (lines merged by SKU), indexed by `EnumeratedPlan.units`' line index. */
  readonly skus: readonly string[]
  /** Plans cheaper than shipping nothing (backorderPenalty × units), cheapest first. */
  readonly plans: readonly EnumeratedPlan[]
  /** True when the limit or the node budget cut the list short. */
  readonly truncated: boolean
  /**
   * Every plan not listed costs at least this: Infinity when the list is complete, the dearest
   * listed plan's cost when the limit cut it, 0 when the node budget stopped the search.
   */
  readonly floor: number
  /** The plan as a decision against the stock it was listed on. */
  decide(plan: EnumeratedPlan): AllocationDecision
}

export type PlanEnumerator = (order: AllocationOrder, stock: StockView, rules: AllocationRules | undefined, limit: number) => PlanSet

const enumerators = new WeakMap<Allocator, PlanEnumerator>()

/**
 * Internal to the allocation module (batch.ts), not re-exported by index.ts: the plan lister of an
 * allocator made by createAllocator, undefined for any other Allocator.
 */
export function planEnumerator(allocator: Allocator): PlanEnumerator | undefined {
  return enumerators.get(allocator)
}

/** Lines of at most this many units list every split of their units; larger ones minimal covers only. */
const DISTRIBUTE_UNITS = 4
/** Search nodes one enumeration may visit before it settles for the plans found. */
const ENUMERATION_NODES = 200_000

/**
 * Build an allocator for a network at a given moment; lanes, lead times and ship days are
 * precomputed so each order costs only its own search.
 * @example const a = createAllocator({ locations: DEMO_LOCATIONS, now: { date: '2026-11-26', time: '10:00' } })
 */
export function createAllocator(config: AllocatorConfig): Allocator {
  const locs = config.locations
  const N = locs.length
  const rates = config.rates ?? DEFAULT_RATES
  const leadTable = config.leadTimes ?? DEFAULT_LEAD_TIMES
  const now = config.now
  const offset = locs.map((l) => shipDayOffset(l, now))
  // lead[i][pref] and tier prices [i][destRegionIndex]
  const lead: (number | undefined)[][] = locs.map((l) => Array.from({ length: 48 }, (_, p) => (p === 0 ? undefined : leadDays(l, String(p).padStart(2, '0'), leadTable))))
  const tierPrice: (readonly number[] | undefined)[][] = locs.map((l) => {
    const ro = regionOf(l.prefectureCode)
    return REGIONS.map((rd) => (ro ? rates.tiers[rates.lanes[ro][rd]] : undefined))
  })
  const cool = SIZE_BANDS.map((b) => rates.coolSurcharge[b] ?? NaN)

  /** What every search of one order needs: its rules, lines, locations' state and prices. */
  function setup(order: AllocationOrder, stock: StockView, rulesIn: AllocationRules | undefined, explain = true): Setup | string {
    const rules = resolveRules(rulesIn)
    const P = Math.max(0, Math.floor(rules.maxParcels))
    const available = rules.mode === 'ship_available'
    const dest = order.destinationPrefecture.padStart(2, '0')
    const destRegion = regionOf(dest)
    if (!destRegion) return `unknown destination prefecture ${order.destinationPrefecture}`
    const ri = REGIONS.indexOf(destRegion)
    const pref = Number(dest)
    const daysToPromise = order.promisedDate ? daysBetween(now.date, order.promisedDate) : Infinity
    const codFee = order.cod ? rates.codFee : 0

    // Locations: why each is out, capacity left, days late if it ships.
    const locReason: (string | undefined)[] = new Array(N)
    const cap = new Int32Array(N)
    const late = new Int32Array(N)
    const pinned = rules.pinned.length > 0 ? new Set(rules.pinned) : undefined
    const excluded = new Set(rules.excluded)
    for (let i = 0; i < N; i++) {
      const l = locs[i] as Location
      cap[i] = stock.capacity?.get(l.id) ?? l.dailyCapacity
      const ld = lead[i]?.[pref]
      if (excluded.has(l.id)) locReason[i] = 'excluded by rule'
      else if (pinned && !pinned.has(l.id)) locReason[i] = 'not among pinned locations'
      else if (cap[i]! <= 0) locReason[i] = 'no shipping capacity left today'
      else if (ld === undefined || !tierPrice[i]?.[ri]) locReason[i] = 'no carrier lane to the destination'
      else late[i] = Math.max(0, offset[i]! + ld - daysToPromise)
    }

    // Lines, merged by SKU (a SKU's units share one stock).
    const bySku = new Map<string, Line>()
    for (const l of order.lines) {
      if (!(l.quantity > 0)) continue
      const t = TEMPS.indexOf(l.temperature ?? 'ambient')
      const prev = bySku.get(l.sku)
      if (prev) {
        prev.qty += l.quantity
        prev.band = Math.max(prev.band, bandIndex(l.sizeBand))
      } else bySku.set(l.sku, { sku: l.sku, qty: l.quantity, band: bandIndex(l.sizeBand), temp: t, requires: l.requires ?? [] })
    }
    const lines = [...bySku.values()]
    const price = (i: number, t: number, b: number): number => (tierPrice[i]![ri]![b] as number) + (t > 0 ? (cool[b] as number) : 0) + codFee

    // Per line: why a location cannot ship it at all, and its stock there.
    const lineStock: Int32Array[] = []
    const lineWhy: (string | undefined)[][] = []
    for (const line of lines) {
      const st = new Int32Array(N)
      const why: (string | undefined)[] = new Array(N)
      const coolTooBig = line.temp > 0 && Number.isNaN(cool[line.band])
      for (let i = 0; i < N; i++) {
        const l = locs[i] as Location
        if (!explain) {
          // Only whether a location is out matters (plan lists), not the sentence saying why.
          const out = locReason[i] || coolTooBig || (line.temp === 1 && !l.capabilities.has('cool') && !l.capabilities.has('frozen')) || (line.temp === 2 && !l.capabilities.has('frozen')) || line.requires.some((c) => !l.capabilities.has(c as never))
          if (out) why[i] = 'out'
          else st[i] = stock.available.get(line.sku)?.get(l.id) ?? 0
          continue
        }
        if (locReason[i]) why[i] = locReason[i]
        else if (coolTooBig) why[i] = `${line.sku}: size ${SIZE_BANDS[line.band]} too large for ${TEMPS[line.temp]} service`
        else if (line.temp === 1 && !l.capabilities.has('cool') && !l.capabilities.has('frozen')) why[i] = `${line.sku}: no cool capability`
        else if (line.temp === 2 && !l.capabilities.has('frozen')) why[i] = `${line.sku}: no frozen capability`
        else {
          const missing = line.requires.find((c) => !l.capabilities.has(c as never))
          if (missing) why[i] = `${line.sku}: no ${missing} capability`
          else st[i] = stock.available.get(line.sku)?.get(l.id) ?? 0
        }
      }
      lineStock.push(st)
      lineWhy.push(why)
    }
    return { rules, P, available, pref, locReason, cap, late, lines, lineStock, lineWhy, price }
  }

  /** Parcels, backorders and backordered units of a choice of one option per line. */
  function buildParcels(s: Setup, ch: readonly Option[]): { parcels: PlannedParcel[]; backorders: { sku: string; quantity: number }[]; backorderUnits: number } {
    const byKey = new Map<number, { band: number; lines: { sku: string; quantity: number }[] }>()
    const backorders: { sku: string; quantity: number }[] = []
    let backorderUnits = 0
    s.lines.forEach((line, k) => {
      const o = ch[k] as Option
      o.locs.forEach((i, j) => {
        const key = i * 3 + line.temp
        const p = byKey.get(key) ?? { band: -1, lines: [] }
        p.band = Math.max(p.band, line.band)
        p.lines.push({ sku: line.sku, quantity: o.qty[j] as number })
        byKey.set(key, p)
      })
      if (o.shipped < line.qty) {
        backorders.push({ sku: line.sku, quantity: line.qty - o.shipped })
        backorderUnits += line.qty - o.shipped
      }
    })
    const parcels = [...byKey].map(([key, p]): PlannedParcel => {
      const i = (key / 3) | 0
      const shipDate = addDays(now.date, offset[i]!)
      return {
        locationId: (locs[i] as Location).id,
        temperature: TEMPS[key % 3] as Temperature,
        sizeBand: SIZE_BANDS[p.band] as PlannedParcel['sizeBand'],
        lines: p.lines,
        shipDate,
        deliveryDate: addDays(shipDate, lead[i]![s.pref]!),
        daysLate: s.late[i]!,
        shippingCost: s.price(i, key % 3, p.band),
      }
    })
    return { parcels, backorders, backorderUnits }
  }

  function allocate(order: AllocationOrder, stock: StockView, rulesIn?: AllocationRules): AllocationDecision {
    const candidates: CandidatePlan[] = []
    const ctx = setup(order, stock, rulesIn)
    if (typeof ctx === 'string') return fail(order, candidates, ctx, 0)
    const { rules, P, available, locReason, cap, late, lines, lineStock, lineWhy, price } = ctx
    const K = lines.length

    // 1. Single-location plans.
    let best = Infinity
    let bestChoice: Option[] | undefined
    const band = new Int8Array(N * 3).fill(-1)
    for (let i = 0; i < N; i++) {
      const id = (locs[i] as Location).id
      let why = locReason[i]
      if (!why) {
        for (let k = 0; k < K && !why; k++) {
          const line = lines[k] as Line
          why = lineWhy[k]![i]
          if (!why && lineStock[k]![i]! < line.qty) why = `${line.sku}: ${lineStock[k]![i]} of ${line.qty} in stock`
        }
      }
      if (!why && K > 0) {
        const temps = new Set(lines.map((l) => l.temp)).size
        if (temps > P) why = `needs ${temps} parcels, more than maxParcels ${P}`
        else if (temps > cap[i]!) why = `needs ${temps} parcels, capacity left ${cap[i]}`
      }
      if (why || K === 0) {
        candidates.push({ kind: 'single', locations: [id], infeasible: why ?? 'order has no lines', chosen: false })
        continue
      }
      const keyBand = new Map<number, number>()
      for (const l of lines) keyBand.set(l.temp, Math.max(keyBand.get(l.temp) ?? -1, l.band))
      let shipping = 0
      for (const [t, b] of keyBand) shipping += price(i, t, b)
      const cost = planCost([...keyBand.keys()].map((_, j) => ({ shippingCost: j === 0 ? shipping : 0, daysLate: late[i]! })), 0, rules)
      candidates.push({ kind: 'single', locations: [id], cost, chosen: false })
      if (cost.total < best) {
        best = cost.total
        bestChoice = lines.map((l) => ({ locs: [i], qty: [l.qty], shipped: l.qty, key: 0 }))
      }
    }
    if (K === 0) return fail(order, candidates, 'order has no lines', 0)

    // 2. Options per line.
    const options: Option[][] = []
    const noOptionReasons: string[] = []
    for (let k = 0; k < K; k++) {
      const line = lines[k] as Line
      const st = lineStock[k]!
      const elig: number[] = []
      for (let i = 0; i < N; i++) if (!lineWhy[k]![i] && st[i]! > 0) elig.push(i)
      const opts: Option[] = []
      const chosen: number[] = []
      const gen = (start: number, sum: number): void => {
        for (let j = start; j < elig.length; j++) {
          const i = elig[j] as number
          chosen.push(i)
          const s = sum + st[i]!
          if (s >= line.qty) {
            if (chosen.every((m) => s - st[m]! < line.qty)) opts.push(coverOption(chosen, st, line.qty))
          } else {
            if (available) opts.push({ locs: [...chosen], qty: chosen.map((m) => st[m]!), shipped: s, key: 0 })
            if (chosen.length < P) gen(j + 1, s)
          }
          chosen.pop()
        }
      }
      if (P > 0) gen(0, 0)
      if (available) opts.push({ locs: [], qty: [], shipped: 0, key: 0 })
      for (const o of opts) {
        let c = (line.qty - o.shipped) * rules.backorderPenalty
        for (const i of o.locs) c += price(i, line.temp, line.band) + late[i]! * rules.latenessPenalty
        o.key = c + rules.splitPenalty * Math.max(0, o.locs.length - 1)
      }
      opts.sort((a, b) => a.key - b.key)
      if (opts.length === 0) {
        const total = elig.reduce((a, i) => a + st[i]!, 0)
        noOptionReasons.push(elig.length === 0 ? `${line.sku}: no eligible location has stock` : `${line.sku}: ${total} of ${line.qty} in stock across eligible locations${P < elig.length ? ` (or more than maxParcels ${P} needed)` : ''}`)
      }
      options.push(opts)
    }
    if (noOptionReasons.length > 0) return fail(order, candidates, noOptionReasons.join('; '), 0)

    // 3. Branch and bound over lines, fewest options first.
    const orderIdx = lines.map((_, k) => k).sort((a, b) => options[a]!.length - options[b]!.length)
    const budget = K > EXACT_SKUS ? NODE_BUDGET : Infinity
    let nodes = 0
    let truncated = false
    let bestSplit = Infinity
    const locParcels = new Int32Array(N)
    const saved = new Int8Array((K + 1) * N)
    const open: number[] = []
    let distinct = 0
    const choice: Option[] = new Array(K)

    const currentCost = (backorderUnits: number): number => {
      let shipping = 0
      let lateDays = 0
      for (const key of open) {
        const i = (key / 3) | 0
        shipping += price(i, key % 3, band[key]!)
        if (late[i]! > lateDays) lateDays = late[i]!
      }
      return shipping + rules.splitPenalty * Math.max(0, open.length - 1) + rules.latenessPenalty * lateDays + rules.backorderPenalty * backorderUnits
    }

    const dfs = (depth: number, backorderUnits: number): void => {
      nodes++
      if (nodes > budget) {
        truncated = true
        return
      }
      const cost = currentCost(backorderUnits)
      if (cost >= best && cost >= bestSplit) return
      if (depth === K) {
        if (distinct >= 2 && cost < bestSplit) {
          bestSplit = cost
          if (cost >= best) recordSplit(cost)
        }
        if (cost < best) {
          best = cost
          bestChoice = lines.map((_, k) => choice[k] as Option)
          if (distinct !== 1) recordSplit(cost)
        }
        return
      }
      const k = orderIdx[depth] as number
      const line = lines[k] as Line
      const t = line.temp
      for (const o of options[k]!) {
        // Bands before this option, saved per depth (no allocation per node).
        const base = depth * N
        let ok = true
        for (let j = 0; j < o.locs.length; j++) {
          const i = o.locs[j]!
          const key = i * 3 + t
          saved[base + j] = band[key]!
          if (band[key]! < 0) {
            if (locParcels[i] === 0) distinct++
            locParcels[i]!++
            open.push(key)
            if (locParcels[i]! > cap[i]! || open.length > P) ok = false
          }
          if (line.band > band[key]!) band[key] = line.band
        }
        if (ok) {
          choice[k] = o
          dfs(depth + 1, backorderUnits + line.qty - o.shipped)
        }
        for (let j = o.locs.length - 1; j >= 0; j--) {
          const i = o.locs[j]!
          const key = i * 3 + t
          const before = saved[base + j]!
          if (before < 0) {
            locParcels[i]!--
            if (locParcels[i] === 0) distinct--
            open.pop()
          }
          band[key] = before
        }
        if (truncated) return
      }
    }

    const recordSplit = (cost: number): void => {
      const ids = [...new Set(open.map((key) => (locs[(key / 3) | 0] as Location).id))]
      const parcels = buildParcels(ctx, lines.map((_, k) => choice[k] as Option))
      const c = planCost(parcels.parcels, parcels.backorderUnits, rules)
      if (c.total !== cost) throw new Error(`cost mismatch ${c.total} vs ${cost}`)
      candidates.push({ kind: ids.length === 0 ? 'backorder' : 'split', locations: ids, cost: c, chosen: false })
    }

    dfs(0, 0)

    if (!bestChoice) {
      return fail(order, candidates, `no plan within maxParcels ${P} and today's capacity`, nodes)
    }
    const built = buildParcels(ctx, bestChoice)
    const cost = planCost(built.parcels, built.backorderUnits, rules)
    const chosenIds = [...new Set(built.parcels.map((p) => p.locationId))]
    const chosenCandidate = candidates.find((c) => c.cost?.total === cost.total && sameIds(c.locations, chosenIds))
    if (chosenCandidate) chosenCandidate.chosen = true
    else candidates.push({ kind: chosenIds.length === 1 ? 'single' : chosenIds.length === 0 ? 'backorder' : 'split', locations: chosenIds, cost, chosen: true })
    const shippedAny = built.parcels.length > 0
    return {
      orderId: order.id,
      status: built.backorderUnits === 0 ? 'allocated' : shippedAny ? 'partial' : 'backordered',
      parcels: built.parcels,
      backorders: built.backorders,
      cost,
      candidates,
      optimal: !truncated,
      nodes,
    }
  }

  /**
   * An order's plans cheaper than shipping nothing, cheapest first, at most `limit`: a depth-first
   * search over lines like `allocate`'s, keeping the `limit` best leaves (a partial cost at or above
   * the worst kept leaf prunes). Each line's options are every way to take its units (≤ 4 units:
   * all splits over ≤ maxParcels locations; more: minimal covers) so that the list, taken against
   * full stock, also holds the plans a depleted stock leaves; ship_available adds partial shipments.
   */
  function enumerate(order: AllocationOrder, stock: StockView, rulesIn: AllocationRules | undefined, limit: number): PlanSet {
    const ctx = setup(order, stock, rulesIn, false)
    const none = (skus: readonly string[]): PlanSet => ({ skus, plans: [], truncated: false, floor: Infinity, decide: () => fail(order, [], 'no plan', 0) })
    if (typeof ctx === 'string') return none([])
    const { rules, P, available, cap, late, lines, lineStock, lineWhy, price } = ctx
    const K = lines.length
    const skus = lines.map((l) => l.sku)
    if (K === 0 || P === 0) return none(skus)
    let units = 0
    for (const l of lines) units += l.qty
    let threshold = rules.backorderPenalty * units

    const options: Option[][] = []
    for (let k = 0; k < K; k++) {
      const line = lines[k] as Line
      const st = lineStock[k]!
      const elig: number[] = []
      for (let i = 0; i < N; i++) if (!lineWhy[k]![i] && st[i]! > 0) elig.push(i)
      const opts: Option[] = []
      if (line.qty <= DISTRIBUTE_UNITS) {
        const ls: number[] = []
        const qs: number[] = []
        const gen = (start: number, left: number): void => {
          for (let j = start; j < elig.length; j++) {
            const i = elig[j] as number
            const most = Math.min(st[i]!, left)
            for (let q = 1; q <= most; q++) {
              ls.push(i)
              qs.push(q)
              const shipped = line.qty - left + q
              if (shipped === line.qty || available) opts.push({ locs: [...ls], qty: [...qs], shipped, key: 0 })
              if (shipped < line.qty && ls.length < P) gen(j + 1, left - q)
              ls.pop()
              qs.pop()
            }
          }
        }
        gen(0, line.qty)
      } else {
        const chosen: number[] = []
        const gen = (start: number, sum: number): void => {
          for (let j = start; j < elig.length; j++) {
            const i = elig[j] as number
            chosen.push(i)
            const s = sum + st[i]!
            if (s >= line.qty) {
              if (chosen.every((m) => s - st[m]! < line.qty)) opts.push(coverOption(chosen, st, line.qty))
            } else {
              if (available) opts.push({ locs: [...chosen], qty: chosen.map((m) => st[m]!), shipped: s, key: 0 })
              if (chosen.length < P) gen(j + 1, s)
            }
            chosen.pop()
          }
        }
        gen(0, 0)
      }
      if (available) opts.push({ locs: [], qty: [], shipped: 0, key: 0 })
      for (const o of opts) {
        let c = (line.qty - o.shipped) * rules.backorderPenalty
        for (const i of o.locs) c += price(i, line.temp, line.band) + late[i]! * rules.latenessPenalty
        o.key = c + rules.splitPenalty * Math.max(0, o.locs.length - 1)
      }
      opts.sort((a, b) => a.key - b.key)
      if (opts.length === 0) return none(skus)
      options.push(opts)
    }

    const orderIdx = lines.map((_, k) => k).sort((a, b) => options[a]!.length - options[b]!.length)
    const band = new Int8Array(N * 3).fill(-1)
    const locParcels = new Int32Array(N)
    const saved = new Int8Array((K + 1) * N)
    const open: number[] = []
    const choice: Option[] = new Array(K)
    // Kept leaves, a max-heap on cost.
    const heap: { cost: number; choice: Option[]; open: number[] }[] = []
    let nodes = 0
    let truncated = false
    let cutByNodes = false
    const currentCost = (backorderUnits: number): number => {
      let shipping = 0
      let lateDays = 0
      for (const key of open) {
        const i = (key / 3) | 0
        shipping += price(i, key % 3, band[key]!)
        if (late[i]! > lateDays) lateDays = late[i]!
      }
      return shipping + rules.splitPenalty * Math.max(0, open.length - 1) + rules.latenessPenalty * lateDays + rules.backorderPenalty * backorderUnits
    }
    const push = (leaf: { cost: number; choice: Option[]; open: number[] }): void => {
      heap.push(leaf)
      for (let j = heap.length - 1; j > 0; ) {
        const up = (j - 1) >> 1
        if (heap[up]!.cost >= heap[j]!.cost) break
        ;[heap[up], heap[j]] = [heap[j]!, heap[up]!]
        j = up
      }
      if (heap.length > limit) {
        const last = heap.pop()!
        if (heap.length > 0) {
          heap[0] = last
          for (let j = 0; ; ) {
            const l = 2 * j + 1
            const r = l + 1
            let m = j
            if (l < heap.length && heap[l]!.cost > heap[m]!.cost) m = l
            if (r < heap.length && heap[r]!.cost > heap[m]!.cost) m = r
            if (m === j) break
            ;[heap[m], heap[j]] = [heap[j]!, heap[m]!]
            j = m
          }
        }
        truncated = true
      }
      if (heap.length >= limit) threshold = Math.min(threshold, heap[0]!.cost)
    }
    const dfs = (depth: number, backorderUnits: number): void => {
      if (++nodes > ENUMERATION_NODES) {
        truncated = true
        cutByNodes = true
        return
      }
      const cost = currentCost(backorderUnits)
      if (cost >= threshold) return
      if (depth === K) {
        push({ cost, choice: [...choice], open: [...open] })
        return
      }
      const k = orderIdx[depth] as number
      const line = lines[k] as Line
      const t = line.temp
      for (const o of options[k]!) {
        // Bands before this option, saved per depth (no allocation per node).
        const base = depth * N
        let ok = true
        for (let j = 0; j < o.locs.length; j++) {
          const i = o.locs[j]!
          const key = i * 3 + t
          saved[base + j] = band[key]!
          if (band[key]! < 0) {
            locParcels[i]!++
            open.push(key)
            if (locParcels[i]! > cap[i]! || open.length > P) ok = false
          }
          if (line.band > band[key]!) band[key] = line.band
        }
        if (ok) {
          choice[k] = o
          dfs(depth + 1, backorderUnits + line.qty - o.shipped)
        }
        for (let j = o.locs.length - 1; j >= 0; j--) {
          const key = o.locs[j]! * 3 + t
          const before = saved[base + j]!
          if (before < 0) {
            locParcels[o.locs[j]!]!--
            open.pop()
          }
          band[key] = before
        }
        if (nodes > ENUMERATION_NODES) return
      }
    }
    dfs(0, 0)

    const leaves = heap.sort((a, b) => a.cost - b.cost)
    const chosenBy = new Map<EnumeratedPlan, Option[]>()
    const plans = leaves.map((leaf): EnumeratedPlan => {
      const u: number[] = []
      leaf.choice.forEach((o, k) => o.locs.forEach((i, j) => u.push(k, i, o.qty[j]!)))
      const perLoc = new Map<number, number>()
      for (const key of leaf.open) perLoc.set((key / 3) | 0, (perLoc.get((key / 3) | 0) ?? 0) + 1)
      const plan = { cost: leaf.cost, units: u, parcels: [...perLoc].flat() }
      chosenBy.set(plan, leaf.choice)
      return plan
    })
    const decide = (plan: EnumeratedPlan): AllocationDecision => {
      const ch = chosenBy.get(plan)
      if (!ch) return fail(order, [], 'no plan', nodes)
      const built = buildParcels(ctx, ch)
      const cost = planCost(built.parcels, built.backorderUnits, rules)
      const ids = [...new Set(built.parcels.map((p) => p.locationId))]
      return {
        orderId: order.id,
        status: built.backorderUnits === 0 ? 'allocated' : built.parcels.length > 0 ? 'partial' : 'backordered',
        parcels: built.parcels,
        backorders: built.backorders,
        cost,
        candidates: [{ kind: ids.length === 1 ? 'single' : ids.length === 0 ? 'backorder' : 'split', locations: ids, cost, chosen: true }],
        optimal: false,
        reason: 'chosen by the wave',
        nodes,
      }
    }
    const floor = cutByNodes ? 0 : truncated ? threshold : Infinity
    return { skus, plans, truncated, floor, decide }
  }

  const allocator: Allocator = { locations: locs, allocate }
  enumerators.set(allocator, enumerate)
  return allocator
}

function coverOption(chosen: readonly number[], st: Int32Array, qty: number): Option {
  const q: number[] = []
  let remaining = qty
  chosen.forEach((i, j) => {
    const take = Math.min(st[i]!, remaining - (chosen.length - 1 - j))
    q.push(take)
    remaining -= take
  })
  return { locs: [...chosen], qty: q, shipped: qty, key: 0 }
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x))
}

function fail(order: AllocationOrder, candidates: CandidatePlan[], reason: string, nodes: number): AllocationDecision {
  return { orderId: order.id, status: 'infeasible', parcels: [], backorders: [], cost: null, candidates, optimal: true, reason, nodes }
}
