export interface ProductsTable {
  id: string
  tenant_id: string
  source: string
  external_id: string | null
  title: string
  vendor: string | null
  product_type: string | null
  tags: string
  image_url: string | null
  replenish_after_days: number | null
  created_at: string
  updated_at: string
}

export interface VariantsTable {
  id: string
  tenant_id: string
  product_id: string
  source: string
  external_id: string | null
  sku: string | null
  /** JAN / EAN / UPC barcode (GTIN), check digit verified. */
  barcode: string | null
  title: string
  price: number
  currency: string
  weight_grams: number | null
  image_url: string | null
  replenish_after_days: number | null
  created_at: string
  updated_at: string
}

export interface CatalogTables {
  products: ProductsTable
  variants: VariantsTable
}
