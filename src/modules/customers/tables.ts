export interface CustomersTable {
  id: string
  tenant_id: string
  /** Lower-cased. */
  email: string | null
  /** E.164, e.g. +819012345678. */
  phone: string | null
  first_name: string | null
  last_name: string | null
  locale: string
  line_user_id: string | null
  /** JSON object: shop system → that system's customer id, e.g. {"shopify":"115310627314723954"}. */
  external_ids: string
  accepts_marketing: number
  created_at: string
  updated_at: string
}

/** One row per (system, external id) so the lookup from a shop's customer id is indexed. */
export interface CustomerExternalIdsTable {
  tenant_id: string
  source: string
  external_id: string
  customer_id: string
}

export interface CustomersTables {
  customers: CustomersTable
  customer_external_ids: CustomerExternalIdsTable
}
