/** A batch of single-use discount codes a brand made in its shop (e.g. Shopify discount codes). */
export interface CouponPoolsTable {
  id: string
  tenant_id: string
  name: string
  description: string | null
  /** ISO instant after which the pool issues nothing (the shop's codes stop working then). */
  expires_at: string | null
  created_at: string
}

/**
 * One code of a pool. Free while issued_key is null; issuing claims it for one key (a flow run, a
 * review, a return) and, when known, one customer. Codes are unique per pool ignoring case, as
 * Shopify treats them.
 */
export interface CouponCodesTable {
  tenant_id: string
  pool_id: string
  code: string
  /** The caller's idempotency key: issuing again with it returns this code. */
  issued_key: string | null
  customer_id: string | null
  issued_at: string | null
}

export interface CouponsTables {
  coupon_pools: CouponPoolsTable
  coupon_codes: CouponCodesTable
}
