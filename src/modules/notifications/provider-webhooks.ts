import { createHmac, timingSafeEqual } from 'node:crypto'
import formbody from '@fastify/formbody'
import type { FastifyPluginAsync } from 'fastify'
import { problem, sendProblem } from '../../platform/http/problem.js'
import type { TenantDb } from '../../platform/tenancy.js'
import type { TenantService } from '../tenants/index.js'
import type { NotificationService } from './service.js'

/**
 * Twilio error codes in a status callback that mean the number cannot receive SMS:
 * 30003 unreachable handset, 30005 unknown or inactive number, 30006 landline or unreachable carrier.
 */
const TWILIO_SUPPRESS = new Set(['30003', '30005', '30006'])

/** Twilio's X-Twilio-Signature: HMAC-SHA1(auth token, URL + each POST parameter name and value sorted by name), base64. */
export function twilioSignatureValid(authToken: string, url: string, params: Record<string, string>, signature: string): boolean {
  const data = url + Object.keys(params).sort().map((k) => k + params[k]).join('')
  const want = Buffer.from(createHmac('sha1', authToken).update(data, 'utf8').digest('base64'))
  const got = Buffer.from(signature)
  return want.length === got.length && timingSafeEqual(want, got)
}

/**
 * `/webhooks/twilio/:tenant/status`: SMS delivery receipts. The signature is checked with the
 * brand's auth token over the URL Kando gave as StatusCallback (public URL + path); anything
 * unsigned or mis-signed is 403 and changes nothing.
 */
export const providerWebhooks =
  (deps: { notifications: NotificationService; tenants: TenantService; scope: (tenantId: string) => TenantDb; publicUrl: string }): FastifyPluginAsync =>
  async (app) => {
    await app.register(formbody, { bodyLimit: 16 * 1024 })
    app.post<{ Params: { tenant: string }; Body: Record<string, string> }>('/webhooks/twilio/:tenant/status', { schema: { hide: true } }, async (req, reply) => {
      const tenant = await deps.tenants.find(req.params.tenant).catch(() => undefined)
      if (!tenant) return sendProblem(reply, problem(404, 'TENANT_NOT_FOUND', 'No such brand.'))
      const scope = deps.scope(tenant.id)
      const { credentials } = await deps.notifications.settingsOf(scope)
      const params = Object.fromEntries(Object.entries(req.body ?? {}).map(([k, v]) => [k, String(v)]))
      const signature = req.headers['x-twilio-signature']
      const url = `${deps.publicUrl}/webhooks/twilio/${encodeURIComponent(req.params.tenant)}/status`
      if (!credentials.sms || typeof signature !== 'string' || !twilioSignatureValid(credentials.sms.authToken, url, params, signature)) {
        return sendProblem(reply, problem(403, 'SIGNATURE_INVALID', 'The X-Twilio-Signature does not match this brand.'))
      }
      if (!params.MessageSid || !params.MessageStatus) return sendProblem(reply, problem(422, 'STATUS_INVALID', 'MessageSid and MessageStatus are required.'))
      await deps.notifications.recordProviderStatus(scope, { channel: 'sms', providerId: params.MessageSid, status: params.MessageStatus, errorCode: params.ErrorCode, suppressCodes: TWILIO_SUPPRESS })
      return reply.code(204).send()
    })
  }
