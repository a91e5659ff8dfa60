import type { FastifyPluginAsync } from 'fastify'
import type { ShopifyWebhooks } from './webhooks.js'

const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)

/** `POST /webhooks/shopify/:tenant`: the raw body is kept byte-exact for the HMAC check. */
export const shopifyWebhookHttp =
  (shopify: ShopifyWebhooks): FastifyPluginAsync =>
  async (app) => {
    app.removeAllContentTypeParsers()
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body))
    app.post<{ Params: { tenant: string }; Body: Buffer }>('/:tenant', {
      schema: { tags: ['webhooks'], summary: 'Shopify webhooks (orders, fulfillments, refunds), verified by X-Shopify-Hmac-Sha256', security: [] },
    }, async (req, reply) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
      const result = await shopify.accept(req.params.tenant, {
        hmac: header(req.headers['x-shopify-hmac-sha256']),
        topic: header(req.headers['x-shopify-topic']),
        webhookId: header(req.headers['x-shopify-webhook-id']),
        shopDomain: header(req.headers['x-shopify-shop-domain']),
      }, body)
      return reply.code(200).send(result)
    })
  }
