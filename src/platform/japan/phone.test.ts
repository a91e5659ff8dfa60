import { describe, expect, it } from 'vitest'
import { toE164 } from './phone.js'

describe('toE164: Japanese numbers', () => {
  it('reads mobile numbers in the common shapes', () => {
    expect(toE164('090-1234-5678')).toBe('+819012345678')
    expect(toE164('09012345678')).toBe('+819012345678')
    expect(toE164('090 1234 5678')).toBe('+819012345678')
    expect(toE164('080-9876-5432')).toBe('+818098765432')
    expect(toE164('070.1111.2222')).toBe('+817011112222')
  })

  it('reads full-width digits and the dashes Japanese input produces', () => {
    expect(toE164('０９０１２３４５６７８')).toBe('+819012345678')
    expect(toE164('０９０－１２３４－５６７８')).toBe('+819012345678')
    expect(toE164('090ー1234ー5678')).toBe('+819012345678') // katakana long-vowel mark
    expect(toE164('090ｰ1234ｰ5678')).toBe('+819012345678') // half-width long-vowel mark
    expect(toE164('090‐1234‐5678')).toBe('+819012345678') // U+2010 hyphen
    expect(toE164('090−1234−5678')).toBe('+819012345678') // U+2212 minus
    expect(toE164('（03）1234－5678')).toBe('+81312345678')
    expect(toE164('　090-1234-5678　')).toBe('+819012345678')
  })

  it('reads landlines, free dial and IP numbers', () => {
    expect(toE164('(03) 1234-5678')).toBe('+81312345678')
    expect(toE164('03-1234-5678')).toBe('+81312345678')
    expect(toE164('06-6123-4567')).toBe('+81661234567')
    expect(toE164('0467-12-3456')).toBe('+81467123456')
    expect(toE164('0120-123-456')).toBe('+81120123456')
    expect(toE164('0800-123-4567')).toBe('+818001234567')
    expect(toE164('050-1234-5678')).toBe('+815012345678')
  })

  it('reads international forms', () => {
    expect(toE164('+81 90 1234 5678')).toBe('+819012345678')
    expect(toE164('+819012345678')).toBe('+819012345678')
    expect(toE164('+81-90-1234-5678')).toBe('+819012345678')
    expect(toE164('+81 (0)90-1234-5678')).toBe('+819012345678')
    expect(toE164('+81090-1234-5678')).toBe('+819012345678')
    expect(toE164('(+81) 3-1234-5678')).toBe('+81312345678')
    expect(toE164('81-90-1234-5678')).toBe('+819012345678')
    expect(toE164('819012345678')).toBe('+819012345678')
    expect(toE164('＋８１　９０　１２３４　５６７８')).toBe('+819012345678')
  })

  it('rejects numbers of the wrong length', () => {
    expect(toE164('090-1234-567')).toBeUndefined()
    expect(toE164('090-1234-56789')).toBeUndefined()
    expect(toE164('03-1234-567')).toBeUndefined()
    expect(toE164('03-1234-56789')).toBeUndefined()
    expect(toE164('+81 90 1234 567')).toBeUndefined()
    expect(toE164('1234')).toBeUndefined()
    expect(toE164('0')).toBeUndefined()
  })

  it('rejects letters, extensions, empty and non-string input', () => {
    expect(toE164('555-555-SHIP')).toBeUndefined()
    expect(toE164('090-1234-5678 ext 12')).toBeUndefined()
    expect(toE164('03-1234-5678 内線12')).toBeUndefined()
    expect(toE164('tel:09012345678')).toBeUndefined()
    expect(toE164('')).toBeUndefined()
    expect(toE164('   ')).toBeUndefined()
    expect(toE164(null)).toBeUndefined()
    expect(toE164(undefined)).toBeUndefined()
    expect(toE164('090+1234+5678')).toBeUndefined()
  })

  it('does not guess at national numbers without the trunk 0', () => {
    expect(toE164('9012345678')).toBeUndefined()
    expect(toE164('123-123-1234')).toBeUndefined()
    expect(toE164('0090-1234-5678')).toBeUndefined()
  })
})

describe('toE164: other countries', () => {
  it('accepts any plausible number given with +', () => {
    expect(toE164('+1 (415) 555-2671')).toBe('+14155552671')
    expect(toE164('+44 20 7946 0958')).toBe('+442079460958')
    expect(toE164('+1 415 555 2671', 'US')).toBe('+14155552671')
    expect(toE164('+81 90 1234 5678', 'US')).toBe('+819012345678')
  })

  it('rejects national numbers of other countries and implausible international ones', () => {
    expect(toE164('(415) 555-2671', 'US')).toBeUndefined()
    expect(toE164('020 7946 0958', 'GB')).toBeUndefined()
    expect(toE164('090-1234-5678', 'US')).toBeUndefined()
    expect(toE164('+0 123 4567')).toBeUndefined()
    expect(toE164('+1 234')).toBeUndefined()
    expect(toE164('+1234567890123456')).toBeUndefined()
  })
})
