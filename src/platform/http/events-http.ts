import type { FastifyPluginAsync } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { toEvent } from '../events.js'
import { PageQuery, decodeCursor, encodeCursor } from './pagination.js'

const EventOut = z.object({ id: z.string(), tenantId: z.string(), type: z.string(), occurredAt: z.string(), subject: z.string(), data: z.record(z.string(), z.unknown()) }).meta({ id: 'Event' })

/** `/api/v1/events`: the tenant's domain events, oldest first, to follow the stream with a cursor. */
export const eventsHttp: FastifyPluginAsync = async (app) => {
  const r = app.withTypeProvider<ZodTypeProvider>()
  r.get('/events', {
    schema: {
      tags: ['events'],
      summary: 'Domain events in the order they happened; pass nextCursor to continue',
      querystring: z.object({ ...PageQuery, type: z.string().max(100).optional(), subject: z.string().max(100).optional() }).strict(),
      response: { 200: z.object({ items: z.array(EventOut), nextCursor: z.string().nullable() }) },
    },
  }, async (req) => {
    let q = req.scope.selectFrom('events').selectAll().orderBy('id', 'asc').limit(req.query.limit)
    const after = decodeCursor(req.query.cursor)
    if (after) q = q.where('id', '>', after)
    if (req.query.type) q = q.where('type', '=', req.query.type)
    if (req.query.subject) q = q.where('subject', '=', req.query.subject)
    const items = (await q.execute()).map(toEvent)
    const last = items[items.length - 1]
    // Unlike other lists, the event stream always hands back a cursor: new events may arrive.
    return { items, nextCursor: last ? encodeCursor(last.id) : (req.query.cursor ?? null) }
  })
}
