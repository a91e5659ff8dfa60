import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Shopify signs each webhook with base64(HMAC-SHA256(raw body, app secret)) in
 * X-Shopify-Hmac-Sha256. Compared in constant time, over the exact bytes received.
 */
export function verifyShopifyHmac(rawBody: Buffer, header: string | undefined, secret: string): boolean {
  if (!header) return false
  const given = Buffer.from(header, 'base64')
  const expected = createHmac('sha256', secret).update(rawBody).digest()
  return given.length === expected.length && timingSafeEqual(given, expected)
}

export function signShopifyBody(rawBody: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('base64')
}
