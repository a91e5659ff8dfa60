import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import pino from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { createKando } from '../src/kando.js'
import { openDb } from '../src/platform/db/index.js'
import { DIALECTS, createTestDatabase } from './databases.js'
import { sampleOrder, testConfig } from './harness.js'
import { startSmtpStandIn } from './stand-ins/smtp.js'

/**
 * The crash test of the issue: a worker process is SIGKILLed while it sends a batch of 1,000
 * order confirmations; a new worker takes over. Every message must reach the SMTP server, and
 * no message may reach it twice except one whose attempt was in flight at the moment of the kill.
 *
 * Why that exception exists: SMTP has no idempotency key. A message whose final "." was written
 * before the kill, but whose 250 was not yet recorded, is in doubt (RFC 1047); Kando sends it again
 * with the same Message-ID, which receiving mailboxes use to drop the copy. The test checks that
 * such copies are only ever messages recorded as in flight, and carry the same Message-ID.
 */
const BIN = new URL('../bin/kando.mjs', import.meta.url).pathname
const TOTAL = 1_000
const children = new Set<ChildProcess>()
afterAll(() => {
  for (const c of children) c.kill('SIGKILL')
})

function worker(env: NodeJS.ProcessEnv): { child: ChildProcess; exited: Promise<void> } {
  const child = spawn(process.execPath, [BIN, 'worker'], { env, stdio: ['ignore', 'ignore', 'pipe'] })
  children.add(child)
  let err = ''
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()))
  const exited = new Promise<void>((resolve) => child.on('exit', () => {
    children.delete(child)
    if (err.trim()) process.stderr.write(`[worker ${child.pid}] ${err.slice(-2000)}\n`)
    resolve()
  }))
  return { child, exited }
}

async function until(what: string, fn: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: a worker killed while sending`, () => {
    it(`loses none of ${TOTAL} messages, and sends none twice except attempts in flight at the kill`, async () => {
      const smtp = await startSmtpStandIn({ parse: 'lazy' })
      const database = await createTestDatabase(dialect)
      const secretKey = randomBytes(32).toString('base64')
      // Jobs are written with their queue's expiry, so the process that writes them uses the short one too.
      const config = testConfig(database.url, { smtpUrl: smtp.url, secretKey, jobExpireSeconds: 4 })
      try {
        // The orders go in with no worker running: their events and jobs wait in the outbox.
        const k = await createKando(config, { logger: pino({ level: 'silent' }) })
        let tenantId: string
        try {
          const { tenant } = await k.tenants.create({ slug: 'crash', name: '感動ストア' })
          tenantId = tenant.id
          const scope = k.scope(tenant.id)
          for (let i = 0; i < TOTAL; i++) {
            const o = sampleOrder(`crash-${i}`)
            await k.orders.ingest(scope, { ...o, status: 'confirmed', customer: { ...o.customer, email: `crash-${i}@example.jp`, phone: undefined } } as never, { actor: 'test' })
          }
        } finally {
          await k.close()
        }

        const env = {
          ...process.env, KANDO_DATABASE_URL: database.url, KANDO_SMTP_URL: smtp.url, KANDO_SECRET_KEY: secretKey, KANDO_DATA_DIR: config.dataDir,
          KANDO_LOG_LEVEL: 'error', KANDO_JOB_EXPIRE_SECONDS: '4',
        }
        const first = worker(env)
        await until('300 messages at the SMTP server', () => smtp.messages.length >= 300, 120_000)
        first.child.kill('SIGKILL')
        await first.exited
        const atKill = smtp.messages.length

        // What the dead worker left in flight: attempts started and not recorded.
        const db = openDb(database.url)
        let inFlight: Set<string>
        try {
          const rows = await db.kysely.selectFrom('messages').select(['id', 'status']).where('tenant_id', '=', tenantId).execute()
          inFlight = new Set(rows.filter((r) => r.status === 'sending').map((r) => r.id))
          expect(rows.filter((r) => r.status === 'sent').length).toBeLessThan(TOTAL) // killed mid-batch, really

          const second = worker(env)
          await until(`all ${TOTAL} messages sent`, async () => {
            const sent = await db.kysely.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).where('status', '=', 'sent').executeTakeFirstOrThrow()
            return Number(sent.n) === TOTAL
          }, 120_000)
          second.child.kill('SIGTERM')
          await second.exited

          const ids = (await db.kysely.selectFrom('messages').select('id').where('tenant_id', '=', tenantId).execute()).map((r) => r.id)
          expect(ids).toHaveLength(TOTAL)
          const arrivals = new Map<string, number>()
          for (const m of smtp.messages) {
            const id = m.messageId?.match(/<(msg_[0-9a-z]+)@/)?.[1]
            expect(id, `Message-ID ${m.messageId}`).toBeDefined()
            arrivals.set(id!, (arrivals.get(id!) ?? 0) + 1)
          }
          // None lost.
          expect(ids.filter((id) => !arrivals.has(id))).toEqual([])
          expect(arrivals.size).toBe(TOTAL)
          // None twice, except attempts in flight at the kill (same Message-ID: one mail in the mailbox).
          const twice = [...arrivals].filter(([, n]) => n > 1)
          expect(twice.every(([id, n]) => n === 2 && inFlight.has(id)), JSON.stringify({ twice, inFlight: [...inFlight] })).toBe(true)
          process.stdout.write(`[crash ${dialect}] killed after ${atKill} at the SMTP server; ${inFlight.size} attempts in flight; ${twice.length} sent twice (same Message-ID); ${smtp.messages.length} SMTP deliveries for ${TOTAL} messages\n`)
        } finally {
          await db.close()
        }
      } finally {
        await smtp.close()
        await database.drop()
      }
    }, 300_000)
  })
}
