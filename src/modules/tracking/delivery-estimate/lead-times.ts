/**
 * Lead times as data: days from ship date to first delivery attempt, by origin region → destination
 * region, per carrier. "1" is 翌日 (next day), "2" is 翌々日. Tenants override with their own
 * measured lanes (prefecture → prefecture beats region → region).
 *
 * Sources and confidence (see /work/shared/research/japan.md §1):
 * - Yamato moved 関東+山梨・新潟 ↔ 中国・四国, 岩手 ↔ 関西 and 富山/静岡 → 福岡 to 翌々日 from June 2023;
 *   Japan Post slowed a few ゆうパック lanes by half a day from April 2024 (e.g. 東京 → 山口).
 * - From Tokyo: Hokkaido and Okinawa main island 2 days; Ishigaki and Amami 3 (handled in remote.ts).
 * - Everything else is an estimate at region granularity, not a carrier's published table: real lanes
 *   differ inside a region (札幌 vs 稚内, 福岡 vs 鹿児島). Tenants should override with measured lanes.
 */
import type { DeliveryCalendar } from './calendar.js'
import { REGIONS, type Region } from './regions.js'

/** Carrier codes as the carriers module names them (kept local so this file depends on nothing there). */
export type CarrierCode = 'yamato' | 'sagawa' | 'japan_post' | 'seino' | 'fukuyama' | 'dhl' | 'fedex' | 'ups' | 'other'

/** Days by origin region, then destination region. */
export type RegionMatrix = Readonly<Record<Region, Readonly<Record<Region, number>>>>

/** Days by origin prefecture JIS code, then destination prefecture JIS code ('13' → '47'). */
export type PrefectureLanes = Readonly<Record<string, Readonly<Record<string, number>>>>

/** How a carrier service changes the estimate; matched on the shipment's free-text service name. */
export interface ServiceRule {
  /** Short English label used in reasons, e.g. 'yu-packet'. */
  readonly label: string
  /** Names and codes this rule matches, compared after NFKC, lower case and removing spaces, '-' and '_'. */
  readonly names: readonly string[]
  /** Carriers the rule applies to; absent means any carrier. */
  readonly carriers?: readonly CarrierCode[]
  /** Days added to the lane. */
  readonly extraDays: number
  /** Extra days of uncertainty added to `latest`. */
  readonly spreadDays?: number
  /** Delivery calendar of the service when it differs from the carrier's. */
  readonly calendar?: DeliveryCalendar
  /** International services get no domestic estimate. */
  readonly international?: boolean
}

/** A complete lead-time table: the default below, or a tenant's own built with `withLeadTimeOverrides`. */
export interface LeadTimeTable {
  /** Region → region days per carrier; `default` serves carriers without their own matrix. */
  readonly regions: Readonly<Partial<Record<CarrierCode, RegionMatrix>> & { default: RegionMatrix }>
  /** Prefecture → prefecture days per carrier (or `default` for all); these win over `regions`. */
  readonly prefectures?: Readonly<Partial<Record<CarrierCode | 'default', PrefectureLanes>>>
  /** Service modifiers, first match wins. */
  readonly services: readonly ServiceRule[]
}

/** A tenant's partial table: only the lanes and services it has measured or wants to change. */
export interface LeadTimeOverrides {
  readonly regions?: Readonly<Partial<Record<CarrierCode | 'default', Partial<Record<Region, Partial<Record<Region, number>>>>>>>
  readonly prefectures?: Readonly<Partial<Record<CarrierCode | 'default', PrefectureLanes>>>
  /** Rules put before the defaults, so they win. */
  readonly services?: readonly ServiceRule[]
}

/** Build a matrix from rows written in REGIONS order (rows are origins, columns destinations). */
function matrix(rows: readonly (readonly number[])[]): RegionMatrix {
  const out = {} as Record<Region, Record<Region, number>>
  REGIONS.forEach((origin, i) => {
    const row = rows[i]
    if (!row || row.length !== REGIONS.length) throw new Error(`lead-time row for ${origin} must have ${REGIONS.length} values`)
    out[origin] = Object.fromEntries(REGIONS.map((dest, j) => [dest, row[j] ?? 0])) as Record<Region, number>
  })
  return out
}

// Columns:      北海道 北東北 南東北 関東 信越 北陸 中部 関西 中国 四国 九州 沖縄
const YAMATO = matrix([
  /* 北海道 */ [1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3],
  /* 北東北 */ [1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3], // 岩手 ↔ 関西 翌々日 since 2023
  /* 南東北 */ [2, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3],
  /* 関東 */   [2, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2], // 関東 ↔ 中国・四国 翌々日 since 2023; Okinawa by air
  /* 信越 */   [2, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 3], // 新潟 joined the 関東 ↔ 中国・四国 slowdown
  /* 北陸 */   [2, 2, 1, 1, 1, 1, 1, 1, 2, 2, 2, 3], // 富山 → 福岡 翌々日
  /* 中部 */   [2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2], // 静岡 → 福岡 翌々日
  /* 関西 */   [2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 2],
  /* 中国 */   [3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 1, 2],
  /* 四国 */   [3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 1, 2],
  /* 九州 */   [3, 3, 2, 2, 2, 2, 2, 1, 1, 1, 1, 2],
  /* 沖縄 */   [3, 3, 3, 2, 3, 3, 2, 2, 2, 2, 2, 1],
])

// Sagawa: like Yamato on the mainland; Okinawa a day slower (much of its Okinawa volume goes by sea
// through a partner). Assumption, not a published table.
const SAGAWA = matrix([
  /* 北海道 */ [1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 4],
  /* 北東北 */ [1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4],
  /* 南東北 */ [2, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4],
  /* 関東 */   [2, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 3],
  /* 信越 */   [2, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 4],
  /* 北陸 */   [2, 2, 1, 1, 1, 1, 1, 1, 2, 2, 2, 4],
  /* 中部 */   [2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3],
  /* 関西 */   [2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 3],
  /* 中国 */   [3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 1, 3],
  /* 四国 */   [3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 1, 3],
  /* 九州 */   [3, 3, 2, 2, 2, 2, 2, 1, 1, 1, 1, 2],
  /* 沖縄 */   [4, 4, 4, 3, 4, 4, 3, 3, 3, 3, 2, 1],
])

// ゆうパック: Japan Post's 2024 slowdown hit 関東 → 中国 (東京 → 山口 翌々日). At region granularity this
// matches Yamato's 2023 table, so the matrices are equal; kept separate so a tenant can tune one.
const JAPAN_POST = YAMATO

/** The built-in table: realistic 2024+ region lanes for Yamato, Sagawa, ゆうパック and a default for others. */
export const DEFAULT_LEAD_TIMES: LeadTimeTable = Object.freeze({
  regions: Object.freeze({ yamato: YAMATO, sagawa: SAGAWA, japan_post: JAPAN_POST, default: SAGAWA }),
  services: Object.freeze([
    { label: 'international', names: ['ems', '国際スピード郵便', 'international', 'epacket', 'e-packet', '国際'], extraDays: 0, international: true },
    // Yamato hands クロネコゆうパケット to Japan Post: "3 days to 1 week" (japan.md §1).
    { label: 'kuroneko yu-packet', names: ['クロネコゆうパケット', 'kuronekoyupacket'], carriers: ['yamato'], extraDays: 2, spreadDays: 3 },
    // ゆうメール and the old DM便 (now クロネコゆうメール): since 2 Oct 2021 no Saturday, Sunday or holiday
    // delivery and about a day slower than before.
    { label: 'yu-mail', names: ['ゆうメール', 'yumail', 'dm便', 'dmbin'], extraDays: 1, spreadDays: 1, calendar: 'weekdays' },
    // ゆうパケット / クリックポスト / ゆうパケットポスト go through the mail network, so a day slower than
    // ゆうパック, but Japan Post still delivers them on Saturdays, Sundays and holidays (the 2021 change
    // excluded them explicitly).
    { label: 'yu-packet', names: ['ゆうパケット', 'yupacket', 'クリックポスト', 'clickpost'], carriers: ['japan_post'], extraDays: 1, spreadDays: 1 },
    // ネコポス goes through the 宅急便 network to the mailbox: same lanes, a little less certain.
    { label: 'nekopos', names: ['ネコポス', 'nekopos'], carriers: ['yamato'], extraDays: 0, spreadDays: 1 },
    // Refrigerated/frozen (クール) travel on the same lanes.
    { label: 'cool', names: ['クール', 'cool', '冷蔵', '冷凍', 'chilled', 'frozen', 'refrigerated'], extraDays: 0 },
  ] satisfies ServiceRule[]),
})

/** Carriers whose codes here only mean international express: no estimate unless a table gives them lanes. */
export const INTERNATIONAL_CARRIERS: ReadonlySet<CarrierCode> = new Set(['dhl', 'fedex', 'ups'])

/** The delivery calendar a carrier's parcels follow unless the service says otherwise. */
export function carrierCalendar(carrier: CarrierCode): DeliveryCalendar {
  // Seino and Fukuyama are B2B networks: no Sunday, holiday or year-end delivery.
  return carrier === 'seino' || carrier === 'fukuyama' ? 'b2b' : 'every_day'
}

/** A table with a tenant's lanes and services laid over a base table (the default unless given). */
export function withLeadTimeOverrides(overrides: LeadTimeOverrides, base: LeadTimeTable = DEFAULT_LEAD_TIMES): LeadTimeTable {
  const regions: Partial<Record<CarrierCode, RegionMatrix>> & { default: RegionMatrix } = { ...base.regions }
  for (const [key, lanes] of Object.entries(overrides.regions ?? {}) as [CarrierCode | 'default', Partial<Record<Region, Partial<Record<Region, number>>>>][]) {
    // A carrier without its own matrix starts from the default one.
    const from = regions[key] ?? regions.default
    regions[key] = Object.fromEntries(
      REGIONS.map((o) => [o, { ...from[o], ...stripUndefined(lanes[o] ?? {}) }]),
    ) as unknown as RegionMatrix
  }
  const prefectures: Partial<Record<CarrierCode | 'default', PrefectureLanes>> = { ...base.prefectures }
  for (const [key, lanes] of Object.entries(overrides.prefectures ?? {}) as [CarrierCode | 'default', PrefectureLanes][]) {
    const merged: Record<string, Record<string, number>> = {}
    for (const [o, row] of Object.entries(prefectures[key] ?? {})) merged[o] = { ...row }
    for (const [o, row] of Object.entries(lanes)) merged[o] = { ...merged[o], ...row }
    prefectures[key] = merged
  }
  return { regions, prefectures, services: [...(overrides.services ?? []), ...base.services] }
}

function stripUndefined(row: Partial<Record<Region, number>>): Partial<Record<Region, number>> {
  return Object.fromEntries(Object.entries(row).filter(([, v]) => typeof v === 'number'))
}

/** Normalise a service name for matching: NFKC, lower case, no spaces, dashes or underscores. */
export function serviceKey(service: string): string {
  return service.normalize('NFKC').toLowerCase().replace(/[\s\-_‐－]/g, '')
}

/** The first service rule of the table that matches this carrier and service name, if any. */
export function findServiceRule(table: LeadTimeTable, carrier: CarrierCode, service: string | null): ServiceRule | undefined {
  if (service === null || service.trim() === '') return undefined
  const key = serviceKey(service)
  const tokens = new Set(service.normalize('NFKC').toLowerCase().split(/[^a-z0-9]+/))
  return table.services.find(
    (rule) => (rule.carriers === undefined || rule.carriers.includes(carrier)) && rule.names.some((n) => nameMatches(serviceKey(n), key, tokens)),
  )
}

// Short ASCII names ('ems', 'cool') must be a whole word so 'items' or 'coolant' do not match.
function nameMatches(name: string, key: string, tokens: ReadonlySet<string>): boolean {
  if (/^[a-z0-9]{1,4}$/.test(name)) return tokens.has(name) || key === name
  return key.includes(name)
}
