/** Fulfilment tables: allocation decisions (with what was weighed) and the parcels they create. */
export interface AllocationsTable {
  id: string
  tenant_id: string
  order_id: string
  /** allocated | partial | backordered | infeasible | nothing_to_allocate */
  status: string
  /** order (at once) | wave (batch) */
  mode: string
  /** What asked for it: order.confirmed, manual, short_pick, stock_correction, wave. */
  trigger: string
  cost_total: number | null
  /** JSON: cost breakdown, candidates weighed, backorders, optimal, reason. */
  decision: string
  created_at: string
}

export interface FulfillmentParcelsTable {
  id: string
  tenant_id: string
  order_id: string
  allocation_id: string
  location_id: string
  /** 16 characters for carrier label files (お客様管理番号), unique per brand. */
  label_ref: string
  /** pending (waiting for the warehouse) | picking (acknowledged) | shipped | cancelled */
  status: string
  temperature: string
  size_band: number
  ship_date: string
  delivery_date: string
  days_late: number
  shipping_cost: number
  /** JSON [{orderLineId, sku, quantity}]: what it holds (after shipping: what left). */
  lines: string
  /** JSON [{orderLineId, sku, quantity}] the warehouse could not find (short pick). */
  short_lines: string
  shipment_id: string | null
  cancel_reason: string | null
  acknowledged_at: string | null
  shipped_at: string | null
  cancelled_at: string | null
  created_at: string
  updated_at: string
}

/** One row per order Kando allocates: serialises its allocations, and remembers open backorders for waves. */
export interface FulfillmentOrdersTable {
  tenant_id: string
  order_id: string
  backordered_units: number
  version: number
  updated_at: string
}

export interface FulfillmentSettingsTable {
  tenant_id: string
  /** JSON FulfillmentSettings. */
  settings: string
  updated_at: string
}

/** Installation-wide: the 3PL's rate table. */
export interface ShippingRatesTable {
  id: string
  rates: string
  updated_at: string
}

export interface FulfillmentTables {
  shipping_rates: ShippingRatesTable
  allocations: AllocationsTable
  fulfillment_parcels: FulfillmentParcelsTable
  fulfillment_orders: FulfillmentOrdersTable
  fulfillment_settings: FulfillmentSettingsTable
}
