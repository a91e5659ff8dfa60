import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DIALECTS } from './databases.js'
import { startTestServer, type TestServer } from './harness.js'

/**
 * A WMS numbers its messages; the network reorders and repeats them. Whatever order snapshots and
 * deltas arrive in, and however often, the stock Kando ends with is the WMS's own count after its
 * last message — checked against a model on real databases.
 */
type WmsMessage = { seq: number; kind: 'snapshot'; onHand: number } | { seq: number; kind: 'delta'; delta: number }

const history = fc
  .array(fc.oneof(fc.record({ kind: fc.constant('snapshot' as const), onHand: fc.integer({ min: 0, max: 500 }) }), fc.record({ kind: fc.constant('delta' as const), delta: fc.integer({ min: -20, max: 40 }).filter((d) => d !== 0) })), { minLength: 1, maxLength: 12 })
  .map((steps) => steps.map((s, i) => ({ ...s, seq: (i + 1) * 10 }) as WmsMessage))

/** The WMS's own count after its last message (deltas before any snapshot count from 0). */
function truth(messages: readonly WmsMessage[]): number {
  let onHand = 0
  for (const m of messages) onHand = m.kind === 'snapshot' ? m.onHand : onHand + m.delta
  return onHand
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: WMS snapshots and deltas in any order`, () => {
    let s: TestServer
    let tenantId: string
    let run = 0

    beforeAll(async () => {
      s = await startTestServer(dialect)
      await s.kando.inventory.seedDemoNetwork()
      tenantId = (await s.kando.tenants.create({ slug: 'wms-sync', name: 'WMS' })).tenant.id
    })
    afterAll(async () => s?.close())

    it('ends at the WMS count after its last message, whatever the arrival order and repeats', async () => {
      const scope = s.kando.scope(tenantId)
      await fc.assert(
        fc.asyncProperty(history, fc.infiniteStream(fc.nat()), fc.array(fc.nat(), { maxLength: 4 }), async (messages, noise, repeats) => {
          const sku = `SYNC-${++run}`
          // A random permutation, then some messages delivered a second time.
          const order = [...messages].map((m) => ({ m, k: noise.next().value as number })).sort((a, b) => a.k - b.k).map((x) => x.m)
          for (const r of repeats) if (messages.length > 0) order.splice(r % (order.length + 1), 0, messages[r % messages.length]!)
          for (const m of order) {
            if (m.kind === 'snapshot') await s.kando.inventory.applySnapshot(scope, { locationId: 'loc_sendai', seq: m.seq, items: [{ sku, onHand: m.onHand }] })
            else await s.kando.inventory.applyDelta(scope, { locationId: 'loc_sendai', seq: m.seq, items: [{ sku, delta: m.delta }] })
          }
          const [level] = await s.kando.inventory.stock(scope, { sku, limit: 1 })
          expect(level!.onHand).toBe(truth(messages))
        }),
        { numRuns: dialect === 'postgres' ? 25 : 60 },
      )
    }, 120_000)
  })
}
