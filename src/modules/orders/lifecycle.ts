/**
 * The order lifecycle. One table of legal moves; everything else is refused.
 * Return states arrive with the returns module.
 */
export const ORDER_STATUSES = [
  'placed',
  'confirmed',
  'allocated',
  'partially_shipped',
  'shipped',
  'delivered',
  'completed',
  'cancelled',
] as const
export type OrderStatus = (typeof ORDER_STATUSES)[number]

const TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  placed: ['confirmed', 'cancelled'],
  confirmed: ['allocated', 'partially_shipped', 'shipped', 'cancelled'],
  // Back to confirmed when an allocation is undone (cancelled line, short pick, stock correction).
  allocated: ['confirmed', 'partially_shipped', 'shipped', 'cancelled'],
  partially_shipped: ['shipped'],
  shipped: ['delivered'],
  delivered: ['completed'],
  completed: [],
  cancelled: [],
}

/** Whether `from → to` is a legal move. */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to)
}

export function allowedNext(from: OrderStatus): readonly OrderStatus[] {
  return TRANSITIONS[from]
}

export function isTerminal(status: OrderStatus): boolean {
  return TRANSITIONS[status].length === 0
}

/** Rank along the forward path; used to move an order towards what a shop snapshot says. */
const RANK: Record<OrderStatus, number> = {
  placed: 0,
  confirmed: 1,
  allocated: 2,
  partially_shipped: 3,
  shipped: 4,
  delivered: 5,
  completed: 6,
  cancelled: -1,
}

/**
 * The legal path from `from` to `to` (excluding `from`), or null when there is none.
 * A shop may report "fulfilled" for an order we still hold as placed: the path is then
 * placed → confirmed → shipped, each step recorded. Never moves backwards.
 * @example pathTo('placed', 'shipped') // ['confirmed', 'shipped']
 */
export function pathTo(from: OrderStatus, to: OrderStatus): OrderStatus[] | null {
  if (from === to) return []
  if (canTransition(from, to)) return [to]
  if (to === 'cancelled' || RANK[to] <= RANK[from]) return null
  // Shortest forward path by breadth-first search over the forward moves.
  const queue: Array<{ at: OrderStatus; path: OrderStatus[] }> = [{ at: from, path: [] }]
  const seen = new Set<OrderStatus>([from])
  while (queue.length > 0) {
    const { at, path } = queue.shift()!
    for (const next of TRANSITIONS[at]) {
      if (seen.has(next) || next === 'cancelled' || RANK[next] < RANK[at]) continue
      const p = [...path, next]
      if (next === to) return p
      seen.add(next)
      queue.push({ at: next, path: p })
    }
  }
  return null
}
