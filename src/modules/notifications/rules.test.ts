import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { capReached, chooseChannel, quietHoursRelease, type ChannelFacts } from './rules.js'

const all = new Set(['email', 'line', 'sms'] as const)
const base: ChannelFacts = {
  category: 'transactional', order: ['line', 'email', 'sms'], reach: { email: 'a@example.jp', line: 'U' + '0'.repeat(32), sms: '+819012345678' },
  configured: all, consent: {}, suppressed: new Set(),
}

describe('chooseChannel', () => {
  it('takes LINE when linked, else email, else SMS', () => {
    expect(chooseChannel(base)).toEqual({ channel: 'line', address: base.reach.line })
    expect(chooseChannel({ ...base, reach: { ...base.reach, line: null } })).toMatchObject({ channel: 'email' })
    expect(chooseChannel({ ...base, reach: { sms: '+819012345678' } })).toMatchObject({ channel: 'sms' })
  })
  it("follows the customer's preferred channel first", () => {
    expect(chooseChannel({ ...base, preferred: 'email' })).toMatchObject({ channel: 'email' })
  })
  it('skips channels the brand has not configured and suppressed addresses', () => {
    expect(chooseChannel({ ...base, configured: new Set(['email', 'sms']) })).toMatchObject({ channel: 'email' })
    expect(chooseChannel({ ...base, suppressed: new Set(['line', 'email']) })).toMatchObject({ channel: 'sms' })
  })
  it('marketing needs an opt-in on the channel; without any, nothing is chosen and each reason is given', () => {
    const m = { ...base, category: 'marketing' as const }
    const none = chooseChannel(m)
    expect(none).toEqual({ channel: null, reasons: ['line: no marketing opt-in', 'email: no marketing opt-in', 'sms: no marketing opt-in'] })
    expect(chooseChannel({ ...m, consent: { email: true } })).toMatchObject({ channel: 'email' })
    expect(chooseChannel({ ...m, consent: { email: false, sms: true } })).toMatchObject({ channel: 'sms' })
  })
  it('property: a marketing choice always has consent, an address, configuration and no suppression', () => {
    const ch = fc.constantFrom('email' as const, 'line' as const, 'sms' as const)
    fc.assert(fc.property(
      fc.record({ consent: fc.dictionary(ch, fc.boolean()), reach: fc.dictionary(ch, fc.option(fc.constant('x'))), configured: fc.uniqueArray(ch), suppressed: fc.uniqueArray(ch) }),
      (r) => {
        const out = chooseChannel({ ...base, category: 'marketing', consent: r.consent, reach: r.reach, configured: new Set(r.configured), suppressed: new Set(r.suppressed) })
        if (out.channel === null) return out.reasons.length === 3
        return r.consent[out.channel] === true && !!r.reach[out.channel] && r.configured.includes(out.channel) && !r.suppressed.includes(out.channel)
      },
    ))
  })
})

describe('quiet hours (21:00–08:00 Asia/Tokyo)', () => {
  const q = { start: '21:00', end: '08:00' }
  const at = (iso: string) => quietHoursRelease(new Date(iso), 'Asia/Tokyo', q)?.toISOString()
  it('holds a message at 22:30 JST until 08:00 the next morning', () => {
    expect(at('2026-11-26T13:30:00Z')).toBe('2026-11-26T23:00:00.000Z') // 22:30 JST → 08:00 JST on the 27th
  })
  it('holds a message at 02:00 JST until 08:00 the same morning', () => {
    expect(at('2026-11-26T17:00:00Z')).toBe('2026-11-26T23:00:00.000Z')
  })
  it('lets 08:00 and 20:59 through, holds 21:00', () => {
    expect(at('2026-11-26T23:00:00Z')).toBeUndefined()
    expect(at('2026-11-26T11:59:00Z')).toBeUndefined()
    expect(at('2026-11-26T12:00:00Z')).toBe('2026-11-26T23:00:00.000Z')
  })
  it('works across a DST change (America/New_York, 2026-03-08)', () => {
    // 23:00 EST on 7 March → 08:00 EDT on 8 March (UTC-4): 12:00Z.
    expect(quietHoursRelease(new Date('2026-03-08T04:00:00Z'), 'America/New_York', q)?.toISOString()).toBe('2026-03-08T12:00:00.000Z')
  })
  it('no quiet hours configured: never held', () => {
    expect(quietHoursRelease(new Date('2026-11-26T13:30:00Z'), 'Asia/Tokyo', null)).toBeUndefined()
  })
})

describe('frequency cap', () => {
  it('is reached at the count, not before', () => {
    expect(capReached(1, { count: 2, perHours: 24 })).toBe(false)
    expect(capReached(2, { count: 2, perHours: 24 })).toBe(true)
    expect(capReached(99, null)).toBe(false)
  })
})
