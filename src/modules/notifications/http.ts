import type { FastifyPluginAsync } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError } from '../../platform/errors.js'
import { withIdempotencyKey } from '../../platform/http/idempotency.js'
import { PageQuery, decodeCursor, page } from '../../platform/http/pagination.js'
import { ProblemSchema } from '../../platform/http/schemas.js'
import { parseBounce } from './bounces.js'
import { BounceInput, MessageOut, PreviewInput, SendMessageInput, SettingsPut, TemplateInput, TemplateKey, WebhookEndpointInput } from './schemas.js'
import type { NotificationService } from './service.js'
import { CHANNELS, type CustomerChannel, type Locale, type MessageType } from './types.js'

const Id = z.object({ id: z.string().min(1).max(100) })
const SettingsOut = z.object({ settings: z.record(z.string(), z.unknown()), credentials: z.object({ line: z.boolean(), sms: z.boolean() }) })
const TemplateOut = z.object({ type: z.string(), channel: z.string(), locale: z.string(), subject: z.string().nullable().optional(), body: z.string(), isDefault: z.boolean() })
const EndpointOut = z.object({ id: z.string(), url: z.string(), eventTypes: z.array(z.string()), secret: z.string() })
const MailOut = z.object({ id: z.string(), messageId: z.string(), from: z.string(), to: z.string(), subject: z.string(), html: z.string(), text: z.string(), raw: z.string(), receivedAt: z.string() })
const MessageDetail = MessageOut.extend({ attempts_log: z.array(z.object({ attempt: z.number(), at: z.string(), outcome: z.string(), detail: z.string().nullable() })) })
const RenderedOut = z.union([
  z.object({ channel: z.literal('email'), email: z.object({ subject: z.string(), html: z.string(), text: z.string() }) }),
  z.object({ channel: z.literal('line'), line: z.object({ messages: z.array(z.record(z.string(), z.unknown())) }) }),
  z.object({ channel: z.literal('sms'), sms: z.object({ text: z.string() }) }),
])

/** `/api/v1`: the message log, sending, templates and preview, settings, webhook endpoints, bounces, dev mailbox. */
export const notificationsHttp =
  (deps: { notifications: NotificationService; now: () => string }): FastifyPluginAsync =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>()
    const n = deps.notifications

    r.get('/messages', {
      schema: {
        tags: ['messages'], summary: 'The message log, newest first',
        querystring: z.object({
          ...PageQuery, status: MessageOut.shape.status.optional(), type: z.string().max(50).optional(), customerId: z.string().max(100).optional(),
          orderId: z.string().max(100).optional(), shipmentId: z.string().max(100).optional(), channel: z.enum(CHANNELS).optional(),
        }).strict(),
        response: { 200: z.object({ items: z.array(MessageOut), nextCursor: z.string().nullable() }) },
      },
    }, async (req) => page(await n.list(req.scope, { ...req.query, after: decodeCursor(req.query.cursor) }), req.query.limit))

    r.get('/messages/:id', {
      schema: { tags: ['messages'], summary: 'One message with every attempt and the provider answers', params: Id, response: { 200: MessageDetail, 404: ProblemSchema } },
    }, async (req) => {
      const m = await n.get(req.scope, req.params.id)
      if (!m) throw new AppError('MESSAGE_NOT_FOUND', 'not_found', `No message with id ${req.params.id}.`)
      return m
    })

    r.post('/messages', {
      schema: {
        tags: ['messages'], summary: 'Send a message (transactional or marketing) through the rules: consent, channel choice, quiet hours, cap, deduplication',
        body: SendMessageInput, response: { 200: MessageOut, 201: MessageOut, 404: ProblemSchema, 422: ProblemSchema },
      },
    }, async (req, reply) => {
      const result = await withIdempotencyKey(req.scope, req.headers['idempotency-key'] as string | undefined, req.body, deps.now, async () => {
        const { message, duplicate } = await n.send(req.scope, req.body)
        return { status: duplicate ? 200 : 201, body: message }
      })
      if (result.replayed) reply.header('idempotent-replayed', 'true')
      return reply.code(result.status as 200 | 201).send(result.body as never)
    })

    r.get('/notifications/settings', {
      schema: { tags: ['messages'], summary: 'Sender, channel order, quiet hours, frequency cap, switched-off types; which channel credentials are set' },
    }, async (req) => {
      const { settings, credentials } = await n.settingsOf(req.scope)
      return { settings, credentials: { line: !!credentials.line, sms: !!credentials.sms } }
    })

    r.put('/notifications/settings', {
      schema: { tags: ['messages'], summary: 'Change settings and channel credentials (credentials are write-only and stored encrypted; null removes one)', body: SettingsPut, response: { 200: SettingsOut, 422: ProblemSchema } },
    }, async (req) => {
      await n.updateSettings(req.scope, { settings: req.body.settings, credentials: req.body.credentials })
      const { settings, credentials } = await n.settingsOf(req.scope)
      return { settings, credentials: { line: !!credentials.line, sms: !!credentials.sms } }
    })

    r.get('/templates', {
      schema: { tags: ['templates'], summary: "The brand's own templates (anything not listed uses the shipped default)" },
    }, async (req) => ({ items: await n.listTemplates(req.scope) }))

    r.get('/templates/:type/:channel/:locale', {
      schema: { tags: ['templates'], summary: 'One template: the saved one, or the shipped default', params: TemplateKey },
    }, async (req) => {
      const saved = (await n.listTemplates(req.scope)).find((t) => t.type === req.params.type && t.channel === req.params.channel && t.locale === req.params.locale)
      if (saved) return { ...saved, isDefault: false }
      const d = n.engine.defaultSource(req.params.type as MessageType, req.params.channel, req.params.locale)
      return { type: req.params.type, channel: req.params.channel, locale: req.params.locale, subject: d.subject ?? null, body: d.body, isDefault: true }
    })

    r.put('/templates/:type/:channel/:locale', {
      schema: { tags: ['templates'], summary: 'Save a template (Liquid; email bodies are MJML fragments); refused with pointers when it does not compile', params: TemplateKey, body: TemplateInput, response: { 200: TemplateOut, 422: ProblemSchema } },
    }, async (req) => {
      await n.saveTemplate(req.scope, { type: req.params.type as MessageType, channel: req.params.channel, locale: req.params.locale }, req.body)
      return { ...req.params, ...req.body, isDefault: false }
    })

    r.delete('/templates/:type/:channel/:locale', {
      schema: { tags: ['templates'], summary: 'Go back to the shipped default', params: TemplateKey, response: { 204: z.null(), 404: ProblemSchema } },
    }, async (req, reply) => {
      if (!(await n.deleteTemplate(req.scope, req.params))) throw new AppError('TEMPLATE_NOT_FOUND', 'not_found', 'This brand has no own template for that type, channel and locale.')
      return reply.code(204).send(null)
    })

    r.post('/templates/preview', {
      schema: { tags: ['templates'], summary: 'Render a template (saved, draft or default) with sample data or a real order', body: PreviewInput, response: { 200: RenderedOut, 404: ProblemSchema, 422: ProblemSchema } },
    }, async (req) => n.preview(req.scope, {
      type: req.body.type as MessageType, channel: req.body.channel as CustomerChannel, locale: req.body.locale as Locale,
      orderId: req.body.orderId, shipmentId: req.body.shipmentId, template: req.body.template,
    }) as never)

    r.get('/webhook-endpoints', { schema: { tags: ['webhooks'], summary: "The brand's endpoints for outgoing webhooks" } }, async (req) => ({ items: await n.listEndpoints(req.scope) }))
    r.post('/webhook-endpoints', {
      schema: { tags: ['webhooks'], summary: 'Register an endpoint; the signing secret is shown once. Deliveries carry Kando-Signature: t=<unix>,v1=<HMAC-SHA256 of "t.body">', body: WebhookEndpointInput, response: { 201: EndpointOut, 422: ProblemSchema } },
    }, async (req, reply) => reply.code(201).send(await n.createEndpoint(req.scope, req.body)))
    r.delete('/webhook-endpoints/:id', { schema: { tags: ['webhooks'], summary: 'Stop sending to an endpoint', params: Id, response: { 204: z.null(), 404: ProblemSchema } } }, async (req, reply) => {
      if (!(await n.deleteEndpoint(req.scope, req.params.id))) throw new AppError('WEBHOOK_ENDPOINT_NOT_FOUND', 'not_found', `No active webhook endpoint with id ${req.params.id}.`)
      return reply.code(204).send(null)
    })

    // A bounce: JSON from a provider's webhook, or the DSN / ARF report itself (message/rfc822) piped from the MTA.
    app.addContentTypeParser(['message/rfc822', 'message/delivery-status', 'multipart/report'], { parseAs: 'buffer' }, (_req, body, done) => done(null, body))
    r.post('/notifications/bounces', {
      schema: { tags: ['messages'], summary: 'Report a bounce or complaint: JSON, or the raw DSN (RFC 3464) / ARF (RFC 5965) report as message/rfc822', response: { 200: z.object({ messageId: z.string().nullable(), suppressed: z.boolean() }), 422: ProblemSchema } },
    }, async (req) => {
      let bounce: z.infer<typeof BounceInput>
      if (Buffer.isBuffer(req.body)) {
        const b = await parseBounce(req.body)
        if (!b) throw new AppError('NOT_A_BOUNCE', 'invalid_data', 'This message is not a delivery status notification or a complaint report.')
        bounce = { kind: b.kind, recipient: b.recipient, messageId: b.originalMessageId, status: b.status, diagnostic: b.diagnostic }
      } else {
        const parsed = BounceInput.safeParse(req.body)
        if (!parsed.success) throw new AppError('BOUNCE_INVALID', 'invalid_data', 'The bounce report is not valid.', { fields: parsed.error.issues.map((i) => ({ pointer: '/' + i.path.join('/'), message: i.message })) })
        bounce = parsed.data
      }
      return n.recordBounce(req.scope, bounce)
    })

    r.get('/dev-mailbox', {
      schema: { tags: ['messages'], summary: 'The built-in mailbox (mail sent while no SMTP server is configured), newest first', querystring: z.object({ ...PageQuery, to: z.string().max(320).optional() }).strict() },
    }, async (req) => page(await n.mailbox(req.scope, { limit: req.query.limit, after: decodeCursor(req.query.cursor), to: req.query.to }), req.query.limit))
    r.get('/dev-mailbox/:id', { schema: { tags: ['messages'], summary: 'One mail: headers, HTML, text and the raw MIME', params: Id, response: { 200: MailOut, 404: ProblemSchema } } }, async (req) => {
      const m = await n.mail(req.scope, req.params.id)
      if (!m) throw new AppError('MAIL_NOT_FOUND', 'not_found', `No mail with id ${req.params.id}.`)
      return m
    })
    r.get('/dev-mailbox/:id/html', { schema: { tags: ['messages'], summary: 'The mail as a page (sandboxed)', params: Id } }, async (req, reply) => {
      const m = await n.mail(req.scope, req.params.id)
      if (!m) throw new AppError('MAIL_NOT_FOUND', 'not_found', `No mail with id ${req.params.id}.`)
      // The mail's HTML is shown as it would be in a mail client: no scripts, no forms, nothing from it runs here.
      reply.header('content-security-policy', "sandbox; default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'")
      return reply.type('text/html; charset=utf-8').send(m.html)
    })
  }
