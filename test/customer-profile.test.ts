import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TenantDb } from '../src/platform/tenancy.js'
import { DIALECTS } from './databases.js'
import { sampleOrder, startTestServer, type TestServer } from './harness.js'

for (const dialect of DIALECTS) {
  describe(`${dialect}: customer tags and traits`, () => {
    let s: TestServer
    let keyA: string
    let keyB: string
    let scopeA: TenantDb
    let n = 0

    const call = (method: string, path: string, body?: unknown, key = keyA) => s.call(method, path, { key, body })
    const newCustomer = async (key = keyA) => {
      const res = await call('POST', '/api/v1/orders', sampleOrder(`prof-${dialect}-${++n}`, { customer: { email: `p${n}@example.jp`, locale: 'ja' } }), key)
      expect(res.status).toBe(201)
      return res.body.customerId as string
    }
    const tag = (id: string, t: string, method: 'PUT' | 'DELETE' = 'PUT', key = keyA) => call(method, `/api/v1/customers/${id}/tags/${encodeURIComponent(t)}`, undefined, key)

    beforeAll(async () => {
      s = await startTestServer(dialect)
      const a = await s.kando.tenants.create({ slug: 'profile-a', name: '感動ストア' })
      keyA = a.apiKey.key
      keyB = (await s.kando.tenants.create({ slug: 'profile-b', name: 'Other brand' })).apiKey.key
      scopeA = s.kando.scope(a.tenant.id)
    })
    afterAll(async () => s?.close())

    it('a new customer has no tags and no traits', async () => {
      const id = await newCustomer()
      expect((await call('GET', `/api/v1/customers/${id}/profile`)).body).toEqual({ tags: [], traits: {} })
    })

    it('tags over HTTP: added once, sorted, removed; Japanese and reserved URL characters work', async () => {
      const id = await newCustomer()
      expect((await tag(id, 'vip')).body).toEqual({ changed: true, tags: ['vip'] })
      expect((await tag(id, 'vip')).body).toEqual({ changed: false, tags: ['vip'] })
      expect((await tag(id, '定期便')).body.changed).toBe(true)
      expect((await tag(id, 'a/b c?')).body.changed).toBe(true)
      expect((await call('GET', `/api/v1/customers/${id}/profile`)).body.tags).toEqual(['a/b c?', 'vip', '定期便'])
      expect((await tag(id, 'vip', 'DELETE')).body).toEqual({ changed: true, tags: ['a/b c?', '定期便'] })
      expect((await tag(id, 'vip', 'DELETE')).body).toEqual({ changed: false, tags: ['a/b c?', '定期便'] })
      const long = await tag(id, 'x'.repeat(65))
      expect(long.status).toBe(422)
      expect(long.body.errors[0].pointer).toBe('/params/tag')
      expect((await tag(id, ' padded')).status).toBe(422)
      expect((await tag(id, 'あ'.repeat(64))).status).toBe(200) // 64 characters, whatever their bytes
    })

    it('tags through the service, as flows use them', async () => {
      const id = await newCustomer()
      const tx = scopeA
      expect(await s.kando.customers.addTag(tx, id, 'reviewed')).toBe(true)
      expect(await s.kando.db.transaction((trx) => s.kando.customers.addTag(scopeA.with(trx), id, 'reviewed'))).toBe(false)
      expect(await s.kando.db.transaction((trx) => s.kando.customers.addTag(scopeA.with(trx), id, 'anniversary'))).toBe(true)
      expect(await s.kando.customers.tags(tx, id)).toEqual(['anniversary', 'reviewed'])
      expect(await s.kando.customers.removeTag(tx, id, 'reviewed')).toBe(true)
      expect(await s.kando.customers.removeTag(tx, id, 'reviewed')).toBe(false)
      await expect(s.kando.customers.addTag(tx, id, 'tab\there')).rejects.toMatchObject({ code: 'CUSTOMER_TAG_INVALID', kind: 'invalid_data', fields: [{ pointer: '/tag' }] })
      await expect(s.kando.customers.addTag(tx, id, '')).rejects.toMatchObject({ code: 'CUSTOMER_TAG_INVALID' })
      await expect(s.kando.customers.addTag(tx, 'cus_nobody', 'vip')).rejects.toMatchObject({ code: 'CUSTOMER_NOT_FOUND', kind: 'not_found' })
    })

    it('traits: set, replaced, typed values kept, null removes; the merge leaves other keys alone', async () => {
      const id = await newCustomer()
      const put = (traits: Record<string, unknown>) => call('PUT', `/api/v1/customers/${id}/traits`, { traits })
      const first = await put({ tier: 'gold', 'nps.last': 9, subscriber: true, note: '柚子が好き' })
      expect(first.status).toBe(200)
      expect(first.body).toEqual({ tags: [], traits: { tier: 'gold', 'nps.last': 9, subscriber: true, note: '柚子が好き' } })
      const second = await put({ tier: 'platinum', note: null, 'ltv_jpy': 125000.5 })
      expect(second.body.traits).toEqual({ tier: 'platinum', 'nps.last': 9, subscriber: true, ltv_jpy: 125000.5 })
      const row = await scopeA.selectFrom('customer_traits').selectAll().where('customer_id', '=', id).where('key', '=', 'tier').executeTakeFirstOrThrow()
      expect(row).toMatchObject({ value: '"platinum"', source: 'api' })

      const bad = await put({ 'bad key': 1, ok: 'x'.repeat(1001) })
      expect(bad.status).toBe(422)
      expect(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/body/traits/bad key', '/body/traits/ok'])
      expect((await put(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i])))).status).toBe(422)
      expect((await call('GET', `/api/v1/customers/${id}/profile`)).body.traits.tier).toBe('platinum') // nothing of a refused request applied
    })

    it('traits through the service: upsert with its source, null removes, keys never set read as undefined', async () => {
      const id = await newCustomer()
      await s.kando.db.transaction(async (trx) => {
        const tx = scopeA.with(trx)
        await s.kando.customers.setTrait(tx, id, 'returns.open', true, 'flow:flw_1')
        await s.kando.customers.setTrait(tx, id, 'nps.last', 3, 'flow:flw_1')
        await s.kando.customers.setTrait(tx, id, 'nps.last', 10, 'flow:flw_2')
      })
      const traits = await s.kando.customers.traits(scopeA, id)
      expect({ ...traits }).toEqual({ 'returns.open': true, 'nps.last': 10 })
      expect(traits.constructor).toBeUndefined()
      expect((await scopeA.selectFrom('customer_traits').select('source').where('customer_id', '=', id).where('key', '=', 'nps.last').executeTakeFirstOrThrow()).source).toBe('flow:flw_2')
      await s.kando.customers.setTrait(scopeA, id, 'returns.open', null, 'api')
      expect({ ...(await s.kando.customers.traits(scopeA, id)) }).toEqual({ 'nps.last': 10 })
      await expect(s.kando.customers.setTrait(scopeA, id, 'has space', 1, 'api')).rejects.toMatchObject({ code: 'CUSTOMER_TRAIT_INVALID', fields: [{ pointer: '/key' }] })
      await expect(s.kando.customers.setTrait(scopeA, id, '__proto__', 1, 'api')).rejects.toMatchObject({ code: 'CUSTOMER_TRAIT_INVALID' })
      await expect(s.kando.customers.setTrait(scopeA, id, 'x', 'y'.repeat(1001), 'api')).rejects.toMatchObject({ code: 'CUSTOMER_TRAIT_INVALID', fields: [{ pointer: '/value' }] })
      await expect(s.kando.customers.setTrait(scopeA, id, 'x', Number.NaN, 'api')).rejects.toMatchObject({ code: 'CUSTOMER_TRAIT_INVALID' })
      await expect(s.kando.customers.setTrait(scopeA, 'cus_nobody', 'x', 1, 'api')).rejects.toMatchObject({ code: 'CUSTOMER_NOT_FOUND' })
    })

    it("an unknown or another brand's customer is a 404 on every profile route, and nothing is written", async () => {
      const id = await newCustomer()
      await tag(id, 'vip')
      for (const [method, path, body] of [
        ['GET', `/api/v1/customers/${id}/profile`, undefined],
        ['PUT', `/api/v1/customers/${id}/tags/intruder`, undefined],
        ['DELETE', `/api/v1/customers/${id}/tags/vip`, undefined],
        ['PUT', `/api/v1/customers/${id}/traits`, { traits: { tier: 'stolen' } }],
      ] as const) {
        const res = await call(method, path, body, keyB)
        expect(res.status, `${method} ${path}`).toBe(404)
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
        expect(res.body.code).toBe('CUSTOMER_NOT_FOUND')
      }
      expect((await call('GET', '/api/v1/customers/cus_nobody/profile')).status).toBe(404)
      expect((await call('PUT', '/api/v1/customers/cus_nobody/tags/vip')).status).toBe(404)
      expect((await call('GET', `/api/v1/customers/${id}/profile`)).body).toEqual({ tags: ['vip'], traits: {} })
    })

    it('documents the profile routes in the OpenAPI document', async () => {
      const doc = (await s.call('GET', '/docs/json')).body
      expect(doc.paths['/api/v1/customers/{id}/profile'].get).toBeDefined()
      expect(doc.paths['/api/v1/customers/{id}/tags/{tag}'].put).toBeDefined()
      expect(doc.paths['/api/v1/customers/{id}/tags/{tag}'].delete).toBeDefined()
      expect(doc.paths['/api/v1/customers/{id}/traits'].put.requestBody.content['application/json'].schema.properties.traits).toBeDefined()
      expect(doc.paths['/api/v1/coupon-pools/{id}/codes'].post).toBeDefined()
    })
  })
}
