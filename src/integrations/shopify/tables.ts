/** Every Shopify webhook we accepted, kept raw: deduplication by webhook id and replay. */
export interface ShopifyWebhooksTable {
  tenant_id: string
  webhook_id: string
  topic: string
  shop_domain: string | null
  body: string
  received_at: string
  processed_at: string | null
  outcome: string | null
}

export interface ShopifyTables {
  shopify_webhooks: ShopifyWebhooksTable
}
