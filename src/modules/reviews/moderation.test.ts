import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  DEFAULT_MODERATION_RULES, decidePublication, flagReviewText, maskPersonalData, moderationRulesSchema,
  type ModerationRules, type ReviewFlag,
} from './moderation.js'

/** The flags of one body text with the given detail, as their matched text. */
const matches = (body: string, detail: string) => flagReviewText({ body }).filter((f) => f.detail === detail).map((f) => f.match)
const kinds = (body: string) => flagReviewText({ body }).map((f) => f.kind)

describe('phone numbers', () => {
  it.each([
    ['03-1234-5678', '03-1234-5678'],
    ['090-1234-5678', '090-1234-5678'],
    ['09012345678', '09012345678'],
    ['+81 90 1234 5678', '+81 90 1234 5678'],
    ['+81-3-1234-5678', '+81-3-1234-5678'],
    ['+81 (0)90-1234-5678', '+81 (0)90-1234-5678'],
    ['０９０−１２３４−５６７８', '０９０−１２３４−５６７８'],
    ['０３（１２３４）５６７８', '０３（１２３４）５６７８'],
    ['090ー1234ー5678に電話して', '090ー1234ー5678'],
    ['(03) 1234-5678', '(03) 1234-5678'],
    ['03(1234)5678', '03(1234)5678'],
    ['045-123-4567', '045-123-4567'],
    ['0120-123-456', '0120-123-456'],
    ['050-1234-5678', '050-1234-5678'],
    ['TEL:06-6123-4567', '06-6123-4567'],
    ['電話番号は080 1234 5678です', '080 1234 5678'],
    ['090.1234.5678', '090.1234.5678'],
    ['2026-11-26 070-1234-5678まで', '070-1234-5678'],
    ['+1 415 555 1234', '+1 415 555 1234'],
  ])('%s is a phone number', (text, match) => {
    expect(matches(text, 'phone number')).toEqual([match])
    expect(kinds(text)).toContain('personal_data')
  })

  it.each([
    '¥1,980', '￥12,800（税込）', '1980円でした', '2026-11-26に届いた', '2026/11/26', '27.5cmがぴったり', '#1042',
    '注文番号 #0312345678', '090-1234', '03-1234-56789', '追跡番号 1234-5678-9012', 'JAN 4901234567894',
    '10:00-12:00に配達', '0.5kg', '09012345678901', '3個で1,000円、2026-01-05発送', '1-2-3', '0000000000',
    '2000/01/012000-01-01', '0312345678/2026', '12:0312345678',
  ])('%s is not a phone number', (text) => {
    expect(matches(text, 'phone number')).toEqual([])
  })
})

describe('e-mail addresses', () => {
  it.each([
    ['taro@example.com', 'taro@example.com'],
    ['taro.yamada+shop@example.co.jp', 'taro.yamada+shop@example.co.jp'],
    ['ＴＡＲＯ＠ＥＸＡＭＰＬＥ．ＣＯＭ', 'ＴＡＲＯ＠ＥＸＡＭＰＬＥ．ＣＯＭ'],
    ['メールはtaro@example.comです', 'taro@example.com'],
    ['連絡先：taro＠example．jp', 'taro＠example．jp'],
    ['taro(at)example.com', 'taro(at)example.com'],
    ['taro[at]example.jp', 'taro[at]example.jp'],
    ['first_last@sub.example.org', 'first_last@sub.example.org'],
    ['TARO@EXAMPLE.COM', 'TARO@EXAMPLE.COM'],
    ['<taro@example.com>', 'taro@example.com'],
    ['a@b.co', 'a@b.co'],
    ['x-y%z@mail-server.example.net.', 'x-y%z@mail-server.example.net'],
    ['12345@docomo.ne.jp', '12345@docomo.ne.jp'],
    ['mailto:taro@example.com', 'taro@example.com'],
    ['.taro@example.com', 'taro@example.com'],
  ])('%s is an e-mail address', (text, match) => {
    expect(matches(text, 'email address')).toEqual([match])
  })

  it.each([
    '@kando_shop', 'taro@', '@example.com', 'taro@localhost', 'taro@example', 'taro@example.c', '価格は@1,980円',
    'a @ b', 'email me at taro', 'taro at example', 'user@123.456', '@@@', 'チーズ@ワイン.com', 'taro@-example.com', 'taro@.com',
  ])('%s is not an e-mail address', (text) => {
    expect(matches(text, 'email address')).toEqual([])
  })

  it('an e-mail address is not also a link', () => {
    expect(flagReviewText({ body: 'taro@example.com' })).toEqual([
      { kind: 'personal_data', field: 'body', match: 'taro@example.com', detail: 'email address' },
    ])
  })
})

describe('addresses and postal codes', () => {
  it.each([
    ['東京都渋谷区神宮前1-2-3に住んでます', '東京都渋谷区神宮前1-2-3'],
    ['東京都渋谷区神宮前１−２−３', '東京都渋谷区神宮前１−２−３'],
    ['渋谷区神宮前1-2-3', '渋谷区神宮前1-2-3'],
    ['大阪府大阪市北区梅田1丁目2番3号', '大阪府大阪市北区梅田1丁目2番3号'],
    ['大阪市北区梅田一丁目', '大阪市北区梅田一丁目'],
    ['北海道札幌市中央区北1条西2丁目', '北海道札幌市中央区北1条西2丁目'],
    ['神奈川県横浜市中区山下町123番地', '神奈川県横浜市中区山下町123番地'],
    ['福岡市博多区博多駅前2-1-1', '福岡市博多区博多駅前2-1-1'],
    ['京都府京都市下京区烏丸通七条下る東塩小路町123-4', '京都府京都市下京区烏丸通七条下る東塩小路町123-4'],
    ['沖縄県那覇市泉崎1-2-3', '沖縄県那覇市泉崎1-2-3'],
    ['東京都千代田区丸の内1-9-1 グラントウキョウ', '東京都千代田区丸の内1-9-1'],
    ['さいたま市大宮区桜木町1-7-5', 'さいたま市大宮区桜木町1-7-5'],
    ['東京都港区六本木6丁目10番1号', '東京都港区六本木6丁目10番1号'],
    ['東京都渋谷区神宮前1-2-3-405', '東京都渋谷区神宮前1-2-3-405'],
    ['東京都渋谷区神宮前1ー2ー3', '東京都渋谷区神宮前1ー2ー3'],
  ])('%s is a street address', (text, match) => {
    expect(matches(text, 'street address')).toContain(match)
    expect(flagReviewText({ body: text }).every((f) => f.kind === 'personal_data')).toBe(true)
  })

  it.each([
    ['〒150-0001', '〒150-0001'],
    ['〒1500001', '〒1500001'],
    ['〒 150-0001', '〒 150-0001'],
    ['150-0001 東京都渋谷区神宮前', '150-0001'],
    ['150-0001渋谷区', '150-0001'],
    ['郵便番号150-0001', '150-0001'],
    ['〒１５０−０００１', '〒１５０−０００１'],
  ])('%s is a postal code', (text, match) => {
    expect(matches(text, 'postal code')).toEqual([match])
  })

  it.each([
    '東京都から届きました', '渋谷区のお店で買いました', '横浜市で2026-11-26に購入', '市販品より1-2日早く届いた',
    '区間1-2-3位', '150-0001', '1-2-3', '1丁目の店', '東京都の1-2日', 'サイズは27.5cmで東京都内の店舗',
    '市場で3-4個買った', '京都府産の宇治抹茶 2026-11-26', '東京都渋谷区', '品番 ABC-123-456', '東京都で2026-11-26に',
  ])('%s is not an address', (text) => {
    expect(kinds(text)).not.toContain('personal_data')
  })
})

describe('links', () => {
  it.each([
    ['https://example.com', 'https://example.com', 'URL'],
    ['http://example.jp/path?q=1', 'http://example.jp/path?q=1', 'URL'],
    ['(https://example.com)', 'https://example.com', 'URL'],
    ['こちら→https://shop.example.com/items/1です', 'https://shop.example.com/items/1', 'URL'],
    ['ｈｔｔｐｓ：／／ｅｘａｍｐｌｅ．ｃｏｍ', 'ｈｔｔｐｓ：／／ｅｘａｍｐｌｅ．ｃｏｍ', 'URL'],
    ['<a href="https://evil.example.com">x</a>', 'https://evil.example.com', 'URL'],
    ['www.example.com', 'www.example.com', 'URL'],
    ['WWW.EXAMPLE.COM', 'WWW.EXAMPLE.COM', 'URL'],
    ['www.example', 'www.example', 'URL'],
    ['example.com', 'example.com', 'domain name'],
    ['bit.ly/3xYzAbc を見て', 'bit.ly/3xYzAbc', 'domain name'],
    ['amazon.co.jp', 'amazon.co.jp', 'domain name'],
    ['youtu.be/abc', 'youtu.be/abc', 'domain name'],
    ['kando.shop', 'kando.shop', 'domain name'],
    ['ｅｘａｍｐｌｅ．ｃｏｍ', 'ｅｘａｍｐｌｅ．ｃｏｍ', 'domain name'],
    ['example dot com', 'example dot com', 'obfuscated domain name'],
    ['example(dot)com', 'example(dot)com', 'obfuscated domain name'],
    ['example ドット com', 'example ドット com', 'obfuscated domain name'],
    ['example dot co dot jp', 'example dot co dot jp', 'obfuscated domain name'],
  ])('%s is a link', (text, match, detail) => {
    expect(flagReviewText({ body: text }).filter((f) => f.kind === 'link')).toEqual([{ kind: 'link', field: 'body', match, detail }])
  })

  it.each([
    'Node.js', '27.5cm', 'e.g. this', 'I loved it.To be honest', 'ver.2.0', 'photo.jpg', '9 a.m. delivery', '1.5.com',
    'taro@example.com', 'Kando Co.,Ltd.', '楽天市場で買った', 'U.S.A.', 'readme.md', '.com bubble', '3.14',
  ])('%s is not a link', (text) => {
    expect(kinds(text)).not.toContain('link')
  })
})

describe('profanity (ja)', () => {
  it.each([
    ['バカ', 'バカ'], ['ばか', 'ばか'], ['ﾊﾞｶ', 'ﾊﾞｶ'], ['ば か', 'ば か'], ['バ　カ', 'バ　カ'], ['バ.カ', 'バ.カ'],
    ['お前はバカだ', 'バカ'], ['大ばか', 'ばか'], ['馬鹿じゃないの', '馬鹿'], ['ばかやろう', 'ばかやろう'],
    ['死ね', '死ね'], ['し ね', 'し ね'], ['ｼﾈ', 'ｼﾈ'], ['殺すぞ', '殺す'], ['ぶっころす', 'ぶっころ'],
    ['クソが', 'クソが'], ['クソ高い', 'クソ'], ['下手くそ', 'くそ'], ['ブス', 'ブス'], ['キモいです', 'キモい'], ['キモすぎ', 'キモ'],
    ['アホか', 'アホ'], ['阿呆', '阿呆'], ['ガイジ', 'ガイジ'], ['キチガイ', 'キチガイ'], ['カスが', 'カス'], ['クズ野郎', 'クズ野郎'],
    ['ババア', 'ババア'], ['消えろ', '消えろ'], ['ファック', 'ファック'],
  ])('%s is profanity', (text, match) => {
    expect(flagReviewText({ body: text })).toEqual([{ kind: 'profanity', field: 'body', match, detail: 'profanity (ja)' }])
  })

  it.each([
    'バカンス', '届いたばかり', '使えばかなり良い', 'バカうま！', '馬鹿売れしている', '最低', '最低の対応でした', 'やくそく',
    '約束どおり届いた', '悩殺するデザイン', '相殺する', 'シネマ', 'まぶす', 'ブスッとした顔', '素材を活かす', '好きも嫌いもない',
    '動きもいい', 'ガイジン', 'アホウドリ', 'キモノ', 'カスタマー', '行きちがい', 'ききちがい', 'ちょんまげ', '支那そば', '鶏糞の肥料',
    'ところすごく良い', 'ゴミが出ない', 'まずい', '二度と買わない', 'パンくず', 'キモかわいい', '酒カス',
  ])('%s is not profanity', (text) => {
    expect(kinds(text)).not.toContain('profanity')
  })
})

describe('profanity (en)', () => {
  it.each([
    ['fuck', 'fuck'], ['Fuck this', 'Fuck'], ['FUCKING great', 'FUCKING'], ['fuckin', 'fuckin'], ['fuuuck', 'fuuuck'],
    ['f.u.c.k', 'f.u.c.k'], ['f u c k', 'f u c k'], ['f-u-c-k', 'f-u-c-k'], ['f*u*c*k', 'f*u*c*k'], ['f . u . c . k', 'f . u . c . k'],
    ['sh1t', 'sh1t'], ['$h1t', '$h1t'], ['5hit', '5hit'], ['b1tch', 'b1tch'], ['@sshole', '@sshole'], ['a$$hole', 'a$$hole'],
    ['c0ck', 'c0ck'], ['motherfucker', 'motherfucker'], ['bullshit', 'bullshit'], ['shitty', 'shitty'], ['bitches', 'bitches'],
    ['ｆｕｃｋ', 'ｆｕｃｋ'], ['this is a piece of shit!', 'shit'], ['retarded', 'retarded'], ['これはshitだ', 'shit'],
  ])('%s is profanity', (text, match) => {
    expect(flagReviewText({ body: text })).toEqual([{ kind: 'profanity', field: 'body', match, detail: 'profanity (en)' }])
  })

  it.each([
    'Scunthorpe', 'assessment', 'class', 'cocktail', 'shiitake', 'shitake', 'spicy', 'Japan', 'Dickens', 'cockpit', 'cocky',
    'passion', 'assume', 'Assam tea', 'retardant', 'Galaxy A55', '$100', '4.5.5', 'Sussex', 'bass', 'classic', 'therapist',
    'analysis', 'scrap', 'hell of a deal', 'f*ck', 'a s',
  ])('%s is not profanity', (text) => {
    expect(kinds(text)).not.toContain('profanity')
  })
})

describe('flagReviewText', () => {
  it('reports title, body and each answer in order, and skips empty fields', () => {
    const flags = flagReviewText({ title: 'バカ', body: null, answers: ['', 'https://example.com', 'taro@example.com'] })
    expect(flags).toEqual([
      { kind: 'profanity', field: 'title', match: 'バカ', detail: 'profanity (ja)' },
      { kind: 'link', field: 'answer', match: 'https://example.com', detail: 'URL' },
      { kind: 'personal_data', field: 'answer', match: 'taro@example.com', detail: 'email address' },
    ])
    expect(flagReviewText({})).toEqual([])
  })

  it('reports several findings of one field in text order, once each', () => {
    const body = 'バカ!090-1234-5678かtaro@example.comへ。090-1234-5678、www.example.com'
    expect(flagReviewText({ body }).map((f) => `${f.kind}:${f.match}`)).toEqual([
      'profanity:バカ', 'personal_data:090-1234-5678', 'personal_data:taro@example.com', 'link:www.example.com',
    ])
  })

  it('cuts a long match to 80 characters', () => {
    const url = 'https://example.com/' + 'a'.repeat(200)
    const [flag] = flagReviewText({ body: url })
    expect(flag!.match).toBe(url.slice(0, 80))
  })

  it('treats markup as text: nothing to flag, nothing escaped', () => {
    expect(flagReviewText({ body: '<script>alert(1)</script>' })).toEqual([])
    expect(flagReviewText({ body: '<b>バカ</b>' })).toEqual([{ kind: 'profanity', field: 'body', match: 'バカ', detail: 'profanity (ja)' }])
  })

  it.each([
    ['1-'.repeat(50_000)], ['a'.repeat(100_000) + '@'], ['www.'.repeat(25_000)], ['a.'.repeat(50_000)], ['@'.repeat(100_000)],
    ['a@'.repeat(50_000)], ['0'.repeat(100_000)], ['市'.repeat(100_000)], ['東京都'.repeat(33_000)], ['区1-'.repeat(33_000)],
    ['ばか'.repeat(50_000)], ['f.'.repeat(50_000)], ['x dot '.repeat(16_000)], ['090 '.repeat(25_000)], ['https://'.repeat(12_500)],
  ])('finishes on a 100 KB adversarial text (%#)', (text) => {
    expect(Array.isArray(flagReviewText({ title: text, body: text }))).toBe(true)
    expect(typeof maskPersonalData(text)).toBe('string')
  })
})

// Kana and kanji that cannot spell an address marker (丁目, 番地, 号, 〒, 郵便), with the
// municipality and prefecture kanji in, so the address patterns are exercised
const SAFE_CHARS = [
  ...'あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをんがぎぐげござじずぜぞだでどばびぶべぼぱぴぷぺぽっゃゅょー',
  ...'アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲンガギグゲゴザジズゼゾダデドバビブベボパピプペポッャュョ',
  ...'東京都大阪府京北海道県市区町村郡渋谷新宿横浜神宮前梅田商品購入届発送値段良悪色形大小円税込届日月年時分', '、', '。', '！', ' ', '　',
]
const price = fc.tuple(fc.integer({ min: 0, max: 999_999 }), fc.integer({ min: 0, max: 2 }))
  .map(([n, f]) => [`¥${n.toLocaleString('en-US')}`, `￥${n.toLocaleString('en-US')}`, `${n.toLocaleString('en-US')}円`][f]!)
const date = fc.record({ y: fc.integer({ min: 2000, max: 2035 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }), f: fc.integer({ min: 0, max: 4 }) })
  .map(({ y, m, d, f }) => {
    const mm = String(m).padStart(2, '0')
    const dd = String(d).padStart(2, '0')
    return [`${y}-${mm}-${dd}`, `${y}/${mm}/${dd}`, `${y}年${m}月${d}日`, `${m}/${d}`, `${m}月${d}日`][f]!
  })
const size = fc.constantFrom('27.5cm', '23cm', 'M', 'LL', '500g', '1.5kg')
const safeText = fc.array(fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...SAFE_CHARS) }, { weight: 1, arbitrary: price }, { weight: 1, arbitrary: date }, { weight: 1, arbitrary: size }), { maxLength: 80 })
  .map((parts) => parts.join(''))

describe('properties', () => {
  it('kana, kanji, prices, dates and sizes never give personal data or link flags, and masking leaves them alone', () => {
    fc.assert(fc.property(safeText, (text) => {
      expect(flagReviewText({ title: text, body: text, answers: [text] }).filter((f) => f.kind !== 'profanity')).toEqual([])
      expect(maskPersonalData(text)).toBe(text)
    }), { numRuns: 2000 })
  })

  it('a mobile number in kana text is flagged as typed and masked, the rest kept', () => {
    const kana = fc.array(fc.constantFrom(...'あいうえおかきくけこアイウエオ'), { minLength: 1, maxLength: 10 }).map((a) => a.join(''))
    const mobile = fc.tuple(fc.constantFrom('070', '080', '090'), fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 9999 }), fc.constantFrom('-', ' ', '', '−', 'ー'), fc.boolean())
      .map(([a, b, c, sep, wide]) => {
        const n = [a, String(b).padStart(4, '0'), String(c).padStart(4, '0')].join(sep)
        return wide ? n.replace(/\d/g, (x) => String.fromCharCode(x.charCodeAt(0) + 0xfee0)) : n
      })
    fc.assert(fc.property(kana, mobile, kana, (before, phone, after) => {
      const text = before + phone + after
      expect(matches(text, 'phone number')).toEqual([phone])
      expect(maskPersonalData(text)).toBe(`${before}***${after}`)
    }))
  })
})

describe('maskPersonalData', () => {
  it.each([
    ['連絡は090-1234-5678まで', '連絡は***まで'],
    ['０９０−１２３４−５６７８か taro@example.com へ！', '***か *** へ！'],
    ['+81 90 1234 5678', '***'],
    ['taro(at)example.com', '***'],
    ['09012345678@docomo.ne.jp', '***'],
    ['¥1,980で2026-11-26に届いた', '¥1,980で2026-11-26に届いた'],
    ['東京都渋谷区神宮前1-2-3', '東京都渋谷区神宮前1-2-3'], // only phones and e-mail addresses are masked
    ['', ''],
  ])('%s → %s', (text, masked) => {
    expect(maskPersonalData(text)).toBe(masked)
  })
})

describe('moderation rules', () => {
  it('the schema fills in the defaults and rejects anything else', () => {
    expect(moderationRulesSchema.parse({})).toEqual(DEFAULT_MODERATION_RULES)
    expect(moderationRulesSchema.parse({ minRating: 3, mediaNeedsApproval: true })).toEqual({ ...DEFAULT_MODERATION_RULES, minRating: 3, mediaNeedsApproval: true })
    for (const bad of [{ minRating: 0 }, { minRating: 6 }, { minRating: 3.5 }, { minRating: '4' }, { autoPublish: 'yes' }, { extra: true }, null]) {
      expect(moderationRulesSchema.safeParse(bad).success).toBe(false)
    }
  })
})

describe('decidePublication', () => {
  const flag = (kind: ReviewFlag['kind']): ReviewFlag => ({ kind, field: 'body', match: 'x', detail: 'x' })
  const rules = (r: Partial<ModerationRules> = {}): ModerationRules => ({ ...DEFAULT_MODERATION_RULES, ...r })

  it.each([
    [rules(), 5, [], 0, true, '4★ or more with no flags: published automatically'],
    [rules(), 4, [], 3, true, '4★ or more with no flags: published automatically'],
    [rules(), 2, [], 0, false, '2★ is below the auto-publish threshold of 4★: waits for moderation'],
    [rules(), 5, [flag('personal_data')], 0, false, 'flagged for personal data: waits for moderation'],
    [rules({ allowFlags: true }), 5, [flag('personal_data'), flag('link')], 0, false, 'flagged for personal data: waits for moderation'],
    [rules({ autoPublish: false }), 5, [], 0, false, 'auto-publish is off: waits for moderation'],
    [rules({ autoPublish: false }), 5, [flag('personal_data')], 0, false, 'flagged for personal data: waits for moderation'],
    [rules(), 5, [flag('profanity')], 0, false, 'flagged for profanity: waits for moderation'],
    [rules(), 5, [flag('link'), flag('profanity')], 0, false, 'flagged for profanity and a link: waits for moderation'],
    [rules({ allowFlags: true }), 5, [flag('link')], 0, true, '4★ or more, flagged for a link and flags are allowed: published automatically'],
    [rules({ allowFlags: true }), 3, [flag('profanity')], 0, false, '3★ is below the auto-publish threshold of 4★: waits for moderation'],
    [rules({ mediaNeedsApproval: true }), 5, [], 2, false, 'has photos and photo approval is on: waits for moderation'],
    [rules({ mediaNeedsApproval: true }), 5, [], 0, true, '4★ or more with no flags: published automatically'],
    [rules({ minRating: 1 }), 1, [], 0, true, '1★ or more with no flags: published automatically'],
    [rules(), 0, [], 0, false, 'a rating of 0 is not 1 to 5 stars: waits for moderation'],
    [rules(), 4.5, [], 0, false, 'a rating of 4.5 is not 1 to 5 stars: waits for moderation'],
    [rules(), Number.NaN, [], 0, false, 'a rating of NaN is not 1 to 5 stars: waits for moderation'],
  ] as const)('%o, %d★, flags %o, %d media → %s (%s)', (r, rating, flags, mediaCount, publish, reason) => {
    expect(decidePublication(r, { rating, flags: [...flags], mediaCount })).toEqual({ publish, reason })
  })

  it('publishes exactly when every rule allows it, for every combination of rules and review', () => {
    const flagSets: ReviewFlag[][] = [[], [flag('profanity')], [flag('link')], [flag('personal_data')], [flag('profanity'), flag('personal_data')]]
    let published = 0
    for (const autoPublish of [true, false]) for (const minRating of [1, 2, 3, 4, 5] as const) for (const allowFlags of [true, false])
      for (const mediaNeedsApproval of [true, false]) for (const rating of [1, 2, 3, 4, 5]) for (const flags of flagSets) for (const mediaCount of [0, 1]) {
        const d = decidePublication({ autoPublish, minRating, allowFlags, mediaNeedsApproval }, { rating, flags, mediaCount })
        const personal = flags.some((f) => f.kind === 'personal_data')
        const expected = autoPublish && !personal && (flags.length === 0 || allowFlags) && rating >= minRating && !(mediaCount > 0 && mediaNeedsApproval)
        expect(d.publish).toBe(expected)
        expect(d.reason).toMatch(expected ? /: published automatically$/ : /: waits for moderation$/)
        if (personal) expect(d.reason).toBe('flagged for personal data: waits for moderation')
        if (d.publish) published++
      }
    expect(published).toBeGreaterThan(0)
  })

  it('publishes what flagReviewText finds only when the brand allows flags, and never personal data', () => {
    const allow = rules({ allowFlags: true })
    expect(decidePublication(allow, { rating: 5, flags: flagReviewText({ body: 'クソ最高' }), mediaCount: 0 }).publish).toBe(true)
    expect(decidePublication(allow, { rating: 5, flags: flagReviewText({ body: '〒150-0001' }), mediaCount: 0 }).publish).toBe(false)
    expect(decidePublication(rules(), { rating: 5, flags: flagReviewText({ body: 'www.example.com' }), mediaCount: 0 }).publish).toBe(false)
  })
})
