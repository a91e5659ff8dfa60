import type { ShipmentStatus, TimeSlot } from './status.js'

export interface ShipmentsTable {
  id: string
  tenant_id: string
  order_id: string
  /** Where the shipment came from: api, shopify, allocation, import. */
  source: string
  /** The source's own id (e.g. Shopify fulfillment id); unique per tenant and source. */
  external_id: string | null
  origin_location: string | null
  /** JIS prefecture code of the shipping centre, for the delivery estimate. */
  origin_prefecture: string | null
  /** The centre's daily cut-off, HH:MM in the tenant's zone. */
  origin_cutoff: string | null
  carrier: string
  service: string | null
  tracking_number: string | null
  tracking_url: string | null
  time_slot: TimeSlot | null
  /** 配達日指定, YYYY-MM-DD. */
  requested_date: string | null
  /** 置き配 place, e.g. 玄関前. */
  leave_at: string | null
  /** コンビニ・営業所受取: the pickup point's name. */
  pickup_point: string | null
  /** 代金引換 amount in minor units; null when not COD. */
  cod_amount: number | null
  currency: string
  destination_prefecture: string | null
  destination_postal_code: string | null
  status: ShipmentStatus
  status_at: string
  last_event_at: string | null
  picked_up_at: string | null
  delivered_at: string | null
  /** Current estimate (YYYY-MM-DD in the tenant zone) and window. */
  estimated_date: string | null
  estimated_earliest: string | null
  estimated_latest: string | null
  /** The first estimate: what the customer was promised. */
  promised_date: string | null
  late: number
  trending_late: number
  /** JSON array of watch-list reasons (not_picked_up, no_scan, past_sla). */
  watch: string
  /** When the watch sweep should look at this shipment next; null once it is final. */
  next_check_at: string | null
  /** The estimate date a shipment.delayed was last emitted for (emit once per new late date). */
  delayed_for: string | null
  ready_at: string
  created_at: string
  updated_at: string
  version: number
}

export interface ShipmentLinesTable {
  id: string
  tenant_id: string
  shipment_id: string
  order_line_id: string
  quantity: number
}

export interface ShipmentEventsTable {
  id: string
  tenant_id: string
  shipment_id: string
  status: ShipmentStatus
  /** The carrier's own words and code, always kept beside the normalised status. */
  raw_status: string | null
  raw_code: string | null
  location: string | null
  occurred_at: string
  received_at: string
  source: string
  /** The sender's event id, or a hash of the event: a repeat is recognised and ignored. */
  dedupe_key: string
}

export interface TrackingSettingsTable {
  tenant_id: string
  /** JSON: branding, support contacts, CTA blocks, watch thresholds. */
  settings: string
  updated_at: string
}

export interface TrackedLinksTable {
  /** 128-bit random id: the public `/l/:id` path. */
  id: string
  tenant_id: string
  cta_id: string
  destination: string
  utm_source: string
  utm_medium: string
  utm_campaign: string
  utm_content: string
  utm_term: string | null
  created_at: string
}

export interface TrackingActivityTable {
  id: string
  tenant_id: string
  /** page_view | link_click | lookup */
  kind: string
  order_id: string | null
  link_id: string | null
  lang: string | null
  /** The order's shipment summary at the time (e.g. in_transit), for funnel analytics. */
  state: string | null
  occurred_at: string
}

export interface TrackingTables {
  shipments: ShipmentsTable
  shipment_lines: ShipmentLinesTable
  shipment_events: ShipmentEventsTable
  tracking_settings: TrackingSettingsTable
  tracked_links: TrackedLinksTable
  tracking_activity: TrackingActivityTable
}
