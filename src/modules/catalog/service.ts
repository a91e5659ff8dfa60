import { z } from 'zod'
import { AppError } from '../../platform/errors.js'
import type { Clock } from '../../platform/clock.js'
import { newId } from '../../platform/ids.js'
import { fromJson, toJson } from '../../platform/db/json.js'
import type { TenantDb } from '../../platform/tenancy.js'
import { Currency, Money, OrderSource } from '../orders/schemas.js'
import { isValidGtin } from './gtin.js'
import type { ProductsTable, VariantsTable } from './tables.js'

const Days = z.number().int().min(1).max(3650)

export const VariantInput = z
  .object({
    externalId: z.string().min(1).max(100).optional(),
    sku: z.string().min(1).max(100).optional(),
    barcode: z
      .string()
      .refine(isValidGtin, 'must be a valid JAN/EAN/UPC barcode (8, 12, 13 or 14 digits with a correct check digit)')
      .optional(),
    title: z.string().min(1).max(500),
    price: Money,
    currency: Currency,
    weightGrams: z.number().int().min(0).max(1_000_000).optional(),
    imageUrl: z.url().max(2000).optional(),
    replenishAfterDays: Days.optional(),
  })
  .strict()

export const ProductInput = z
  .object({
    source: OrderSource.default('api'),
    externalId: z.string().min(1).max(100).optional(),
    title: z.string().min(1).max(500),
    vendor: z.string().max(200).optional(),
    productType: z.string().max(200).optional(),
    tags: z.array(z.string().min(1).max(100)).max(250).default([]),
    imageUrl: z.url().max(2000).optional(),
    /** Typical days until a customer runs out (replenishment reminders). */
    replenishAfterDays: Days.optional(),
    variants: z.array(VariantInput).min(1, 'a product needs at least one variant').max(500),
  })
  .strict()
export type ProductInput = z.input<typeof ProductInput>

export interface Variant {
  id: string
  productId: string
  externalId: string | null
  sku: string | null
  barcode: string | null
  title: string
  price: number
  currency: string
  weightGrams: number | null
  imageUrl: string | null
  replenishAfterDays: number | null
}

export interface Product {
  id: string
  source: string
  externalId: string | null
  title: string
  vendor: string | null
  productType: string | null
  tags: string[]
  imageUrl: string | null
  replenishAfterDays: number | null
  createdAt: string
  updatedAt: string
  variants: Variant[]
}

/** A line of an order, as far as the catalog cares. */
export interface LineRef {
  sku?: string
  externalProductId?: string
  externalVariantId?: string
  title: string
  variantTitle?: string
  unitPrice: number
}

/** Products and variants of a brand. */
export class CatalogService {
  constructor(private readonly clock: Clock) {}

  /** Creates or updates a product (matched by source + externalId) and its variants (by SKU or external id). */
  async upsertProduct(tx: TenantDb, raw: ProductInput): Promise<{ product: Product; created: boolean }> {
    const input = ProductInput.parse(raw)
    const skus = input.variants.map((v) => v.sku).filter((s): s is string => !!s)
    if (new Set(skus).size !== skus.length) {
      throw new AppError('PRODUCT_DUPLICATE_SKU', 'invalid_data', 'Two variants of this product have the same SKU.', {
        fields: [{ pointer: '/variants', message: 'SKUs must be unique' }],
      })
    }
    const now = this.clock.now().toISOString()
    const existing = input.externalId
      ? await tx.selectFrom('products').selectAll().where('source', '=', input.source).where('external_id', '=', input.externalId).executeTakeFirst()
      : undefined
    const productId = existing?.id ?? newId('prod')
    const fields = {
      title: input.title,
      vendor: input.vendor ?? null,
      product_type: input.productType ?? null,
      tags: toJson(input.tags),
      image_url: input.imageUrl ?? null,
      replenish_after_days: input.replenishAfterDays ?? null,
      updated_at: now,
    }
    if (existing) await tx.updateTable('products').set(fields).where('id', '=', productId).execute()
    else await tx.insertInto('products', { id: productId, source: input.source, external_id: input.externalId ?? null, created_at: now, ...fields }).execute()

    for (const v of input.variants) {
      const match = await this.findVariant(tx, input.source, v.sku, v.externalId)
      if (match && match.product_id !== productId) {
        throw new AppError('VARIANT_BELONGS_TO_OTHER_PRODUCT', 'conflict', `SKU ${v.sku ?? v.externalId} already belongs to product ${match.product_id}.`)
      }
      const vf = {
        sku: v.sku ?? null,
        barcode: v.barcode ?? null,
        title: v.title,
        price: v.price,
        currency: v.currency,
        weight_grams: v.weightGrams ?? null,
        image_url: v.imageUrl ?? null,
        replenish_after_days: v.replenishAfterDays ?? null,
        updated_at: now,
      }
      if (match) await tx.updateTable('variants').set(vf).where('id', '=', match.id).execute()
      else
        await tx
          .insertInto('variants', { id: newId('var'), product_id: productId, source: input.source, external_id: v.externalId ?? null, created_at: now, ...vf })
          .execute()
    }
    return { product: (await this.getProduct(tx, productId))!, created: !existing }
  }

  private async findVariant(tx: TenantDb, source: string, sku?: string, externalId?: string) {
    if (sku) {
      const bySku = await tx.selectFrom('variants').selectAll().where('sku', '=', sku).executeTakeFirst()
      if (bySku) return bySku
    }
    if (externalId) return tx.selectFrom('variants').selectAll().where('source', '=', source).where('external_id', '=', externalId).executeTakeFirst()
    return undefined
  }

  async getProduct(tx: TenantDb, id: string): Promise<Product | undefined> {
    const row = await tx.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst()
    if (!row) return undefined
    const variants = await tx.selectFrom('variants').selectAll().where('product_id', '=', id).orderBy('id').execute()
    return toProduct(row, variants)
  }

  async listProducts(tx: TenantDb, opts: { limit: number; after?: string }): Promise<Product[]> {
    let q = tx.selectFrom('products').selectAll().orderBy('id', 'desc').limit(opts.limit)
    if (opts.after) q = q.where('id', '<', opts.after)
    const rows = await q.execute()
    if (rows.length === 0) return []
    const variants = await tx.selectFrom('variants').selectAll().where('product_id', 'in', rows.map((r) => r.id)).orderBy('id').execute()
    return rows.map((r) => toProduct(r, variants.filter((v) => v.product_id === r.id)))
  }

  async variantBySku(tx: TenantDb, sku: string): Promise<Variant | undefined> {
    const row = await tx.selectFrom('variants').selectAll().where('sku', '=', sku).executeTakeFirst()
    return row ? toVariant(row) : undefined
  }

  /** What a page needs to show a variant: its product, titles, image and the product's type. */
  async describeVariants(tx: TenantDb, variantIds: string[]): Promise<Map<string, { variantId: string; productId: string; productTitle: string; variantTitle: string; productType: string | null; imageUrl: string | null; sku: string | null }>> {
    const out = new Map<string, { variantId: string; productId: string; productTitle: string; variantTitle: string; productType: string | null; imageUrl: string | null; sku: string | null }>()
    if (variantIds.length === 0) return out
    const variants = await tx.selectFrom('variants').select(['id', 'product_id', 'title', 'image_url', 'sku']).where('id', 'in', variantIds).execute()
    const productIds = [...new Set(variants.map((v) => v.product_id))]
    const products = new Map((productIds.length ? await tx.selectFrom('products').select(['id', 'title', 'product_type', 'image_url']).where('id', 'in', productIds).execute() : []).map((p) => [p.id, p]))
    for (const v of variants) {
      const p = products.get(v.product_id)
      if (!p) continue
      out.set(v.id, { variantId: v.id, productId: p.id, productTitle: p.title, variantTitle: v.title, productType: p.product_type, imageUrl: v.image_url ?? p.image_url, sku: v.sku })
    }
    return out
  }

  /**
   * A product by its Kando id (`prod_…`) or the shop's own id (storefront widgets know the latter),
   * with its variants' titles. Two indexed statements: an `id = ? or external_id = ?` lookup would
   * walk every product of the brand.
   */
  async productByRef(tx: TenantDb, ref: string): Promise<{ id: string; title: string; imageUrl: string | null; variantIds: string[]; variants: Array<{ id: string; title: string }> } | undefined> {
    // One statement: the product and its variants (a product always has at least one).
    const by = (column: 'products.id' | 'products.external_id') => tx.selectFrom('products')
      .leftJoin('variants', (j) => j.onRef('variants.product_id', '=', 'products.id').onRef('variants.tenant_id', '=', 'products.tenant_id'))
      .select(['products.id as id', 'products.title as title', 'products.image_url as imageUrl', 'variants.id as variantId', 'variants.title as variantTitle'])
      .where(column, '=', ref).orderBy('variants.id').limit(1000).execute()
    let rows = ref.startsWith('prod_') ? await by('products.id') : await by('products.external_id')
    if (rows.length === 0) rows = ref.startsWith('prod_') ? await by('products.external_id') : await by('products.id')
    // An external id shared by two sources: the first product, as before.
    const first = rows[0]
    if (!first) return undefined
    const variants = rows.filter((r) => r.id === first.id && r.variantId).map((r) => ({ id: r.variantId!, title: r.variantTitle! }))
    return { id: first.id, title: first.title, imageUrl: first.imageUrl, variantIds: variants.map((v) => v.id), variants }
  }

  /**
   * What a return or an exchange needs to know of variants: product, type, tags, price, SKU.
   * `ofProducts` adds every variant of those products (the sizes and colours to exchange for).
   */
  async variantFacts(tx: TenantDb, variantIds: readonly string[], ofProducts: readonly string[] = []): Promise<Map<string, { variantId: string; productId: string; productTitle: string; variantTitle: string; productType: string | null; tags: string[]; sku: string | null; price: number; currency: string }>> {
    const out = new Map<string, { variantId: string; productId: string; productTitle: string; variantTitle: string; productType: string | null; tags: string[]; sku: string | null; price: number; currency: string }>()
    if (variantIds.length === 0 && ofProducts.length === 0) return out
    let q = tx.selectFrom('variants').innerJoin('products', (j) => j.onRef('products.id', '=', 'variants.product_id').onRef('products.tenant_id', '=', 'variants.tenant_id'))
      .select(['variants.id as id', 'variants.product_id as productId', 'variants.title as variantTitle', 'variants.sku as sku', 'variants.price as price', 'variants.currency as currency', 'products.title as productTitle', 'products.product_type as productType', 'products.tags as tags'])
    q = q.where((eb) => eb.or([
      ...(variantIds.length ? [eb('variants.id', 'in', [...variantIds])] : []),
      ...(ofProducts.length ? [eb('variants.product_id', 'in', [...ofProducts])] : []),
    ]))
    for (const r of await q.orderBy('variants.id').execute()) {
      out.set(r.id, { variantId: r.id, productId: r.productId, productTitle: r.productTitle, variantTitle: r.variantTitle, productType: r.productType, tags: fromJson<string[]>(r.tags, []), sku: r.sku, price: Number(r.price), currency: r.currency })
    }
    return out
  }

  /** Image URL per variant id (the variant's own, else its product's); variants without one are absent. */
  async imagesForVariants(tx: TenantDb, variantIds: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>()
    if (variantIds.length === 0) return out
    const rows = await tx
      .selectFrom('variants')
      .innerJoin('products', 'products.id', 'variants.product_id')
      .select(['variants.id as id', 'variants.image_url as variantImage', 'products.image_url as productImage'])
      .where('variants.id', 'in', variantIds)
      .execute()
    for (const r of rows) {
      const url = r.variantImage ?? r.productImage
      if (url) out.set(r.id, url)
    }
    return out
  }

  /**
   * The variant id for each order line, creating a minimal product/variant the first time a shop
   * sends a SKU we have not seen, so later modules (stock, reviews, replenishment) have it.
   * Lines with neither SKU nor external variant id get null.
   */
  async variantsForLines(tx: TenantDb, source: string, currency: string, lines: LineRef[]): Promise<Array<string | null>> {
    const out: Array<string | null> = []
    // Known SKUs in one query; only lines we have not seen need more.
    const skus = [...new Set(lines.map((l) => l.sku).filter((s): s is string => !!s))]
    const known = new Map<string, string>()
    if (skus.length > 0) {
      for (const v of await tx.selectFrom('variants').select(['id', 'sku']).where('sku', 'in', skus).execute()) known.set(v.sku!, v.id)
    }
    for (const line of lines) {
      if (!line.sku && !line.externalVariantId) {
        out.push(null)
        continue
      }
      const knownId = line.sku ? known.get(line.sku) : undefined
      if (knownId) {
        out.push(knownId)
        continue
      }
      let found = await this.findVariant(tx, source, line.sku, line.externalVariantId)
      if (!found) {
        const now = this.clock.now().toISOString()
        let productId = newId('prod')
        // With the shop's product id, another line or order may have made the product already.
        await tx
          .insertInto('products', {
            id: productId, source, external_id: line.externalProductId ?? null, title: line.title, vendor: null, product_type: null,
            tags: '[]', image_url: null, replenish_after_days: null, created_at: now, updated_at: now,
          })
          .onConflict((oc) => oc.doNothing())
          .execute()
        if (line.externalProductId) {
          productId = (await tx.selectFrom('products').select('id').where('source', '=', source).where('external_id', '=', line.externalProductId).executeTakeFirstOrThrow()).id
        }
        // A concurrent order may create the same SKU: the unique index decides, we read the winner.
        await tx
          .insertInto('variants', {
            id: newId('var'), product_id: productId, source, external_id: line.externalVariantId ?? null, sku: line.sku ?? null, barcode: null,
            title: line.variantTitle ?? line.title, price: line.unitPrice, currency, weight_grams: null, image_url: null,
            replenish_after_days: null, created_at: now, updated_at: now,
          })
          .onConflict((oc) => oc.doNothing())
          .execute()
        found = await this.findVariant(tx, source, line.sku, line.externalVariantId)
      }
      out.push(found?.id ?? null)
    }
    return out
  }
}

function toVariant(v: VariantsTable): Variant {
  return {
    id: v.id, productId: v.product_id, externalId: v.external_id, sku: v.sku, barcode: v.barcode, title: v.title,
    price: Number(v.price), currency: v.currency, weightGrams: v.weight_grams, imageUrl: v.image_url, replenishAfterDays: v.replenish_after_days,
  }
}

function toProduct(r: ProductsTable, variants: VariantsTable[]): Product {
  return {
    id: r.id, source: r.source, externalId: r.external_id, title: r.title, vendor: r.vendor, productType: r.product_type,
    tags: fromJson(r.tags, []), imageUrl: r.image_url, replenishAfterDays: r.replenish_after_days, createdAt: r.created_at,
    updatedAt: r.updated_at, variants: variants.map(toVariant),
  }
}
