import type { TenantDb } from '../../platform/tenancy.js'
import type { Order } from '../../modules/orders/index.js'
import type { ShipmentStatus, TrackingService } from '../../modules/tracking/index.js'
import type { MappedShopifyFulfillment } from './map.js'

/** Shopify's `tracking_company` names (its documented list) to Kando carriers. */
const COMPANIES: Array<[RegExp, string]> = [
  [/yamato|ヤマト|kuroneko|クロネコ/i, 'yamato'],
  [/sagawa|佐川/i, 'sagawa'],
  [/japan ?post|日本郵便|yu-?pack|ゆうパック|ems/i, 'japan_post'],
  [/seino|西濃/i, 'seino'],
  [/fukuyama|福山/i, 'fukuyama'],
  [/dhl/i, 'dhl'],
  [/fedex/i, 'fedex'],
  [/\bups\b/i, 'ups'],
]

/** Shopify's fulfillment `shipment_status` values to the normalised set. */
const SHIPMENT_STATUS: Record<string, ShipmentStatus> = {
  label_printed: 'label_created',
  label_purchased: 'label_created',
  confirmed: 'picked_up',
  in_transit: 'in_transit',
  out_for_delivery: 'out_for_delivery',
  attempted_delivery: 'delivery_failed',
  ready_for_pickup: 'held_at_depot',
  delivered: 'delivered',
  failure: 'exception',
}

/** The Kando carrier a Shopify tracking company names, or undefined (then the number decides). */
export function carrierForCompany(company: string | undefined): string | undefined {
  if (!company) return undefined
  return COMPANIES.find(([re]) => re.test(company))?.[1] ?? 'other'
}

/**
 * A Shopify fulfilment as a Kando shipment: created the first time (create or update, whichever
 * arrives first), then its tracking number and Shopify's carrier status applied as they come.
 * Shop facts are taken leniently: a mistyped number is kept under carrier "other" with the shop's link.
 */
export async function applyShopifyFulfillment(tracking: TrackingService, tx: TenantDb, order: Order, f: MappedShopifyFulfillment, actor: string, now: Date): Promise<string> {
  const by = { source: 'shopify', actor }
  const company = carrierForCompany(f.trackingCompany)
  const tracked = { carrier: company === 'other' ? undefined : company, trackingNumber: f.trackingNumbers[0], trackingUrl: f.trackingUrls[0] }
  let shipmentId = await tracking.findByExternalId(tx, 'shopify', f.fulfillmentId)
  if (!shipmentId) {
    if (f.status === 'cancelled') return `fulfillment ${f.fulfillmentId} cancelled before it shipped`
    const lines = f.lines.flatMap((l) => {
      const line = order.lines.find((ol) => ol.externalId === l.externalLineId) ?? (l.sku ? order.lines.find((ol) => ol.sku === l.sku) : undefined)
      return line ? [{ orderLineId: line.id, quantity: l.quantity }] : []
    })
    const { shipment } = await tracking.createShipment(tx, order.id, {
      externalId: f.fulfillmentId, ...tracked, ...(lines.length > 0 ? { lines } : {}),
      ...(f.updatedAt ? { readyAt: f.updatedAt } : {}),
    } as never, by, { lenient: true })
    shipmentId = shipment.id
  } else if (tracked.trackingNumber) {
    await tracking.attachTrackingNumber(tx, shipmentId, tracked, { lenient: true })
  }
  const status = f.shipmentStatus ? SHIPMENT_STATUS[f.shipmentStatus] : undefined
  if (status && status !== 'label_created') {
    await tracking.addEventCounts(tx, shipmentId, [{
      eventId: `shopify:${f.fulfillmentId}:${f.shipmentStatus}`, status, rawStatus: `shopify:${f.shipmentStatus}`, occurredAt: f.updatedAt ?? now.toISOString(),
    }], by)
  }
  return `fulfillment ${f.fulfillmentId} → shipment ${shipmentId}${status ? ` (${status})` : ''}`
}
