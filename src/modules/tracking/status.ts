/**
 * The one normalised set of parcel states every carrier's words map to.
 * The carrier's own text and time are always kept beside it (see shipment events).
 */
export const SHIPMENT_STATUSES = [
  'label_created',
  'picked_up',
  'in_transit',
  'out_for_delivery',
  'delivery_failed',
  'held_at_depot',
  'delivered',
  'returned_to_sender',
  'exception',
] as const
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number]

/** Statuses after which nothing moves the parcel on: a delivered parcel never goes back to in_transit. */
export const FINAL_STATUSES: ReadonlySet<ShipmentStatus> = new Set(['delivered', 'returned_to_sender'])

/**
 * Progress rank used to ignore stale events: an event whose status ranks below the current one
 * and happened earlier never moves a shipment back. Failed attempts, holds and exceptions sit at the
 * same rank as out_for_delivery so a new attempt after them is still progress.
 */
export const STATUS_RANK: Readonly<Record<ShipmentStatus, number>> = {
  label_created: 0,
  picked_up: 1,
  in_transit: 2,
  out_for_delivery: 3,
  delivery_failed: 3,
  held_at_depot: 3,
  exception: 3,
  delivered: 9,
  returned_to_sender: 9,
}

/**
 * Normalised delivery time slots (時間帯指定). Codes are stable API; each carrier offers a subset.
 * `am` is 午前中 (8–12).
 */
export const TIME_SLOTS = ['am', '12-14', '14-16', '16-18', '18-20', '18-21', '19-21', '20-21'] as const
export type TimeSlot = (typeof TIME_SLOTS)[number]

/** How a time slot reads to the customer. */
export function timeSlotLabel(slot: TimeSlot, lang: 'ja' | 'en'): string {
  if (slot === 'am') return lang === 'ja' ? '午前中' : 'Morning (8:00–12:00)'
  const [from, to] = slot.split('-')
  return lang === 'ja' ? `${from}時〜${to}時` : `${from}:00–${to}:00`
}
