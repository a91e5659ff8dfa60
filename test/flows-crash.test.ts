import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import pino from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { createKando } from '../src/kando.js'
import { openDb } from '../src/platform/db/index.js'
import { DIALECTS, createTestDatabase } from './databases.js'
import { testConfig } from './harness.js'

/**
 * The crash test: 10,000 flow timers are due when a worker process starts; it is
 * SIGKILLed while it moves them, and a new worker takes over. Every run must end, and every step of
 * every run must have happened exactly once: the log of each run is exactly the flow's path, with
 * no step twice and none missing. (Each step's effects and its log row commit in one transaction
 * with the run's new state, guarded by the sweep's claim; the queued job of a claim is what finds
 * the runs a dead worker held.)
 */
const BIN = new URL('../bin/kando.mjs', import.meta.url).pathname
const TOTAL = 10_000
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
    await new Promise((r) => setTimeout(r, 25))
  }
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: a flow worker killed while ${TOTAL} timers are due`, () => {
    it('after a restart every step of every run has happened exactly once', async () => {
      const database = await createTestDatabase(dialect)
      const secretKey = randomBytes(32).toString('base64')
      const config = testConfig(database.url, { secretKey, jobExpireSeconds: 4 })
      let tenantId: string
      let flowId: string
      try {
        // Customers enter two minutes in the past, so their one-minute waits are all due when the worker starts.
        const past = { now: () => new Date(Date.now() - 2 * 60_000) }
        const k = await createKando(config, { logger: pino({ level: 'silent' }), clock: past })
        try {
          const { tenant } = await k.tenants.create({ slug: 'flow-crash', name: '感動ストア' })
          tenantId = tenant.id
          const scope = k.scope(tenant.id)
          const ids: string[] = []
          for (let i = 0; i < TOTAL; i += 1000) {
            await k.db.transaction(async (trx) => {
              for (let j = i; j < i + 1000; j++) ids.push((await k.customers.upsertFromOrder(scope.with(trx), 'api', { email: `crash-${j}@example.jp` }, 'ja'))!.id)
            })
          }
          const flow = await k.flows.create(scope, {
            document: {
              schemaVersion: 1, name: 'crash', trigger: { kind: 'event', type: 'shipment.delivered' }, entry: 'wait',
              steps: {
                wait: { type: 'wait', for: 'PT1M', next: 'tag' },
                tag: { type: 'action', action: { kind: 'add_tag', tag: 'thanked' }, next: 'check' },
                check: { type: 'condition', if: { fact: 'customer.tag', tag: 'thanked' }, then: 'mark', else: 'end' },
                mark: { type: 'action', action: { kind: 'set_trait', key: 'thanked_once', value: true } },
                end: { type: 'end' },
              },
              reentry: { kind: 'once_ever' },
            },
          })
          flowId = flow.id
          await k.flows.activate(scope, flow.id, {})
          expect(await k.flows.enroll(scope, flow.id, { customerIds: ids })).toEqual({ entered: TOTAL, refused: 0, unknown: [] })
          // Their waits start (two minutes ago): every timer is due a minute ago.
          await k.flows.runDue()
          const waiting = await scope.selectFrom('flow_runs').select(['wake_at']).where('status', '=', 'waiting').execute()
          expect(waiting).toHaveLength(TOTAL)
          expect(waiting.every((w) => Date.parse(w.wake_at!) < Date.now() - 50_000)).toBe(true)
        } finally {
          await k.close()
        }

        const env = {
          ...process.env, KANDO_DATABASE_URL: database.url, KANDO_SECRET_KEY: secretKey, KANDO_DATA_DIR: config.dataDir,
          KANDO_LOG_LEVEL: 'error', KANDO_JOB_EXPIRE_SECONDS: '4',
        }
        const db = openDb(database.url)
        const count = async (outcome: string) => Number((await db.kysely.selectFrom('flow_run_log').select((eb) => eb.fn.countAll<number>().as('n'))
          .where('tenant_id', '=', tenantId).where('outcome', '=', outcome).executeTakeFirstOrThrow()).n)
        try {
          const first = worker(env)
          await until('the first 500 runs to finish', async () => (await count('completed')) >= 500, 120_000)
          first.child.kill('SIGKILL')
          await first.exited
          const atKill = await count('completed')
          const running = Number((await db.kysely.selectFrom('flow_runs').select((eb) => eb.fn.countAll<number>().as('n')).where('status', 'in', ['running', 'waiting']).executeTakeFirstOrThrow()).n)
          expect(atKill).toBeLessThan(TOTAL) // killed mid-way, really
          expect(running).toBeGreaterThan(0)

          const second = worker(env)
          await until(`all ${TOTAL} runs completed`, async () => (await count('completed')) === TOTAL, 180_000)
          second.child.kill('SIGTERM')
          await second.exited

          const runs = await db.kysely.selectFrom('flow_runs').select(['id', 'status']).where('flow_id', '=', flowId!).execute()
          expect(runs).toHaveLength(TOTAL)
          expect(runs.filter((r) => r.status !== 'completed')).toEqual([])
          const log = await db.kysely.selectFrom('flow_run_log').select(['run_id', 'seq', 'step_id', 'outcome']).where('flow_id', '=', flowId!).orderBy('run_id').orderBy('seq').execute()
          const byRun = new Map<string, string[]>()
          for (const l of log) byRun.set(l.run_id, [...(byRun.get(l.run_id) ?? []), `${l.step_id}:${l.outcome}`])
          const path = ['wait:entered', 'wait:waiting', 'wait:resumed', 'tag:done', 'check:branch', 'mark:done', 'mark:completed']
          const wrong = [...byRun].filter(([, steps]) => steps.join() !== path.join())
          expect(wrong.slice(0, 3)).toEqual([])
          expect(byRun.size).toBe(TOTAL)
          process.stdout.write(`[flow crash ${dialect}] killed with ${atKill} of ${TOTAL} runs completed and ${running} still to move; after the restart all ${TOTAL} completed, each step once\n`)
        } finally {
          await db.close()
        }
      } finally {
        await database.drop()
      }
    }, 400_000)
  })
}
