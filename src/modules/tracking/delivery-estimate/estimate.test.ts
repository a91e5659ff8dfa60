import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SHIPMENT_STATUSES, type ShipmentStatus } from '../status.js'
import { estimateDelivery, type EstimateInput } from './estimate.js'
import { withLeadTimeOverrides } from './lead-times.js'

/** 10:00 JST on the given date, before any usual cut-off. */
const jst = (date: string, hhmm = '10:00'): string => new Date(`${date}T${hhmm}:00+09:00`).toISOString()

const base: EstimateInput = {
  carrier: 'yamato',
  service: null,
  originPrefecture: '13',
  destinationPrefecture: '27',
  destinationPostalCode: null,
  readyAt: jst('2026-11-26'),
  cutoff: '15:00',
  timeZone: 'Asia/Tokyo',
  events: [],
}
const est = (over: Partial<EstimateInput>) => {
  const e = estimateDelivery({ ...base, ...over })
  if (!e) throw new Error('expected an estimate')
  return e
}

describe('weekends', () => {
  it('a 7-day carrier delivers on Saturday', () => {
    const e = est({ readyAt: jst('2026-11-27') }) // Friday
    expect(e.date).toBe('2026-11-28')
    expect(e.basis).toContain('yamato 関東→関西 1 day')
  })

  it('ゆうメール skips Saturday and Sunday and counts only weekdays', () => {
    const e = est({ carrier: 'japan_post', service: 'ゆうメール', readyAt: jst('2026-11-27') })
    // lane 1 + service 1 = 2 weekdays after Friday: Mon 30, Tue 1
    expect(e.date).toBe('2026-12-01')
    expect(e.calendar).toBe('weekdays')
    expect(e.basis).toEqual(expect.arrayContaining(['Saturday 2026-11-28 skipped', 'Sunday 2026-11-29 skipped']))
  })

  it('ゆうパケット is a day slower than ゆうパック but still delivered at weekends', () => {
    const e = est({ carrier: 'japan_post', service: 'yu_packet', readyAt: jst('2026-11-27') })
    expect(e.date).toBe('2026-11-29') // Sunday
    expect(e.basis).toContain('service yu-packet +1 day')
  })

  it('Seino does not deliver on Sunday but does on Saturday', () => {
    expect(est({ carrier: 'seino', readyAt: jst('2026-11-27') }).date).toBe('2026-11-28')
    expect(est({ carrier: 'seino', readyAt: jst('2026-11-28') }).date).toBe('2026-11-30')
  })
})

describe('national holidays', () => {
  it('Seino skips 勤労感謝の日 2026-11-23 (and the Sunday before)', () => {
    const e = est({ carrier: 'seino', readyAt: jst('2026-11-21') }) // Saturday
    expect(e.date).toBe('2026-11-24')
    expect(e.basis).toContain('holiday 2026-11-23 skipped (勤労感謝の日)')
  })

  it('Yamato delivers on the holiday itself', () => {
    expect(est({ readyAt: jst('2026-11-22') }).date).toBe('2026-11-23')
  })

  it('ゆうメール sent before 成人の日 2027-01-11 waits for Tuesday', () => {
    const e = est({ carrier: 'japan_post', service: 'ゆうメール', readyAt: jst('2027-01-08') }) // Friday
    expect(e.date).toBe('2027-01-13')
    expect(e.basis).toContain('holiday 2027-01-11 skipped (成人の日)')
  })

  it('a centre closed on holidays ships the next day', () => {
    const e = est({ readyAt: jst('2026-11-23'), centreClosedOnHolidays: true })
    expect(e.shipDate).toBe('2026-11-24')
    expect(e.date).toBe('2026-11-25')
    expect(e.basis.slice(0, 2)).toEqual(['ship 2026-11-24 (centre closed on the ready day)', 'holiday 2026-11-23 skipped (勤労感謝の日, centre closed)'])
  })
})

describe('year end', () => {
  it('Fukuyama is closed 31 Dec – 3 Jan', () => {
    expect(est({ carrier: 'fukuyama', readyAt: jst('2026-12-29') }).date).toBe('2026-12-30')
    const e = est({ carrier: 'fukuyama', readyAt: jst('2026-12-30') })
    expect(e.date).toBe('2027-01-04')
    expect(e.basis).toEqual(expect.arrayContaining(['year-end closure 2026-12-31 skipped', 'year-end closure 2027-01-03 skipped']))
  })

  it('Yamato delivers on New Year’s Day', () => {
    expect(est({ readyAt: jst('2026-12-31') }).date).toBe('2027-01-01')
  })

  it('a centre closed for New Year ships on its first working day', () => {
    const e = est({ readyAt: jst('2026-12-30', '16:00'), centreClosedDates: ['2026-12-31', '2027-01-01', '2027-01-02', '2027-01-03'] })
    expect(e.shipDate).toBe('2027-01-04')
    expect(e.date).toBe('2027-01-05')
  })
})

describe('far destinations', () => {
  it('Okinawa is 2 days from Kanto by Yamato, 3 by Sagawa', () => {
    expect(est({ destinationPrefecture: '47' }).date).toBe('2026-11-28')
    expect(est({ destinationPrefecture: '47' }).basis).toContain('yamato 関東→沖縄 2 days')
    expect(est({ carrier: 'sagawa', destinationPrefecture: '47' }).date).toBe('2026-11-29')
  })

  it('Ishigaki (907-) is 3 days from Tokyo by Yamato; Sagawa adds a relay day', () => {
    const e = est({ destinationPrefecture: '47', destinationPostalCode: '907-0004' })
    expect(e.transitDays).toBe(3)
    expect(e.date).toBe('2026-11-29')
    expect(e.basis).toContain('remote island 石垣島 +1')
    const s = est({ carrier: 'sagawa', destinationPrefecture: '47', destinationPostalCode: '9070004' })
    expect(s.transitDays).toBe(5)
    expect(s.basis).toContain('sagawa island relay +1')
  })

  it('Chichijima (100-2101) takes a week or more, with a wide window', () => {
    const e = est({ destinationPrefecture: null, destinationPostalCode: '100-2101' })
    expect(e.transitDays).toBeGreaterThanOrEqual(7)
    expect(e.date).toBe('2026-12-03')
    expect(e.latest >= '2026-12-07').toBe(true)
  })

  it('Chiyoda 100-0001 is not an island', () => {
    expect(est({ destinationPrefecture: '13', destinationPostalCode: '100-0001' }).transitDays).toBe(1)
  })

  it('Hokkaido is 2 days from Kanto, 3 from Kyushu; Rishiri adds a day', () => {
    expect(est({ destinationPrefecture: '01' }).transitDays).toBe(2)
    expect(est({ originPrefecture: '40', destinationPrefecture: '01' }).transitDays).toBe(3)
    expect(est({ destinationPrefecture: '01', destinationPostalCode: '097-0101' }).transitDays).toBe(3)
  })

  it('Kanto → Chugoku is 翌々日 since the 2023–24 slowdown', () => {
    expect(est({ destinationPrefecture: '35' }).transitDays).toBe(2)
  })
})

describe('cut-off', () => {
  it('ready before the cut-off ships the same day', () => {
    const e = est({ readyAt: jst('2026-11-26', '14:59') })
    expect(e.shipDate).toBe('2026-11-26')
    expect(e.basis[0]).toBe('ship 2026-11-26 (ready 14:59, before 15:00 cut-off)')
  })

  it('ready at the cut-off ships the next working day', () => {
    const e = est({ readyAt: jst('2026-11-26', '15:00') })
    expect(e.shipDate).toBe('2026-11-27')
    expect(e.basis[0]).toBe('ship 2026-11-27 (after 15:00 cut-off)')
  })

  it('a centre closed at weekends ships Friday-evening parcels on Monday', () => {
    const e = est({ readyAt: jst('2026-11-27', '18:00'), centreClosedWeekdays: [0, 6] })
    expect(e.shipDate).toBe('2026-11-30')
    expect(e.date).toBe('2026-12-01')
  })

  it('no cut-off ships the ready day', () => {
    expect(est({ readyAt: jst('2026-11-26', '22:00'), cutoff: null }).shipDate).toBe('2026-11-26')
  })
})

describe('time zone edge', () => {
  it('23:30 JST (14:30 UTC) is after the cut-off of the JST day', () => {
    const e = est({ readyAt: '2026-11-26T14:30:00Z' })
    expect(e.readyDate).toBe('2026-11-26')
    expect(e.shipDate).toBe('2026-11-27')
  })

  it('00:30 JST on the 27th is still 26 Nov in UTC but ships on the 27th', () => {
    const e = est({ readyAt: '2026-11-26T15:30:00Z' })
    expect(e.readyDate).toBe('2026-11-27')
    expect(e.shipDate).toBe('2026-11-27')
  })

  it('delivered late at night JST counts on the JST day', () => {
    const e = est({ events: [{ status: 'delivered', occurredAt: '2026-11-27T14:50:00Z' }] })
    expect(e.date).toBe('2026-11-27')
  })
})

describe('re-estimation from events', () => {
  const t = (date: string, hhmm: string) => jst(date, hhmm)

  it('picked_up replaces the planned ship day', () => {
    const e = est({ events: [{ status: 'label_created', occurredAt: t('2026-11-26', '10:00') }, { status: 'picked_up', occurredAt: t('2026-11-28', '17:00') }] })
    expect(e.shipDate).toBe('2026-11-28')
    expect(e.date).toBe('2026-11-29')
    expect(e.basis[0]).toBe('picked up 2026-11-28')
  })

  it('an in_transit scan without a pick-up scan counts as the pick-up', () => {
    expect(est({ events: [{ status: 'in_transit', occurredAt: t('2026-11-27', '02:00') }] }).shipDate).toBe('2026-11-27')
  })

  it('out_for_delivery fixes the day', () => {
    const e = est({ destinationPrefecture: '47', events: [{ status: 'out_for_delivery', occurredAt: t('2026-11-27', '08:00') }] })
    expect([e.earliest, e.date, e.latest]).toEqual(['2026-11-27', '2026-11-27', '2026-11-27'])
  })

  it('delivery_failed moves to the next delivery day', () => {
    const events = [
      { status: 'out_for_delivery' as const, occurredAt: t('2026-11-27', '08:00') },
      { status: 'delivery_failed' as const, occurredAt: t('2026-11-27', '14:00') },
    ]
    expect(est({ events }).date).toBe('2026-11-28')
    // Seino does not deliver on Sunday: a failed Saturday attempt comes back on Monday.
    const seino = est({ carrier: 'seino', events: [{ status: 'delivery_failed', occurredAt: t('2026-11-28', '14:00') }] })
    expect(seino.date).toBe('2026-11-30')
    expect(seino.basis).toEqual(expect.arrayContaining(['delivery attempt failed 2026-11-28, next delivery day 2026-11-30', 'Sunday 2026-11-29 skipped']))
  })

  it('held_at_depot → next delivery day', () => {
    const e = est({ events: [{ status: 'held_at_depot', occurredAt: t('2026-11-28', '09:00') }] })
    expect(e.date).toBe('2026-11-29')
    expect(e.basis).toContain('held at depot 2026-11-28, next delivery day 2026-11-29')
  })

  it('delivered pins the date, events in any order', () => {
    const e = est({
      events: [
        { status: 'delivered', occurredAt: t('2026-11-28', '11:00') },
        { status: 'picked_up', occurredAt: t('2026-11-26', '18:00') },
        { status: 'out_for_delivery', occurredAt: t('2026-11-28', '08:00') },
      ],
    })
    expect([e.earliest, e.date, e.latest]).toEqual(['2026-11-28', '2026-11-28', '2026-11-28'])
    expect(e.basis).toEqual(['delivered 2026-11-28'])
  })

  it('exception widens latest by two days', () => {
    const before = est({})
    const e = est({ events: [{ status: 'exception', occurredAt: t('2026-11-27', '09:00') }] })
    expect(e.date).toBe(before.date)
    expect(e.latest).toBe('2026-11-30')
    expect(before.latest).toBe('2026-11-28')
  })

  it('an exception before out_for_delivery no longer widens', () => {
    const e = est({
      events: [{ status: 'exception', occurredAt: t('2026-11-27', '09:00') }, { status: 'out_for_delivery', occurredAt: t('2026-11-28', '08:00') }],
    })
    expect(e.latest).toBe('2026-11-28')
  })

  it('returned to sender has no delivery estimate', () => {
    expect(estimateDelivery({ ...base, events: [{ status: 'returned_to_sender', occurredAt: t('2026-11-29', '09:00') }] })).toBeNull()
  })
})

describe('what cannot be estimated, and inputs that change it', () => {
  it('international services and carriers, and unknown destinations, give null', () => {
    expect(estimateDelivery({ ...base, carrier: 'japan_post', service: 'EMS' })).toBeNull()
    expect(estimateDelivery({ ...base, carrier: 'dhl' })).toBeNull()
    expect(estimateDelivery({ ...base, destinationPrefecture: null })).toBeNull()
    expect(estimateDelivery({ ...base, destinationPrefecture: '99' })).toBeNull()
    expect(estimateDelivery({ ...base, readyAt: 'yesterday' })).toBeNull()
  })

  it('a service called "items" is not EMS', () => {
    expect(estimateDelivery({ ...base, carrier: 'japan_post', service: 'small items' })).not.toBeNull()
  })

  it('unknown origin uses the national median and widens the window', () => {
    const e = est({ originPrefecture: null, destinationPrefecture: '40' })
    expect(e.basis).toContain('origin unknown: yamato national median →九州 2 days')
    expect(e.earliest < e.date && e.date < e.latest).toBe(true)
  })

  it('a tenant lane (prefecture → prefecture) beats the region table', () => {
    const table = withLeadTimeOverrides({ prefectures: { yamato: { '13': { '27': 2 } } }, regions: { default: { 関東: { 関西: 3 } } } })
    const e = est({ table })
    expect(e.transitDays).toBe(2)
    expect(e.basis).toContain('yamato 13→27 2 days (tenant lane)')
    expect(est({ table, carrier: 'other' }).transitDays).toBe(3)
    expect(est({ table, destinationPrefecture: '26' }).transitDays).toBe(1)
  })

  it('the customer’s requested date is never undercut', () => {
    const e = est({ requestedDate: '2026-12-05' })
    expect(e.date).toBe('2026-12-05')
    expect(e.earliest).toBe('2026-12-05')
    expect(e.basis).toContain('customer requested 2026-12-05')
  })

  it('cool is the same lane as normal', () => {
    expect(est({ service: 'クール宅急便' }).date).toBe(est({}).date)
  })
})

describe('properties', () => {
  const prefs = Array.from({ length: 47 }, (_, i) => String(i + 1).padStart(2, '0'))
  const arbInput = fc.record({
    carrier: fc.constantFrom('yamato', 'sagawa', 'japan_post', 'seino', 'fukuyama', 'other') as fc.Arbitrary<EstimateInput['carrier']>,
    service: fc.constantFrom(null, 'ゆうパケット', 'ゆうメール', 'nekopos', 'cool'),
    originPrefecture: fc.option(fc.constantFrom(...prefs), { nil: null }),
    destinationPrefecture: fc.constantFrom(...prefs),
    destinationPostalCode: fc.constantFrom(null, '100-2101', '907-0004', '952-0000', '150-0001'),
    readyMs: fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2028, 11, 31) }),
    cutoff: fc.constantFrom(null, '12:00', '15:00', '23:59'),
    centreClosedWeekdays: fc.subarray([0, 1, 2, 3, 4, 5, 6], { maxLength: 5 }),
    requestedOffset: fc.option(fc.integer({ min: 0, max: 20 }), { nil: null }),
    events: fc.array(fc.record({ status: fc.constantFrom<ShipmentStatus>(...SHIPMENT_STATUSES.filter((s) => s !== 'returned_to_sender')), after: fc.integer({ min: 0, max: 20 * 86_400_000 }) }), { maxLength: 6 }),
  })
  type Arb = typeof arbInput extends fc.Arbitrary<infer T> ? T : never
  const toInput = (a: Arb): EstimateInput => ({
    ...base,
    carrier: a.carrier,
    service: a.service,
    originPrefecture: a.originPrefecture,
    destinationPrefecture: a.destinationPrefecture,
    destinationPostalCode: a.destinationPostalCode,
    readyAt: new Date(a.readyMs).toISOString(),
    cutoff: a.cutoff,
    centreClosedWeekdays: a.centreClosedWeekdays,
    requestedDate: a.requestedOffset === null ? null : new Date(a.readyMs + a.requestedOffset * 86_400_000).toISOString().slice(0, 10),
    events: a.events.map((e) => ({ status: e.status, occurredAt: new Date(a.readyMs + e.after).toISOString() })),
  })

  it('never before the ready day; earliest ≤ date ≤ latest', () => {
    fc.assert(
      fc.property(arbInput, (a) => {
        const e = estimateDelivery(toInput(a))
        if (!e) return true
        return e.date >= e.readyDate && e.earliest >= e.readyDate && e.earliest <= e.date && e.date <= e.latest
      }),
      { numRuns: 500 },
    )
  })

  it('adding events never moves a delivered estimate', () => {
    const more = fc.array(fc.record({ status: fc.constantFrom<ShipmentStatus>(...SHIPMENT_STATUSES.filter((s) => s !== 'delivered')), after: fc.integer({ min: 0, max: 30 * 86_400_000 }) }), { maxLength: 5 })
    fc.assert(
      fc.property(arbInput, fc.integer({ min: 0, max: 10 * 86_400_000 }), more, (a, deliveredAfter, extra) => {
        const withDelivery = { ...a, events: [...a.events, { status: 'delivered' as const, after: deliveredAfter }] }
        const first = estimateDelivery(toInput(withDelivery))
        const later = estimateDelivery(toInput({ ...withDelivery, events: [...withDelivery.events, ...extra] }))
        return first === null || (later !== null && later.date === first.date && later.earliest === first.earliest && later.latest === first.latest)
      }),
      { numRuns: 300 },
    )
  })
})
