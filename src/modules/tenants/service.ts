import { z } from 'zod'
import type { Db, Executor } from '../../platform/db/index.js'
import { isUniqueViolation } from '../../platform/db/index.js'
import type { Clock } from '../../platform/clock.js'
import { AppError } from '../../platform/errors.js'
import { newId, newToken, sha256Hex } from '../../platform/ids.js'
import type { SecretBox } from '../../platform/secrets.js'

export interface Tenant {
  id: string
  slug: string
  name: string
  timezone: string
  locale: string
  createdAt: string
  hasShopifySecret: boolean
}

export interface IssuedApiKey {
  id: string
  /** The whole key: shown once, never stored. */
  key: string
  prefix: string
  label: string
}

export const TenantInput = z
  .object({
    slug: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be 2–63 characters: a–z, 0–9 and -'),
    name: z.string().min(1).max(200),
    timezone: z.string().default('Asia/Tokyo'),
    locale: z.enum(['ja', 'en']).default('ja'),
    shopifySecret: z.string().min(1).max(500).optional(),
  })
  .strict()
export type TenantInput = z.input<typeof TenantInput>

const KEY_PREFIX = 'kando_sk_'

/**
 * Brands (tenants) and their API keys. Keys are 256 random bits, shown once and stored as a
 * SHA-256 hash; a revoked key stops working at once.
 */
export class TenantService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly secrets: SecretBox,
  ) {}

  async create(raw: TenantInput): Promise<{ tenant: Tenant; apiKey: IssuedApiKey }> {
    const input = TenantInput.parse(raw)
    try {
      Intl.DateTimeFormat('en', { timeZone: input.timezone })
    } catch {
      throw new AppError('TENANT_TIMEZONE_INVALID', 'invalid_data', `Unknown time zone "${input.timezone}".`, {
        fields: [{ pointer: '/timezone', message: 'must be an IANA time zone such as Asia/Tokyo' }],
      })
    }
    const now = this.clock.now().toISOString()
    const id = newId('ten')
    return this.db.transaction(async (trx) => {
      try {
        await trx
          .insertInto('tenants')
          .values({
            id,
            slug: input.slug,
            name: input.name,
            timezone: input.timezone,
            locale: input.locale,
            shopify_secret_sealed: input.shopifySecret ? this.secrets.seal(input.shopifySecret) : null,
            created_at: now,
          })
          .execute()
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('TENANT_SLUG_TAKEN', 'conflict', `A tenant with slug "${input.slug}" already exists.`)
        throw err
      }
      const apiKey = await this.issueKey(trx, id, 'default')
      const tenant = await trx.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
      return { tenant: toTenant(tenant), apiKey }
    })
  }

  private async issueKey(db: Executor, tenantId: string, label: string): Promise<IssuedApiKey> {
    const key = KEY_PREFIX + newToken(32)
    const id = newId('key')
    const prefix = key.slice(0, KEY_PREFIX.length + 6)
    await db
      .insertInto('api_keys')
      .values({ id, tenant_id: tenantId, prefix, key_hash: sha256Hex(key), label, created_at: this.clock.now().toISOString(), revoked_at: null })
      .execute()
    return { id, key, prefix, label }
  }

  async createApiKey(tenantRef: string, label = 'cli'): Promise<IssuedApiKey> {
    const tenant = await this.find(tenantRef)
    return this.issueKey(this.db.kysely, tenant.id, label)
  }

  /** Revokes by key id (`key_…`) or by the whole key. Returns false when no live key matched. */
  async revokeApiKey(idOrKey: string): Promise<boolean> {
    const res = await this.db.kysely
      .updateTable('api_keys')
      .set({ revoked_at: this.clock.now().toISOString() })
      .where((eb) => eb.or([eb('id', '=', idOrKey), eb('key_hash', '=', sha256Hex(idOrKey))]))
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    return Number(res.numUpdatedRows) > 0
  }

  async listApiKeys(tenantId: string) {
    const rows = await this.db.kysely.selectFrom('api_keys').selectAll().where('tenant_id', '=', tenantId).orderBy('id').execute()
    return rows.map((r) => ({ id: r.id, prefix: r.prefix, label: r.label, createdAt: r.created_at, revokedAt: r.revoked_at }))
  }

  /** The tenant a live API key belongs to, or undefined. */
  async authenticate(key: string): Promise<Tenant | undefined> {
    if (!key.startsWith(KEY_PREFIX)) return undefined
    const row = await this.db.kysely
      .selectFrom('api_keys')
      .innerJoin('tenants', 'tenants.id', 'api_keys.tenant_id')
      .selectAll('tenants')
      .where('api_keys.key_hash', '=', sha256Hex(key))
      .where('api_keys.revoked_at', 'is', null)
      .executeTakeFirst()
    return row ? toTenant(row) : undefined
  }

  /** By id or slug; pass `db` to read inside an open transaction. */
  async find(ref: string, db: Executor = this.db.kysely): Promise<Tenant> {
    const row = await db
      .selectFrom('tenants')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', ref), eb('slug', '=', ref)]))
      .executeTakeFirst()
    if (!row) throw new AppError('TENANT_NOT_FOUND', 'not_found', `No tenant "${ref}".`)
    return toTenant(row)
  }

  async list(): Promise<Tenant[]> {
    const rows = await this.db.kysely.selectFrom('tenants').selectAll().orderBy('id').execute()
    return rows.map(toTenant)
  }

  /** The tenant's Shopify webhook secret, decrypted; undefined when none is set. */
  async shopifySecret(tenantId: string): Promise<string | undefined> {
    const row = await this.db.kysely.selectFrom('tenants').select('shopify_secret_sealed').where('id', '=', tenantId).executeTakeFirst()
    return row?.shopify_secret_sealed ? this.secrets.open(row.shopify_secret_sealed) : undefined
  }
}

function toTenant(r: { id: string; slug: string; name: string; timezone: string; locale: string; created_at: string; shopify_secret_sealed: string | null }): Tenant {
  return { id: r.id, slug: r.slug, name: r.name, timezone: r.timezone, locale: r.locale, createdAt: r.created_at, hasShopifySecret: r.shopify_secret_sealed !== null }
}
