import { FINAL_STATUSES, STATUS_RANK, type ShipmentStatus } from './status.js'

export interface TimedStatus {
  status: ShipmentStatus
  occurredAt: string
}

export interface Progress {
  status: ShipmentStatus
  statusAt: string
  pickedUpAt: string | null
  deliveredAt: string | null
  lastEventAt: string | null
}

/**
 * Where a parcel is, folded from its whole event history in time order. Being a function of the
 * set of events, it is the same whatever order they arrived in and however often each arrived;
 * once delivered (or returned), later scans never move it back.
 */
export function foldProgress(readyAt: string, events: readonly TimedStatus[]): Progress {
  const sorted = [...events].sort((a, b) => cmp(a.occurredAt, b.occurredAt) || STATUS_RANK[a.status] - STATUS_RANK[b.status] || (a.status < b.status ? -1 : a.status > b.status ? 1 : 0))
  let status: ShipmentStatus = 'label_created'
  let statusAt = readyAt
  let pickedUpAt: string | null = null
  let deliveredAt: string | null = null
  for (const e of sorted) {
    if (FINAL_STATUSES.has(status)) break
    status = e.status
    statusAt = e.occurredAt
    if (!pickedUpAt && STATUS_RANK[e.status] >= STATUS_RANK.picked_up) pickedUpAt = e.occurredAt
    if (e.status === 'delivered') deliveredAt = e.occurredAt
  }
  const lastEventAt = sorted.length > 0 ? sorted[sorted.length - 1]!.occurredAt : null
  return { status, statusAt, pickedUpAt, deliveredAt, lastEventAt }
}

/** ISO instants compare as instants even with different offsets. */
function cmp(a: string, b: string): number {
  return Date.parse(a) - Date.parse(b)
}

/** The domain event a move to `status` emits (names in DESIGN.md; picked_up is when a parcel has shipped). */
export function shipmentEventType(status: ShipmentStatus): string {
  return status === 'picked_up' ? 'shipment.shipped' : `shipment.${status}`
}
