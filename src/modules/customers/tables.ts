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

/**
 * The consent ledger: every grant and withdrawal of marketing consent per channel, never updated
 * or deleted, so the brand can show when and how a customer agreed (特定電子メール法 asks the
 * sender to keep that record). The latest row per (customer, channel) is the current state.
 */
export interface CustomerConsentsTable {
  id: string
  tenant_id: string
  customer_id: string
  /** email | line | sms */
  channel: string
  granted: number
  /** Where it came from: shopify, api, unsubscribe_link, one_click, preference_centre, complaint … */
  source: string
  /** Free text kept as proof, e.g. the form wording or the List-Unsubscribe request. */
  evidence: string | null
  recorded_at: string
}

/** Labels a brand or its flows put on a customer (`vip`, `定期便`); flow conditions test them. */
export interface CustomerTagsTable {
  tenant_id: string
  customer_id: string
  tag: string
  created_at: string
}

/** Named facts about a customer (`tier`, `nps.last`), set by flows or the API; one row per key. */
export interface CustomerTraitsTable {
  tenant_id: string
  customer_id: string
  key: string
  /** JSON text: a string, number or boolean. */
  value: string
  /** Who set it last: `api`, `flow:<flow id>` … */
  source: string
  updated_at: string
}

export interface CustomersTables {
  customers: CustomersTable
  customer_external_ids: CustomerExternalIdsTable
  customer_consents: CustomerConsentsTable
  customer_tags: CustomerTagsTable
  customer_traits: CustomerTraitsTable
}
