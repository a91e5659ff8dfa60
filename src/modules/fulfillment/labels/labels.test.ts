import { parse } from 'csv-parse/sync'
import iconv from 'iconv-lite'
import { describe, expect, it } from 'vitest'
import {
  LABEL_FORMATS, SAGAWA_EHIDEN2_COLUMNS, SAGAWA_EHIDEN_COLUMNS, YAMATO_B2_COLUMNS, sagawaEhidenCsv, yamatoB2Csv,
  type LabelParcel, type LabelTimeSlot,
} from './index.js'
import { cutToWidth, displayWidth } from './jp-text.js'

const decode = (csv: Buffer): string[][] => parse(iconv.decode(csv, 'CP932'))

/** A realistic parcel: cool, COD, requested date and slot, company, building, two items. */
function parcel(over: Partial<LabelParcel> = {}): LabelParcel {
  return {
    parcelId: 'K250310001',
    orderNumber: '#1001',
    shipDate: '2025-03-10',
    deliveryDate: '2025-03-12',
    timeSlot: '14-16',
    temperature: 'cool',
    codAmount: 5830,
    recipient: {
      name: '山田 太郎', phone: '090-1234-5678', postalCode: '1500001', prefecture: '東京都', city: '渋谷区',
      address1: '神宮前1-2-3', address2: 'カンドービル4F', company: '株式会社サンプル', email: 'taro@example.jp',
    },
    sender: { name: 'かんどう茶舗', phone: '03-1234-5678', postalCode: '100-0001', address: '東京都千代田区千代田1-1', code: '0312345678' },
    items: [{ name: '有機ほうじ茶 100g', quantity: 2 }, { name: '急須', quantity: 1 }],
    ...over,
  }
}
const recipient = (over: Partial<LabelParcel['recipient']>): Pick<LabelParcel, 'recipient'> => ({ recipient: { ...parcel().recipient, ...over } })

/** Asserts the column name and value of every expected (1-based) position, and that every other cell is empty. */
function expectRow(columns: readonly string[], row: string[], expected: Record<number, [name: string, value: string]>): void {
  expect(row).toHaveLength(columns.length)
  for (const [pos, [name, value]] of Object.entries(expected)) {
    expect(columns[Number(pos) - 1], `column ${pos}`).toBe(name)
    expect(row[Number(pos) - 1], `${name} (column ${pos})`).toBe(value)
  }
  const filled = row.flatMap((v, i) => (v !== '' && !(i + 1 in expected) ? [`${i + 1} ${columns[i]}=${v}`] : []))
  expect(filled).toEqual([])
}

const B2_OPTS = { billingCustomerCode: '0312345678', freightManagementNumber: '01' }
const b2 = (p: LabelParcel, opts = {}) => {
  const out = yamatoB2Csv([p], { ...B2_OPTS, ...opts })
  return { ...out, row: decode(out.csv)[1]!, col: (name: string) => decode(out.csv)[1]![YAMATO_B2_COLUMNS.indexOf(name)] }
}
const ehiden = (p: LabelParcel, opts = {}) => {
  const out = sagawaEhidenCsv([p], opts)
  return { ...out, row: decode(out.csv)[1]!, col: (name: string) => decode(out.csv)[1]![SAGAWA_EHIDEN_COLUMNS.indexOf(name)] }
}

describe('Yamato B2クラウド', () => {
  it('writes the 95-column layout, header first, every filled column where the layout puts it', () => {
    const { csv, warnings } = yamatoB2Csv([parcel()], {
      ...B2_OPTS, deliveryEmail: { plannedMessage: 'お荷物をお届けします', completedMessage: 'Thank you!' },
    })
    const rows = decode(csv)
    expect(rows).toHaveLength(2)
    expect(rows[0]).toEqual([...YAMATO_B2_COLUMNS])
    expect(YAMATO_B2_COLUMNS).toHaveLength(95)
    expectRow(YAMATO_B2_COLUMNS, rows[1]!, {
      1: ['お客様管理番号', 'K250310001'],
      2: ['送り状種類', '2'],
      3: ['クール区分', '2'],
      5: ['出荷予定日', '2025/03/10'],
      6: ['お届け予定日', '2025/03/12'],
      7: ['配達時間帯', '1416'],
      9: ['お届け先電話番号', '090-1234-5678'],
      11: ['お届け先郵便番号', '150-0001'],
      12: ['お届け先住所', '東京都渋谷区神宮前1-2-3'],
      13: ['お届け先アパートマンション名', 'カンドービル4F'],
      14: ['お届け先会社・部門１', '株式会社サンプル'],
      16: ['お届け先名', '山田 太郎'],
      19: ['ご依頼主コード', '0312345678'],
      20: ['ご依頼主電話番号', '03-1234-5678'],
      22: ['ご依頼主郵便番号', '100-0001'],
      23: ['ご依頼主住所', '東京都千代田区千代田1-1'],
      25: ['ご依頼主名', 'かんどう茶舗'],
      28: ['品名１', '有機ほうじ茶 100g ×2'],
      30: ['品名２', '急須'],
      33: ['記事', '#1001'],
      34: ['ｺﾚｸﾄ代金引換額（税込)', '5830'],
      35: ['内消費税額等', '530'],
      40: ['請求先顧客コード', '0312345678'],
      42: ['運賃管理番号', '01'],
      48: ['お届け予定ｅメール利用区分', '1'],
      49: ['お届け予定ｅメールe-mailアドレス', 'taro@example.jp'],
      50: ['入力機種', '1'],
      51: ['お届け予定ｅメールメッセージ', 'お荷物をお届けします'],
      52: ['お届け完了ｅメール利用区分', '1'],
      53: ['お届け完了ｅメールe-mailアドレス', 'taro@example.jp'],
      54: ['お届け完了ｅメールメッセージ', 'Ｔｈａｎｋ\u3000ｙｏｕ！'],
    })
    expect(warnings).toEqual([])
  })

  it('ends every line with CRLF, including the last, and has no bare LF', () => {
    const text = iconv.decode(yamatoB2Csv([parcel(), parcel({ parcelId: 'K250310002' })], B2_OPTS).csv, 'CP932')
    expect(text.endsWith('\r\n')).toBe(true)
    expect(text.split('\r\n')).toHaveLength(4)
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/)
  })

  it('maps every time slot to its code; 12–14 has none since 2017 and is left blank with a warning', () => {
    const expected: Record<LabelTimeSlot, string> = { morning: '0812', '12-14': '', '14-16': '1416', '16-18': '1618', '18-20': '1820', '19-21': '1921' }
    for (const [slot, code] of Object.entries(expected) as Array<[LabelTimeSlot, string]>) {
      const { col, warnings } = b2(parcel({ timeSlot: slot }))
      expect(col('配達時間帯'), slot).toBe(code)
      expect(warnings.map((w) => w.code)).toEqual(slot === '12-14' ? ['time-slot-unavailable'] : [])
    }
    expect(b2(parcel({ timeSlot: null, deliveryDate: null })).col('配達時間帯')).toBe('')
  })

  it('writes クール区分 0 / 2 冷蔵 / 1 冷凍', () => {
    expect(b2(parcel({ temperature: 'ambient' })).col('クール区分')).toBe('0')
    expect(b2(parcel({ temperature: 'cool' })).col('クール区分')).toBe('2')
    expect(b2(parcel({ temperature: 'frozen' })).col('クール区分')).toBe('1')
  })

  it('writes コレクト only for COD, with the tax included in the amount; refuses amounts B2 cannot collect', () => {
    const prepaid = b2(parcel({ codAmount: null }))
    expect([prepaid.col('送り状種類'), prepaid.col('ｺﾚｸﾄ代金引換額（税込)'), prepaid.col('内消費税額等')]).toEqual(['0', '', ''])
    const cod = b2(parcel({ codAmount: 11_000 }))
    expect([cod.col('送り状種類'), cod.col('ｺﾚｸﾄ代金引換額（税込)'), cod.col('内消費税額等')]).toEqual(['2', '11000', '1000'])
    expect(b2(parcel({ codAmount: 10_800 }), { codTaxRatePercent: 8 }).col('内消費税額等')).toBe('800')
    expect(() => b2(parcel({ codAmount: 300_001 }))).toThrow(RangeError)
    expect(() => b2(parcel({ codAmount: 0 }))).toThrow(RangeError)
    expect(() => b2(parcel({ codAmount: 99.5 }))).toThrow(RangeError)
  })

  it('round-trips 全角 names through CP932, including 髙 (an IBM extension, so also warned about)', () => {
    const { col, warnings } = b2(parcel(recipient({ name: '髙橋 花子' })))
    expect(col('お届け先名')).toBe('髙橋 花子')
    expect(warnings).toEqual([expect.objectContaining({ field: 'お届け先名', code: 'extended-char' })])
    expect(b2(parcel()).col('お届け先名')).toBe('山田 太郎')
  })

  it('turns half-width katakana into full-width', () => {
    expect(b2(parcel(recipient({ name: 'ﾔﾏﾀﾞ ﾀﾛｳ' }))).col('お届け先名')).toBe('ヤマダ タロウ')
  })

  it('replaces what CP932 cannot encode with 〓 and says which field and character', () => {
    const { col, warnings } = b2(parcel(recipient({ name: '𠮷田 🍵' })))
    expect(col('お届け先名')).toBe('〓田 〓')
    expect(warnings).toEqual([{ parcelId: 'K250310001', field: 'お届け先名', code: 'unencodable-char', message: expect.stringContaining('𠮷 🍵') }])
  })

  it('swaps CP932 look-alikes instead of losing them (〜 − —)', () => {
    const { col, warnings } = b2(parcel({ items: [{ name: '茶葉〜春摘み−限定—', quantity: 1 }] }))
    expect(col('品名１')).toBe('茶葉～春摘み－限定―')
    expect(warnings).toEqual([])
  })

  it('quotes a field with a comma or double quote and doubles the quote; CR/LF inside a field become a space', () => {
    const { csv } = yamatoB2Csv([parcel(recipient({ name: 'Smith, "Bob"', address1: '神宮前1-2-3\r\n裏口' }))], B2_OPTS)
    expect(iconv.decode(csv, 'CP932')).toContain(',"Smith, ""Bob""",')
    const row = decode(csv)[1]!
    expect(row[15]).toBe('Smith, "Bob"')
    expect(row[11]).toBe('東京都渋谷区神宮前1-2-3 裏口')
  })

  it('spills a long street address into the building field and cuts what still does not fit', () => {
    const long = b2(parcel(recipient({
      prefecture: '北海道', city: '札幌市中央区', address1: '北一条西二十丁目一番地の二十三大通公園前グランドパレス', address2: '南棟一二〇五号室',
    })))
    expect(displayWidth(long.col('お届け先住所')!)).toBeLessThanOrEqual(64)
    expect(displayWidth(long.col('お届け先アパートマンション名')!)).toBeLessThanOrEqual(32)
    expect(long.col('お届け先住所')! + long.col('お届け先アパートマンション名')!.replace(/ /g, '')).toBe('北海道札幌市中央区北一条西二十丁目一番地の二十三大通公園前グランドパレス南棟一二〇五号室')
    expect(long.warnings).toEqual([])
    const tooLong = b2(parcel(recipient({ address2: 'とても長い建物の名前が続いてしまう第一号館一二三四号室' })))
    expect(tooLong.col('お届け先アパートマンション名')).toBe('とても長い建物の名前が続いてしま')
    expect(tooLong.col('お届け先住所')).toBe('東京都渋谷区神宮前1-2-3')
    expect(tooLong.warnings).toEqual([expect.objectContaining({ field: 'お届け先アパートマンション名', code: 'truncated' })])
  })

  it('refuses a parcel id longer than お客様管理番号 holds (20), such as a 30-character Kando id', () => {
    expect(() => yamatoB2Csv([parcel({ parcelId: 'A'.repeat(21) })], B2_OPTS)).toThrow(RangeError)
    expect(() => yamatoB2Csv([parcel({ parcelId: 'shp_06bq3z1e4k8x0m2v9c7d5f6g8h' })], B2_OPTS)).toThrow(/20/)
    expect(b2(parcel({ parcelId: 'A'.repeat(20) })).col('お客様管理番号')).toBe('A'.repeat(20))
  })

  it('refuses bad dates and missing required data rather than print a wrong label', () => {
    expect(() => b2(parcel({ shipDate: '2025/03/10' }))).toThrow(RangeError)
    expect(() => b2(parcel({ deliveryDate: '2025-02-30' }))).toThrow(RangeError)
    expect(() => b2(parcel({ items: [] }))).toThrow(/品名/)
    expect(() => b2(parcel(recipient({ name: ' ' })))).toThrow(/recipient.name/)
  })

  it('summarises items beyond 品名２ as 他N点', () => {
    const { col, warnings } = b2(parcel({ items: [{ name: 'ほうじ茶', quantity: 1 }, { name: '煎茶', quantity: 3 }, { name: '急須', quantity: 1 }, { name: '湯呑', quantity: 2 }] }))
    expect([col('品名１'), col('品名２')]).toEqual(['ほうじ茶', '煎茶 ×3 他2点'])
    expect(warnings.map((w) => w.code)).toEqual(['truncated'])
  })

  it('normalises phone numbers (+81, full-width digits) and postcodes', () => {
    const { col, warnings } = b2(parcel(recipient({ phone: '+81 90-1234-5678', postalCode: '１５０ー０００１' })))
    expect([col('お届け先電話番号'), col('お届け先郵便番号')]).toEqual(['090-1234-5678', '150-0001'])
    expect(warnings).toEqual([])
    expect(b2(parcel(recipient({ postalCode: '150-01' }))).warnings.map((w) => w.code)).toEqual(['invalid-postal-code'])
  })

  it('says when the B2 contract codes are missing, and leaves out 伝票番号 that is not 12 digits', () => {
    const { warnings } = yamatoB2Csv([parcel({ trackingNumber: '1234' })])
    expect(warnings.map((w) => [w.parcelId, w.field, w.code])).toEqual([
      [null, '請求先顧客コード', 'missing-contract-code'],
      [null, '運賃管理番号', 'missing-contract-code'],
      ['K250310001', '伝票番号', 'ignored'],
    ])
    expect(b2(parcel({ trackingNumber: '123456789012' })).col('伝票番号')).toBe('123456789012')
  })

  it('can leave the header row out', () => {
    expect(decode(yamatoB2Csv([parcel()], { ...B2_OPTS, header: false }).csv)).toHaveLength(1)
  })
})

describe('Sagawa e飛伝Ⅲ (標準_飛脚宅急便_CSV_ヘッダ有り)', () => {
  it('writes the 74-column layout, header first, every filled column where the layout puts it', () => {
    const { csv, warnings } = sagawaEhidenCsv([parcel()])
    const rows = decode(csv)
    expect(rows[0]).toEqual([...SAGAWA_EHIDEN_COLUMNS])
    expect(SAGAWA_EHIDEN_COLUMNS).toHaveLength(74)
    expectRow(SAGAWA_EHIDEN_COLUMNS, rows[1]!, {
      3: ['お届け先電話番号', '090-1234-5678'],
      4: ['お届け先郵便番号', '150-0001'],
      5: ['お届け先住所１', '東京都渋谷区神宮前１－２－３'],
      6: ['お届け先住所２', 'カンドービル４Ｆ'],
      8: ['お届け先名称１', '株式会社サンプル'],
      9: ['お届け先名称２', '山田\u3000太郎'],
      10: ['お客様管理番号', 'K250310001'],
      11: ['お客様コード', '0312345678'],
      15: ['荷送人電話番号', '03-1234-5678'],
      18: ['ご依頼主電話番号', '03-1234-5678'],
      19: ['ご依頼主郵便番号', '100-0001'],
      20: ['ご依頼主住所１', '東京都千代田区千代田１－１'],
      22: ['ご依頼主名称１', 'かんどう茶舗'],
      25: ['品名１', '有機ほうじ茶 100g ×2'],
      26: ['品名２', '急須'],
      29: ['品名５', '#1001'],
      42: ['出荷個数', '1'],
      43: ['スピード指定', '000'],
      44: ['クール便指定', '002'],
      45: ['配達日', '20250312'],
      46: ['配達指定時間帯', '14'],
      48: ['代引金額', '5830'],
      49: ['消費税', '530'],
      50: ['決済種別', '2'],
      52: ['指定シール１', '008'],
      53: ['指定シール２', '005'],
      55: ['営業所受取', '0'],
      56: ['SRC区分', '0'],
      58: ['元着区分', '1'],
      61: ['出荷日', '20250310'],
    })
    expect(warnings).toEqual([])
  })

  it('maps every time slot with the 6-slot option, and widens evening slots to 18–21 (04) in the 5-slot scheme', () => {
    const six: Record<LabelTimeSlot, string> = { morning: '01', '12-14': '12', '14-16': '14', '16-18': '16', '18-20': '18', '19-21': '19' }
    for (const [slot, code] of Object.entries(six) as Array<[LabelTimeSlot, string]>) {
      expect(ehiden(parcel({ timeSlot: slot })).col('配達指定時間帯'), slot).toBe(code)
      const five = ehiden(parcel({ timeSlot: slot }), { timeSlotScheme: 5 })
      const widened = slot === '18-20' || slot === '19-21'
      expect(five.col('配達指定時間帯'), slot).toBe(widened ? '04' : code)
      expect(five.warnings.map((w) => w.code)).toEqual(widened ? ['time-slot-widened'] : [])
    }
  })

  it('writes クール便指定 001 / 002 冷蔵 / 003 冷凍', () => {
    expect(ehiden(parcel({ temperature: 'ambient' })).col('クール便指定')).toBe('001')
    expect(ehiden(parcel({ temperature: 'cool' })).col('クール便指定')).toBe('002')
    expect(ehiden(parcel({ temperature: 'frozen' })).col('クール便指定')).toBe('003')
  })

  it('writes 代引 with its eコレクト seal only for COD; the payment option picks 決済種別 and seal', () => {
    const prepaid = ehiden(parcel({ codAmount: null, deliveryDate: null }))
    expect(['代引金額', '消費税', '決済種別', '指定シール１', '指定シール２'].map(prepaid.col)).toEqual(['', '', '', '', ''])
    const any = ehiden(parcel({ deliveryDate: null }), { codPayment: 'any' })
    expect(['代引金額', '消費税', '決済種別', '指定シール１', '指定シール２'].map(any.col)).toEqual(['5830', '530', '1', '010', ''])
    expect(() => ehiden(parcel({ codAmount: 10_000_000 }))).toThrow(RangeError)
  })

  it('writes addresses and names in full-width: ASCII and half-width katakana converted, 髙 kept', () => {
    const { col, warnings } = ehiden(parcel(recipient({ name: 'ﾔﾏﾀﾞ Taro', company: null, address2: null })))
    expect([col('お届け先名称１'), col('お届け先名称２')]).toEqual(['ヤマダ\u3000Ｔａｒｏ', ''])
    expect(warnings).toEqual([])
    const takahashi = ehiden(parcel(recipient({ name: '髙橋 一郎', company: null })))
    expect(takahashi.col('お届け先名称１')).toBe('髙橋\u3000一郎')
    expect(takahashi.warnings.map((w) => [w.field, w.code])).toEqual([['お届け先名称１', 'extended-char']])
  })

  it('replaces unencodable characters with 〓 and warns', () => {
    const { col, warnings } = ehiden(parcel(recipient({ name: '𠮷野 家', company: null })))
    expect(col('お届け先名称１')).toBe('〓野\u3000家')
    expect(warnings.map((w) => [w.field, w.code])).toEqual([['お届け先名称１', 'unencodable-char']])
  })

  it('splits an address over 住所１–３ at 16 全角 each, starting the building on its own line when it fits', () => {
    const p = parcel(recipient({ prefecture: '北海道', city: '札幌市中央区', address1: '北一条西二十丁目1番地の23大通公園前', address2: 'グランドパレス南棟1205号室' }))
    const { col, warnings } = ehiden(p)
    const lines = ['お届け先住所１', 'お届け先住所２', 'お届け先住所３'].map((f) => col(f)!)
    for (const line of lines) {
      expect(displayWidth(line)).toBeLessThanOrEqual(32)
      expect(line).not.toMatch(/[\x20-\x7e]/) // all full-width
    }
    expect(lines.join('')).toBe('北海道札幌市中央区北一条西二十丁目１番地の２３大通公園前グランドパレス南棟１２０５号室')
    expect(lines[2]).toBe('グランドパレス南棟１２０５号室')
    expect(warnings).toEqual([])
  })

  it('runs segments together when the building cannot have its own line, and cuts past 48 全角 with a warning', () => {
    const p = parcel(recipient({
      prefecture: '北海道', city: '札幌市中央区', address1: '北一条西二十丁目一番地の二十三大通公園前広場通り', address2: 'グランドパレス南棟一二〇五号室の奥の部屋',
    }))
    const { col, warnings } = ehiden(p)
    const lines = ['お届け先住所１', 'お届け先住所２', 'お届け先住所３'].map((f) => col(f)!)
    expect(lines.every((l) => displayWidth(l) <= 32 && l.length > 0)).toBe(true)
    expect(lines.join('').startsWith('北海道札幌市中央区北一条西二十丁目一番地の二十三大通公園前広場通り')).toBe(true)
    expect(warnings).toEqual([expect.objectContaining({ field: 'お届け先住所３', code: 'truncated' })])
  })

  it('refuses a parcel id longer than お客様管理番号 holds (16)', () => {
    expect(() => sagawaEhidenCsv([parcel({ parcelId: 'A'.repeat(17) })])).toThrow(RangeError)
    expect(ehiden(parcel({ parcelId: 'A'.repeat(16) })).col('お客様管理番号')).toBe('A'.repeat(16))
  })

  it('uses CRLF line ends and keeps the recipient e-mail out unless asked', () => {
    const text = iconv.decode(sagawaEhidenCsv([parcel()]).csv, 'CP932')
    expect(text.split('\r\n')).toHaveLength(3)
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/)
    expect(ehiden(parcel()).col('メールアドレス')).toBe('')
    expect(ehiden(parcel(), { recipientEmail: true }).col('メールアドレス')).toBe('taro@example.jp')
  })
})

describe('Sagawa e飛伝Ⅱ (標準パターン)', () => {
  it('writes the 42-column layout with the same data under e飛伝Ⅱ names', () => {
    const { csv, warnings } = sagawaEhidenCsv([parcel({ trackingNumber: '123456789012' })], { layout: 'ehiden2' })
    const rows = decode(csv)
    expect(rows[0]).toEqual([...SAGAWA_EHIDEN2_COLUMNS])
    expect(SAGAWA_EHIDEN2_COLUMNS).toHaveLength(42)
    expectRow(SAGAWA_EHIDEN2_COLUMNS, rows[1]!, {
      2: ['お届け先電話番号', '090-1234-5678'],
      3: ['お届け先郵便番号', '150-0001'],
      4: ['お届け先住所１', '東京都渋谷区神宮前１－２－３'],
      5: ['お届け先住所２', 'カンドービル４Ｆ'],
      7: ['お届け先名称１', '株式会社サンプル'],
      8: ['お届け先名称２', '山田\u3000太郎'],
      9: ['お客様管理ナンバー', 'K250310001'],
      10: ['お客様コード', '0312345678'],
      12: ['荷送人電話番号', '03-1234-5678'],
      13: ['ご依頼主電話番号', '03-1234-5678'],
      14: ['ご依頼主郵便番号', '100-0001'],
      15: ['ご依頼主住所１', '東京都千代田区千代田１－１'],
      17: ['ご依頼主名称１', 'かんどう茶舗'],
      19: ['荷姿コード', '001'],
      20: ['品名１', '有機ほうじ茶 100g ×2'],
      21: ['品名２', '急須'],
      24: ['品名５', '#1001'],
      25: ['出荷個数', '1'],
      26: ['便種（スピードで選択）', '000'],
      27: ['便種（商品）', '002'],
      28: ['配達日', '20250312'],
      29: ['配達指定時間帯', '14'],
      31: ['代引金額', '5830'],
      32: ['消費税', '530'],
      33: ['決済種別', '2'],
      36: ['指定シール１', '008'],
      37: ['指定シール２', '005'],
      39: ['営業店止め', '0'],
      40: ['ＳＲＣ区分', '0'],
      42: ['元着区分', '1'],
    })
    // e飛伝Ⅱ has no column for a carrier-issued number.
    expect(warnings.map((w) => [w.field, w.code])).toEqual([['お問い合せ送り状No.', 'ignored']])
  })
})

describe('text fitting', () => {
  it('cuts by display width and never splits a surrogate pair', () => {
    expect(cutToWidth('a𠮷b', 2)).toEqual(['a', '𠮷b'])
    expect(cutToWidth('𠮷𠮷', 3)).toEqual(['𠮷', '𠮷'])
    expect(cutToWidth('ｱｲｳ', 2)).toEqual(['ｱｲ', 'ｳ'])
    expect(displayWidth('山田ﾀﾛｳ A')).toBe(4 + 3 + 1 + 1)
  })
})

describe('LABEL_FORMATS', () => {
  it('names each format with its columns, a CP932 content type and a dated file name', () => {
    expect(Object.keys(LABEL_FORMATS)).toEqual(['yamato-b2', 'sagawa-ehiden', 'sagawa-ehiden2'])
    expect(LABEL_FORMATS['yamato-b2'].columns).toBe(YAMATO_B2_COLUMNS)
    expect(LABEL_FORMATS['sagawa-ehiden'].columns).toBe(SAGAWA_EHIDEN_COLUMNS)
    expect(LABEL_FORMATS['sagawa-ehiden'].contentType).toBe('text/csv; charset=Windows-31J')
    expect(LABEL_FORMATS['yamato-b2'].filename('2025-03-10')).toBe('yamato-b2-20250310.csv')
    const built = LABEL_FORMATS['sagawa-ehiden2'].build([parcel()])
    expect(decode(built.csv)[0]).toEqual([...SAGAWA_EHIDEN2_COLUMNS])
  })
})
