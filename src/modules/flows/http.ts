import type { FastifyPluginAsync } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { PageQuery, decodeCursor, page } from '../../platform/http/pagination.js'
import { ProblemSchema } from '../../platform/http/schemas.js'
import { BUILTIN_KEYS } from './builtin.js'
import type { FlowService } from './service.js'

const Id = z.object({ id: z.string().min(1).max(100) })
const Settings = z.object({
  smartSendingHours: z.number().int().min(0).max(168).optional(),
  attributionDays: z.number().int().min(1).max(90).optional(),
  respectQuietHours: z.boolean().optional(),
}).strict()
const FlowOut = z.object({
  id: z.string(), name: z.string(), status: z.enum(['draft', 'active', 'paused', 'archived']), activeVersion: z.number().nullable(), latestVersion: z.number(),
  builtin: z.string().nullable(), settings: z.object({ smartSendingHours: z.number(), attributionDays: z.number(), respectQuietHours: z.boolean() }),
  document: z.record(z.string(), z.unknown()), createdAt: z.string(), updatedAt: z.string(),
}).meta({ id: 'Flow' })
const LogOut = z.object({ seq: z.number(), stepId: z.string(), outcome: z.string(), detail: z.string().nullable(), messageId: z.string().nullable(), clicked: z.boolean(), at: z.string() })
const RunOut = z.object({
  id: z.string(), flowId: z.string(), version: z.number(), customerId: z.string(), orderId: z.string().nullable(), status: z.string(), stepId: z.string(),
  waitingFor: z.string().nullable(), wakeAt: z.string().nullable(), arm: z.string().nullable(), convertedAt: z.string().nullable(), convertedOrderId: z.string().nullable(),
  exitReason: z.string().nullable(), lastError: z.string().nullable(), enteredAt: z.string(), endedAt: z.string().nullable(), log: z.array(LogOut).optional(),
}).meta({ id: 'FlowRun' })
const Validation = z.object({ valid: z.boolean(), errors: z.array(z.object({ pointer: z.string(), message: z.string() })) })

/** `/api/v1/flows`: documents and versions, activation, stats, dry runs, and each customer's runs with the reasons. */
export const flowsHttp =
  (deps: { flows: FlowService }): FastifyPluginAsync =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>()
    r.get('/flows', {
      schema: { tags: ['flows'], summary: 'Every flow of the brand with its latest document', response: { 200: z.object({ items: z.array(FlowOut) }) } },
    }, async (req) => ({ items: await deps.flows.list(req.scope) }))
    r.get('/flow-templates', {
      schema: { tags: ['flows'], summary: 'Built-in flows ready to switch on (Japanese and English copy)' },
    }, async () => ({ items: deps.flows.builtins() }))
    r.post('/flows', {
      schema: {
        tags: ['flows'], summary: 'Create a flow (a draft) from a document, or from a built-in flow',
        body: z.object({
          document: z.unknown().optional(),
          builtin: z.enum(BUILTIN_KEYS).optional(),
          options: z.object({ couponPoolId: z.string().min(1).max(100).optional(), waitDays: z.number().int().min(1).max(90).optional() }).strict().optional(),
          locale: z.enum(['ja', 'en']).optional(),
          settings: Settings.optional(),
        }).strict(),
        response: { 201: FlowOut, 422: ProblemSchema },
      },
    }, async (req, reply) => {
      reply.code(201)
      return deps.flows.create(req.scope, req.body)
    })
    r.post('/flows/validate', {
      schema: { tags: ['flows'], summary: 'Check a flow document without saving it: every error with the JSON pointer of the node that is wrong', body: z.object({ document: z.unknown() }).strict(), response: { 200: Validation } },
    }, async (req) => {
      const v = await deps.flows.validate(req.scope, req.body.document)
      return v.valid ? { valid: true, errors: [] } : { valid: false, errors: v.errors }
    })
    r.get('/flows/:id', {
      schema: { tags: ['flows'], summary: 'One flow with its latest document', params: Id, response: { 200: FlowOut, 404: ProblemSchema } },
    }, async (req) => deps.flows.get(req.scope, req.params.id))
    r.get('/flows/:id/versions/:version', {
      schema: { tags: ['flows'], summary: 'One version of a flow document', params: Id.extend({ version: z.coerce.number().int().min(1) }) },
    }, async (req) => deps.flows.versionOf(req.scope, req.params.id, req.params.version))
    r.put('/flows/:id', {
      schema: {
        tags: ['flows'], summary: 'Edit: a new document becomes a new version (runs inside keep theirs until activation migrates them); settings change at once',
        params: Id, body: z.object({ document: z.unknown().optional(), settings: Settings.optional() }).strict(), response: { 200: FlowOut, 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema },
      },
    }, async (req) => deps.flows.update(req.scope, req.params.id, req.body))
    r.post('/flows/:id/activate', {
      schema: {
        tags: ['flows'], summary: 'Switch on a version (default the latest); with migrateRuns, waiting runs move to it where their step still exists',
        params: Id, body: z.object({ version: z.number().int().min(1).optional(), migrateRuns: z.boolean().default(false) }).strict().default({ migrateRuns: false }),
        response: { 200: FlowOut.extend({ migrated: z.number(), stayed: z.number() }), 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema },
      },
    }, async (req) => deps.flows.activate(req.scope, req.params.id, req.body))
    r.post('/flows/:id/pause', {
      schema: { tags: ['flows'], summary: 'Stop new entries and hold waiting customers where they are', params: Id, response: { 200: FlowOut, 404: ProblemSchema, 409: ProblemSchema } },
    }, async (req) => deps.flows.pause(req.scope, req.params.id))
    r.post('/flows/:id/archive', {
      schema: { tags: ['flows'], summary: 'End the flow: every run inside is cancelled with its pending wait', params: Id, response: { 200: FlowOut.extend({ cancelled: z.number() }), 404: ProblemSchema } },
    }, async (req) => deps.flows.archive(req.scope, req.params.id))
    r.post('/flows/:id/enroll', {
      schema: {
        tags: ['flows'], summary: 'Add existing customers to an active flow now (re-entry rule applied); up to 10,000 per call',
        params: Id, body: z.object({ customerIds: z.array(z.string().min(1).max(100)).min(1).max(10_000), orderId: z.string().max(100).optional() }).strict(),
        response: { 200: z.object({ entered: z.number(), refused: z.number(), unknown: z.array(z.string()) }), 404: ProblemSchema, 409: ProblemSchema },
      },
    }, async (req) => deps.flows.enroll(req.scope, req.params.id, req.body))
    r.get('/flows/:id/stats', {
      schema: { tags: ['flows'], summary: 'Entered, waiting, completed, exited by reason, messages, clicks, and conversions per split arm against the holdout; per step', params: Id },
    }, async (req) => deps.flows.stats(req.scope, req.params.id))
    r.post('/flows/:id/dry-run', {
      schema: {
        tags: ['flows'], summary: 'Replay past events of a date range through a version (default the latest draft): who would have received what; nothing is sent',
        params: Id,
        body: z.object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }), version: z.number().int().min(1).optional(), limit: z.number().int().min(1).max(10_000).default(1000) }).strict()
          .refine((b) => Date.parse(b.from) < Date.parse(b.to), { message: 'from must be before to', path: ['to'] })
          .refine((b) => Date.parse(b.to) - Date.parse(b.from) <= 366 * 86_400_000, { message: 'a dry run covers at most 366 days', path: ['to'] }),
      },
    }, async (req) => deps.flows.dryRun(req.scope, req.params.id, req.body))
    r.get('/flows/:id/runs', {
      schema: { tags: ['flows'], summary: "The flow's runs, newest first", params: Id, querystring: z.object({ ...PageQuery, status: z.string().max(20).optional(), customerId: z.string().max(100).optional() }).strict(), response: { 200: z.object({ items: z.array(RunOut), nextCursor: z.string().nullable() }) } },
    }, async (req) => page(await deps.flows.runs(req.scope, { flowId: req.params.id, status: req.query.status, customerId: req.query.customerId, limit: req.query.limit, after: decodeCursor(req.query.cursor) }), req.query.limit))
    r.get('/flow-runs/:id', {
      schema: { tags: ['flows'], summary: 'One run with every step it took and why', params: Id, response: { 200: RunOut, 404: ProblemSchema } },
    }, async (req) => deps.flows.run(req.scope, req.params.id))
    r.post('/flow-runs/:id/cancel', {
      schema: { tags: ['flows'], summary: "Cancel a customer's run and its pending wait", params: Id, body: z.object({ reason: z.string().min(1).max(200).optional() }).strict().optional(), response: { 200: RunOut, 404: ProblemSchema, 409: ProblemSchema } },
    }, async (req) => deps.flows.cancelRun(req.scope, req.params.id, req.body?.reason))
    r.get('/customers/:id/flow-runs', {
      schema: { tags: ['flows'], summary: 'Why did this customer get (or not get) a message: every run with every step and its reason', params: Id, response: { 200: z.object({ items: z.array(RunOut) }) } },
    }, async (req) => ({ items: await deps.flows.history(req.scope, req.params.id) }))
  }
