export { CatalogService, ProductInput, VariantInput, type Product, type Variant, type LineRef } from './service.js'
export { isValidGtin } from './gtin.js'
