/**
 * Inventory tables. Locations and their daily parcel counts belong to the 3PL (installation-wide,
 * no tenant); items, stock and its ledger belong to a brand.
 */
export interface LocationsTable {
  id: string
  name: string
  /** fulfillment_centre | warehouse | store */
  kind: string
  prefecture_code: string
  lat: number
  lon: number
  /** JSON array of carrier codes; the first is used for lead times. */
  carriers: string
  /** HH:MM Japan time. */
  cutoff: string
  daily_capacity: number
  /** JSON array: cool, frozen, oversized, hazardous. */
  capabilities: string
  /** JSON array of weekdays 0–6 it does not ship. */
  closed_weekdays: string
  /** JSON array of YYYY-MM-DD it does not ship. */
  closed_dates: string
  active: number
  created_at: string
  updated_at: string
}

/** Parcels booked per location and ship day, across every brand (capacity is the 3PL's). */
export interface LocationDaysTable {
  location_id: string
  day: string
  parcels: number
}

/** How a SKU travels: size band (60–160), temperature, capabilities it needs. */
export interface InventoryItemsTable {
  tenant_id: string
  sku: string
  size_band: number
  temperature: string
  requires: string
  updated_at: string
}

export interface StockLevelsTable {
  tenant_id: string
  sku: string
  location_id: string
  on_hand: number
  reserved: number
  /** Sequence of the newest WMS snapshot applied (-1: none). */
  snapshot_seq: number
  updated_at: string
}

/** Every change of on-hand or reserved, with what caused it: the ledger that accounts for each unit. */
export interface StockMovementsTable {
  id: string
  tenant_id: string
  sku: string
  location_id: string
  /** snapshot | delta | delta_superseded | reserve | release | ship | short_pick | import */
  kind: string
  on_hand_change: number
  reserved_change: number
  on_hand_after: number
  reserved_after: number
  seq: number | null
  /** A WMS delta's identity (location:seq:sku), unique so a repeated delta applies once. */
  delta_key: string | null
  /** What caused it (parcel id, import id). */
  ref: string | null
  at: string
}

export interface InventoryTables {
  locations: LocationsTable
  location_days: LocationDaysTable
  inventory_items: InventoryItemsTable
  stock_levels: StockLevelsTable
  stock_movements: StockMovementsTable
}
