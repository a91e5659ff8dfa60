export interface TenantsTable {
  id: string
  slug: string
  name: string
  timezone: string
  locale: string
  /** Shopify webhook signing secret, sealed with the installation's SecretBox. */
  shopify_secret_sealed: string | null
  created_at: string
}

export interface ApiKeysTable {
  id: string
  tenant_id: string
  /** First characters of the key, shown in lists so a person can tell keys apart. */
  prefix: string
  /** SHA-256 of the whole key; the key itself is shown once and never stored. */
  key_hash: string
  label: string
  created_at: string
  revoked_at: string | null
}

export interface TenantsTables {
  tenants: TenantsTable
  api_keys: ApiKeysTable
}
