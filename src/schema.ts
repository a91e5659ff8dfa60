import type { PlatformTables } from './platform/tables.js'
import type { TenantsTables } from './modules/tenants/tables.js'
import type { CatalogTables } from './modules/catalog/tables.js'
import type { CustomersTables } from './modules/customers/tables.js'
import type { OrdersTables } from './modules/orders/tables.js'
import type { ShopifyTables } from './integrations/shopify/tables.js'
import type { TrackingTables } from './modules/tracking/tables.js'
import type { NotificationsTables } from './modules/notifications/tables.js'
import type { InventoryTables } from './modules/inventory/tables.js'
import type { FulfillmentTables } from './modules/fulfillment/tables.js'
import type { CouponsTables } from './modules/coupons/tables.js'
import type { FlowsTables } from './modules/flows/tables.js'
import type { ReviewsTables } from './modules/reviews/tables.js'
import type { ReturnsTables } from './modules/returns/tables.js'

/** The whole database, as Kysely sees it: each part is owned by the module that declares it. */
export interface Database extends PlatformTables, TenantsTables, CatalogTables, CustomersTables, OrdersTables, ShopifyTables, TrackingTables, NotificationsTables, InventoryTables, FulfillmentTables, CouponsTables, FlowsTables, ReviewsTables, ReturnsTables {}

/** Names of the tables that belong to a tenant (they all carry tenant_id). */
export type TenantTable = {
  [K in keyof Database]: Database[K] extends { tenant_id: string } ? K : never
}[keyof Database]
