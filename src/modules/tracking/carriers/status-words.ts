import type { ShipmentStatus } from '../status.js'
import { normalizeStatusText } from './normalize.js'

/**
 * Keyword fallback for status text no carrier table knows. First match wins, so the order is the
 * decision: a return or an exception outranks everything; a completed delivery outranks the words
 * around it (「ご不在のため宅配ボックスに配達完了」 is delivered); a failed attempt outranks "held"
 * (「ご不在でしたので、お預かりしております。」 is a failed attempt); "out for delivery" is tested before
 * the bare 出発 of in_transit (「○○店から配達に出発致しました。」); 「お預かり致しました」 (we took your
 * parcel) is tested before the bare お預かり of held_at_depot.
 */
const KEYWORD_RULES: readonly (readonly [RegExp, ShipmentStatus])[] = [
  [/返品|返送|差出人に返|return(ed|ing)? to (shipper|sender)/u, 'returned_to_sender'],
  [/調査中|事故|破損|住所不明|exception/u, 'exception'],
  [/配達完了|配達済|配達終了|配達は終了|お届け済|お届け完了|投函完了|(?<!not )delivered/u, 'delivered'],
  [/持戻|持ち戻|持ち帰|不在|attempt/u, 'delivery_failed'],
  // A redelivery request (再配達, 配達希望) comes after a failed attempt that the rule above already
  // reported; the parcel now waits at the depot for the chosen slot, so it is held, not failed again.
  [/保管|再配達|配達希望|店頭受取|お預かりして|\bheld\b|awaiting collection|(ready|available) for (pick ?up|collection)/u, 'held_at_depot'],
  [/配達中|持ち?出し?中|配達に出発|配達へ出発|out for delivery|vehicle for delivery|with delivery courier/u, 'out_for_delivery'],
  [/お預かり(致|いた)しました|受取が完了/u, 'picked_up'],
  [/お預かり/u, 'held_at_depot'],
  [/輸送中|通過|到着|発送|出発|中継|配達予定|投函予定|in transit|departed|arrived|processed/u, 'in_transit'],
  [/荷物受付|引受|集荷|受付|picked up|pick ?up/u, 'picked_up'],
  [/伝票番号発行|送り状発行|伝票発行|label|shipment information received/u, 'label_created'],
]

/** Normalised status for free status text by keyword (Japanese or English), or undefined. */
export function mapStatusByKeyword(rawText: string): ShipmentStatus | undefined {
  const text = normalizeStatusText(rawText)
  if (text === '') return undefined
  return KEYWORD_RULES.find(([re]) => re.test(text))?.[1]
}

/** A lookup over one carrier's word table: exact words first, then words with ○○ (any store name). */
export function statusLookup(words: Readonly<Record<string, ShipmentStatus>>): (rawText: string) => ShipmentStatus | undefined {
  const exact = new Map<string, ShipmentStatus>()
  const templates: [RegExp, ShipmentStatus][] = []
  for (const [word, status] of Object.entries(words)) {
    const key = normalizeStatusText(word)
    if (!key.includes('○○')) exact.set(key, status)
    else {
      const source = key.split('○○').map((part) => part.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')).join('.+')
      templates.push([new RegExp(`^${source}$`, 'u'), status])
    }
  }
  return function lookup(rawText) {
    const text = normalizeStatusText(rawText)
    return exact.get(text) ?? templates.find(([re]) => re.test(text))?.[1]
  }
}

/** English words DHL, FedEx and UPS share on their tracking pages. */
export const ENGLISH_STATUS_WORDS: Readonly<Record<string, ShipmentStatus>> = {
  'Label created': 'label_created',
  'Shipment information received': 'label_created',
  'Shipment picked up': 'picked_up',
  'Picked up': 'picked_up',
  'In transit': 'in_transit',
  'Out for delivery': 'out_for_delivery',
  'Delivered': 'delivered',
  'Delivery attempted': 'delivery_failed',
  'Exception': 'exception',
  'Delivery exception': 'exception',
  'Returned to shipper': 'returned_to_sender',
  'Returned to sender': 'returned_to_sender',
}
