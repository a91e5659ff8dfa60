import { sql } from 'kysely'
import type { Clock } from '../../platform/clock.js'
import { isUniqueViolation, type Db } from '../../platform/db/index.js'
import { AppError, type FieldError } from '../../platform/errors.js'
import { newId } from '../../platform/ids.js'
import type { TenantDb } from '../../platform/tenancy.js'
import { CouponPoolNotFound } from './errors.js'
import { IssueKey, MAX_CODE_LENGTH, MAX_CODES_PER_UPLOAD, PoolInput } from './schemas.js'
import type { CouponPoolsTable } from './tables.js'

/** A pool as the API shows it, with how many of its codes are left. */
export interface CouponPool {
  id: string
  name: string
  description: string | null
  expiresAt: string | null
  createdAt: string
  codes: { total: number; issued: number; remaining: number }
}

/**
 * A code handed out. Success has no `exhausted` member (it is declared optional only so that
 * `if (result.exhausted)` narrows); tell the two apart with `'code' in result` or `result.exhausted`.
 */
export interface CouponIssued {
  exhausted?: false
  code: string
  /** When the pool's codes stop working in the shop (null: no end date). */
  expiresAt: string | null
  /** When this key first got the code (the same on every repeat). */
  issuedAt: string
}

/**
 * Nothing to hand out: `no_codes_left` when every code is issued, `pool_expired` when the pool's
 * expiry has passed (an expired pool issues nothing new; a key that already got a code still gets it).
 */
export interface CouponExhausted {
  exhausted: true
  reason: 'no_codes_left' | 'pool_expired'
}

export type IssueResult = CouponIssued | CouponExhausted

// Codes per INSERT statement.
const INSERT_CHUNK = 10_000
// Bad codes reported per upload: enough to fix a file, without a megabyte-long error.
const MAX_REPORTED = 100
// Controls C0, DEL and C1: never part of a code a shopper can type.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

/**
 * Pools of single-use discount codes a brand made in its shop, handed out one per key (a flow
 * run, a review, a return). Every method takes the caller's TenantDb, which may be inside an open
 * transaction: the service then uses only that handle (on SQLite the plain handle would wait for
 * the connection the transaction holds).
 */
export class CouponService {
  constructor(
    // Kept for methods that open their own unit of work; the current ones all run on the caller's `tx`.
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Creates an empty pool. Throws a ZodError (422 over HTTP) on a bad name, description or expiry. */
  async createPool(tx: TenantDb, input: PoolInput): Promise<CouponPool> {
    const p = PoolInput.parse(input)
    const row: Omit<CouponPoolsTable, 'tenant_id'> = {
      id: newId('pool', this.clock.now()),
      name: p.name,
      description: p.description ?? null,
      expires_at: p.expiresAt ? new Date(p.expiresAt).toISOString() : null,
      created_at: this.clock.now().toISOString(),
    }
    await tx.insertInto('coupon_pools', row).execute()
    return poolView({ ...row, tenant_id: tx.tenantId }, { total: 0, issued: 0 })
  }

  /** The brand's pools, newest first, with their code counts. */
  async listPools(tx: TenantDb): Promise<CouponPool[]> {
    const pools = await tx.selectFrom('coupon_pools').selectAll().orderBy('id', 'desc').execute()
    const counts = await this.counts(tx)
    return pools.map((p) => poolView(p, counts.get(p.id)))
  }

  /** One pool with its code counts, or undefined (also for another brand's pool). */
  async getPool(tx: TenantDb, id: string): Promise<CouponPool | undefined> {
    const pool = await tx.selectFrom('coupon_pools').selectAll().where('id', '=', id).executeTakeFirst()
    return pool ? poolView(pool, (await this.counts(tx, id)).get(id)) : undefined
  }

  /**
   * Adds codes to a pool: each is trimmed; an empty one, one longer than 64 characters or one with
   * control characters fails the whole upload (AppError COUPON_CODES_INVALID, a pointer
   * `/codes/<index>` per bad code, the first 100). A code already in the pool or repeated in the
   * upload is counted in `duplicates` and stored once; codes differing only in case are the same
   * code, as in Shopify. At most 100,000 codes per call.
   */
  async addCodes(tx: TenantDb, poolId: string, codes: readonly string[]): Promise<{ added: number; duplicates: number }> {
    if (codes.length > MAX_CODES_PER_UPLOAD) {
      throw new AppError('COUPON_CODES_TOO_MANY', 'invalid_data', `At most ${MAX_CODES_PER_UPLOAD} codes per upload (got ${codes.length}); send them in parts.`, { fields: [{ pointer: '/codes', message: `must hold at most ${MAX_CODES_PER_UPLOAD} codes` }] })
    }
    const errors: FieldError[] = []
    let bad = 0
    const unique = new Map<string, string>()
    codes.forEach((raw, i) => {
      const code = typeof raw === 'string' ? raw.trim() : ''
      const problem = typeof raw !== 'string' ? 'must be a string'
        : code === '' ? 'must not be empty'
        : code.length > MAX_CODE_LENGTH ? `must be at most ${MAX_CODE_LENGTH} characters`
        : CONTROL.test(code) ? 'must not contain control characters'
        : undefined
      if (problem) {
        if (++bad <= MAX_REPORTED) errors.push({ pointer: `/codes/${i}`, message: problem })
        return
      }
      const folded = code.toLowerCase()
      if (!unique.has(folded)) unique.set(folded, code)
    })
    if (bad > 0) {
      throw new AppError('COUPON_CODES_INVALID', 'invalid_data', `${bad} of the ${codes.length} codes ${bad === 1 ? 'is' : 'are'} not valid; nothing was added.`, { fields: errors })
    }
    await this.requirePool(tx, poolId)
    const list = [...unique.values()]
    let added = 0
    for (let i = 0; i < list.length; i += INSERT_CHUNK) {
      // The codes travel as one array parameter, not as thousands of bound values: building and
      // running a 100,000-row VALUES list took seconds, during which SQLite's single writer is held.
      // Raw SQL, so tenant_id is written here from the scope. The case-insensitive unique index
      // decides what is a duplicate, of the pool or of this upload.
      const chunk = list.slice(i, i + INSERT_CHUNK)
      const result = tx.dialect === 'postgres'
        ? await sql`insert into coupon_codes (tenant_id, pool_id, code) select ${tx.tenantId}, ${poolId}, unnest(${chunk}::text[]) on conflict do nothing`.execute(tx.db)
        // "where true" lets SQLite tell the upsert clause from a join constraint of the SELECT.
        : await sql`insert into coupon_codes (tenant_id, pool_id, code) select ${tx.tenantId}, ${poolId}, value from json_each(${JSON.stringify(chunk)}) where true on conflict do nothing`.execute(tx.db)
      added += Number(result.numAffectedRows ?? 0)
    }
    return { added, duplicates: codes.length - added }
  }

  /**
   * Hands out one free code of the pool for `key`, recording the customer when given. The same key
   * gets the same code again (whatever customerId is passed), even after the pool ran out or
   * expired. Two issuers never get the same code: on PostgreSQL each claims a free row with
   * FOR UPDATE SKIP LOCKED, then, if every free row was locked by issuers still in flight, waits
   * for them once and takes what is left; on SQLite the single writer makes one conditional UPDATE
   * enough. Throws CouponPoolNotFound for an unknown (or another brand's) pool.
   * @example
   * const r = await coupons.issue(tx, 'pool_…', { key: `flow:${runId}:coupon`, customerId })
   * if (r.exhausted) skip(r.reason) else send(r.code)
   */
  async issue(tx: TenantDb, poolId: string, opts: { key: string; customerId?: string }): Promise<IssueResult> {
    const keyCheck = IssueKey.safeParse(opts.key)
    if (!keyCheck.success) throw new AppError('COUPON_ISSUE_KEY_INVALID', 'invalid_data', 'An issue key is 1–200 characters.', { fields: [{ pointer: '/key', message: 'must be 1–200 characters' }] })
    const key = keyCheck.data
    const pool = await this.requirePool(tx, poolId)
    const already = await this.issuedTo(tx, pool, key)
    if (already) return already
    const now = this.clock.now()
    if (pool.expires_at !== null && Date.parse(pool.expires_at) <= now.getTime()) return { exhausted: true, reason: 'pool_expired' }

    // Another issuer with the same key may commit between our lookup and our claim: the unique
    // index on the key refuses the second claim, and that caller gets the first one's code. On
    // PostgreSQL the failed statement would abort the caller's transaction, so it runs in a savepoint.
    const savepoint = tx.dialect === 'postgres' && tx.db.isTransaction
    if (savepoint) await sql`savepoint coupon_issue`.execute(tx.db)
    try {
      const code = await this.claim(tx, poolId, key, opts.customerId ?? null, now.toISOString())
      if (savepoint) await sql`release savepoint coupon_issue`.execute(tx.db)
      return code === undefined ? { exhausted: true, reason: 'no_codes_left' } : { code, expiresAt: pool.expires_at, issuedAt: now.toISOString() }
    } catch (err) {
      if (savepoint) await sql`rollback to savepoint coupon_issue`.execute(tx.db)
      if (!isUniqueViolation(err)) throw err
      const winner = await this.issuedTo(tx, pool, key)
      if (!winner) throw err
      return winner
    }
  }

  /** Claims one free code for `key`; undefined when none is free. */
  private async claim(tx: TenantDb, poolId: string, key: string, customerId: string | null, at: string): Promise<string | undefined> {
    const attempts = tx.dialect === 'postgres' ? (['skip_locked', 'wait'] as const) : (['single_writer'] as const)
    for (const mode of attempts) {
      let free = tx.selectFrom('coupon_codes').select('code').where('pool_id', '=', poolId).where('issued_key', 'is', null).orderBy('code').limit(1)
      if (mode === 'skip_locked') free = free.forUpdate().skipLocked()
      // Blocks on rows other issuers hold, re-checks them once they commit and moves on to the next free one.
      if (mode === 'wait') free = free.forUpdate()
      const row = await tx.updateTable('coupon_codes')
        .set({ issued_key: key, customer_id: customerId, issued_at: at })
        .where('pool_id', '=', poolId)
        .where('issued_key', 'is', null)
        .where('code', '=', free)
        .returning('code')
        .executeTakeFirst()
      if (row) return row.code
    }
    return undefined
  }

  private async issuedTo(tx: TenantDb, pool: CouponPoolsTable, key: string): Promise<CouponIssued | undefined> {
    const row = await tx.selectFrom('coupon_codes').select(['code', 'issued_at']).where('pool_id', '=', pool.id).where('issued_key', '=', key).executeTakeFirst()
    return row ? { code: row.code, expiresAt: pool.expires_at, issuedAt: row.issued_at ?? '' } : undefined
  }

  private async requirePool(tx: TenantDb, id: string): Promise<CouponPoolsTable> {
    const pool = await tx.selectFrom('coupon_pools').selectAll().where('id', '=', id).executeTakeFirst()
    if (!pool) throw new CouponPoolNotFound(id)
    return pool
  }

  /** Codes per pool: total and issued (one aggregate over the pool's primary-key index). */
  private async counts(tx: TenantDb, poolId?: string): Promise<Map<string, { total: number; issued: number }>> {
    let q = tx.selectFrom('coupon_codes')
      .select((eb) => ['pool_id', eb.fn.countAll<number>().as('total'), eb.fn.count<number>('issued_key').as('issued')])
      .groupBy('pool_id')
    if (poolId) q = q.where('pool_id', '=', poolId)
    return new Map((await q.execute()).map((r) => [r.pool_id, { total: Number(r.total), issued: Number(r.issued) }]))
  }
}

function poolView(p: CouponPoolsTable, c: { total: number; issued: number } = { total: 0, issued: 0 }): CouponPool {
  return {
    id: p.id, name: p.name, description: p.description, expiresAt: p.expires_at, createdAt: p.created_at,
    codes: { total: c.total, issued: c.issued, remaining: c.total - c.issued },
  }
}
