/**
 * Carrier zones (地帯) of Japan. The twelve regions are the ones Yamato, Sagawa and Japan Post
 * price and plan lead times by; 北東北/南東北 and 信越/北陸 are split as Yamato splits them.
 * Allocation reuses this for rates, so keep it free of lead-time policy.
 */

export const REGIONS = ['北海道', '北東北', '南東北', '関東', '信越', '北陸', '中部', '関西', '中国', '四国', '九州', '沖縄'] as const
export type Region = (typeof REGIONS)[number]

/** English names for the regions, for reasons shown in logs and the API. */
export const REGION_EN: Readonly<Record<Region, string>> = {
  北海道: 'Hokkaido',
  北東北: 'North Tohoku',
  南東北: 'South Tohoku',
  関東: 'Kanto',
  信越: 'Shinetsu',
  北陸: 'Hokuriku',
  中部: 'Chubu',
  関西: 'Kansai',
  中国: 'Chugoku',
  四国: 'Shikoku',
  九州: 'Kyushu',
  沖縄: 'Okinawa',
}

/** Region of every prefecture by JIS code ('01'–'47'). 山梨 sits in 関東 as Yamato and Sagawa put it. */
export const PREFECTURE_REGION: Readonly<Record<string, Region>> = Object.freeze({
  '01': '北海道',
  '02': '北東北', '03': '北東北', '05': '北東北', // 青森 岩手 秋田
  '04': '南東北', '06': '南東北', '07': '南東北', // 宮城 山形 福島
  '08': '関東', '09': '関東', '10': '関東', '11': '関東', '12': '関東', '13': '関東', '14': '関東', '19': '関東', // 茨城…神奈川, 山梨
  '15': '信越', '20': '信越', // 新潟 長野
  '16': '北陸', '17': '北陸', '18': '北陸', // 富山 石川 福井
  '21': '中部', '22': '中部', '23': '中部', '24': '中部', // 岐阜 静岡 愛知 三重
  '25': '関西', '26': '関西', '27': '関西', '28': '関西', '29': '関西', '30': '関西', // 滋賀 京都 大阪 兵庫 奈良 和歌山
  '31': '中国', '32': '中国', '33': '中国', '34': '中国', '35': '中国', // 鳥取 島根 岡山 広島 山口
  '36': '四国', '37': '四国', '38': '四国', '39': '四国', // 徳島 香川 愛媛 高知
  '40': '九州', '41': '九州', '42': '九州', '43': '九州', '44': '九州', '45': '九州', '46': '九州', // 福岡…鹿児島
  '47': '沖縄',
})

/** The carrier region of a prefecture JIS code (`13` or `1`/`01`), or undefined for anything else. */
export function regionOf(prefectureCode: string | null | undefined): Region | undefined {
  if (typeof prefectureCode !== 'string' || !/^\d{1,2}$/.test(prefectureCode)) return undefined
  return PREFECTURE_REGION[prefectureCode.padStart(2, '0')]
}
