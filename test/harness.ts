import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import type { FastifyInstance } from 'fastify'
import { createKando, type Kando, type KandoOptions } from '../src/kando.js'
import { buildHttp } from '../src/platform/http/app.js'
import type { Config } from '../src/platform/config.js'
import type { DialectName } from '../src/platform/db/index.js'
import { createTestDatabase, type TestDatabase } from './databases.js'

export interface TestServer {
  kando: Kando
  app: FastifyInstance
  url: string
  database: TestDatabase
  /** fetch against the server with an optional API key; JSON in, parsed JSON out. */
  call(method: string, path: string, opts?: { key?: string; body?: unknown; rawBody?: string | Buffer; headers?: Record<string, string> }): Promise<{ status: number; headers: Headers; body: any }>
  close(): Promise<void>
}

export function testConfig(databaseUrl: string, overrides: Partial<Config> = {}): Config {
  return {
    databaseUrl,
    port: 0,
    host: '127.0.0.1',
    publicUrl: 'http://127.0.0.1',
    bodyLimitBytes: 256 * 1024,
    logLevel: 'silent',
    secretKey: randomBytes(32).toString('base64'),
    dataDir: mkdtempSync(join(tmpdir(), 'kando-data-')),
    mailFrom: 'no-reply@kando.test',
    smtpPoolSize: 5,
    dbPoolSize: 10,
    webhooksAllowPrivate: false,
    lineApiUrl: 'http://127.0.0.1:9', // nothing listens: a test that sends on LINE starts a stand-in
    smsApiUrl: 'http://127.0.0.1:9',
    ...overrides,
  }
}

/** A real Kando (database, worker, HTTP on a free port) on a fresh database of `dialect`. */
export async function startTestServer(dialect: DialectName, overrides: Partial<Config> = {}, options: Omit<KandoOptions, 'logger' | 'pollMs'> = {}): Promise<TestServer> {
  const database = await createTestDatabase(dialect)
  const kando = await createKando(testConfig(database.url, overrides), { logger: pino({ level: 'silent' }), pollMs: 20, ...options })
  await kando.startWorker()
  const app = await buildHttp(kando)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  return {
    kando, app, url, database,
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) }
      if (opts.key) headers.authorization = `Bearer ${opts.key}`
      let body: string | Buffer | undefined
      if (opts.rawBody !== undefined) body = opts.rawBody
      else if (opts.body !== undefined) {
        body = JSON.stringify(opts.body)
        headers['content-type'] ??= 'application/json'
      }
      const res = await fetch(url + path, { method, headers, body: body as BodyInit | undefined })
      const text = await res.text()
      let parsed: unknown = text
      try {
        parsed = text ? JSON.parse(text) : undefined
      } catch {
        /* not JSON */
      }
      return { status: res.status, headers: res.headers, body: parsed }
    },
    async close() {
      await app.close()
      await kando.close()
      await database.drop()
    },
  }
}

/** A minimal valid native order. */
export function sampleOrder(externalId: string, extra: Record<string, unknown> = {}) {
  return {
    externalId,
    number: `#${externalId}`,
    placedAt: '2026-11-20T10:15:00+09:00',
    currency: 'JPY',
    customer: { email: 'Hanako.Yamada@Example.jp', phone: '090-1234-5678', firstName: '花子', lastName: '山田', locale: 'ja' },
    shippingAddress: { name: '山田 花子', postalCode: '150-0001', prefectureCode: '13', region: '東京都', city: '渋谷区', address1: '神宮前1-2-3', country: 'JP' },
    lines: [
      { sku: 'KD-COF-DRIP10', title: '感動ブレンド ドリップバッグ 10袋', quantity: 2, unitPrice: 1620 },
      { sku: 'KD-CARE-YUZU', title: 'ハンドクリーム 柚子 50g', quantity: 1, unitPrice: 2200 },
    ],
    shippingTotal: 550,
    total: 5990,
    ...extra,
  }
}
