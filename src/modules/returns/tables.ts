/** The returns module's tables: its policy, return cases (RMAs) with their lines, photos and history, and store credit. */

/** A brand's return policy (policy-schema.ts) and how refunds reach the customer. */
export interface ReturnSettingsTable {
  tenant_id: string
  /** ReturnPolicy as JSON. */
  policy: string
  /** 'manual' (the brand refunds in its own systems and tells Kando) or 'shopify' (Admin API refunds). */
  refund_via: string
  shopify_domain: string | null
  /** The Admin API access token, sealed with the installation key. */
  shopify_token_sealed: string | null
  /** Shopify location that restocked items go back to (refund_line_items.location_id). */
  shopify_location_id: string | null
  updated_at: string
}

export type ReturnStatus = 'requested' | 'approved' | 'rejected' | 'received' | 'inspected' | 'resolved' | 'cancelled' | 'escalated'
export type ReturnMethod = 'pickup' | 'dropoff' | 'keep'
export type RefundStatus = 'none' | 'pending' | 'issued' | 'manual' | 'failed'

export interface ReturnsTable {
  id: string
  tenant_id: string
  /** What the customer and the warehouse see: `R-<order number>-<n>`. */
  rma: string
  order_id: string
  customer_id: string | null
  status: ReturnStatus
  reason_code: string
  reason_note: string | null
  resolution: 'exchange' | 'store_credit' | 'refund'
  method: ReturnMethod
  /** 集荷: the date (YYYY-MM-DD, brand's zone) and the carrier's slot code. */
  pickup_date: string | null
  pickup_slot: string | null
  shipping_paid_by: 'brand' | 'customer'
  /** The policy's verdict as JSON (ReturnDecision): every line's why, the flags, the approval path. */
  decision: string
  /** 1 when a person must approve (flags, value). */
  needs_review: number
  currency: string
  /** Minor units: what the returned units cost the customer. */
  items_value: number
  /** Minor units refunded / credited (with the bonus) / charged for an exchange's difference (negative: owed to the customer). */
  refund_amount: number
  credit_amount: number
  exchange_difference: number
  /** The replacement order (exchange): created at approval for an instant exchange, at resolution otherwise. */
  exchange_order_id: string | null
  /** Stock held for a non-instant exchange until the return is inspected (JSON StockEntry[]). */
  exchange_hold: string | null
  instant: number
  /** Instant exchange: the original must arrive by then, or the case escalates. */
  return_by: string | null
  refund_status: RefundStatus
  /** The refund's id where it was made (Shopify refund id, or the brand's own reference). */
  refund_ref: string | null
  store_credit_id: string | null
  /** The return parcel. */
  carrier: string | null
  tracking_number: string | null
  location_id: string | null
  /** 128 random bits; the status link's token is HMAC(installation key, nonce), so messages can rebuild it. */
  nonce: string
  /** SHA-256 of that token: the page finds the case by it; the token itself is never stored. */
  token_hash: string
  /** The caller's idempotency key for the request (the portal's form sends one). */
  request_key: string | null
  note: string | null
  created_at: string
  updated_at: string
  approved_at: string | null
  received_at: string | null
  inspected_at: string | null
  resolved_at: string | null
  /** Bumped on every change: transitions are compare-and-set on it. */
  version: number
}

export type ReturnGrade = 'A' | 'B' | 'C'

export interface ReturnLinesTable {
  id: string
  tenant_id: string
  return_id: string
  order_line_id: string
  variant_id: string | null
  sku: string | null
  title: string
  variant_title: string | null
  quantity: number
  unit_price: number
  condition: string
  exchange_variant_id: string | null
  exchange_sku: string | null
  exchange_title: string | null
  exchange_unit_price: number | null
  /** Inspection: A resell as new, B outlet / re-commerce, C dispose. */
  grade: ReturnGrade | null
  received_quantity: number
  restocked_location: string | null
  inspection_note: string | null
}

export interface ReturnMediaTable {
  id: string
  tenant_id: string
  return_id: string
  /** 'request' (the customer's photos of a defect) or 'inspection' (the warehouse's). */
  stage: string
  kind: string
  mime: string
  data: Uint8Array
  bytes: number
  width: number | null
  height: number | null
  created_at: string
}

export interface ReturnHistoryTable {
  id: string
  tenant_id: string
  return_id: string
  from_status: ReturnStatus | null
  to_status: ReturnStatus
  action: string
  actor: string
  detail: string | null
  at: string
}

/** Store credit issued for a return: a code the customer spends in the shop, once per return. */
export interface StoreCreditsTable {
  id: string
  tenant_id: string
  customer_id: string | null
  return_id: string
  code: string
  currency: string
  amount: number
  balance: number
  created_at: string
}

export interface ReturnsTables {
  return_settings: ReturnSettingsTable
  returns: ReturnsTable
  return_lines: ReturnLinesTable
  return_media: ReturnMediaTable
  return_history: ReturnHistoryTable
  store_credits: StoreCreditsTable
}
