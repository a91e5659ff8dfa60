/**
 * The 47 prefectures of Japan (都道府県) with their JIS X 0401 codes.
 *
 * `romaji` lists the spellings shops send in free-text `province` fields.
 * Shopify's province names carry macrons for Hokkaidō, Kyōto, Ōsaka, Hyōgo,
 * Kōchi and Ōita, and Tokyo shows up as both `Tōkyō` and `Tokyo`; other
 * systems send the plain forms. The capital is the seat of the
 * prefectural government (for Tokyo, 新宿区 where the Metropolitan Government
 * sits); coordinates are WGS84 degrees of that office.
 */

export interface Prefecture {
  /** JIS X 0401 code, `01`–`47`. */
  readonly code: string
  /** ISO 3166-2 code, e.g. `JP-13` (what Shopify sends as `province_code`). */
  readonly iso: string
  /** Japanese name with its suffix, e.g. 東京都, 北海道, 大阪府, 神奈川県. */
  readonly ja: string
  /** English name, e.g. `Tokyo`. */
  readonly en: string
  /** Romaji spellings seen in shop data (macron form first where there is one); always includes `en`. */
  readonly romaji: readonly string[]
  readonly capital: { readonly ja: string; readonly lat: number; readonly lon: number }
}

function p(code: string, ja: string, en: string, romaji: string[], capitalJa: string, lat: number, lon: number): Prefecture {
  return Object.freeze({
    code,
    iso: `JP-${code}`,
    ja,
    en,
    romaji: Object.freeze(romaji),
    capital: Object.freeze({ ja: capitalJa, lat, lon }),
  })
}

/** All 47 prefectures in JIS order (北海道 `01` … 沖縄県 `47`). */
export const PREFECTURES: readonly Prefecture[] = Object.freeze([
  p('01', '北海道', 'Hokkaido', ['Hokkaidō', 'Hokkaido'], '札幌市', 43.06417, 141.34694),
  p('02', '青森県', 'Aomori', ['Aomori'], '青森市', 40.82444, 140.74),
  p('03', '岩手県', 'Iwate', ['Iwate'], '盛岡市', 39.70361, 141.1525),
  p('04', '宮城県', 'Miyagi', ['Miyagi'], '仙台市', 38.26889, 140.87194),
  p('05', '秋田県', 'Akita', ['Akita'], '秋田市', 39.71861, 140.1025),
  p('06', '山形県', 'Yamagata', ['Yamagata'], '山形市', 38.24056, 140.36333),
  p('07', '福島県', 'Fukushima', ['Fukushima'], '福島市', 37.75, 140.46778),
  p('08', '茨城県', 'Ibaraki', ['Ibaraki'], '水戸市', 36.34139, 140.44667),
  p('09', '栃木県', 'Tochigi', ['Tochigi'], '宇都宮市', 36.56583, 139.88361),
  p('10', '群馬県', 'Gunma', ['Gunma', 'Gumma'], '前橋市', 36.39111, 139.06083),
  p('11', '埼玉県', 'Saitama', ['Saitama'], 'さいたま市', 35.85694, 139.64889),
  p('12', '千葉県', 'Chiba', ['Chiba'], '千葉市', 35.60472, 140.12333),
  p('13', '東京都', 'Tokyo', ['Tōkyō', 'Tokyo'], '新宿区', 35.68944, 139.69167),
  p('14', '神奈川県', 'Kanagawa', ['Kanagawa'], '横浜市', 35.44778, 139.6425),
  p('15', '新潟県', 'Niigata', ['Niigata'], '新潟市', 37.90222, 139.02361),
  p('16', '富山県', 'Toyama', ['Toyama'], '富山市', 36.69528, 137.21139),
  p('17', '石川県', 'Ishikawa', ['Ishikawa'], '金沢市', 36.59444, 136.62556),
  p('18', '福井県', 'Fukui', ['Fukui'], '福井市', 36.06528, 136.22194),
  p('19', '山梨県', 'Yamanashi', ['Yamanashi'], '甲府市', 35.66389, 138.56833),
  p('20', '長野県', 'Nagano', ['Nagano'], '長野市', 36.65139, 138.18111),
  p('21', '岐阜県', 'Gifu', ['Gifu'], '岐阜市', 35.39111, 136.72222),
  p('22', '静岡県', 'Shizuoka', ['Shizuoka'], '静岡市', 34.97694, 138.38306),
  p('23', '愛知県', 'Aichi', ['Aichi'], '名古屋市', 35.18028, 136.90667),
  p('24', '三重県', 'Mie', ['Mie'], '津市', 34.73028, 136.50861),
  p('25', '滋賀県', 'Shiga', ['Shiga'], '大津市', 35.00444, 135.86833),
  p('26', '京都府', 'Kyoto', ['Kyōto', 'Kyoto'], '京都市', 35.02139, 135.75556),
  p('27', '大阪府', 'Osaka', ['Ōsaka', 'Osaka'], '大阪市', 34.68639, 135.52),
  p('28', '兵庫県', 'Hyogo', ['Hyōgo', 'Hyogo'], '神戸市', 34.69139, 135.18306),
  p('29', '奈良県', 'Nara', ['Nara'], '奈良市', 34.68528, 135.83278),
  p('30', '和歌山県', 'Wakayama', ['Wakayama'], '和歌山市', 34.22611, 135.1675),
  p('31', '鳥取県', 'Tottori', ['Tottori'], '鳥取市', 35.50361, 134.23833),
  p('32', '島根県', 'Shimane', ['Shimane'], '松江市', 35.47222, 133.05056),
  p('33', '岡山県', 'Okayama', ['Okayama'], '岡山市', 34.66167, 133.935),
  p('34', '広島県', 'Hiroshima', ['Hiroshima'], '広島市', 34.39639, 132.45944),
  p('35', '山口県', 'Yamaguchi', ['Yamaguchi'], '山口市', 34.18583, 131.47139),
  p('36', '徳島県', 'Tokushima', ['Tokushima'], '徳島市', 34.06583, 134.55944),
  p('37', '香川県', 'Kagawa', ['Kagawa'], '高松市', 34.34028, 134.04333),
  p('38', '愛媛県', 'Ehime', ['Ehime'], '松山市', 33.84167, 132.76611),
  p('39', '高知県', 'Kochi', ['Kōchi', 'Kochi'], '高知市', 33.55972, 133.53111),
  p('40', '福岡県', 'Fukuoka', ['Fukuoka'], '福岡市', 33.60639, 130.41806),
  p('41', '佐賀県', 'Saga', ['Saga'], '佐賀市', 33.24944, 130.29889),
  p('42', '長崎県', 'Nagasaki', ['Nagasaki'], '長崎市', 32.74472, 129.87361),
  p('43', '熊本県', 'Kumamoto', ['Kumamoto'], '熊本市', 32.78972, 130.74167),
  p('44', '大分県', 'Oita', ['Ōita', 'Oita'], '大分市', 33.23806, 131.6125),
  p('45', '宮崎県', 'Miyazaki', ['Miyazaki'], '宮崎市', 31.91111, 131.42389),
  p('46', '鹿児島県', 'Kagoshima', ['Kagoshima'], '鹿児島市', 31.56028, 130.55806),
  p('47', '沖縄県', 'Okinawa', ['Okinawa'], '那覇市', 26.2125, 127.68111),
])

const byCode = new Map<string, Prefecture>(PREFECTURES.map((pref) => [pref.code, pref]))

/** Lower-case, macrons removed, long vowels folded (ou/oo → o, uu → u), separators dropped. */
function romajiKey(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[\s\-_.'’]+/g, '')
    .replace(/ou|oo/g, 'o')
    .replace(/uu/g, 'u')
}

const byName = new Map<string, Prefecture>()
for (const pref of PREFECTURES) {
  byName.set(pref.ja, pref)
  // 東京都 → 東京, 大阪府 → 大阪, 神奈川県 → 神奈川 (北海道 is only ever written in full).
  if (/[都府県]$/.test(pref.ja)) byName.set(pref.ja.slice(0, -1), pref)
  for (const name of [pref.en, ...pref.romaji]) byName.set(romajiKey(name), pref)
}

/** The prefecture with this JIS code (`13`, or `1` for `01`), or undefined. */
export function prefectureByCode(code: string): Prefecture | undefined {
  return /^\d{1,2}$/.test(code) ? byCode.get(code.padStart(2, '0')) : undefined
}

const SUFFIX = /[\s\-_]+(?:to|do|fu|ken|prefecture|pref\.?|metropolis)$/i

/**
 * Find a prefecture from how shops write it: `JP-13`, `13`, `東京都`, `東京`,
 * `Tokyo`, `Tōkyō`, `tokyo-to`, `Tokyo Prefecture`, full-width `ＪＰ－１３` or
 * `東京都　`. Returns undefined when the text names no prefecture.
 */
export function findPrefecture(text: string | null | undefined): Prefecture | undefined {
  if (typeof text !== 'string') return undefined
  const s = text.normalize('NFKC').trim()
  if (s === '') return undefined

  const code = /^(?:JP)?[\s\-_]?(\d{1,2})$/i.exec(s)
  if (code) return prefectureByCode(code[1] ?? '')

  const compact = s.replace(/\s+/g, '')
  const ja = byName.get(compact)
  if (ja) return ja

  const key = romajiKey(s)
  return (
    byName.get(key) ??
    byName.get(romajiKey(s.replace(SUFFIX, ''))) ??
    // `tokyoto`, `osakafu`, `kanagawaken` written without a separator
    byName.get(key.replace(/(?:to|do|fu|ken)$/, ''))
  )
}
