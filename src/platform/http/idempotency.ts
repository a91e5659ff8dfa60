import { sha256Hex } from '../ids.js'
import { AppError } from '../errors.js'
import type { TenantDb } from '../tenancy.js'

/**
 * Runs `fn` once per Idempotency-Key: a retry with the same key and body gets the stored answer;
 * the same key with a different body is refused. `fn` must itself be idempotent on its natural key
 * (orders are, on the shop's order id), so two racing first attempts still make one thing.
 */
export async function withIdempotencyKey(
  scope: TenantDb,
  key: string | undefined,
  requestBody: unknown,
  now: () => string,
  fn: () => Promise<{ status: number; body: unknown }>,
): Promise<{ status: number; body: unknown; replayed: boolean }> {
  if (key === undefined) return { ...(await fn()), replayed: false }
  if (key.length < 1 || key.length > 255) {
    throw new AppError('IDEMPOTENCY_KEY_INVALID', 'invalid_data', 'Idempotency-Key must be 1–255 characters.', { fields: [{ pointer: '/headers/idempotency-key', message: 'length 1–255' }] })
  }
  const hash = sha256Hex(JSON.stringify(requestBody ?? null))
  const stored = await scope.selectFrom('idempotency_keys').selectAll().where('key', '=', key).executeTakeFirst()
  if (stored) {
    if (stored.request_hash !== hash) {
      throw new AppError('IDEMPOTENCY_KEY_REUSED', 'conflict', 'This Idempotency-Key was already used with a different request body.')
    }
    return { status: stored.status_code, body: JSON.parse(stored.response_body), replayed: true }
  }
  const result = await fn()
  await scope
    .insertInto('idempotency_keys', { key, request_hash: hash, status_code: result.status, response_body: JSON.stringify(result.body), created_at: now() })
    .onConflict((oc) => oc.doNothing())
    .execute()
  return { ...result, replayed: false }
}
