import { describe, expect, it } from 'vitest'
import { addTransitDays, centreShipDate, deliveryDaysBetween, isDeliveryDay, isJapaneseHoliday, localDateTime } from './calendar.js'
import { PREFECTURE_REGION, REGIONS } from './regions.js'
import { remoteAreaFor } from './remote.js'
import { findServiceRule, DEFAULT_LEAD_TIMES } from './lead-times.js'

describe('calendar', () => {
  it('knows 2026–2027 holidays by their JST date, whatever the process zone', () => {
    expect(isJapaneseHoliday('2026-11-23')).toBe(true)
    expect(isJapaneseHoliday('2027-01-11')).toBe(true)
    expect(isJapaneseHoliday('2026-11-24')).toBe(false)
  })

  it('delivery days per calendar', () => {
    expect(isDeliveryDay('2026-11-23', 'every_day')).toBe(true)
    expect(isDeliveryDay('2026-11-23', 'b2b')).toBe(false)
    expect(isDeliveryDay('2026-11-28', 'b2b')).toBe(true) // Saturday
    expect(isDeliveryDay('2026-11-28', 'weekdays')).toBe(false)
    expect(isDeliveryDay('2027-01-02', 'weekdays')).toBe(false)
    expect(isDeliveryDay('2026-12-31', 'b2b')).toBe(false)
  })

  it('counts transit on delivery days only for mail and B2B', () => {
    expect(addTransitDays('2026-11-27', 1, 'every_day').date).toBe('2026-11-28')
    expect(addTransitDays('2026-11-27', 1, 'weekdays').date).toBe('2026-11-30')
    expect(addTransitDays('2026-11-27', 0, 'weekdays').date).toBe('2026-11-27')
    expect(deliveryDaysBetween('2026-11-27', '2026-11-30', 'weekdays')).toBe(1)
  })

  it('local date and time in a zone', () => {
    expect(localDateTime('2026-11-26T14:30:00Z', 'Asia/Tokyo')).toEqual({ date: '2026-11-26', time: '23:30' })
    expect(localDateTime('nonsense', 'Asia/Tokyo')).toBeUndefined()
  })

  it('centre ship day honours cut-off and closures', () => {
    expect(centreShipDate('2026-11-27T09:00:00Z', { cutoff: '17:00', closedWeekdays: [0, 6] }, 'Asia/Tokyo')?.date).toBe('2026-11-30')
    expect(centreShipDate('2026-11-27T07:59:00Z', { cutoff: '17:00', closedWeekdays: [0, 6] }, 'Asia/Tokyo')?.date).toBe('2026-11-27')
    expect(centreShipDate('2026-11-27T07:59:00Z', { cutoff: null, closedWeekdays: [0, 1, 2, 3, 4, 5, 6] }, 'Asia/Tokyo')).toBeUndefined()
  })
})

describe('regions, islands and services', () => {
  it('maps all 47 prefectures and uses all 12 regions', () => {
    expect(Object.keys(PREFECTURE_REGION).sort()).toEqual(Array.from({ length: 47 }, (_, i) => String(i + 1).padStart(2, '0')))
    expect(new Set(Object.values(PREFECTURE_REGION))).toEqual(new Set(REGIONS))
  })

  it('finds islands by the longest postal prefix', () => {
    expect(remoteAreaFor('100-2101')?.name).toBe('小笠原 父島')
    expect(remoteAreaFor('907-1801')?.name).toBe('与那国島')
    expect(remoteAreaFor('９０７－０００４')?.name).toBe('石垣島')
    expect(remoteAreaFor('684-0004')).toBeUndefined() // 境港市, mainland Tottori
    expect(remoteAreaFor('684-0403')?.prefecture).toBe('32') // 海士町, 隠岐
    expect(remoteAreaFor('12')).toBeUndefined()
  })

  it('matches services by name, carrier and whole short words', () => {
    expect(findServiceRule(DEFAULT_LEAD_TIMES, 'yamato', 'クロネコゆうパケット')?.label).toBe('kuroneko yu-packet')
    expect(findServiceRule(DEFAULT_LEAD_TIMES, 'japan_post', 'ゆうパケットプラス')?.label).toBe('yu-packet')
    expect(findServiceRule(DEFAULT_LEAD_TIMES, 'japan_post', 'ems_asia')?.international).toBe(true)
    expect(findServiceRule(DEFAULT_LEAD_TIMES, 'yamato', 'ゆうパケット')).toBeUndefined()
    expect(findServiceRule(DEFAULT_LEAD_TIMES, 'yamato', '宅急便')).toBeUndefined()
  })
})
