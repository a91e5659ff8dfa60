import type { SelectQueryBuilder } from 'kysely'
import type { Clock } from '../../platform/clock.js'
import { fromJson, toJson } from '../../platform/db/json.js'
import type { EventBus } from '../../platform/events.js'
import { newId } from '../../platform/ids.js'
import { toE164 } from '../../platform/japan/phone.js'
import { AppError } from '../../platform/errors.js'
import type { TenantDb } from '../../platform/tenancy.js'
import type { CustomerInput } from '../orders/schemas.js'
import { Tag, TraitKey, TraitSource, TraitValue, checked } from './profile.js'
import type { CustomerConsentsTable, CustomersTable } from './tables.js'

export interface Customer {
  id: string
  email: string | null
  phone: string | null
  firstName: string | null
  lastName: string | null
  locale: string
  lineUserId: string | null
  externalIds: Record<string, string>
  acceptsMarketing: boolean
  createdAt: string
  updatedAt: string
}

/** People who bought from a brand: one profile per person, found by shop id, then email, then phone. */
export class CustomerService {
  constructor(
    private readonly clock: Clock,
    private readonly events: EventBus,
  ) {}

  /**
   * Finds or creates the customer an order belongs to and fills in what we did not know yet.
   * Emits `customer.created` for a new profile. Returns undefined when the order names nobody.
   */
  async upsertFromOrder(tx: TenantDb, source: string, input: CustomerInput | undefined, defaultLocale: string): Promise<Customer | undefined> {
    const email = input?.email?.trim().toLowerCase() || undefined
    const phone = input?.phone ? toE164(input.phone) : undefined
    if (!input?.externalId && !email && !phone && !input?.lineUserId) return undefined
    const now = this.clock.now().toISOString()

    // One query for every way we may know this person (a UNION of indexed lookups: an OR across
    // columns would scan the table); the best match wins: shop id, then email, then phone.
    const externalId = input?.externalId
    const branches: Array<SelectQueryBuilder<any, any, CustomersTable>> = []
    if (externalId) {
      branches.push(
        tx
          .selectFrom('customer_external_ids')
          .innerJoin('customers', 'customers.id', 'customer_external_ids.customer_id')
          .selectAll('customers')
          .where('customer_external_ids.source', '=', source)
          .where('customer_external_ids.external_id', '=', externalId),
      )
    }
    if (email) branches.push(tx.selectFrom('customers').selectAll().where('email', '=', email))
    if (phone) branches.push(tx.selectFrom('customers').selectAll().where('phone', '=', phone))
    let query = branches[0]!
    for (const b of branches.slice(1)) query = query.unionAll(b)
    const candidates = ((await query.execute()) as CustomersTable[]).sort((x, y) => (x.id < y.id ? -1 : 1))
    let row: CustomersTable | undefined =
      (externalId ? candidates.find((c) => fromJson<Record<string, string>>(c.external_ids, {})[source] === externalId) : undefined) ??
      (email ? candidates.find((c) => c.email === email) : undefined) ??
      (phone ? candidates.find((c) => c.phone === phone) : undefined)

    if (!row) {
      const fresh: Omit<CustomersTable, 'tenant_id'> = {
        id: newId('cus'),
        email: email ?? null,
        phone: phone ?? null,
        first_name: input?.firstName ?? null,
        last_name: input?.lastName ?? null,
        locale: input?.locale ?? defaultLocale,
        line_user_id: input?.lineUserId ?? null,
        external_ids: toJson(input?.externalId ? { [source]: input.externalId } : {}),
        accepts_marketing: input?.acceptsMarketing ? 1 : 0,
        created_at: now,
        updated_at: now,
      }
      await tx.insertInto('customers', fresh).execute()
      if (input?.externalId) await this.link(tx, source, input.externalId, fresh.id)
      await this.events.append(tx, 'customer.created', fresh.id, { customerId: fresh.id, source })
      if (input?.acceptsMarketing) await this.recordConsent(tx, fresh.id, 'email', true, source, 'accepts_marketing on the order')
      return toCustomer({ ...fresh, tenant_id: tx.tenantId })
    }

    // Known person: fill gaps, take newer names; never blank out what we know.
    const externalIds = fromJson<Record<string, string>>(row.external_ids, {})
    const patch: Partial<CustomersTable> = {}
    if (email && !row.email) patch.email = email
    if (phone && !row.phone) patch.phone = phone
    if (input?.firstName && input.firstName !== row.first_name) patch.first_name = input.firstName
    if (input?.lastName && input.lastName !== row.last_name) patch.last_name = input.lastName
    if (input?.locale && input.locale !== row.locale) patch.locale = input.locale
    if (input?.lineUserId && !row.line_user_id) patch.line_user_id = input.lineUserId
    if (input?.acceptsMarketing !== undefined && (input.acceptsMarketing ? 1 : 0) !== row.accepts_marketing) {
      await this.recordConsent(tx, row.id, 'email', input.acceptsMarketing, source, 'accepts_marketing on the order')
      patch.accepts_marketing = input.acceptsMarketing ? 1 : 0
    }
    if (input?.externalId && externalIds[source] !== input.externalId) {
      externalIds[source] = input.externalId
      patch.external_ids = toJson(externalIds)
      await this.link(tx, source, input.externalId, row.id)
    }
    if (Object.keys(patch).length > 0) {
      patch.updated_at = now
      await tx.updateTable('customers').set(patch).where('id', '=', row.id).execute()
      row = { ...row, ...patch }
    }
    return toCustomer(row)
  }

  private async link(tx: TenantDb, source: string, externalId: string, customerId: string): Promise<void> {
    await tx.insertInto('customer_external_ids', { source, external_id: externalId, customer_id: customerId }).onConflict((oc) => oc.doNothing()).execute()
  }

  /**
   * Appends a grant or withdrawal of marketing consent for one channel to the ledger, when it
   * changes the current state, and emits `customer.consent_changed`. Returns whether it changed.
   */
  async recordConsent(tx: TenantDb, customerId: string, channel: ConsentChannel, granted: boolean, source: string, evidence?: string): Promise<boolean> {
    const current = await this.currentConsent(tx, customerId, channel)
    if ((current?.granted ?? false) === granted && current) return false
    if (!current && !granted) return false // never asked, and still not: nothing to record
    const now = this.clock.now()
    await tx.insertInto('customer_consents', {
      id: newId('con', now), customer_id: customerId, channel, granted: granted ? 1 : 0, source, evidence: evidence ?? null, recorded_at: now.toISOString(),
    }).execute()
    if (channel === 'email') await tx.updateTable('customers').set({ accepts_marketing: granted ? 1 : 0, updated_at: now.toISOString() }).where('id', '=', customerId).execute()
    await this.events.append(tx, 'customer.consent_changed', customerId, { customerId, channel, granted, source })
    return true
  }

  /** The current marketing consent per channel (absent: never asked, which means no). */
  async consents(tx: TenantDb, customerId: string): Promise<Partial<Record<ConsentChannel, ConsentState>>> {
    const out: Partial<Record<ConsentChannel, ConsentState>> = {}
    for (const channel of CONSENT_CHANNELS) {
      const c = await this.currentConsent(tx, customerId, channel)
      if (c) out[channel] = c
    }
    return out
  }

  /** The whole ledger of one customer, oldest first (proof of consent). */
  async consentHistory(tx: TenantDb, customerId: string): Promise<Array<ConsentState & { channel: ConsentChannel }>> {
    const rows = await tx.selectFrom('customer_consents').selectAll().where('customer_id', '=', customerId).orderBy('id').execute()
    return rows.map((r) => ({ channel: r.channel as ConsentChannel, ...toConsent(r) }))
  }

  async currentConsent(tx: TenantDb, customerId: string, channel: ConsentChannel): Promise<ConsentState | undefined> {
    const row = await tx.selectFrom('customer_consents').selectAll()
      .where('customer_id', '=', customerId).where('channel', '=', channel).orderBy('id', 'desc').limit(1).executeTakeFirst()
    return row ? toConsent(row) : undefined
  }

  /** Contact details the brand sets through the API (LINE link, preferred language). */
  async update(tx: TenantDb, id: string, patch: { lineUserId?: string | null; locale?: string; email?: string; phone?: string }): Promise<Customer | undefined> {
    const set: Partial<CustomersTable> = {}
    if (patch.lineUserId !== undefined) set.line_user_id = patch.lineUserId
    if (patch.locale !== undefined) set.locale = patch.locale
    if (patch.email !== undefined) set.email = patch.email.trim().toLowerCase()
    if (patch.phone !== undefined) set.phone = toE164(patch.phone) ?? null
    if (Object.keys(set).length > 0) {
      set.updated_at = this.clock.now().toISOString()
      await tx.updateTable('customers').set(set).where('id', '=', id).execute()
    }
    return this.get(tx, id)
  }

  async get(tx: TenantDb, id: string): Promise<Customer | undefined> {
    const row = await tx.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst()
    return row ? toCustomer(row) : undefined
  }

  /** Which of these ids are this tenant's customers (one indexed query). */
  async existing(tx: TenantDb, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set()
    return new Set((await tx.selectFrom('customers').select('id').where('id', 'in', ids).execute()).map((r) => r.id))
  }

  async list(tx: TenantDb, opts: { limit: number; after?: string; email?: string }): Promise<Customer[]> {
    let q = tx.selectFrom('customers').selectAll().orderBy('id', 'desc').limit(opts.limit)
    if (opts.after) q = q.where('id', '<', opts.after)
    if (opts.email) q = q.where('email', '=', opts.email.trim().toLowerCase())
    return (await q.execute()).map(toCustomer)
  }

  // ------------------------------------------------------------------ tags and traits

  /** The customer's tags, sorted (by UTF-16 code unit, the same on both databases). */
  async tags(tx: TenantDb, customerId: string): Promise<string[]> {
    const rows = await tx.selectFrom('customer_tags').select('tag').where('customer_id', '=', customerId).execute()
    return rows.map((r) => r.tag).sort()
  }

  /** The tags of many customers at once (reports group by them). */
  async tagsOf(tx: TenantDb, customerIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>()
    for (let i = 0; i < customerIds.length; i += 500) {
      const rows = await tx.selectFrom('customer_tags').select(['customer_id', 'tag']).where('customer_id', 'in', customerIds.slice(i, i + 500)).execute()
      for (const r of rows) out.set(r.customer_id, [...(out.get(r.customer_id) ?? []), r.tag].sort())
    }
    return out
  }

  /**
   * Tags the customer; true when the tag is new. Throws AppError CUSTOMER_TAG_INVALID for a bad tag
   * (1–64 characters, no control characters, no space at either end) and CUSTOMER_NOT_FOUND.
   */
  async addTag(tx: TenantDb, customerId: string, tag: string): Promise<boolean> {
    const t = checked(Tag, tag, 'CUSTOMER_TAG_INVALID', '/tag', 'tag')
    await this.requireCustomer(tx, customerId)
    const r = await tx.insertInto('customer_tags', { customer_id: customerId, tag: t, created_at: this.clock.now().toISOString() })
      .onConflict((oc) => oc.columns(['tenant_id', 'customer_id', 'tag']).doNothing())
      .executeTakeFirst()
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0
  }

  /** Removes a tag; true when the customer had it. */
  async removeTag(tx: TenantDb, customerId: string, tag: string): Promise<boolean> {
    const r = await tx.deleteFrom('customer_tags').where('customer_id', '=', customerId).where('tag', '=', tag).executeTakeFirst()
    return Number(r.numDeletedRows) > 0
  }

  /**
   * The customer's traits. The object has no prototype, so a key such as `constructor` that was
   * never set reads as undefined rather than as Object's own member.
   */
  async traits(tx: TenantDb, customerId: string): Promise<Record<string, string | number | boolean | null>> {
    const rows = await tx.selectFrom('customer_traits').select(['key', 'value']).where('customer_id', '=', customerId).orderBy('key').execute()
    const out = Object.create(null) as Record<string, string | number | boolean | null>
    for (const r of rows) out[r.key] = fromJson<string | number | boolean | null>(r.value, null)
    return out
  }

  /**
   * Sets (creates or replaces) one trait; `null` removes it, so a missing trait and a null one read
   * the same (absent). `source` says who set it (`api`, `flow:<id>`). Throws AppError
   * CUSTOMER_TRAIT_INVALID for a bad key (1–64 of A-Z a-z 0-9 _ . -), value (string over 1000
   * characters, non-finite number) or source, and CUSTOMER_NOT_FOUND.
   */
  async setTrait(tx: TenantDb, customerId: string, key: string, value: string | number | boolean | null, source: string): Promise<void> {
    const k = checked(TraitKey, key, 'CUSTOMER_TRAIT_INVALID', '/key', 'trait key')
    const v = checked(TraitValue, value, 'CUSTOMER_TRAIT_INVALID', '/value', 'trait value')
    const s = checked(TraitSource, source, 'CUSTOMER_TRAIT_INVALID', '/source', 'trait source')
    await this.requireCustomer(tx, customerId)
    if (v === null) {
      await tx.deleteFrom('customer_traits').where('customer_id', '=', customerId).where('key', '=', k).execute()
      return
    }
    const row = { value: toJson(v), source: s, updated_at: this.clock.now().toISOString() }
    await tx.insertInto('customer_traits', { customer_id: customerId, key: k, ...row })
      .onConflict((oc) => oc.columns(['tenant_id', 'customer_id', 'key']).doUpdateSet(row))
      .execute()
  }

  private async requireCustomer(tx: TenantDb, customerId: string): Promise<void> {
    const found = await tx.selectFrom('customers').select('id').where('id', '=', customerId).executeTakeFirst()
    if (!found) throw new AppError('CUSTOMER_NOT_FOUND', 'not_found', `No customer with id ${customerId}.`)
  }
}

export const CONSENT_CHANNELS = ['email', 'line', 'sms'] as const
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number]
export interface ConsentState {
  granted: boolean
  source: string
  evidence: string | null
  recordedAt: string
}

function toConsent(r: CustomerConsentsTable): ConsentState {
  return { granted: r.granted === 1, source: r.source, evidence: r.evidence, recordedAt: r.recorded_at }
}

function toCustomer(r: CustomersTable): Customer {
  return {
    id: r.id, email: r.email, phone: r.phone, firstName: r.first_name, lastName: r.last_name, locale: r.locale,
    lineUserId: r.line_user_id, externalIds: fromJson(r.external_ids, {}), acceptsMarketing: r.accepts_marketing === 1,
    createdAt: r.created_at, updatedAt: r.updated_at,
  }
}
