import type { Clock } from '../../platform/clock.js'
import type { TenantDb } from '../../platform/tenancy.js'
import { getCarrier, isCarrierCode } from './carriers/index.js'
import { groupsOfFour } from './carriers/normalize.js'
import type { TrackingService } from './service.js'
import type { ShipmentStatus } from './status.js'

/** One step of a simulated parcel: minutes after the parcel was ready, in the carrier's own words. */
export interface SimulatedStep {
  afterMinutes: number
  status: ShipmentStatus
  rawStatus: string
  location: string
}

/** Carriers the simulator can move (the ones whose words it speaks). */
export const SIMULATED_CARRIERS = ['yamato', 'japan_post', 'sagawa'] as const

// Where parcels go, per destination prefecture (JIS code): the region's sorting hub and a delivery
// office. Real hub names; the centres are plausible local ones. Unknown prefectures use the name.
const PREFECTURES = [
  '北海道', '青森', '岩手', '宮城', '秋田', '山形', '福島', '茨城', '栃木', '群馬', '埼玉', '千葉', '東京', '神奈川', '新潟', '富山',
  '石川', '福井', '山梨', '長野', '岐阜', '静岡', '愛知', '三重', '滋賀', '京都', '大阪', '兵庫', '奈良', '和歌山', '鳥取', '島根',
  '岡山', '広島', '山口', '徳島', '香川', '愛媛', '高知', '福岡', '佐賀', '長崎', '熊本', '大分', '宮崎', '鹿児島', '沖縄',
]
const PLACES: Record<number, { hub: string; centre: string; town: string; post: string }> = {
  1: { hub: '札幌ベース店', centre: '札幌北一条センター', town: '札幌', post: '札幌中央郵便局' },
  4: { hub: '仙台ベース店', centre: '仙台青葉中央センター', town: '仙台', post: '仙台中央郵便局' },
  13: { hub: '東京ベース店', centre: '渋谷神宮前センター', town: '渋谷', post: '渋谷郵便局' },
  23: { hub: '中部ゲートウェイ', centre: '名古屋名駅センター', town: '名古屋', post: '名古屋中央郵便局' },
  27: { hub: '関西ゲートウェイ', centre: '大阪梅田センター', town: '大阪北', post: '大阪北郵便局' },
  34: { hub: '広島ベース店', centre: '広島基町センター', town: '広島', post: '広島中央郵便局' },
  40: { hub: '福岡ベース店', centre: '博多駅前センター', town: '博多', post: '博多郵便局' },
  47: { hub: '沖縄ベース店', centre: '那覇久茂地センター', town: '那覇', post: '那覇中央郵便局' },
}
const ORIGIN = { hub: '羽田クロノゲートベース', centre: '品川八潮センター', sagawa: '東京営業所', post: '品川郵便局', transit: '新東京郵便局' }

function placesFor(prefecture: string | null | undefined) {
  const code = Number(String(prefecture ?? '').replace(/^JP-/i, ''))
  const known = PLACES[code]
  if (known) return known
  const name = PREFECTURES[code - 1] ?? '東京'
  return { hub: `${name}ベース店`, centre: `${name}中央センター`, town: name, post: `${name}中央郵便局` }
}

/** Days on the road from the Tokyo warehouse: next day nearby, two days to the far ends, three to Okinawa. */
function transitDays(prefecture: string | null | undefined): number {
  const code = Number(String(prefecture ?? '').replace(/^JP-/i, ''))
  if (code === 47) return 3
  if (code === 1 || code >= 34) return 2
  return 1
}

const JST = 9 * 60

/**
 * A realistic timeline for one parcel, in the carrier's own words: taken in the afternoon it was
 * ready, sorted overnight, out for delivery in the morning it arrives. About one parcel in ten finds
 * nobody home (the failed attempt, then delivery the next day) and one in twenty is held up a day at a
 * hub. Steps are in order and their minutes never go back; the last one is always a delivery.
 * `rng` decides (give a seeded one to get the same plan every time).
 */
export function planTimeline(shipment: { carrier: string; readyAt: string; destinationPrefecture: string | null }, rng: () => number): SimulatedStep[] {
  const carrier = shipment.carrier
  if (!(SIMULATED_CARRIERS as readonly string[]).includes(carrier)) return []
  const dest = placesFor(shipment.destinationPrefecture)
  const days = transitDays(shipment.destinationPrefecture)
  const failed = rng() < 0.1
  const delayed = rng() < 0.05
  const jitter = (n: number) => Math.floor(rng() * n)
  // Minutes since readyAt of a moment `day` days later at hh:mm Japan time; never before the previous step.
  const ready = Date.parse(shipment.readyAt)
  const readyLocal = Math.floor(ready / 60_000) + JST
  const midnight = readyLocal - (((readyLocal % 1440) + 1440) % 1440)
  let last = 0
  const at = (day: number, hour: number, minute: number) => {
    last = Math.max(last + 1 + jitter(20), midnight + day * 1440 + hour * 60 + minute - readyLocal)
    return last
  }
  const steps: SimulatedStep[] = []
  const step = (minutes: number, status: ShipmentStatus, rawStatus: string, location: string) => steps.push({ afterMinutes: minutes, status, rawStatus, location })
  const readyHour = (((readyLocal % 1440) + 1440) % 1440) / 60
  // Taken the same day when ready before the afternoon collection, else the next day.
  const pick = readyHour < 16 ? 0 : 1
  let d = pick
  const hubDelay = delayed ? 1 : 0
  const arrive = pick + days + hubDelay
  const failedDay = arrive
  const deliverDay = arrive + (failed ? 1 : 0)

  if (carrier === 'yamato') {
    step(at(d, 17, jitter(40)), 'picked_up', '荷物受付', ORIGIN.centre)
    step(at(d, 19, jitter(50)), 'in_transit', '発送', ORIGIN.centre)
    step(at(d, 22, jitter(50)), 'in_transit', '作業店通過', ORIGIN.hub)
    if (delayed) step(at(++d, 22, jitter(50)), 'in_transit', '作業店通過', ORIGIN.hub)
    if (days > 1) step(at(d + days - 1, 3, jitter(50)), 'in_transit', '作業店通過', dest.hub)
    step(at(arrive, 6, jitter(50)), 'in_transit', '配達店到着', dest.centre)
    step(at(arrive, 8, 30 + jitter(30)), 'out_for_delivery', '配達中', dest.centre)
    if (failed) {
      step(at(failedDay, 11, jitter(50)), 'delivery_failed', '持戻（ご不在）', dest.centre)
      step(at(deliverDay, 8, 30 + jitter(30)), 'out_for_delivery', '配達中', dest.centre)
    }
    step(at(deliverDay, 10, jitter(120)), 'delivered', '配達完了', dest.centre)
  } else if (carrier === 'japan_post') {
    step(at(d, 16, jitter(60)), 'picked_up', '引受', ORIGIN.post)
    step(at(d, 22, jitter(50)), 'in_transit', '通過', ORIGIN.transit)
    if (delayed) step(at(++d, 22, jitter(50)), 'in_transit', '通過', ORIGIN.transit)
    if (days > 1) step(at(d + days - 1, 4, jitter(50)), 'in_transit', '通過', `${dest.town}郵便局`)
    step(at(arrive, 6, jitter(50)), 'in_transit', '到着', dest.post)
    step(at(arrive, 9, jitter(30)), 'out_for_delivery', '持ち出し中', dest.post)
    if (failed) {
      step(at(failedDay, 12, jitter(50)), 'delivery_failed', 'ご不在のため持ち戻り', dest.post)
      step(at(deliverDay, 9, jitter(30)), 'out_for_delivery', '持ち出し中', dest.post)
    }
    step(at(deliverDay, 11, jitter(120)), 'delivered', 'お届け先にお届け済み', dest.post)
  } else {
    const office = `${dest.town}営業所`
    step(at(d, 17, jitter(40)), 'picked_up', 'お荷物をお預かり致しました。', ORIGIN.sagawa)
    step(at(d, 21, jitter(50)), 'in_transit', `${ORIGIN.sagawa}を出発致しました。`, ORIGIN.sagawa)
    if (delayed) step(at(++d, 21, jitter(50)), 'in_transit', `${ORIGIN.sagawa}を出発致しました。`, ORIGIN.sagawa)
    if (days > 1) step(at(d + days - 1, 4, jitter(50)), 'in_transit', '輸送中', `${dest.town}中継センター`)
    step(at(arrive, 8, 30 + jitter(30)), 'out_for_delivery', `${office}から配達に出発致しました。`, office)
    if (failed) {
      step(at(failedDay, 12, jitter(50)), 'delivery_failed', 'ご不在でしたので、お預かりしております。', office)
      step(at(deliverDay, 8, 30 + jitter(30)), 'out_for_delivery', `${office}から配達に出発致しました。`, office)
    }
    step(at(deliverDay, 11, jitter(120)), 'delivered', '配達は終了致しました。', office)
  }
  return steps
}

/** mulberry32: a small, fast, seeded generator, good enough for simulation. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** mulberry32 seeded from a string (FNV-1a): the same shipment always gets the same plan. */
export function seededRng(seed: string): () => number {
  let h = 2166136261
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619)
  return mulberry32(h)
}

/** What one tick did to one parcel. */
export interface SimulatedMove {
  shipmentId: string
  orderId: string
  carrier: string
  carrierName: string
  trackingNumber: string
  status: ShipmentStatus
  rawStatus: string
  location: string
  occurredAt: string
}

export interface SimulatorOptions {
  /** Simulated time per real time: 2880 makes a day pass in 30 seconds. */
  compression: number
  /** Only shipments from these sources (default: every open shipment of the brand). */
  sources?: string[]
  /** Only these tracking numbers (a demo fed into a real brand moves only its own parcels). */
  trackingNumbers?: string[]
  /** Most shipments looked at per tick. */
  limit?: number
}

const EVENT_SOURCE = { source: 'simulator', actor: 'simulator' }

/**
 * A simulated carrier: moves open shipments of a brand along their planned timelines in compressed
 * time. Each tick applies every step whose time has come; a step is sent with event id
 * `sim:<shipmentId>:<index>`, so ticks may run any number of times (or in several processes) without
 * duplicating. A step's time is when it fell due in real time (ready time plus its offset divided
 * by the compression), so it is never in the future and the timeline keeps its order.
 */
export class CarrierSimulator {
  constructor(
    private readonly tracking: TrackingService,
    private readonly clock: Clock,
    private readonly opts: SimulatorOptions,
  ) {
    if (!(opts.compression > 0)) throw new Error('compression must be positive')
  }

  /** Applies the steps now due; returns the moves made and how many parcels are still on their way. */
  async tick(scope: TenantDb): Promise<{ moves: SimulatedMove[]; open: number }> {
    const now = this.clock.now().getTime()
    let q = scope
      .selectFrom('shipments')
      .select(['id', 'order_id', 'carrier', 'tracking_number', 'ready_at', 'destination_prefecture'])
      .where('status', 'not in', ['delivered', 'returned_to_sender'])
      .where('carrier', 'in', [...SIMULATED_CARRIERS])
      .where('tracking_number', 'is not', null)
      .orderBy('id')
      .limit(this.opts.limit ?? 500)
    if (this.opts.sources) q = q.where('source', 'in', this.opts.sources.length > 0 ? this.opts.sources : [''])
    if (this.opts.trackingNumbers) q = q.where('tracking_number', 'in', this.opts.trackingNumbers.length > 0 ? this.opts.trackingNumbers : [''])
    const rows = await q.execute()
    if (rows.length === 0) return { moves: [], open: 0 }
    const done = new Set(
      (await scope.selectFrom('shipment_events').select('dedupe_key').where('shipment_id', 'in', rows.map((r) => r.id)).where('dedupe_key', 'like', 'id:sim:%').execute())
        .map((e) => e.dedupe_key),
    )
    const moves: SimulatedMove[] = []
    let open = 0
    for (const r of rows) {
      const plan = planTimeline({ carrier: r.carrier, readyAt: r.ready_at, destinationPrefecture: r.destination_prefecture }, seededRng(r.id))
      const ready = Date.parse(r.ready_at)
      const due = plan
        .map((s, i) => ({ ...s, i, at: ready + (s.afterMinutes * 60_000) / this.opts.compression }))
        .filter((s) => s.at <= now && !done.has(`id:sim:${r.id}:${s.i}`))
      const finished = plan.length > 0 && ready + (plan[plan.length - 1]!.afterMinutes * 60_000) / this.opts.compression <= now
      if (!finished) open++
      if (due.length === 0) continue
      const res = await this.tracking.addEventCounts(scope, r.id, due.map((s) => ({
        eventId: `sim:${r.id}:${s.i}`, rawStatus: s.rawStatus, location: s.location, occurredAt: new Date(Math.floor(s.at)).toISOString(),
      })), EVENT_SOURCE)
      if (res.accepted === 0) continue
      const name = isCarrierCode(r.carrier) ? getCarrier(r.carrier).name.ja : r.carrier
      const number = r.tracking_number!.length === 12 ? groupsOfFour(r.tracking_number!) : r.tracking_number!
      for (const s of due) {
        moves.push({
          shipmentId: r.id, orderId: r.order_id, carrier: r.carrier, carrierName: name, trackingNumber: number,
          status: s.status, rawStatus: s.rawStatus, location: s.location, occurredAt: new Date(Math.floor(s.at)).toISOString(),
        })
      }
    }
    return { moves, open }
  }
}
