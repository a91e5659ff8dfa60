import type { FastifyInstance } from 'fastify'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKando, type Kando } from '../src/kando.js'
import { ManualClock } from '../src/platform/clock.js'
import { buildHttp } from '../src/platform/http/app.js'
import type { TenantDb } from '../src/platform/tenancy.js'
import { DIALECTS, createTestDatabase, type TestDatabase } from './databases.js'
import { testConfig } from './harness.js'

/**
 * Flows end to end on a simulated clock: the engine's sweep, step jobs and event consumer run as in
 * production; the clock jumps and `runDue` lets every due timer fire. Message delivery itself is the
 * notifications suite's: here the send worker is not started, so a message the flow decided stays
 * `queued` (or `skipped` with its reason) and is counted where it was written.
 */
const HOUR = 3_600_000
const DAY = 24 * HOUR
/** Thursday 2026-11-26 10:00 in Japan. */
const START = '2026-11-26T01:00:00.000Z'

for (const dialect of DIALECTS) {
  describe(`${dialect}: flows`, () => {
    let database: TestDatabase
    let kando: Kando
    let app: FastifyInstance
    let key: string
    let keyB: string
    let scope: TenantDb
    const clock = new ManualClock(new Date(START))

    const call = async (method: string, url: string, body?: unknown, k = key) => {
      const res = await app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${k}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, payload: body === undefined ? undefined : JSON.stringify(body) })
      return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined }
    }
    let n = 0
    const customers = async (count: number, extra: (i: number) => Record<string, unknown> = () => ({})): Promise<string[] & { 0: string; 1: string }> => {
      const ids: string[] = []
      for (let i = 0; i < count; i += 500) {
        await kando.db.transaction(async (trx) => {
          for (let j = i; j < Math.min(count, i + 500); j++) {
            const c = await kando.customers.upsertFromOrder(scope.with(trx), 'api', { email: `c${++n}@example.jp`, firstName: '花子', lastName: '山田', ...extra(j) }, 'ja')
            ids.push(c!.id)
          }
        })
      }
      return ids as string[] & { 0: string; 1: string }
    }
    const emit = (type: string, items: Array<{ subject: string; data: Record<string, unknown> }>) =>
      kando.db.transaction((trx) => kando.events.appendAll(scope.with(trx), items.map((i) => ({ type, subject: i.subject, data: i.data }))))
    const flow = async (document: unknown, settings: Record<string, unknown> = {}) => {
      const created = await call('POST', '/api/v1/flows', { document, settings })
      expect(created.status, JSON.stringify(created.body)).toBe(201)
      const active = await call('POST', `/api/v1/flows/${created.body.id}/activate`, {})
      expect(active.status).toBe(200)
      return created.body.id as string
    }
    const advance = async (ms: number, step = 6 * HOUR) => {
      for (let t = 0; t < ms; t += step) {
        clock.advance(Math.min(step, ms - t))
        await kando.flows.runDue()
      }
    }
    const messages = async (type: string) =>
      kando.db.kysely.selectFrom('messages').select(['customer_id', 'status', 'reason', 'created_at', 'subject_ref']).where('tenant_id', '=', scope.tenantId).where('type', '=', type).execute()
    const traitOf = async (customerId: string, k: string) => (await kando.customers.traits(scope, customerId))[k]

    beforeAll(async () => {
      database = await createTestDatabase(dialect)
      kando = await createKando(testConfig(database.url), { logger: pino({ level: 'silent' }), pollMs: 20, clock, flowPollMs: 60_000 })
      await kando.events.start({ work: true })
      await kando.flows.work()
      app = await buildHttp(kando)
      const a = await kando.tenants.create({ slug: `flows-a-${dialect}`, name: '感動ストア' })
      key = a.apiKey.key
      scope = kando.scope(a.tenant.id)
      keyB = (await kando.tenants.create({ slug: `flows-b-${dialect}`, name: 'Other brand' })).apiKey.key
      // Quiet hours off except in the test about them.
      await kando.notifications.updateSettings(scope, { settings: { ...(await kando.notifications.settingsOf(scope)).settings, quietHours: null } })
    }, 120_000)
    afterAll(async () => {
      await app?.close()
      await kando?.close()
      await database?.drop()
    })

    it('refuses invalid documents with the pointer of the node that is wrong', async () => {
      const bad = await call('POST', '/api/v1/flows', {
        document: {
          schemaVersion: 1, name: 'broken', trigger: { kind: 'event', type: 'shipment.teleported' }, entry: 'a',
          steps: {
            a: { type: 'wait', for: 'P1M', next: 'b' },
            b: { type: 'action', action: { kind: 'send_message', messageType: 'thank_you' }, next: 'nowhere' },
          },
          reentry: { kind: 'once_ever' },
        },
      })
      expect(bad.status).toBe(422)
      const pointers = bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()
      expect(pointers).toEqual(['/body/document/steps/a/for', '/body/document/steps/b/next', '/body/document/trigger/type'])
      const loop = await call('POST', '/api/v1/flows/validate', {
        document: {
          schemaVersion: 1, name: 'loop', trigger: { kind: 'event', type: 'order.placed' }, entry: 'a',
          steps: { a: { type: 'condition', if: { fact: 'line.linked' }, then: 'b', else: 'a' }, b: { type: 'action', action: { kind: 'send_message', messageType: 'no_such_type' }, next: 'a' } },
          reentry: { kind: 'once_ever' },
        },
      })
      expect(loop.body.valid).toBe(false)
      expect(loop.body.errors.some((e: { pointer: string; message: string }) => e.pointer.startsWith('/steps/a') && /cycle|loop/i.test(e.message))).toBe(true)
      const unknownType = await call('POST', '/api/v1/flows/validate', {
        document: { schemaVersion: 1, name: 'x', trigger: { kind: 'event', type: 'order.placed' }, entry: 'a', steps: { a: { type: 'action', action: { kind: 'send_message', messageType: 'no_such_type' } } }, reentry: { kind: 'once_ever' } },
      })
      expect(unknownType.body).toMatchObject({ valid: false, errors: [{ pointer: '/steps/a/action/messageType' }] })
      // Nothing was saved.
      expect((await call('GET', '/api/v1/flows')).body.items).toHaveLength(0)
    })

    it('review request over 30 simulated days for 10,000 customers: each gets what the flow says, once', async () => {
      const N = Number(process.env.KANDO_FLOWS_TEST_CUSTOMERS ?? 10_000)
      const ids = await customers(N)
      const created = await call('POST', '/api/v1/flows', { builtin: 'review_request' })
      expect(created.status).toBe(201)
      expect(created.body.name).toBe('レビュー依頼')
      const flowId = created.body.id as string
      expect((await call('POST', `/api/v1/flows/${flowId}/activate`, {})).status).toBe(200)
      // Who does what: i % 10 = 0 asks for a return on day 2 (exits), = 1 has a return open at day 7
      // (condition), = 2 reviews 2 days after the request (no reminder); the rest get a reminder.
      for (const i of ids.keys()) if (i % 10 === 1) await kando.customers.setTrait(scope, ids[i]!, 'returns.open', true, 'test')
      const deliveredAt = new Map<string, number>()
      const batch = (day: number) => ids.filter((_, i) => Math.floor(i / (N / 10)) === day)
      for (let day = 0; day < 30; day++) {
        if (day < 10) {
          await emit('shipment.delivered', batch(day).map((c) => ({ subject: `shp_${c}`, data: { customerId: c } })))
          for (const c of batch(day)) deliveredAt.set(c, clock.now().getTime())
          await kando.flows.runDue()
        }
        if (day >= 2 && day < 12) {
          const returning = batch(day - 2).filter((c) => ids.indexOf(c) % 10 === 0)
          await emit('return.requested', returning.map((c) => ({ subject: `ret_${c}`, data: { customerId: c } })))
        }
        // Two days after their request, customers i % 10 = 2 write a review.
        const now = clock.now().getTime()
        const asked = (await messages('review_request')).filter((m) => Date.parse(m.created_at) <= now - 2 * DAY && Date.parse(m.created_at) > now - 3 * DAY)
        const reviewers = [...new Set(asked.map((m) => m.customer_id!))].filter((c) => ids.indexOf(c) % 10 === 2)
        if (reviewers.length) await emit('review.submitted', reviewers.map((c) => ({ subject: `rev_${c}`, data: { customerId: c } })))
        await advance(DAY)
      }
      const sent = await messages('review_request')
      const byCustomer = new Map<string, typeof sent>()
      for (const m of sent) byCustomer.set(m.customer_id!, [...(byCustomer.get(m.customer_id!) ?? []), m])
      for (const [i, c] of ids.entries()) {
        const got = byCustomer.get(c) ?? []
        const expected = i % 10 === 0 || i % 10 === 1 ? 0 : i % 10 === 2 ? 1 : 2
        expect(got.length, `customer ${i}`).toBe(expected)
        if (got.length) {
          const first = Math.min(...got.map((m) => Date.parse(m.created_at)))
          expect(first - deliveredAt.get(c)!).toBeGreaterThanOrEqual(7 * DAY)
          expect(first - deliveredAt.get(c)!).toBeLessThan(7 * DAY + 6 * HOUR)
        }
      }
      const stats = (await call('GET', `/api/v1/flows/${flowId}/stats`)).body
      expect(stats.entered).toBe(N)
      expect(stats.exitedBy['exit 0: return.requested']).toBe(N / 10)
      expect(stats.completed).toBe(N - N / 10)
      expect(stats.waiting).toBe(0)
      expect(stats.messagesSent).toBe(sent.length)
      expect(stats.steps.remind.sent).toBe(N * 7 / 10)
      // Why did customer 1 get nothing? The history says: the condition took the `then` branch.
      const why = (await call('GET', `/api/v1/customers/${ids[1]}/flow-runs`)).body.items[0]
      expect(why.log.map((l: { outcome: string }) => l.outcome)).toEqual(['entered', 'waiting', 'resumed', 'branch', 'completed'])
      expect(why.log[3].detail).toBe('then → done')
      // Archive: cancels nothing left; the other brand sees none of it.
      expect((await call('GET', `/api/v1/flows/${flowId}`, undefined, keyB)).status).toBe(404)
      expect((await call('POST', `/api/v1/flows/${flowId}/archive`)).body).toMatchObject({ status: 'archived', cancelled: 0 })
    }, 600_000)

    it('a new order exits the run and cancels its pending wait', async () => {
      const [a, b] = await customers(2)
      const flowId = await flow({
        schemaVersion: 1, name: 'thanks', trigger: { kind: 'event', type: 'shipment.delivered' }, entry: 'wait',
        steps: { wait: { type: 'wait', for: 'P3D', next: 'tag' }, tag: { type: 'action', action: { kind: 'add_tag', tag: 'thanked' } } },
        exit: [{ kind: 'event', type: 'order.placed' }], reentry: { kind: 'once_ever' },
      })
      await emit('shipment.delivered', [{ subject: 'shp_a', data: { customerId: a } }, { subject: 'shp_b', data: { customerId: b } }])
      await kando.flows.runDue()
      await advance(DAY)
      await emit('order.placed', [{ subject: 'ord_a2', data: { customerId: a } }])
      await kando.flows.runDue()
      const runA = (await call('GET', `/api/v1/customers/${a}/flow-runs`)).body.items.find((r: { flowId: string }) => r.flowId === flowId)
      expect(runA).toMatchObject({ status: 'exited', exitReason: 'exit 0: order.placed', wakeAt: null })
      await advance(3 * DAY)
      expect(await kando.customers.tags(scope, a)).toEqual([])
      expect(await kando.customers.tags(scope, b)).toEqual(['thanked'])
      await call('POST', `/api/v1/flows/${flowId}/archive`)
    })

    it('wait for an event with a timeout, both ways', async () => {
      const [fast, slow] = await customers(2)
      const flowId = await flow({
        schemaVersion: 1, name: 'await review', trigger: { kind: 'event', type: 'order.placed' }, entry: 'await',
        steps: {
          await: { type: 'wait', event: { type: 'review.submitted', timeout: 'P5D', onTimeout: 'late' }, next: 'thanks' },
          thanks: { type: 'action', action: { kind: 'set_trait', key: 'path', value: 'event' } },
          late: { type: 'action', action: { kind: 'set_trait', key: 'path', value: 'timeout' } },
        },
        reentry: { kind: 'once_ever' },
      })
      await emit('order.placed', [{ subject: 'ord_f', data: { customerId: fast } }, { subject: 'ord_s', data: { customerId: slow } }])
      await kando.flows.runDue()
      await advance(2 * DAY)
      await emit('review.submitted', [{ subject: 'rev_f', data: { customerId: fast } }])
      await kando.flows.runDue()
      expect(await traitOf(fast, 'path')).toBe('event')
      expect(await traitOf(slow, 'path')).toBeUndefined()
      await advance(2 * DAY + 23 * HOUR, HOUR)
      expect(await traitOf(slow, 'path')).toBeUndefined() // 4 d 23 h: not yet
      await advance(2 * HOUR, HOUR)
      expect(await traitOf(slow, 'path')).toBe('timeout')
      expect(await traitOf(fast, 'path')).toBe('event') // the timeout never fired for the one who answered
      const runs = (await call('GET', `/api/v1/flows/${flowId}/runs`)).body.items
      expect(runs.map((r: { status: string }) => r.status)).toEqual(['completed', 'completed'])
      await call('POST', `/api/v1/flows/${flowId}/archive`)
    })

    it('quiet hours hold a message step until they end, and the history says so', async () => {
      const settings = (await kando.notifications.settingsOf(scope)).settings
      await kando.notifications.updateSettings(scope, { settings: { ...settings, quietHours: { start: '21:00', end: '08:00' } } })
      const [c] = await customers(1)
      const flowId = await flow({
        schemaVersion: 1, name: 'thank you now', trigger: { kind: 'event', type: 'shipment.delivered' }, entry: 'send',
        steps: { send: { type: 'action', action: { kind: 'send_message', messageType: 'thank_you' } } }, reentry: { kind: 'once_per_order' },
      })
      // 23:30 in Japan.
      const before = clock.now().getTime()
      const jst = new Date(before + 9 * HOUR)
      clock.set(new Date(Date.UTC(jst.getUTCFullYear(), jst.getUTCMonth(), jst.getUTCDate(), 23, 30) - 9 * HOUR + (jst.getUTCHours() >= 23 ? 0 : 0)))
      if (clock.now().getTime() < before) clock.advance(DAY)
      await emit('shipment.delivered', [{ subject: 'shp_q', data: { customerId: c } }])
      await kando.flows.runDue()
      expect((await messages('thank_you')).filter((m) => m.customer_id === c)).toHaveLength(0)
      const run = (await call('GET', `/api/v1/customers/${c}/flow-runs`)).body.items[0]
      expect(run).toMatchObject({ status: 'waiting', waitingFor: 'defer' })
      expect(run.log.at(-1).outcome).toBe('deferred')
      const release = Date.parse(run.wakeAt)
      expect(new Date(release + 9 * HOUR).toISOString().slice(11, 16)).toBe('08:00')
      await advance(release - clock.now().getTime() - 60_000, HOUR)
      expect((await messages('thank_you')).filter((m) => m.customer_id === c)).toHaveLength(0)
      await advance(60_000)
      const got = (await messages('thank_you')).filter((m) => m.customer_id === c)
      expect(got).toHaveLength(1)
      expect(Date.parse(got[0]!.created_at)).toBe(release)
      await kando.notifications.updateSettings(scope, { settings: { ...settings, quietHours: null } })
      await call('POST', `/api/v1/flows/${flowId}/archive`)
    })

    it('re-entry rules: once per order, every N days, once ever; concurrent triggers enter once', async () => {
      const [c] = await customers(1)
      const doc = (reentry: unknown, name: string) => ({
        schemaVersion: 1, name, trigger: { kind: 'event', type: 'order.confirmed' }, entry: 't',
        steps: { t: { type: 'action', action: { kind: 'add_tag', tag: name } } }, reentry,
      })
      const perOrder = await flow(doc({ kind: 'once_per_order' }, 'per-order'))
      const every = await flow(doc({ kind: 'every', days: 10 }, 'every-10'))
      const ever = await flow(doc({ kind: 'once_ever' }, 'ever'))
      const entered = async (flowId: string) => (await call('GET', `/api/v1/flows/${flowId}/runs?customerId=${c}`)).body.items.length
      // The same order confirmed twice at once (two events, two consumers' jobs).
      await Promise.all([
        emit('order.confirmed', [{ subject: 'ord_1', data: { customerId: c, orderId: 'ord_1' } }]),
        emit('order.confirmed', [{ subject: 'ord_1', data: { customerId: c, orderId: 'ord_1' } }]),
      ])
      await kando.flows.runDue()
      expect([await entered(perOrder), await entered(every), await entered(ever)]).toEqual([1, 1, 1])
      await advance(3 * DAY)
      await emit('order.confirmed', [{ subject: 'ord_2', data: { customerId: c, orderId: 'ord_2' } }])
      await kando.flows.runDue()
      expect([await entered(perOrder), await entered(every), await entered(ever)]).toEqual([2, 1, 1])
      await advance(8 * DAY)
      await emit('order.confirmed', [{ subject: 'ord_2', data: { customerId: c, orderId: 'ord_2' } }])
      await kando.flows.runDue()
      expect([await entered(perOrder), await entered(every), await entered(ever)]).toEqual([2, 2, 1])
      for (const id of [perOrder, every, ever]) await call('POST', `/api/v1/flows/${id}/archive`)
    })

    it('editing a live flow: runs inside finish on their version, or are migrated when asked', async () => {
      const ids = await customers(4)
      const v = (value: number) => ({
        schemaVersion: 1, name: 'versioned', trigger: { kind: 'event', type: 'shipment.delivered' }, entry: 'wait',
        steps: { wait: { type: 'wait', for: 'P2D', next: 'mark' }, mark: { type: 'action', action: { kind: 'set_trait', key: 'version', value } } },
        reentry: { kind: 'once_ever' },
      })
      const flowId = await flow(v(1))
      await emit('shipment.delivered', ids.slice(0, 2).map((c) => ({ subject: `s_${c}`, data: { customerId: c } })))
      await kando.flows.runDue()
      const edited = await call('PUT', `/api/v1/flows/${flowId}`, { document: v(2) })
      expect(edited.body).toMatchObject({ latestVersion: 2, activeVersion: 1, status: 'active' })
      // Not yet activated: new customers still enter version 1.
      await emit('shipment.delivered', [{ subject: `s_${ids[2]}`, data: { customerId: ids[2] } }])
      await kando.flows.runDue()
      const act = await call('POST', `/api/v1/flows/${flowId}/activate`, { migrateRuns: false })
      expect(act.body).toMatchObject({ activeVersion: 2, migrated: 0, stayed: 3 })
      await emit('shipment.delivered', [{ subject: `s_${ids[3]}`, data: { customerId: ids[3] } }])
      await kando.flows.runDue()
      await advance(3 * DAY)
      expect(await Promise.all(ids.map((c) => traitOf(c, 'version')))).toEqual([1, 1, 1, 2])

      // Version 3, activated with migration: a waiting run moves to it.
      const [late] = await customers(1)
      await emit('shipment.delivered', [{ subject: `s_${late}`, data: { customerId: late } }])
      await kando.flows.runDue()
      await call('PUT', `/api/v1/flows/${flowId}`, { document: v(3) })
      expect((await call('POST', `/api/v1/flows/${flowId}/activate`, { migrateRuns: true })).body).toMatchObject({ activeVersion: 3, migrated: 1, stayed: 0 })
      await advance(3 * DAY)
      expect(await traitOf(late!, 'version')).toBe(3)
      await call('POST', `/api/v1/flows/${flowId}/archive`)
    })

    it('send steps: a coupon from the pool goes into the message; channel skip and smart sending are logged as the reason', async () => {
      const base = (await kando.notifications.settingsOf(scope)).settings
      await kando.notifications.updateSettings(scope, { settings: { ...base, sender: { ...base.sender, postalAddress: '東京都渋谷区神宮前1-2-3' } } })
      const [optedIn, noConsent] = await customers(2, (i) => ({ acceptsMarketing: i === 0 }))
      const pool = await kando.coupons.createPool(scope, { name: '2回目10%OFF' })
      await kando.coupons.addCodes(scope, pool.id, ['SECOND-AAA', 'SECOND-BBB', 'SECOND-CCC'])
      const flowId = await flow({
        schemaVersion: 1, name: 'second', trigger: { kind: 'event', type: 'shipment.delivered' }, entry: 'coupon',
        steps: {
          coupon: { type: 'action', action: { kind: 'issue_coupon', poolId: pool.id }, next: 'nudge' },
          nudge: { type: 'action', action: { kind: 'send_message', messageType: 'second_purchase' }, next: 'more' },
          more: { type: 'action', action: { kind: 'send_message', messageType: 'cross_sell' } },
        },
        reentry: { kind: 'once_ever' },
      })
      await emit('shipment.delivered', [{ subject: 's1', data: { customerId: optedIn } }, { subject: 's2', data: { customerId: noConsent } }])
      await kando.flows.runDue()
      const sent = await kando.db.kysely.selectFrom('messages').select(['customer_id', 'type', 'status', 'reason', 'payload']).where('tenant_id', '=', scope.tenantId)
        .where('customer_id', 'in', [optedIn, noConsent]).execute()
      const nudge = sent.find((m) => m.customer_id === optedIn && m.type === 'second_purchase')!
      expect(nudge.status).toBe('queued')
      const code = JSON.parse(nudge.payload).ctx.coupon.code
      expect(['SECOND-AAA', 'SECOND-BBB', 'SECOND-CCC']).toContain(code)
      const logA = (await call('GET', `/api/v1/customers/${optedIn}/flow-runs`)).body.items[0].log
      expect(logA.find((l: { stepId: string }) => l.stepId === 'more')).toMatchObject({ outcome: 'skipped', detail: expect.stringContaining('smart sending') })
      const logB = (await call('GET', `/api/v1/customers/${noConsent}/flow-runs`)).body.items[0].log
      expect(logB.find((l: { stepId: string }) => l.stepId === 'nudge')).toMatchObject({ outcome: 'skipped', detail: expect.stringContaining('no marketing opt-in') })
      expect((await kando.coupons.getPool(scope, pool.id))!.codes).toMatchObject({ issued: 2, remaining: 1 })
      const stats = (await call('GET', `/api/v1/flows/${flowId}/stats`)).body
      expect(stats.steps.nudge).toMatchObject({ sent: 1, skipped: 1 })
      // A click on the message counts for its step.
      const messageId = logA.find((l: { stepId: string }) => l.stepId === 'nudge').messageId
      await emit('link.clicked', [{ subject: messageId, data: { messageId, customerId: optedIn } }])
      await kando.flows.runDue()
      expect((await call('GET', `/api/v1/flows/${flowId}/stats`)).body).toMatchObject({ clicks: 1, messagesSent: 1 })
      await kando.notifications.updateSettings(scope, { settings: base })
      await call('POST', `/api/v1/flows/${flowId}/archive`)
    })

    it('conversions by split arm against the holdout, within the attribution window only', async () => {
      const ids = await customers(300)
      const flowId = await flow({
        schemaVersion: 1, name: 'ab', trigger: { kind: 'event', type: 'segment.entered' }, entry: 'split',
        steps: {
          split: { type: 'split', arms: [{ name: 'A', weight: 1, next: 'a' }, { name: 'B', weight: 1, next: 'b' }], holdout: { weight: 1 } },
          a: { type: 'action', action: { kind: 'add_tag', tag: 'A' } },
          b: { type: 'action', action: { kind: 'add_tag', tag: 'B' } },
        },
        reentry: { kind: 'once_ever' },
      }, { attributionDays: 5 })
      expect((await call('POST', `/api/v1/flows/${flowId}/enroll`, { customerIds: [...ids, 'cus_nobody'] })).body).toMatchObject({ entered: 300, refused: 0, unknown: ['cus_nobody'] })
      await kando.flows.runDue()
      const runs = await kando.db.kysely.selectFrom('flow_runs').select(['customer_id', 'arm']).where('flow_id', '=', flowId).execute()
      const arm = new Map(runs.map((r) => [r.customer_id, r.arm!]))
      // Every third customer orders within 2 days; every fifth after 6 days (outside the window).
      await advance(2 * DAY)
      const buyers = ids.filter((_, i) => i % 3 === 0)
      await emit('order.placed', buyers.map((c) => ({ subject: `o_${c}`, data: { customerId: c } })))
      await advance(4 * DAY)
      await emit('order.placed', ids.filter((_, i) => i % 5 === 0 && i % 3 !== 0).map((c) => ({ subject: `late_${c}`, data: { customerId: c } })))
      await kando.flows.runDue()
      const stats = (await call('GET', `/api/v1/flows/${flowId}/stats`)).body
      const expected = (name: string) => ({ customers: ids.filter((c) => arm.get(c) === name).length, conversions: buyers.filter((c) => arm.get(c) === name).length })
      for (const name of ['A', 'B', 'holdout']) expect(stats.arms.find((a: { arm: string }) => a.arm === name)).toMatchObject(expected(name))
      expect(expected('holdout').customers).toBeGreaterThan(60) // about a third
      expect(stats.conversions).toBe(buyers.length)
      const hold = stats.arms.find((a: { arm: string }) => a.arm === 'holdout')
      const a = stats.arms.find((x: { arm: string }) => x.arm === 'A')
      expect(a.liftOverHoldout).toBeCloseTo(a.conversionRate / hold.conversionRate - 1, 10)
      // Holdout customers got nothing.
      expect(await Promise.all(ids.filter((c) => arm.get(c) === 'holdout').slice(0, 5).map((c) => kando.customers.tags(scope, c)))).toEqual([[], [], [], [], []])
      await call('POST', `/api/v1/flows/${flowId}/archive`)
    })

    it('a date-property trigger: a newer order moves the pending entry (win-back after N quiet days)', async () => {
      const [c] = await customers(1)
      const flowId = await flow({
        schemaVersion: 1, name: 'quiet 10 days', trigger: { kind: 'date_property', property: 'last_order_at', offset: 'P10D' }, entry: 'tag',
        steps: { tag: { type: 'action', action: { kind: 'add_tag', tag: 'winback' } } },
        exit: [{ kind: 'event', type: 'order.placed' }], reentry: { kind: 'every', days: 30 },
      })
      await emit('order.placed', [{ subject: 'wb1', data: { customerId: c } }])
      await kando.flows.runDue()
      await advance(6 * DAY)
      await emit('order.placed', [{ subject: 'wb2', data: { customerId: c } }])
      await kando.flows.runDue()
      await advance(6 * DAY) // 12 days after the first order, 6 after the second
      expect(await kando.customers.tags(scope, c)).toEqual([])
      await advance(5 * DAY)
      expect(await kando.customers.tags(scope, c)).toEqual(['winback'])
      const runs = (await call('GET', `/api/v1/flows/${flowId}/runs?customerId=${c}`)).body.items
      expect(runs.map((r: { status: string }) => r.status).sort()).toEqual(['completed', 'exited'])
      await call('POST', `/api/v1/flows/${flowId}/archive`)
    })

    it('dry run: past events replayed through a draft say who would have received what, and nothing is written', async () => {
      const ids = await customers(6)
      const from = clock.now().toISOString()
      await emit('shipment.delivered', ids.map((c) => ({ subject: `d_${c}`, data: { customerId: c } })))
      clock.advance(DAY)
      await emit('return.requested', [{ subject: 'r0', data: { customerId: ids[0] } }])
      clock.advance(5 * DAY)
      const created = await call('POST', '/api/v1/flows', {
        document: {
          schemaVersion: 1, name: 'draft thanks', trigger: { kind: 'event', type: 'shipment.delivered' }, entry: 'wait',
          steps: { wait: { type: 'wait', for: 'P2D', next: 'send' }, send: { type: 'action', action: { kind: 'send_message', messageType: 'thank_you' } } },
          exit: [{ kind: 'event', type: 'return.requested' }], reentry: { kind: 'once_per_order' },
        },
      })
      const flowId = created.body.id
      const report = (await call('POST', `/api/v1/flows/${flowId}/dry-run`, { from, to: clock.now().toISOString() })).body
      expect(report).toMatchObject({ entered: 6, exited: 1, completed: 5, stillWaiting: 0, messages: { thank_you: { wouldSend: 5, wouldSkip: 0, byChannel: { email: 5 } } } })
      expect(report.actions.map((a: { customerId: string }) => a.customerId).sort()).toEqual(ids.slice(1).sort())
      expect(report.actions[0]).toMatchObject({ outcome: 'would_send', channel: 'email', action: 'send_message:thank_you' })
      expect(Date.parse(report.actions[0].at) - Date.parse(from)).toBeGreaterThanOrEqual(2 * DAY)
      // Nothing happened for real.
      expect((await call('GET', `/api/v1/flows/${flowId}/runs`)).body.items).toEqual([])
      expect((await messages('thank_you')).filter((m) => ids.includes(m.customer_id!))).toEqual([])
      const bad = await call('POST', `/api/v1/flows/${flowId}/dry-run`, { from: clock.now().toISOString(), to: from })
      expect(bad.status).toBe(422)
      expect(bad.body.errors[0].pointer).toBe('/body/to')
    })

    it('built-in flows: every one validates and can be switched on, in Japanese and English', async () => {
      const list = (await call('GET', '/api/v1/flow-templates')).body.items
      expect(list.map((b: { key: string }) => b.key)).toEqual(['thank_you', 'review_request', 'nps_survey', 'return_csat', 'replenishment', 'cross_sell', 'win_back', 'second_purchase', 'delay_apology'])
      const pool = await kando.coupons.createPool(scope, { name: 'お詫びクーポン' })
      for (const b of list) {
        const created = await call('POST', '/api/v1/flows', { builtin: b.key, locale: 'en', options: { couponPoolId: pool.id } })
        expect(created.status, JSON.stringify(created.body)).toBe(201)
        expect(created.body.name).toBe(b.name.en)
        expect((await call('POST', `/api/v1/flows/${created.body.id}/activate`, {})).status).toBe(200)
        await call('POST', `/api/v1/flows/${created.body.id}/archive`)
      }
      const noPool = await call('POST', '/api/v1/flows', { builtin: 'win_back', options: { couponPoolId: 'cpl_missing' } })
      expect(noPool.status).toBe(422)
      expect(noPool.body.errors[0].pointer).toBe('/body/builtin/steps/coupon/action/poolId')
    })

    it('pause holds waiting customers, archive cancels their waits; a cancelled run does nothing', async () => {
      const ids = await customers(3)
      const flowId = await flow({
        schemaVersion: 1, name: 'hold', trigger: { kind: 'event', type: 'shipment.delivered' }, entry: 'wait',
        steps: { wait: { type: 'wait', for: 'P1D', next: 'tag' }, tag: { type: 'action', action: { kind: 'add_tag', tag: 'held' } } },
        reentry: { kind: 'once_ever' },
      })
      await emit('shipment.delivered', ids.map((c) => ({ subject: `h_${c}`, data: { customerId: c } })))
      await kando.flows.runDue()
      const runs = (await call('GET', `/api/v1/flows/${flowId}/runs`)).body.items
      const cancelled = await call('POST', `/api/v1/flow-runs/${runs[0].id}/cancel`, { reason: 'customer asked' })
      expect(cancelled.body).toMatchObject({ status: 'cancelled', exitReason: 'customer asked', wakeAt: null })
      expect((await call('POST', `/api/v1/flows/${flowId}/pause`)).body.status).toBe('paused')
      await advance(2 * DAY)
      expect(await Promise.all(ids.map((c) => kando.customers.tags(scope, c)))).toEqual([[], [], []])
      await call('POST', `/api/v1/flows/${flowId}/activate`, {})
      await kando.flows.runDue()
      const tagged = (await Promise.all(ids.map((c) => kando.customers.tags(scope, c)))).filter((t) => t.includes('held')).length
      expect(tagged).toBe(2)
      expect((await call('POST', `/api/v1/flows/${flowId}/archive`)).body.status).toBe('archived')
    })
  })
}
