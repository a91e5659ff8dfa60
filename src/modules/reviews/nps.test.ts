import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { csatOf, looksLikeScanner, npsGroup, npsOf, periodOf, roundHalfAway } from './nps.js'

describe('NPS', () => {
  it('matches a hand-checked set', () => {
    // 20 answers: 10,10,9,9,9 (5 promoters) · 8,8,7,7,7,7 (6 passives) · 6,6,5,5,5,4,3,0,2 (9 detractors).
    // (5 − 9) / 20 × 100 = −20 exactly.
    const scores = [10, 10, 9, 9, 9, 8, 8, 7, 7, 7, 7, 6, 6, 5, 5, 5, 4, 3, 0, 2]
    expect(npsOf(scores)).toEqual({ responses: 20, promoters: 5, passives: 6, detractors: 9, nps: -20, exact: -20 })
  })

  it('rounds half away from zero, as documented', () => {
    // 3 promoters, 5 detractors, 8 answers: −25 exactly; 1 promoter, 3 detractors of 16: −12.5 → −13.
    expect(npsOf([9, 9, 10, 0, 1, 2, 3, 4]).nps).toBe(-25)
    const s = [9, 0, 0, 0, ...Array(12).fill(8)]
    expect(npsOf(s).exact).toBe(-12.5)
    expect(npsOf(s).nps).toBe(-13)
    expect(npsOf([10, 8, 8, 8, 8, 8, 8, 8]).nps).toBe(13) // 12.5 → 13
    // 1 of 3: 33.33… → 33; 2 of 3: 66.66… → 67.
    expect(npsOf([10, 8, 8]).nps).toBe(33)
    expect(npsOf([10, 10, 8]).nps).toBe(67)
    expect(roundHalfAway(-0.5)).toBe(-1)
    expect(roundHalfAway(4.25, 1)).toBe(4.3)
  })

  it('a typical Japanese spread (most answers 5) is strongly negative', () => {
    const scores = [...Array(40).fill(5), ...Array(25).fill(7), ...Array(15).fill(8), ...Array(12).fill(9), ...Array(8).fill(3)]
    expect(npsOf(scores).nps).toBe(-36) // (12 − 48) / 100
  })

  it('groups 0–6, 7–8, 9–10 and refuses anything else', () => {
    expect([0, 6, 7, 8, 9, 10].map(npsGroup)).toEqual(['detractor', 'detractor', 'passive', 'passive', 'promoter', 'promoter'])
    expect(() => npsGroup(11)).toThrow(RangeError)
    expect(() => npsGroup(5.5)).toThrow(RangeError)
    expect(npsOf([])).toMatchObject({ responses: 0, nps: null })
  })

  it('stays within −100..100 and equals the definition for any answers', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 300 }), (scores) => {
      const r = npsOf(scores)
      const p = scores.filter((s) => s >= 9).length
      const d = scores.filter((s) => s <= 6).length
      expect(r.promoters + r.passives + r.detractors).toBe(scores.length)
      expect(r.exact).toBeCloseTo(((p - d) / scores.length) * 100, 9)
      expect(Math.abs(r.nps! - r.exact!)).toBeLessThanOrEqual(0.5 + 1e-9)
      expect(r.nps!).toBeGreaterThanOrEqual(-100)
      expect(r.nps!).toBeLessThanOrEqual(100)
    }))
  })
})

describe('CSAT', () => {
  it('is the share of 4 and 5, with the average to one decimal', () => {
    expect(csatOf([5, 4, 3, 2, 5, 5, 1, 4])).toEqual({ responses: 8, satisfied: 5, csat: 63, average: 3.6, distribution: { '1': 1, '2': 1, '3': 1, '4': 2, '5': 3 } })
    expect(() => csatOf([0])).toThrow(RangeError)
  })
})

describe('periods and scanners', () => {
  it('puts an answer in the brand zone month and ISO week', () => {
    // 2026-11-30 16:00 UTC is 2026-12-01 01:00 in Tokyo.
    expect(periodOf(new Date('2026-11-30T16:00:00Z'), 'Asia/Tokyo', 'month')).toBe('2026-12')
    expect(periodOf(new Date('2026-11-30T14:00:00Z'), 'Asia/Tokyo', 'month')).toBe('2026-11')
    expect(periodOf(new Date('2026-11-26T01:00:00Z'), 'Asia/Tokyo', 'week')).toBe('2026-W48')
    expect(periodOf(new Date('2027-01-01T03:00:00Z'), 'Asia/Tokyo', 'week')).toBe('2026-W53')
  })

  it('takes three different scores within a minute as a link scanner, not a person', () => {
    const t = 1_000_000
    expect(looksLikeScanner([[9, t]], t)).toBe(false)
    expect(looksLikeScanner([[9, t], [9, t + 5]], t + 5)).toBe(false)
    expect(looksLikeScanner([[0, t], [1, t + 1], [2, t + 2]], t + 2)).toBe(true)
    expect(looksLikeScanner([[0, t], [1, t + 1], [2, t + 70_000]], t + 70_000)).toBe(false)
  })
})
