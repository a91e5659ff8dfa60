/**
 * Fulfilment locations as data, and the demo network of 11 centres (Hokkaido to Okinawa) that seeds
 * a fresh install. Allocation only needs prefecture (for rates and lead times), carrier, cut-off,
 * capacity and capabilities; coordinates are kept for maps and distance heuristics.
 */
import type { CarrierCode } from '../../tracking/delivery-estimate/index.js'
import { prefectureByCode } from '../../../platform/japan/prefectures.js'

/** What a location can ship beyond ordinary ambient parcels under 160 size. */
export type Capability = 'cool' | 'frozen' | 'oversized' | 'hazardous'

/** A fulfilment centre, warehouse or store that ships parcels. */
export interface Location {
  readonly id: string
  readonly name: string
  /** JIS prefecture code '01'–'47'. */
  readonly prefectureCode: string
  readonly lat: number
  readonly lon: number
  /** Carriers it hands parcels to; the first one is used for lead times. */
  readonly carriers: readonly CarrierCode[]
  /** Daily carrier cut-off 'HH:MM' (Japan time): orders allocated at or after it ship the next day. */
  readonly cutoff: string
  /** Parcels it can ship per day. */
  readonly dailyCapacity: number
  readonly capabilities: ReadonlySet<Capability>
  /** Days of the week it does not ship (0 = Sunday … 6 = Saturday). */
  readonly closedWeekdays?: readonly number[]
  /** Dates 'YYYY-MM-DD' it does not ship (holidays, stock-taking, 年末年始). */
  readonly closedDates?: readonly string[]
}

function loc(id: string, name: string, prefectureCode: string, lat: number, lon: number, cutoff: string, dailyCapacity: number, capabilities: Capability[], carriers: CarrierCode[] = ['yamato', 'sagawa']): Location {
  if (!prefectureByCode(prefectureCode)) throw new RangeError(`unknown prefecture ${prefectureCode} for ${id}`)
  return Object.freeze({ id, name, prefectureCode, lat, lon, carriers: Object.freeze(carriers), cutoff, dailyCapacity, capabilities: new Set(capabilities) })
}

/**
 * A realistic demo network: the logistics parks 3PLs actually use (inland Saitama and Chiba for
 * Tokyo, Atsugi on the Tomei, Komaki for Chukyo, Ibaraki and Amagasaki for Keihanshin, Kasuya by
 * Fukuoka airport). Coordinates are approximate; capacities are parcels per day.
 */
export const DEMO_LOCATIONS: readonly Location[] = Object.freeze([
  loc('loc_sapporo_ebetsu', '札幌江別FC', '01', 43.104, 141.536, '15:00', 4000, ['cool', 'frozen']),
  loc('loc_sendai', '仙台FC', '04', 38.255, 140.985, '16:00', 5000, ['cool']),
  loc('loc_saitama_kuki', '埼玉久喜FC', '11', 36.062, 139.667, '17:00', 20000, ['cool', 'frozen', 'oversized']),
  loc('loc_chiba_ichikawa', '千葉市川FC', '12', 35.689, 139.931, '17:00', 18000, ['oversized']),
  loc('loc_kanagawa_atsugi', '神奈川厚木FC', '14', 35.443, 139.362, '16:30', 15000, ['cool', 'hazardous', 'oversized']),
  loc('loc_nagoya_komaki', '名古屋小牧FC', '23', 35.291, 136.912, '16:00', 10000, ['cool']),
  loc('loc_osaka_ibaraki', '大阪茨木FC', '27', 34.816, 135.569, '17:00', 15000, ['cool', 'frozen']),
  loc('loc_hyogo_amagasaki', '兵庫尼崎FC', '28', 34.718, 135.406, '16:00', 10000, ['oversized', 'hazardous']),
  loc('loc_hiroshima', '広島FC', '34', 34.396, 132.459, '15:30', 5000, []),
  loc('loc_fukuoka_kasuya', '福岡粕屋FC', '40', 33.611, 130.480, '16:00', 8000, ['cool', 'frozen']),
  loc('loc_okinawa_tomigusuku', '沖縄豊見城FC', '47', 26.162, 127.668, '14:00', 2000, ['cool'], ['yamato', 'japan_post']),
])

/** Great-circle distance in km (haversine), for maps and nearest-centre baselines. */
export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const r = Math.PI / 180
  const dLat = (b.lat - a.lat) * r
  const dLon = (b.lon - a.lon) * r
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.sin(dLon / 2) ** 2
  return 12742 * Math.asin(Math.min(1, Math.sqrt(h)))
}
