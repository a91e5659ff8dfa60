import type { FastifyPluginAsync } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError } from '../../platform/errors.js'
import { PageQuery, decodeCursor, page } from '../../platform/http/pagination.js'
import { ProblemSchema } from '../../platform/http/schemas.js'
import type { Db } from '../../platform/db/index.js'
import type { TenantDb } from '../../platform/tenancy.js'
import { Tag, TraitKey, TraitValue } from './profile.js'
import type { CustomerService } from './service.js'

const CustomerOut = z.object({
  id: z.string(), email: z.string().nullable(), phone: z.string().nullable(), firstName: z.string().nullable(), lastName: z.string().nullable(),
  locale: z.string(), lineUserId: z.string().nullable(), externalIds: z.record(z.string(), z.string()), acceptsMarketing: z.boolean(),
  createdAt: z.string(), updatedAt: z.string(),
}).meta({ id: 'Customer' })

/** `/api/v1/customers`. */
export const customersHttp =
  (deps: { customers: CustomerService; db: Db }): FastifyPluginAsync =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>()
    r.get('/customers', {
      schema: { tags: ['customers'], summary: 'List customers, newest first', querystring: z.object({ ...PageQuery, email: z.string().max(320).optional() }).strict(), response: { 200: z.object({ items: z.array(CustomerOut), nextCursor: z.string().nullable() }) } },
    }, async (req) => page(await deps.customers.list(req.scope, { limit: req.query.limit, after: decodeCursor(req.query.cursor), email: req.query.email }), req.query.limit))
    r.get('/customers/:id', {
      schema: { tags: ['customers'], summary: 'One customer', params: z.object({ id: z.string().max(100) }), response: { 200: CustomerOut, 404: ProblemSchema } },
    }, async (req) => {
      const c = await deps.customers.get(req.scope, req.params.id)
      if (!c) throw new AppError('CUSTOMER_NOT_FOUND', 'not_found', `No customer with id ${req.params.id}.`)
      return c
    })

    const found = async (scope: TenantDb, id: string) => {
      const c = await deps.customers.get(scope, id)
      if (!c) throw new AppError('CUSTOMER_NOT_FOUND', 'not_found', `No customer with id ${id}.`)
      return c
    }
    r.patch('/customers/:id', {
      schema: {
        tags: ['customers'], summary: 'Link LINE, set the language and contact details', params: z.object({ id: z.string().max(100) }),
        body: z.object({
          lineUserId: z.string().regex(/^U[0-9a-f]{32}$/, 'must be a LINE user id (U + 32 hex digits)').nullable().optional(),
          locale: z.enum(['ja', 'en']).optional(), email: z.email().max(320).optional(), phone: z.string().min(6).max(40).optional(),
        }).strict(),
        response: { 200: CustomerOut, 404: ProblemSchema, 422: ProblemSchema },
      },
    }, async (req) => {
      await found(req.scope, req.params.id)
      return (await deps.customers.update(req.scope, req.params.id, req.body))!
    })
    const Consent = z.object({ granted: z.boolean(), source: z.string(), evidence: z.string().nullable(), recordedAt: z.string() })
    r.get('/customers/:id/consents', {
      schema: { tags: ['customers'], summary: 'Current marketing consent per channel and the whole ledger (proof of opt-in)', params: z.object({ id: z.string().max(100) }),
        response: { 200: z.object({ current: z.record(z.string(), Consent), history: z.array(Consent.extend({ channel: z.string() })) }), 404: ProblemSchema } },
    }, async (req) => {
      await found(req.scope, req.params.id)
      return { current: await deps.customers.consents(req.scope, req.params.id), history: await deps.customers.consentHistory(req.scope, req.params.id) }
    })
    r.post('/customers/:id/consents', {
      schema: {
        tags: ['customers'], summary: 'Record a marketing opt-in or opt-out for one channel (特定電子メール法: keep how and when)', params: z.object({ id: z.string().max(100) }),
        body: z.object({ channel: z.enum(['email', 'line', 'sms']), granted: z.boolean(), source: z.string().min(1).max(100).default('api'), evidence: z.string().max(2000).optional() }).strict(),
        response: { 200: z.object({ changed: z.boolean(), current: Consent.nullable() }), 404: ProblemSchema, 422: ProblemSchema },
      },
    }, async (req) => {
      await found(req.scope, req.params.id)
      const changed = await deps.db.transaction((trx) => deps.customers.recordConsent(req.scope.with(trx), req.params.id, req.body.channel, req.body.granted, req.body.source, req.body.evidence))
      return { changed, current: (await deps.customers.currentConsent(req.scope, req.params.id, req.body.channel)) ?? null }
    })

    // Tags and traits: what flows set and their conditions read. Keys and values follow the rules
    // of CustomerService.addTag/setTrait; a trait set to null is removed (JSON merge patch).
    const Profile = z.object({ tags: z.array(z.string()), traits: z.record(z.string(), TraitValue) }).meta({ id: 'CustomerProfile' })
    const profile = async (scope: TenantDb, id: string) => ({ tags: await deps.customers.tags(scope, id), traits: { ...(await deps.customers.traits(scope, id)) } })
    const TagParams = z.object({ id: z.string().max(100), tag: Tag })
    r.get('/customers/:id/profile', {
      schema: { tags: ['customers'], summary: "The customer's tags and traits", params: z.object({ id: z.string().max(100) }), response: { 200: Profile, 404: ProblemSchema } },
    }, async (req) => {
      await found(req.scope, req.params.id)
      return profile(req.scope, req.params.id)
    })
    r.put('/customers/:id/tags/:tag', {
      schema: {
        tags: ['customers'], summary: 'Tag the customer (1–64 characters, URL-encoded); tagging twice changes nothing', params: TagParams,
        response: { 200: z.object({ changed: z.boolean(), tags: z.array(z.string()) }), 404: ProblemSchema, 422: ProblemSchema },
      },
    }, async (req) => {
      const changed = await deps.db.transaction((trx) => deps.customers.addTag(req.scope.with(trx), req.params.id, req.params.tag))
      return { changed, tags: await deps.customers.tags(req.scope, req.params.id) }
    })
    r.delete('/customers/:id/tags/:tag', {
      schema: {
        tags: ['customers'], summary: 'Remove a tag from the customer; removing a tag it does not have changes nothing', params: TagParams,
        response: { 200: z.object({ changed: z.boolean(), tags: z.array(z.string()) }), 404: ProblemSchema, 422: ProblemSchema },
      },
    }, async (req) => {
      await found(req.scope, req.params.id)
      const changed = await deps.db.transaction((trx) => deps.customers.removeTag(req.scope.with(trx), req.params.id, req.params.tag))
      return { changed, tags: await deps.customers.tags(req.scope, req.params.id) }
    })
    r.put('/customers/:id/traits', {
      schema: {
        tags: ['customers'],
        summary: 'Merge traits into the customer: each key is set (string ≤ 1000 characters, number, boolean), null removes it, keys not sent stay',
        params: z.object({ id: z.string().max(100) }),
        body: z.object({ traits: z.record(TraitKey, TraitValue).refine((t) => Object.keys(t).length <= 100, 'at most 100 traits per request') }).strict(),
        response: { 200: Profile, 404: ProblemSchema, 422: ProblemSchema },
      },
    }, async (req) => {
      await found(req.scope, req.params.id)
      await deps.db.transaction(async (trx) => {
        const tx = req.scope.with(trx)
        for (const [key, value] of Object.entries(req.body.traits)) await deps.customers.setTrait(tx, req.params.id, key, value, 'api')
      })
      return profile(req.scope, req.params.id)
    })
  }
