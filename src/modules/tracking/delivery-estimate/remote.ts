/**
 * Remote islands (離島) that add days beyond the mainland lane, keyed by postal-code prefix (digits,
 * longest prefix wins). Only the most common destinations are listed. Extra days are relative to the
 * prefecture's mainland lane: Ishigaki and Amami are 3 days from Tokyo against 2 for Okinawa main island
 * and Kyushu (japan.md §1); Chichijima is 7–10 days because the only ferry, おがさわら丸, sails about
 * once every six days. Prefixes were written from memory of the postal tables and checked only for
 * consistency, not against Japan Post's KEN_ALL: entries marked "unsure" need a check.
 */

export interface RemoteArea {
  /** Postal-code digits this area starts with, e.g. '1002101' or '907'. */
  readonly prefix: string
  /** Name used in reasons. */
  readonly name: string
  /** JIS prefecture code, so a postal code alone can place the destination. */
  readonly prefecture: string
  /** Days added to the lane. */
  readonly extraDays: number
  /** Extra uncertainty added to `latest` (ferries that do not sail daily, weather). */
  readonly spreadDays: number
}

function a(prefix: string, name: string, prefecture: string, extraDays: number, spreadDays = 1): RemoteArea {
  return Object.freeze({ prefix, name, prefecture, extraDays, spreadDays })
}

/** The islands known here. 100-00xx (千代田区) and 684-00xx (境港市) are mainland and deliberately absent. */
export const REMOTE_AREAS: readonly RemoteArea[] = Object.freeze([
  // 伊豆諸島 (Tokyo). 大島 100-01/100-02, 利島 100-03, 新島・式根島 100-04, 神津島 100-06: daily ferries.
  a('10001', '伊豆大島', '13', 1),
  a('10002', '伊豆大島', '13', 1),
  a('10003', '利島', '13', 2),
  a('10004', '新島', '13', 1),
  a('10005', '伊豆諸島', '13', 2), // unsure whether 100-05xx is used
  a('10006', '神津島', '13', 1),
  // 三宅 100-11/100-12, 御蔵島 100-13, 八丈 100-14..100-16, 青ヶ島 100-17.
  a('10011', '三宅島', '13', 1),
  a('10012', '三宅島', '13', 1),
  a('10013', '御蔵島', '13', 2, 2),
  a('10014', '八丈島', '13', 1),
  a('10015', '八丈島', '13', 1),
  a('10016', '八丈島', '13', 1),
  a('10017', '青ヶ島', '13', 3, 3), // helicopter or a ferry that often cannot land
  // 小笠原 (父島 100-2101, 母島 100-2211): one ferry about every six days, 24 h at sea.
  a('10021', '小笠原 父島', '13', 6, 4),
  a('10022', '小笠原 母島', '13', 7, 4),
  // Hokkaido: 利尻 097-01 (利尻富士), 097-03 (利尻町), 礼文 097-11/097-12 (unsure of the exact blocks), 奥尻 043-14.
  a('09701', '利尻島', '01', 1),
  a('09703', '利尻島', '01', 1),
  a('09711', '礼文島', '01', 1),
  a('09712', '礼文島', '01', 1),
  a('04314', '奥尻島', '01', 1),
  // 新潟: 佐渡 952 is all 佐渡市; 粟島 958-0061 (粟島浦村).
  a('952', '佐渡島', '15', 1),
  a('9580061', '粟島', '15', 2),
  // 島根: 隠岐 島前 684-01..684-04 (知夫, 西ノ島, 海士), 島後 685 (隠岐の島町).
  a('68401', '隠岐', '32', 1),
  a('68402', '隠岐', '32', 1),
  a('68403', '隠岐', '32', 1),
  a('68404', '隠岐', '32', 1),
  a('685', '隠岐', '32', 1),
  // 長崎: 対馬 817, 壱岐 811-5, 五島 853 (五島市 and 新上五島町 若松), 857-4 (新上五島町, 小値賀, 宇久).
  a('817', '対馬', '42', 1),
  a('8115', '壱岐', '42', 1),
  a('853', '五島列島', '42', 1),
  a('8574', '五島列島', '42', 1),
  // 鹿児島: 種子島 891-3, 屋久島 891-4 (incl. 口永良部), 奄美群島 894 (奄美大島) and 891-6..891-9
  // (喜界 891-6, 徳之島 891-7/891-8, 沖永良部・与論 891-9; block boundaries unsure).
  a('8913', '種子島', '46', 1),
  a('8914', '屋久島', '46', 1),
  a('894', '奄美大島', '46', 1),
  a('8916', '喜界島', '46', 2),
  a('8917', '徳之島', '46', 1),
  a('8918', '徳之島', '46', 1),
  a('8919', '沖永良部・与論', '46', 2),
  // 沖縄: 宮古 906 (incl. 多良間 906-06), 八重山 907 (石垣 907-0, 竹富 907-1, 与那国 907-18),
  // 久米島・慶良間・粟国・渡名喜 901-3x, 大東 901-38/901-39 (unsure; ships about weekly).
  a('906', '宮古島', '47', 1),
  a('90606', '多良間島', '47', 2),
  a('907', '石垣島', '47', 1),
  a('9071', '八重山 竹富', '47', 2),
  a('90718', '与那国島', '47', 2),
  a('9013', '沖縄 離島', '47', 1),
  a('90138', '南大東島', '47', 3, 3),
  a('90139', '北大東島', '47', 3, 3),
])

/** Postal-code digits only (NFKC folds full-width digits), or undefined when not 7 digits. */
function postalDigits(postal: string): string | undefined {
  const digits = postal.normalize('NFKC').replace(/\D/g, '')
  return digits.length === 7 ? digits : undefined
}

/** The remote island for a Japanese postal code ('907-0004', '9070004', '〒９０７…'), or undefined. */
export function remoteAreaFor(postalCode: string | null | undefined, areas: readonly RemoteArea[] = REMOTE_AREAS): RemoteArea | undefined {
  if (typeof postalCode !== 'string') return undefined
  const digits = postalDigits(postalCode)
  if (!digits) return undefined
  let best: RemoteArea | undefined
  for (const area of areas) {
    if (digits.startsWith(area.prefix) && (!best || area.prefix.length > best.prefix.length)) best = area
  }
  return best
}

/**
 * Days a carrier adds on top of the island's extra days. Sagawa hands many islands to a local partner
 * (中継, billed as 中継料), and the B2B carriers do the same; one more day is an assumption.
 */
export function relayExtraDays(carrier: string): number {
  return carrier === 'sagawa' || carrier === 'seino' || carrier === 'fukuyama' ? 1 : 0
}
