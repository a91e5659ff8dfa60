import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { IssueResult } from '../src/modules/coupons/index.js'
import type { TenantDb } from '../src/platform/tenancy.js'
import { DIALECTS } from './databases.js'
import { startTestServer, type TestServer } from './harness.js'

// Real time, shifted by hand to pass a pool's expiry.
let offsetMs = 0
const clock = { now: () => new Date(Date.now() + offsetMs) }

for (const dialect of DIALECTS) {
  describe(`${dialect}: coupon pools`, () => {
    let s: TestServer
    let keyA: string
    let keyB: string
    let scopeA: TenantDb
    let scopeB: TenantDb

    const call = (method: string, path: string, body?: unknown, k = keyA) => s.call(method, path, { key: k, body })
    const newPool = async (name: string, extra: Record<string, unknown> = {}) => {
      const res = await call('POST', '/api/v1/coupon-pools', { name, ...extra })
      expect(res.status).toBe(201)
      return res.body as { id: string; expiresAt: string | null }
    }
    const addCodes = async (poolId: string, codes: string[]) => {
      const res = await call('POST', `/api/v1/coupon-pools/${poolId}/codes`, { codes })
      expect(res.status).toBe(200)
      return res.body as { added: number; duplicates: number; pool: { codes: { total: number; issued: number; remaining: number } } }
    }
    /** One issue in its own unit of work (a transaction on PostgreSQL, a group-commit unit on SQLite). */
    const issueTx = (poolId: string, key: string, opts: { holdMs?: number; customerId?: string } = {}) =>
      s.kando.db.transaction(async (trx) => {
        const r = await s.kando.coupons.issue(scopeA.with(trx), poolId, { key, customerId: opts.customerId })
        // Hold the claimed row locked a moment so concurrent PostgreSQL issuers really overlap.
        if (dialect === 'postgres' && opts.holdMs) await sql`select pg_sleep(${opts.holdMs / 1000})`.execute(trx)
        // The transaction is still usable after issuing (also after a key collision rolled back to the savepoint).
        await trx.selectFrom('coupon_pools').select('id').limit(1).execute()
        return r
      })
    const codeOf = (r: IssueResult) => {
      if (r.exhausted) throw new Error(`exhausted: ${r.reason}`)
      return r.code
    }

    beforeAll(async () => {
      s = await startTestServer(dialect, {}, { clock })
      const a = await s.kando.tenants.create({ slug: 'coupon-a', name: '感動ストア' })
      const b = await s.kando.tenants.create({ slug: 'coupon-b', name: 'Other brand' })
      keyA = a.apiKey.key
      keyB = b.apiKey.key
      scopeA = s.kando.scope(a.tenant.id)
      scopeB = s.kando.scope(b.tenant.id)
    })
    afterAll(async () => s?.close())

    it('creates a pool; a bad name or expiry is a 422 with pointers', async () => {
      const pool = await newPool('Refill 10% off', { description: '定期便の2回目に', expiresAt: '2027-03-31T23:59:59+09:00' })
      expect(pool).toMatchObject({ name: 'Refill 10% off', description: '定期便の2回目に', expiresAt: '2027-03-31T14:59:59.000Z', codes: { total: 0, issued: 0, remaining: 0 } })
      expect(pool.id).toMatch(/^pool_/)
      const bad = await call('POST', '/api/v1/coupon-pools', { name: '', expiresAt: 'next week' })
      expect(bad.status).toBe(422)
      expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/)
      expect(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/body/expiresAt', '/body/name'])
      expect((await call('GET', `/api/v1/coupon-pools/${pool.id}`)).body).toMatchObject({ id: pool.id, codes: { total: 0 } })
      expect((await call('GET', '/api/v1/coupon-pools')).body.items.map((p: { id: string }) => p.id)).toContain(pool.id)
    })

    it('adds codes trimmed and once each (ignoring case, as Shopify does), counting the duplicates', async () => {
      const pool = await newPool('Dupes')
      const first = await addCodes(pool.id, ['KANDO-A1', 'KANDO-A2', '  KANDO-A3 ', 'kando-a1', 'KANDO-A2'])
      expect(first).toMatchObject({ added: 3, duplicates: 2, pool: { codes: { total: 3, issued: 0, remaining: 3 } } })
      const second = await addCodes(pool.id, ['KANDO-A3', 'KANDO-A4'])
      expect(second).toMatchObject({ added: 1, duplicates: 1, pool: { codes: { total: 4, remaining: 4 } } })
      const codes = await scopeA.selectFrom('coupon_codes').select('code').where('pool_id', '=', pool.id).orderBy('code').execute()
      expect(codes.map((c) => c.code)).toEqual(['KANDO-A1', 'KANDO-A2', 'KANDO-A3', 'KANDO-A4'])
      // Characters that array and JSON encodings escape arrive unchanged.
      const odd = ['Q"1', 'B\\2', 'C,3', '{D}', 'NULL', '柚子-10%OFF', 'with space']
      expect(await addCodes(pool.id, odd)).toMatchObject({ added: odd.length, duplicates: 0 })
      const stored = await scopeA.selectFrom('coupon_codes').select('code').where('pool_id', '=', pool.id).where('code', 'in', odd).execute()
      expect(stored.map((c) => c.code).sort()).toEqual([...odd].sort())
    })

    it('refuses an upload with an empty, too long or control-character code, pointing at each; adds nothing', async () => {
      const pool = await newPool('Bad codes')
      const res = await call('POST', `/api/v1/coupon-pools/${pool.id}/codes`, { codes: ['OK-1', '   ', 'X'.repeat(65), 'BELL\u0007', 'OK-2'] })
      expect(res.status).toBe(422)
      expect(res.body).toMatchObject({ code: 'COUPON_CODES_INVALID' })
      expect(res.body.errors).toEqual([
        { pointer: '/codes/1', message: 'must not be empty' },
        { pointer: '/codes/2', message: 'must be at most 64 characters' },
        { pointer: '/codes/3', message: 'must not contain control characters' },
      ])
      expect((await call('GET', `/api/v1/coupon-pools/${pool.id}`)).body.codes.total).toBe(0)
      expect((await call('POST', `/api/v1/coupon-pools/${pool.id}/codes`, { codes: [] })).status).toBe(422)
      const missing = await call('POST', '/api/v1/coupon-pools/pool_nope/codes', { codes: ['A'] })
      expect(missing.status).toBe(404)
      expect(missing.body.code).toBe('COUPON_POOL_NOT_FOUND')
    })

    it('takes 100,000 codes in one upload (beyond the general body limit) and no more', async () => {
      const pool = await newPool('Big campaign')
      const codes = Array.from({ length: 100_000 }, (_, i) => `BIG-${String(i).padStart(8, '0')}`)
      const res = await addCodes(pool.id, codes)
      expect(res).toMatchObject({ added: 100_000, duplicates: 0, pool: { codes: { total: 100_000, remaining: 100_000 } } })
      const r = await issueTx(pool.id, 'big-1')
      expect(codeOf(r)).toBe('BIG-00000000')
      const tooMany = await call('POST', `/api/v1/coupon-pools/${pool.id}/codes`, { codes: [...codes, 'ONE-MORE'] })
      expect(tooMany.status).toBe(422)
      expect(tooMany.body.errors[0].pointer).toBe('/body/codes')
    })

    it('issues one code per key: the same key gets the same code again', async () => {
      const pool = await newPool('Idempotent', { expiresAt: '2099-01-01T00:00:00Z' })
      await addCodes(pool.id, ['ID-1', 'ID-2', 'ID-3'])
      const first = await issueTx(pool.id, 'flow:run_1:coupon', { customerId: 'cus_x' })
      expect(first).toMatchObject({ code: 'ID-1', expiresAt: '2099-01-01T00:00:00.000Z' })
      expect('exhausted' in first).toBe(false)
      const again = await issueTx(pool.id, 'flow:run_1:coupon')
      expect(again).toEqual(first)
      const other = await s.kando.coupons.issue(scopeA, pool.id, { key: 'flow:run_2:coupon' }) // outside a transaction too
      expect(codeOf(other)).toBe('ID-2')
      expect((await call('GET', `/api/v1/coupon-pools/${pool.id}`)).body.codes).toEqual({ total: 3, issued: 2, remaining: 1 })
      const row = await scopeA.selectFrom('coupon_codes').selectAll().where('pool_id', '=', pool.id).where('code', '=', 'ID-1').executeTakeFirstOrThrow()
      expect(row).toMatchObject({ issued_key: 'flow:run_1:coupon', customer_id: 'cus_x' })
      await expect(s.kando.coupons.issue(scopeA, pool.id, { key: '' })).rejects.toMatchObject({ code: 'COUPON_ISSUE_KEY_INVALID' })
    })

    it('an exhausted pool says so; keys that got a code keep it', async () => {
      const pool = await newPool('Two only')
      await addCodes(pool.id, ['TWO-1', 'TWO-2'])
      expect(codeOf(await issueTx(pool.id, 'k1'))).toBe('TWO-1')
      expect(codeOf(await issueTx(pool.id, 'k2'))).toBe('TWO-2')
      expect(await issueTx(pool.id, 'k3')).toEqual({ exhausted: true, reason: 'no_codes_left' })
      expect(codeOf(await issueTx(pool.id, 'k1'))).toBe('TWO-1')
      // More codes uploaded: issuing resumes.
      await addCodes(pool.id, ['TWO-3'])
      expect(codeOf(await issueTx(pool.id, 'k3'))).toBe('TWO-3')
    })

    it('an expired pool issues nothing new, but a key that got a code still gets it', async () => {
      const pool = await newPool('Ends soon', { expiresAt: new Date(clock.now().getTime() + 60 * 60_000).toISOString() })
      await addCodes(pool.id, ['END-1', 'END-2'])
      expect(codeOf(await issueTx(pool.id, 'before'))).toBe('END-1')
      offsetMs = 2 * 60 * 60_000
      try {
        expect(await issueTx(pool.id, 'after')).toEqual({ exhausted: true, reason: 'pool_expired' })
        expect(codeOf(await issueTx(pool.id, 'before'))).toBe('END-1')
      } finally {
        offsetMs = 0
      }
    })

    it("another brand's pool is not found: not listed, not readable, not fillable, issues nothing", async () => {
      const pool = await newPool('Private')
      await addCodes(pool.id, ['MINE-1'])
      expect((await call('GET', `/api/v1/coupon-pools/${pool.id}`, undefined, keyB)).status).toBe(404)
      expect((await call('POST', `/api/v1/coupon-pools/${pool.id}/codes`, { codes: ['THEIRS'] }, keyB)).status).toBe(404)
      expect((await call('GET', '/api/v1/coupon-pools', undefined, keyB)).body.items).toEqual([])
      await expect(s.kando.coupons.issue(scopeB, pool.id, { key: 'steal' })).rejects.toMatchObject({ code: 'COUPON_POOL_NOT_FOUND', kind: 'not_found' })
      await expect(s.kando.db.transaction((trx) => s.kando.coupons.issue(scopeB.with(trx), pool.id, { key: 'steal' }))).rejects.toMatchObject({ code: 'COUPON_POOL_NOT_FOUND' })
      expect((await call('GET', `/api/v1/coupon-pools/${pool.id}`)).body.codes).toEqual({ total: 1, issued: 0, remaining: 1 })
      expect((await s.call('GET', '/api/v1/coupon-pools')).status).toBe(401)
    })

    it('8 concurrent issuers, 40 keys, 20 codes: exactly 20 distinct codes go out, none twice', async () => {
      const pool = await newPool('Race')
      await addCodes(pool.id, Array.from({ length: 20 }, (_, i) => `RACE-${String(i).padStart(2, '0')}`))
      let next = 0
      const results: Array<{ key: string; r: IssueResult }> = []
      await Promise.all(Array.from({ length: 8 }, async () => {
        while (next < 40) {
          const key = `race-${next++}`
          results.push({ key, r: await issueTx(pool.id, key, { holdMs: 15 }) })
        }
      }))
      expect(results).toHaveLength(40)
      const codes = results.flatMap(({ r }) => (r.exhausted ? [] : [r.code]))
      expect(codes).toHaveLength(20)
      expect(new Set(codes).size).toBe(20)
      expect(results.filter(({ r }) => r.exhausted && r.reason === 'no_codes_left')).toHaveLength(20)
      const rows = await scopeA.selectFrom('coupon_codes').selectAll().where('pool_id', '=', pool.id).execute()
      expect(rows.every((row) => row.issued_key !== null)).toBe(true)
      // Each stored key matches the code its caller was told.
      const told = new Map(results.flatMap(({ key, r }) => (r.exhausted ? [] : [[key, r.code] as const])))
      for (const row of rows) expect(told.get(row.issued_key!)).toBe(row.code)
    })

    it('concurrent issuers with the same key all get the one code it claimed', async () => {
      const pool = await newPool('Same key')
      await addCodes(pool.id, Array.from({ length: 10 }, (_, i) => `SAME-${i}`))
      const inTx = await Promise.all(Array.from({ length: 8 }, () => issueTx(pool.id, 'one-key', { holdMs: 20 })))
      expect(new Set(inTx.map(codeOf)).size).toBe(1)
      const bare = await Promise.all(Array.from({ length: 8 }, () => s.kando.coupons.issue(scopeA, pool.id, { key: 'other-key' })))
      expect(new Set(bare.map(codeOf)).size).toBe(1)
      expect((await call('GET', `/api/v1/coupon-pools/${pool.id}`)).body.codes).toEqual({ total: 10, issued: 2, remaining: 8 })
    })
  })
}
