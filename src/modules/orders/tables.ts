import type { OrderStatus } from './lifecycle.js'

export interface OrdersTable {
  id: string
  tenant_id: string
  source: string
  external_id: string
  number: string | null
  status: OrderStatus
  customer_id: string | null
  email: string | null
  phone: string | null
  currency: string
  subtotal: number
  shipping_total: number
  tax_total: number
  discount_total: number
  total: number
  shipping_address: string | null
  billing_address: string | null
  landing_site: string | null
  referring_site: string | null
  tags: string
  note: string | null
  attributes: string
  placed_at: string
  /** The shop's own last-update time; an older snapshot never overwrites a newer one. */
  source_updated_at: string | null
  created_at: string
  updated_at: string
  /** Bumped on every change: transitions are compare-and-set on it. */
  version: number
  /** 256-bit token of the customer's public order page (/t/:token). */
  tracking_token: string
}

export interface OrderLinesTable {
  id: string
  tenant_id: string
  order_id: string
  position: number
  external_id: string | null
  sku: string | null
  variant_id: string | null
  title: string
  variant_title: string | null
  quantity: number
  unit_price: number
  discount: number
  requires_shipping: number
  shipped_quantity: number
}

export interface OrderHistoryTable {
  id: string
  tenant_id: string
  order_id: string
  from_status: OrderStatus | null
  to_status: OrderStatus
  reason: string | null
  actor: string
  occurred_at: string
}

export interface OrdersTables {
  orders: OrdersTable
  order_lines: OrderLinesTable
  order_history: OrderHistoryTable
}
