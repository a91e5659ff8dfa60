import { existsSync, readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SHIPMENT_STATUSES } from '../status.js'
import {
  CARRIERS,
  detectCarriers,
  getCarrier,
  guessCarrierFromUrl,
  isCarrierCode,
  mapCarrierStatus,
  mapStatusByKeyword,
  validateTrackingNumber,
  type CarrierCode,
} from './index.js'

/** Real-format numbers per carrier; packtrack ones are real 2009 labels, the rest are published examples. */
const VALID: Record<Exclude<CarrierCode, 'other'>, readonly string[]> = {
  yamato: ['444413758703', '123456789013', '099723653466', '103225504992', '178012280876'],
  sagawa: ['512547514334', '600078420325', '600079555353', '600080758362'],
  japan_post: ['405548424886', '317409136693', '317426268143', 'EE123456785JP', 'RR987654326JP', 'CP135792461JP'],
  dhl: ['3318810025', '8487135506', '1099255990', '73891051146'],
  fedex: ['986578788855', '477179081230', '974367662710', '568283610012000', '041441760228964'],
  ups: ['1Z5R89390357567127', '1Z879E930346834440', '1ZXX3150YW44070023'],
  seino: ['1234567890', '0000000000'],
  fukuyama: ['1234567890', '123456789012'],
}

/** Index of the check digit in a canonical number: S10 keeps it before the country code. */
const checkIndex = (n: string) => (/^[A-Z]{2}\d{9}[A-Z]{2}$/.test(n) ? 10 : n.length - 1)

const withDigit = (n: string, i: number, d: number) => n.slice(0, i) + String(d) + n.slice(i + 1)

describe('tracking numbers', () => {
  for (const [code, numbers] of Object.entries(VALID) as [Exclude<CarrierCode, 'other'>, readonly string[]][]) {
    const carrier = getCarrier(code)
    describe(code, () => {
      it.each(numbers)('%s is valid', (n) => {
        expect(carrier.validateNumber(n)).toEqual({ ok: true, number: n })
      })

      if (carrier.hasCheckDigit) {
        it.each(numbers)('%s: every other check digit fails with check_digit', (n) => {
          const i = checkIndex(n)
          for (let d = 0; d <= 9; d++) {
            if (String(d) === n[i]) continue
            const r = carrier.validateNumber(withDigit(n, i, d))
            expect(r, `${withDigit(n, i, d)}`).toMatchObject({ ok: false, reason: 'check_digit' })
          }
        })
      } else {
        // Seino and Fukuyama: no published check-digit rule, so any digits of the right length pass.
        it.each(numbers)('%s: format-only carrier accepts a changed last digit', (n) => {
          expect(carrier.validateNumber(withDigit(n, n.length - 1, (Number(n.at(-1)) + 1) % 10)).ok).toBe(true)
        })
      }

      it('rejects numbers one character shorter or longer than any valid length with format', () => {
        const byLength = [...numbers].sort((a, b) => a.length - b.length)
        expect(carrier.validateNumber(byLength[0]!.slice(0, -1))).toMatchObject({ ok: false, reason: 'format' })
        expect(carrier.validateNumber(`${byLength.at(-1)!}0`)).toMatchObject({ ok: false, reason: 'format' })
      })
    })
  }

  describe('12-digit mod 7: what the check digit catches in the body', () => {
    const domestic = [...VALID.yamato, ...VALID.sagawa, '405548424886']
    // 10^k is coprime to 7, so a one-digit change is caught unless the digit moves by exactly 7 (0↔7, 1↔8, 2↔9).
    it.each(domestic)('%s: one-digit body changes are caught unless the digit moves by 7', (n) => {
      for (let i = 0; i < 11; i++) {
        for (let d = 0; d <= 9; d++) {
          const old = Number(n[i])
          if (d === old) continue
          expect(getCarrier('yamato').validateNumber(withDigit(n, i, d)).ok, `${i}:${old}→${d}`).toBe(Math.abs(d - old) === 7)
        }
      }
    })
    // Swapping neighbours a,b changes the value by (a−b)·9·10^k, and 9 ≡ 2 (mod 7): missed only when |a−b| = 7.
    it.each(domestic)('%s: adjacent body transpositions are caught unless the digits differ by 7', (n) => {
      for (let i = 0; i < 10; i++) {
        const a = Number(n[i])
        const b = Number(n[i + 1])
        if (a === b) continue
        const swapped = n.slice(0, i) + n[i + 1] + n[i] + n.slice(i + 2)
        expect(getCarrier('yamato').validateNumber(swapped).ok, `swap at ${i}`).toBe(Math.abs(a - b) === 7)
      }
    })
    it('shows the blind spot with a concrete pair: 1→8 in the body keeps the number valid', () => {
      expect(getCarrier('yamato').validateNumber('823456789013').ok).toBe(true)
    })
  })

  it('property: any 11-digit body plus its mod-7 digit validates, any other final digit fails', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{11}$/), (body) => {
        const check = Number(BigInt(body) % 7n) // independent oracle: BigInt, not the adapter's digit loop
        for (let d = 0; d <= 9; d++) {
          const r = getCarrier('yamato').validateNumber(body + String(d))
          if (d === check) expect(r).toEqual({ ok: true, number: body + String(d) })
          else expect(r).toMatchObject({ ok: false, reason: 'check_digit' })
        }
      }),
    )
  })

  it('accepts hyphens, spaces, full-width digits and lower case', () => {
    const yamato = getCarrier('yamato')
    for (const raw of ['4444-1375-8703', ' 4444 1375 8703 ', '４４４４－１３７５－８７０３', '4444ー1375ー8703', '4444\u30001375\u30008703']) {
      expect(yamato.validateNumber(raw), raw).toEqual({ ok: true, number: '444413758703' })
    }
    expect(getCarrier('japan_post').validateNumber('ee 123 456 785 jp')).toEqual({ ok: true, number: 'EE123456785JP' })
    expect(getCarrier('japan_post').validateNumber('ＥＥ１２３４５６７８５ＪＰ')).toEqual({ ok: true, number: 'EE123456785JP' })
  })

  it('rejects letters in domestic numbers and the 111111111111 counter-example', () => {
    expect(getCarrier('yamato').validateNumber('4444A1375870')).toMatchObject({ ok: false, reason: 'format' })
    expect(getCarrier('yamato').validateNumber('111111111111')).toMatchObject({ ok: false, reason: 'check_digit' })
  })

  it('Japan Post: services narrow the formats, S10 must be issued by JP', () => {
    const jp = getCarrier('japan_post')
    expect(jp.validateNumber('405548424886', 'yupack').ok).toBe(true)
    expect(jp.validateNumber('405548424886', 'yupacket').ok).toBe(true)
    expect(jp.validateNumber('405548424886', 'ems')).toMatchObject({ ok: false, reason: 'format' })
    expect(jp.validateNumber('EE123456785JP', 'ems').ok).toBe(true)
    expect(jp.validateNumber('RR987654326JP', 'ems')).toMatchObject({ ok: false, reason: 'format' })
    expect(jp.validateNumber('RR987654326JP', 'international').ok).toBe(true)
    expect(jp.validateNumber('EE123456785JP', 'yupack')).toMatchObject({ ok: false, reason: 'format' })
    expect(jp.validateNumber('RB123456785GB')).toMatchObject({ ok: false, reason: 'format' })
    expect(jp.validateNumber('405548424886', 'nekopos')).toMatchObject({ ok: false, reason: 'format' })
  })

  it('FedEx: the service picks the length', () => {
    expect(validateTrackingNumber('fedex', '986578788855', 'express').ok).toBe(true)
    expect(validateTrackingNumber('fedex', '986578788855', 'ground')).toMatchObject({ ok: false, reason: 'format' })
    expect(validateTrackingNumber('fedex', '5682 8361 0012 734', 'ground').ok).toBe(true)
  })

  it('Fukuyama takes 10 or 12 digits, not 11', () => {
    expect(validateTrackingNumber('fukuyama', '12345678901')).toMatchObject({ ok: false, reason: 'format' })
  })

  it('other accepts any plausible number and never has a URL', () => {
    expect(validateTrackingNumber('other', 'ab-1234-xyz')).toEqual({ ok: true, number: 'AB1234XYZ' })
    expect(validateTrackingNumber('other', '12')).toMatchObject({ ok: false, reason: 'format' })
    expect(getCarrier('other').trackingUrl('AB1234XYZ')).toBeNull()
  })
})

describe('display form and URLs', () => {
  it('formats 12-digit domestic numbers 4-4-4', () => {
    expect(getCarrier('yamato').formatNumber('444413758703')).toBe('4444-1375-8703')
    expect(getCarrier('japan_post').formatNumber('４０５５４８４２４８８６')).toBe('4055-4842-4886')
    expect(getCarrier('japan_post').formatNumber('ee123456785jp')).toBe('EE123456785JP')
    expect(getCarrier('fedex').formatNumber('986578788855')).toBe('9865 7878 8855')
  })

  it('gives the public tracking URL for valid numbers only', () => {
    expect(getCarrier('yamato').trackingUrl('4444-1375-8703')).toBe(
      'https://toi.kuronekoyamato.co.jp/cgi-bin/tneko?number00=1&number01=444413758703',
    )
    expect(getCarrier('sagawa').trackingUrl('512547514334')).toBe(
      'https://k2k.sagawa-exp.co.jp/p/web/okurijosearch.do?okurijoNo=512547514334',
    )
    expect(getCarrier('japan_post').trackingUrl('EE123456785JP')).toBe(
      'https://trackings.post.japanpost.jp/services/srv/search/direct?reqCodeNo1=EE123456785JP&locale=ja',
    )
    expect(getCarrier('seino').trackingUrl('1234567890')).toBe('https://track.seino.co.jp/cgi-bin/gnpquery.pgm?GNPNO1=1234567890')
    expect(getCarrier('fukuyama').trackingUrl('1234567890')).toBe('https://corp.fukutsu.co.jp/situation/tracking_no_hunt/1234567890')
    expect(getCarrier('dhl').trackingUrl('3318810025')).toBe('https://www.dhl.com/jp-ja/home/tracking.html?tracking-id=3318810025')
    expect(getCarrier('fedex').trackingUrl('986578788855')).toBe('https://www.fedex.com/fedextrack/?trknbr=986578788855')
    expect(getCarrier('ups').trackingUrl('1Z5R89390357567127')).toBe('https://www.ups.com/track?tracknum=1Z5R89390357567127')
    expect(getCarrier('yamato').trackingUrl('444413758704')).toBeNull()
  })

  it('guesses the carrier from a tracking-page URL', () => {
    expect(guessCarrierFromUrl('https://toi.kuronekoyamato.co.jp/cgi-bin/tneko?number01=1')).toBe('yamato')
    expect(guessCarrierFromUrl('http://k2k.sagawa-exp.co.jp/p/web/okurijosearch.do?okurijoNo=1')).toBe('sagawa')
    expect(guessCarrierFromUrl('https://trackings.post.japanpost.jp/services/srv/search/')).toBe('japan_post')
    expect(guessCarrierFromUrl('https://track.seino.co.jp/cgi-bin/gnpquery.pgm?GNPNO1=1')).toBe('seino')
    expect(guessCarrierFromUrl('https://corp.fukutsu.co.jp/situation/tracking_no_hunt/1')).toBe('fukuyama')
    expect(guessCarrierFromUrl('https://www.dhl.com/jp-ja/home/tracking.html')).toBe('dhl')
    expect(guessCarrierFromUrl('https://mydhl.express.dhl/jp/ja/tracking.html')).toBe('dhl')
    expect(guessCarrierFromUrl('https://www.fedex.com/fedextrack/?trknbr=1')).toBe('fedex')
    expect(guessCarrierFromUrl('https://www.ups.com/track?tracknum=1')).toBe('ups')
    expect(guessCarrierFromUrl('https://notups.com.example.org/track')).toBe('other')
    expect(guessCarrierFromUrl('https://evilfedex.com/')).toBe('other')
    expect(guessCarrierFromUrl('not a url')).toBe('other')
  })
})

describe('detectCarriers', () => {
  it('returns every carrier a 12-digit mod-7 number fits, Yamato first, format-only Fukuyama last', () => {
    expect(detectCarriers('4444-1375-8703')).toEqual(['yamato', 'sagawa', 'japan_post', 'fukuyama'])
  })
  it('uses known prefixes only to reorder', () => {
    expect(detectCarriers('600078420325')).toEqual(['sagawa', 'yamato', 'japan_post', 'fukuyama'])
    expect(detectCarriers('317409136693')).toEqual(['japan_post', 'yamato', 'sagawa', 'fukuyama'])
    expect(detectCarriers('600078420326')).toEqual(['fukuyama']) // a Sagawa-looking prefix does not excuse a bad check digit
  })
  it('recognises S10 JP, DHL, FedEx and UPS', () => {
    expect(detectCarriers('EE123456785JP')).toEqual(['japan_post'])
    expect(detectCarriers('RB123456785GB')).toEqual([])
    expect(detectCarriers('3318810025')).toEqual(['dhl', 'seino', 'fukuyama'])
    expect(detectCarriers('986578788855')).toEqual(['fedex', 'fukuyama'])
    expect(detectCarriers('1Z5R89390357567127')).toEqual(['ups'])
    expect(detectCarriers('1234567890')).toEqual(['seino', 'fukuyama'])
    expect(detectCarriers('hello')).toEqual([])
  })
})

describe('status words', () => {
  const sample = (word: string) => word.replace('○○', '東京営業所')

  for (const carrier of CARRIERS) {
    const words = Object.entries(carrier.statusWords)
    if (words.length === 0) continue
    it.each(words)(`${carrier.code}: %s → %s`, (word, status) => {
      expect(carrier.mapStatus(word)).toBe(status)
      expect(carrier.mapStatus(sample(word))).toBe(status)
      expect(mapCarrierStatus(carrier.code, sample(word))).toBe(status)
      // The keyword fallback must agree, so a reworded label still lands in the same place.
      expect(mapStatusByKeyword(sample(word))).toBe(status)
    })
  }

  it.each([
    ['配達店へ持ち帰りました。', 'delivery_failed'],
    ['配達は終了致しました。', 'delivered'],
    ['新宿店から配達に出発致しました。', 'out_for_delivery'],
    ['新宿店を出発致しました。', 'in_transit'],
    ['お荷物をお預かり致しました。', 'picked_up'],
    ['ご不在でしたので、お預かりしております。', 'delivery_failed'],
    ['新宿店でお預かりしております。', 'held_at_depot'],
  ] as const)('Sagawa sentence %s → %s', (text, status) => {
    expect(mapCarrierStatus('sagawa', text)).toBe(status)
    expect(mapCarrierStatus('other', text)).toBe(status)
  })

  it.each([
    ['依頼受付（再配達）', 'held_at_depot'],
    ['依頼受付(再配達)', 'held_at_depot'],
    ['ご不在のため宅配ボックスに配達完了', 'delivered'],
    ['伝票番号発行', 'label_created'],
    ['送り状発行済み', 'label_created'],
    ['差出人に返送', 'returned_to_sender'],
    ['住所不明のため持ち戻り', 'exception'],
    ['営業所 保管', 'held_at_depot'],
    ['お預かり', 'held_at_depot'],
    ['On FedEx vehicle for delivery', 'out_for_delivery'],
    ['DELIVERED', 'delivered'],
    ['Not delivered – delivery attempted', 'delivery_failed'],
    ['Ready for pickup', 'held_at_depot'],
    ['Shipment information received', 'label_created'],
    ['Return to sender', 'returned_to_sender'],
  ] as const)('keyword fallback: %s → %s', (text, status) => {
    expect(mapCarrierStatus('other', text)).toBe(status)
  })

  it('returns undefined for words that are not a parcel state', () => {
    expect(getCarrier('yamato').mapStatus('ワープ')).toBeUndefined()
    expect(mapCarrierStatus('japan_post', '該当データ無し')).toBeUndefined()
    expect(mapCarrierStatus('yamato', '   ')).toBeUndefined()
  })

  it('every table maps only to known statuses', () => {
    for (const c of CARRIERS) for (const s of Object.values(c.statusWords)) expect(SHIPMENT_STATUSES).toContain(s)
  })
})

describe('registry', () => {
  it('has one adapter per code and recognises codes', () => {
    expect(CARRIERS.map((c) => c.code).sort()).toEqual(
      ['dhl', 'fedex', 'fukuyama', 'japan_post', 'other', 'sagawa', 'seino', 'ups', 'yamato'].sort(),
    )
    expect(isCarrierCode('yamato')).toBe(true)
    expect(isCarrierCode('kuroneko')).toBe(false)
    expect(isCarrierCode(7)).toBe(false)
  })

  it('time slots follow the researched lists', () => {
    expect(getCarrier('yamato').timeSlots).toEqual(['am', '14-16', '16-18', '18-20', '19-21'])
    expect(getCarrier('sagawa').timeSlots).toEqual(['am', '12-14', '14-16', '16-18', '18-20', '18-21', '19-21'])
    expect(getCarrier('japan_post').timeSlots).toEqual(['am', '12-14', '14-16', '16-18', '18-20', '19-21'])
    expect(getCarrier('seino').timeSlots).toEqual([])
    expect(getCarrier('fukuyama').timeSlots).toEqual([])
  })
})

const SHARED = new URL('../../../../../shared/data/carriers/', import.meta.url)
const CORPUS = new URL('packtrack_real_numbers/', SHARED)
const corpusExists = existsSync(CORPUS)
if (!corpusExists) console.warn('The shared packtrack number corpus was absent, so the real-number test was skipped.')
const WORDS_2009 = new URL('packtrack_status_words_2009.json', SHARED)
const wordsExist = existsSync(WORDS_2009)
if (!wordsExist) console.warn('The shared 2009 status word list was absent, so the 2009 word test was skipped.')

describe('real-world data (shared folder, outside the repo)', () => {
  it.skipIf(!corpusExists)('every packtrack number validates for its carrier', () => {
    const files: [string, CarrierCode][] = [
      ['yamato_numbers.txt', 'yamato'],
      ['sagawa_numbers.txt', 'sagawa'],
      ['jppost_numbers.txt', 'japan_post'],
    ]
    for (const [file, code] of files) {
      const numbers = readFileSync(new URL(file, CORPUS), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean)
      expect(numbers.length).toBeGreaterThan(0)
      for (const n of numbers) expect(validateTrackingNumber(code, n), `${code} ${n}`).toEqual({ ok: true, number: n })
    }
  })

  it.skipIf(!wordsExist)('every word on the 2009 tracking pages maps through its carrier table', () => {
    const data = JSON.parse(readFileSync(WORDS_2009, 'utf8')) as {
      yamato: { status_words_with_counts: Record<string, number> }
      sagawa: { latest_status_words: Record<string, number>; detail_messages: string[] }
      japan_post: { status_words_with_counts: Record<string, number> }
      jp_express_pelican: { status_words: string[] }
    }
    const cases: [CarrierCode, string][] = [
      ...Object.keys(data.yamato.status_words_with_counts).map((w): [CarrierCode, string] => ['yamato', w]),
      ...Object.keys(data.sagawa.latest_status_words).map((w): [CarrierCode, string] => ['sagawa', w]),
      ...data.sagawa.detail_messages.map((w): [CarrierCode, string] => ['sagawa', w.replace('<店名>', '大阪店')]),
      ...Object.keys(data.japan_post.status_words_with_counts).map((w): [CarrierCode, string] => ['japan_post', w]),
      // 該当データ無し means "no such number", not a parcel state.
      ...data.jp_express_pelican.status_words.filter((w) => w !== '該当データ無し').map((w): [CarrierCode, string] => ['japan_post', w]),
    ]
    for (const [code, word] of cases) expect(getCarrier(code).mapStatus(word), `${code} ${word}`).toBeDefined()
  })
})
