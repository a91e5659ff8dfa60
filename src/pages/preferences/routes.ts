import formbody from '@fastify/formbody'
import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import type { Db } from '../../platform/db/index.js'
import type { TenantDb } from '../../platform/tenancy.js'
import type { CustomerService } from '../../modules/customers/index.js'
import type { NotificationService } from '../../modules/notifications/service.js'
import type { TenantService } from '../../modules/tenants/index.js'
import { renderNotFoundPage } from '../tracking/lookup.js'
import { renderPreferencePage, renderUnsubscribePage, type PrefChannel } from './render.js'

export interface PreferencePageDeps {
  db: Db
  notifications: NotificationService
  customers: CustomerService
  tenants: TenantService
  scope(tenantId: string): TenantDb
}

/**
 * The customer's preference centre `/p/:token` and the unsubscribe endpoint. The token (256 random
 * bits) is the capability: no login. `POST /p/:token/unsubscribe` is the RFC 8058 one-click
 * target of List-Unsubscribe (body `List-Unsubscribe=One-Click`), and the form behind the
 * visible link in the mail posts the same.
 */
export const preferencePages =
  (deps: PreferencePageDeps): FastifyPluginAsync =>
  async (app) => {
    await app.register(formbody, { bodyLimit: 4096 })
    const page = (reply: FastifyReply, status: number, body: string) =>
      reply.code(status).header('cache-control', 'private, no-store').header('x-robots-tag', 'noindex').header('referrer-policy', 'no-referrer').type('text/html; charset=utf-8').send(body)

    const load = async (token: string) => {
      const ref = await deps.notifications.byPreferenceToken(token)
      if (!ref) return undefined
      const scope = deps.scope(ref.tenantId)
      const [tenant, customer, settings] = await Promise.all([deps.tenants.find(ref.tenantId), deps.customers.get(scope, ref.customerId), deps.notifications.settingsOf(scope)])
      if (!customer) return undefined
      return { ref, scope, tenant, customer, settings }
    }
    const view = async (l: NonNullable<Awaited<ReturnType<typeof load>>>, token: string) => {
      const consents = await deps.customers.consents(l.scope, l.customer.id)
      const reach: Array<[PrefChannel, string | null]> = [['email', l.customer.email], ['line', l.customer.lineUserId ? 'LINE' : null], ['sms', l.customer.phone]]
      return {
        lang: (l.customer.locale === 'en' ? 'en' : 'ja') as 'ja' | 'en',
        brandName: l.settings.settings.sender.name ?? l.tenant.name, logoUrl: l.settings.settings.brand.logoUrl ?? null, primaryColor: l.settings.settings.brand.color ?? null,
        token, channels: reach.filter(([, a]) => a).map(([channel, address]) => ({ channel, address: address!, granted: consents[channel]?.granted ?? false })),
        preferred: (l.ref.preferredChannel as PrefChannel | null) ?? null,
      }
    }
    const notFound = (reply: FastifyReply) => page(reply, 404, renderNotFoundPage('ja'))

    // The open pixel: /o/<message id>.<tag>.gif. Always the same image, whatever the id.
    const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64')
    app.get<{ Params: { file: string } }>('/o/:file', { schema: { hide: true } }, async (req, reply) => {
      const m = /^(msg_[0-9a-z]{26})\.([A-Za-z0-9_-]{22})\.gif$/.exec(req.params.file)
      if (m) await deps.notifications.recordOpen(m[1]!, m[2]!).catch(() => false)
      return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').type('image/gif').send(GIF)
    })

    app.get<{ Params: { token: string } }>('/p/:token', { schema: { hide: true } }, async (req, reply) => {
      const l = await load(req.params.token)
      if (!l) return notFound(reply)
      return page(reply, 200, renderPreferencePage({ ...(await view(l, req.params.token)), notice: null }))
    })

    app.post<{ Params: { token: string }; Body: Record<string, string> }>('/p/:token', { schema: { hide: true } }, async (req, reply) => {
      const l = await load(req.params.token)
      if (!l) return notFound(reply)
      const body = (req.body ?? {}) as Record<string, string>
      const v = await view(l, req.params.token)
      const preferred = ['email', 'line', 'sms'].includes(body.preferred ?? '') ? (body.preferred as PrefChannel) : null
      await deps.db.transaction(async (trx) => {
        const tx = l.scope.with(trx)
        for (const c of v.channels) {
          await deps.customers.recordConsent(tx, l.customer.id, c.channel, body[`marketing_${c.channel}`] === 'on', 'preference_centre', `form posted from /p/ at ${new Date().toISOString()}`)
        }
        await deps.notifications.setPreferredChannel(tx, l.customer.id, preferred)
      })
      const after = await load(req.params.token)
      return page(reply, 200, renderPreferencePage({ ...(await view(after!, req.params.token)), notice: 'saved' }))
    })

    app.get<{ Params: { token: string } }>('/p/:token/unsubscribe', { schema: { hide: true } }, async (req, reply) => {
      const l = await load(req.params.token)
      if (!l) return notFound(reply)
      const v = await view(l, req.params.token)
      return page(reply, 200, renderUnsubscribePage({ ...v, done: false }))
    })

    app.post<{ Params: { token: string } }>('/p/:token/unsubscribe', { schema: { hide: true } }, async (req, reply) => {
      const l = await load(req.params.token)
      if (!l) return notFound(reply)
      const raw = req.body as Record<string, string> | undefined
      const oneClick = raw?.['List-Unsubscribe'] === 'One-Click'
      await deps.db.transaction((trx) => deps.customers.recordConsent(l.scope.with(trx), l.customer.id, 'email', false, oneClick ? 'one_click' : 'unsubscribe_link', oneClick ? 'List-Unsubscribe=One-Click (RFC 8058)' : 'unsubscribe form'))
      // Mail providers post here without a person watching; a short page does for both.
      return page(reply, 200, renderUnsubscribePage({ ...(await view(l, req.params.token)), done: true }))
    })
  }
