import { describe, expect, it } from 'vitest'
import { PREFECTURES, findPrefecture, prefectureByCode } from './prefectures.js'

describe('PREFECTURES', () => {
  it('has the 47 prefectures in JIS order with unique codes and names', () => {
    expect(PREFECTURES).toHaveLength(47)
    expect(PREFECTURES.map((p) => p.code)).toEqual(Array.from({ length: 47 }, (_, i) => String(i + 1).padStart(2, '0')))
    expect(new Set(PREFECTURES.map((p) => p.ja)).size).toBe(47)
    expect(new Set(PREFECTURES.map((p) => p.en)).size).toBe(47)
    for (const p of PREFECTURES) {
      expect(p.iso).toBe(`JP-${p.code}`)
      expect(p.ja).toMatch(/^(北海道|.+[都府県])$/)
      expect(p.romaji).toContain(p.en)
      // Japan spans roughly 20–46°N, 122–154°E.
      expect(p.capital.lat).toBeGreaterThan(24)
      expect(p.capital.lat).toBeLessThan(46)
      expect(p.capital.lon).toBeGreaterThan(122)
      expect(p.capital.lon).toBeLessThan(146)
    }
  })

  it('has the well-known entries right', () => {
    expect(prefectureByCode('01')).toMatchObject({ ja: '北海道', en: 'Hokkaido', capital: { ja: '札幌市' } })
    expect(prefectureByCode('13')).toMatchObject({ ja: '東京都', en: 'Tokyo', iso: 'JP-13' })
    expect(prefectureByCode('27')).toMatchObject({ ja: '大阪府', en: 'Osaka' })
    expect(prefectureByCode('26')).toMatchObject({ ja: '京都府', en: 'Kyoto' })
    expect(prefectureByCode('47')).toMatchObject({ ja: '沖縄県', en: 'Okinawa', capital: { ja: '那覇市' } })
    expect(prefectureByCode('13')?.capital.lat).toBeCloseTo(35.69, 2)
    expect(prefectureByCode('13')?.capital.lon).toBeCloseTo(139.69, 2)
  })

  it('is frozen', () => {
    expect(Object.isFrozen(PREFECTURES)).toBe(true)
    expect(Object.isFrozen(PREFECTURES[0])).toBe(true)
  })
})

describe('findPrefecture', () => {
  const code = (text: string | null | undefined) => findPrefecture(text)?.code

  it('accepts ISO and JIS codes', () => {
    expect(code('JP-13')).toBe('13')
    expect(code('jp-13')).toBe('13')
    expect(code('JP13')).toBe('13')
    expect(code('13')).toBe('13')
    expect(code('01')).toBe('01')
    expect(code('1')).toBe('01')
    expect(code('JP-47')).toBe('47')
  })

  it('accepts Japanese names with and without the suffix', () => {
    expect(code('東京都')).toBe('13')
    expect(code('東京')).toBe('13')
    expect(code('北海道')).toBe('01')
    expect(code('大阪府')).toBe('27')
    expect(code('大阪')).toBe('27')
    expect(code('京都府')).toBe('26')
    expect(code('京都')).toBe('26')
    expect(code('神奈川県')).toBe('14')
    expect(code('神奈川')).toBe('14')
    expect(code('鹿児島県')).toBe('46')
  })

  it('accepts the romaji spellings Shopify and others use', () => {
    expect(code('Tokyo')).toBe('13')
    expect(code('Tōkyō')).toBe('13')
    expect(code('tokyo')).toBe('13')
    expect(code('TOKYO')).toBe('13')
    expect(code('tokyo-to')).toBe('13')
    expect(code('Tokyo To')).toBe('13')
    expect(code('Tokyo Metropolis')).toBe('13')
    expect(code('tokyoto')).toBe('13')
    expect(code('Toukyou')).toBe('13')
    expect(code('Hokkaidō')).toBe('01')
    expect(code('Hokkaido')).toBe('01')
    expect(code('Hokkai-do')).toBe('01')
    expect(code('Ōsaka')).toBe('27')
    expect(code('Osaka')).toBe('27')
    expect(code('Oosaka')).toBe('27')
    expect(code('Osaka-fu')).toBe('27')
    expect(code('Kyōto')).toBe('26')
    expect(code('Kyoto')).toBe('26')
    expect(code('Kyoto-fu')).toBe('26')
    expect(code('Hyōgo')).toBe('28')
    expect(code('Hyougo')).toBe('28')
    expect(code('Kōchi')).toBe('39')
    expect(code('Ōita')).toBe('44')
    expect(code('Kanagawa-ken')).toBe('14')
    expect(code('Kanagawa Prefecture')).toBe('14')
    expect(code('Gumma')).toBe('10')
  })

  it('accepts full-width and padded input', () => {
    expect(code('ＪＰ－１３')).toBe('13')
    expect(code('１３')).toBe('13')
    expect(code('Ｔｏｋｙｏ')).toBe('13')
    expect(code('　東京都　')).toBe('13')
    expect(code(' Tokyo ')).toBe('13')
  })

  it('every entry can be found by each of its own names', () => {
    for (const p of PREFECTURES) {
      for (const name of [p.code, p.iso, p.ja, p.en, ...p.romaji]) expect(findPrefecture(name)).toBe(p)
    }
  })

  it('returns undefined for anything else', () => {
    expect(findPrefecture('')).toBeUndefined()
    expect(findPrefecture('   ')).toBeUndefined()
    expect(findPrefecture(null)).toBeUndefined()
    expect(findPrefecture(undefined)).toBeUndefined()
    expect(findPrefecture('00')).toBeUndefined()
    expect(findPrefecture('48')).toBeUndefined()
    expect(findPrefecture('JP-99')).toBeUndefined()
    expect(findPrefecture('Kentucky')).toBeUndefined()
    expect(findPrefecture('KY')).toBeUndefined()
    expect(findPrefecture('渋谷区')).toBeUndefined()
    expect(findPrefecture('Tokyo, Japan')).toBeUndefined()
  })
})
