import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ORDER_STATUSES, allowedNext, canTransition, isTerminal, pathTo, type OrderStatus } from './lifecycle.js'

const status = fc.constantFrom(...ORDER_STATUSES)

/** Applies requested moves the way the service does: legal ones happen, illegal ones change nothing. */
function run(requests: OrderStatus[]): { final: OrderStatus; history: OrderStatus[]; refused: number } {
  let at: OrderStatus = 'placed'
  const history: OrderStatus[] = ['placed']
  let refused = 0
  for (const to of requests) {
    if (canTransition(at, to)) {
      at = to
      history.push(to)
    } else refused++
  }
  return { final: at, history, refused }
}

describe('order lifecycle', () => {
  it('allows the happy path and cancellation before shipping', () => {
    expect(run(['confirmed', 'allocated', 'partially_shipped', 'shipped', 'delivered', 'completed']).final).toBe('completed')
    for (const from of ['placed', 'confirmed', 'allocated'] as const) expect(canTransition(from, 'cancelled')).toBe(true)
    for (const from of ['partially_shipped', 'shipped', 'delivered', 'completed'] as const) expect(canTransition(from, 'cancelled')).toBe(false)
  })

  it('no sequence of requests reaches an illegal state or history', () => {
    fc.assert(
      fc.property(fc.array(status, { maxLength: 40 }), (requests) => {
        const { history } = run(requests)
        for (let i = 1; i < history.length; i++) expect(canTransition(history[i - 1]!, history[i]!)).toBe(true)
        // Terminal states are final: nothing follows them.
        const firstTerminal = history.findIndex(isTerminal)
        if (firstTerminal >= 0) expect(firstTerminal).toBe(history.length - 1)
        // Nothing is delivered that was never shipped, nothing shipped that was never confirmed.
        const idx = (s: OrderStatus) => history.indexOf(s)
        if (idx('delivered') >= 0) expect(idx('shipped')).toBeGreaterThan(-1)
        if (idx('shipped') >= 0 || idx('partially_shipped') >= 0) expect(idx('confirmed')).toBeGreaterThan(-1)
        if (idx('cancelled') >= 0) expect(history.some((s) => s === 'shipped' || s === 'partially_shipped')).toBe(false)
      }),
      { numRuns: 2000 },
    )
  })

  it('a refused request leaves the state as it was', () => {
    fc.assert(
      fc.property(fc.array(status, { maxLength: 20 }), status, (prefix, to) => {
        const before = run(prefix).final
        const after = run([...prefix, to]).final
        expect(after === before || canTransition(before, to)).toBe(true)
      }),
    )
  })

  it('pathTo only returns legal forward paths that end at the target', () => {
    fc.assert(
      fc.property(status, status, (from, to) => {
        const path = pathTo(from, to)
        if (path === null) return
        let at = from
        for (const next of path) {
          expect(canTransition(at, next)).toBe(true)
          at = next
        }
        expect(at).toBe(to)
        if (from !== to) expect(path).not.toContain('cancelled' === to ? 'never' : 'cancelled')
      }),
    )
    expect(pathTo('placed', 'shipped')).toEqual(['confirmed', 'shipped'])
    expect(pathTo('shipped', 'confirmed')).toBeNull()
    expect(pathTo('delivered', 'cancelled')).toBeNull()
    expect(allowedNext('completed')).toEqual([])
  })
})
