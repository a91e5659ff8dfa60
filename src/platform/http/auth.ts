import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AppError } from '../errors.js'
import type { TenantDb } from '../tenancy.js'
import type { Tenant } from '../../modules/tenants/index.js'

declare module 'fastify' {
  interface FastifyRequest {
    tenant: Tenant
    /** The requesting tenant's data; routes reach tenant tables only through this. */
    scope: TenantDb
  }
}

/**
 * Bearer API-key authentication for a plugin scope: resolves the key to its tenant and gives
 * the request a TenantDb for that tenant. Everything registered in the scope is covered.
 */
export function requireApiKey(app: FastifyInstance, deps: { authenticate(key: string): Promise<Tenant | undefined>; scope(tenantId: string): TenantDb }): void {
  app.decorateRequest('tenant', null as unknown as Tenant)
  app.decorateRequest('scope', null as unknown as TenantDb)
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const header = request.headers.authorization
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null
    if (!match) throw new AppError('API_KEY_MISSING', 'unauthorized', 'Send your API key as "Authorization: Bearer <key>".')
    const tenant = await deps.authenticate(match[1]!)
    if (!tenant) throw new AppError('API_KEY_INVALID', 'unauthorized', 'The API key is unknown or was revoked.')
    request.tenant = tenant
    request.scope = deps.scope(tenant.id)
  })
}

/**
 * The 3PL operator's key (KANDO_OPERATOR_KEY) for installation-wide settings: compared by hash in
 * constant time; with no key configured the operator API is off.
 */
export function requireOperatorKey(app: FastifyInstance, operatorKey: string | undefined): void {
  const expected = operatorKey ? createHash('sha256').update(operatorKey).digest() : undefined
  app.addHook('onRequest', async (req) => {
    if (!expected) throw new AppError('OPERATOR_API_DISABLED', 'not_allowed', 'The operator API is off: set KANDO_OPERATOR_KEY to use it.')
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')
    const given = m ? createHash('sha256').update(m[1]!).digest() : undefined
    if (!given || !timingSafeEqual(given, expected)) throw new AppError('OPERATOR_KEY_INVALID', 'unauthorized', 'Send the operator key as "Authorization: Bearer <key>".')
  })
}
