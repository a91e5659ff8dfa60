import { describe, expect, it } from 'vitest'
import { shipDayOffset } from './cost.js'
import { DEMO_LOCATIONS, type Location } from './network.js'

const kuki = DEMO_LOCATIONS.find((l) => l.id === 'loc_saitama_kuki')!

describe('ship day from cut-off and the location calendar', () => {
  it('ships today one minute before the cut-off and tomorrow at the cut-off itself', () => {
    expect(shipDayOffset(kuki, { date: '2026-11-26', time: '16:59' })).toBe(0)
    expect(shipDayOffset(kuki, { date: '2026-11-26', time: '17:00' })).toBe(1)
  })

  it('skips closed weekdays and dates (Friday after cut-off, closed Sat/Sun and Monday 30 Nov ships Tuesday)', () => {
    const closed: Location = { ...kuki, closedWeekdays: [0, 6], closedDates: ['2026-11-30'] }
    // 2026-11-27 is a Friday.
    expect(shipDayOffset(closed, { date: '2026-11-27', time: '18:00' })).toBe(4)
    expect(shipDayOffset(closed, { date: '2026-11-27', time: '09:00' })).toBe(0)
    expect(shipDayOffset(closed, { date: '2026-11-28', time: '09:00' })).toBe(3)
  })

  it('gives up after two weeks of closed days rather than looping', () => {
    const shut: Location = { ...kuki, closedWeekdays: [0, 1, 2, 3, 4, 5, 6] }
    expect(shipDayOffset(shut, { date: '2026-11-26', time: '09:00' })).toBe(14)
  })
})
