import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { splitArm, stickyPoint } from './sticky.js'

describe('splitArm', () => {
  it('is deterministic for any flow, customer and weights', () => {
    fc.assert(fc.property(
      fc.string(), fc.string(),
      fc.array(fc.double({ min: 0.01, max: 100, noNaN: true }), { minLength: 2, maxLength: 6 }),
      fc.double({ min: 0, max: 50, noNaN: true }),
      (flowId, customerId, weights, hold) => {
        const arms = weights.map((weight, i) => ({ name: `arm${i}`, weight }))
        const a = splitArm(flowId, customerId, arms, { weight: hold })
        expect(splitArm(flowId, customerId, arms.map((x) => ({ ...x })), { weight: hold })).toEqual(a)
        const p = stickyPoint(flowId, customerId)
        expect(p).toBeGreaterThanOrEqual(0)
        expect(p).toBeLessThan(1)
      },
    ))
  })

  it('matches the weights over 100k customers within 1 percentage point', () => {
    const arms = [{ name: 'A', weight: 5 }, { name: 'B', weight: 3 }, { name: 'C', weight: 1 }]
    const holdout = { weight: 1 }
    const counts = new Map<string, number>()
    const n = 100_000
    for (let i = 0; i < n; i++) {
      const r = splitArm('flw_review', `cus_${i}`, arms, holdout)
      const key = r.kind === 'holdout' ? 'holdout' : r.name
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
    for (const [key, want] of [['A', 0.5], ['B', 0.3], ['C', 0.1], ['holdout', 0.1]] as const) {
      expect(Math.abs((counts.get(key) ?? 0) / n - want)).toBeLessThan(0.01)
    }
  })

  it('a zero-weight holdout takes nobody and leaves every arm where it was', () => {
    fc.assert(fc.property(fc.uuid(), (customerId) => {
      const arms = [{ name: 'A', weight: 1 }, { name: 'B', weight: 1 }]
      expect(splitArm('flw_1', customerId, arms, { weight: 0 })).toEqual(splitArm('flw_1', customerId, arms))
    }))
  })
})
