import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import iconv from 'iconv-lite'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKando } from '../src/kando.js'
import { DIALECTS, createTestDatabase, type TestDatabase } from './databases.js'
import { sampleOrder, testConfig } from './harness.js'

const run = promisify(execFile)
const bin = new URL('../bin/kando.mjs', import.meta.url).pathname

for (const dialect of DIALECTS) {
  describe(`${dialect}: kando CLI`, () => {
    let database: TestDatabase
    let env: NodeJS.ProcessEnv
    const kando = async (...args: string[]) => run(process.execPath, [bin, ...args], { env, timeout: 60_000 })

    beforeAll(async () => {
      database = await createTestDatabase(dialect)
      env = {
        ...process.env,
        KANDO_DATABASE_URL: database.url,
        KANDO_SECRET_KEY: randomBytes(32).toString('base64'),
        KANDO_DATA_DIR: mkdtempSync(join(tmpdir(), 'kando-cli-')),
        KANDO_LOG_LEVEL: 'warn',
      }
    })
    afterAll(async () => database?.drop())

    it('several processes starting at once on a fresh database all come up (schema and queues)', async () => {
      const fresh = await createTestDatabase(dialect)
      try {
        const env2 = { ...env, KANDO_DATABASE_URL: fresh.url }
        const runs = await Promise.allSettled([1, 2, 3, 4].map(() => run(process.execPath, [bin, 'jobs', 'stats'], { env: env2, timeout: 60_000 })))
        expect(runs.map((r) => (r.status === 'rejected' ? String((r.reason as { stderr?: string }).stderr ?? r.reason) : 'ok'))).toEqual(['ok', 'ok', 'ok', 'ok'])
      } finally {
        await fresh.drop()
      }
    })

    it('migrate, then tenant create --json prints one JSON object with id, slug and apiKey', async () => {
      expect((await kando('migrate')).stdout).toMatch(/Applied: 0001_platform|up to date/)
      const { stdout } = await kando('tenant', 'create', '--slug', 'acme', '--name', 'Acme', '--shopify-secret', 'S', '--json')
      const lines = stdout.trim().split('\n')
      expect(lines).toHaveLength(1)
      const out = JSON.parse(lines[0]!)
      expect(out).toMatchObject({ slug: 'acme', name: 'Acme' })
      expect(out.id).toMatch(/^ten_/)
      expect(out.apiKey).toMatch(/^kando_sk_[A-Za-z0-9_-]{43}$/)
    })

    it('a duplicate slug fails with a clear message and a non-zero exit', async () => {
      await expect(kando('tenant', 'create', '--slug', 'acme', '--name', 'Again', '--json')).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining('already exists'),
      })
    })

    it('apikey create and revoke', async () => {
      const created = JSON.parse((await kando('apikey', 'create', '--tenant', 'acme', '--label', 'ci', '--json')).stdout)
      expect(created.id).toMatch(/^key_/)
      expect((await kando('apikey', 'revoke', created.id)).stdout).toContain('Revoked')
      await expect(kando('apikey', 'revoke', created.id)).rejects.toMatchObject({ code: 1 })
      const list = (await kando('apikey', 'list', '--tenant', 'acme')).stdout
      expect(list).toContain(`${created.id}`)
      expect(list).toMatch(/revoked/)
    })

    it('import tracking reads a Shift_JIS file, prints the summary with rejected rows by line, and reports duplicates the second time', async () => {
      const number = '444413758703'
      const k = await createKando(testConfig(database.url, { secretKey: env.KANDO_SECRET_KEY! }), { logger: pino({ level: 'silent' }) })
      try {
        const t = await k.tenants.find('acme')
        const scope = k.scope(t.id)
        const { id } = await k.orders.ingest(scope, { ...sampleOrder('cli-1'), source: 'api' } as never, { actor: 'test' })
        await k.tracking.createShipment(scope, id, { carrier: 'yamato', trackingNumber: number } as never, { source: 'api', actor: 'test' })
      } finally {
        await k.close()
      }
      const jst = (h: number) => new Date(Date.now() - h * 3600_000 + 9 * 3600_000).toISOString()
      const row = (n: string, words: string, h: number, place: string) => `${n},${words},${jst(h).slice(0, 10).replace(/-/g, '/')},${jst(h).slice(11, 16)},${place}`
      const csv = ['伝票番号,荷物状況,日付,時刻,担当店名', row('4444-1375-8703', '荷物受付', 30, '品川八潮センター'), row(number, '作業店通過', 20, '羽田クロノゲートベース'),
        row('999999999999', '配達完了', 2, 'どこか'), row(number, '謎の状態', 2, 'どこか')].join('\r\n')
      const dir = mkdtempSync(join(tmpdir(), 'kando-import-'))
      const file = join(dir, 'yamato.csv')
      writeFileSync(file, iconv.encode(csv, 'Shift_JIS'))
      const first = await kando('import', 'tracking', file, '--tenant', 'acme', '--carrier', 'yamato')
      expect(first.stdout).toContain(`Imported ${file} into acme: 4 rows, 2 accepted, 0 duplicates, 1 shipments, 2 errors`)
      expect(first.stdout).toContain('  line 4: no shipment with yamato tracking number 999999999999')
      expect(first.stdout).toContain('  line 5: unknown yamato status "謎の状態"')
      expect(first.stdout).not.toMatch(/\u001b\[/) // no progress bar when stdout is not a terminal
      const again = await kando('import', 'tracking', file, '--tenant', 'acme', '--carrier', 'yamato')
      expect(again.stdout).toContain('4 rows, 0 accepted, 2 duplicates, 1 shipments, 2 errors')

      // Every row rejected: exit code 2. A file without a tracking number column: exit code 1.
      const bad = join(dir, 'bad.csv')
      writeFileSync(bad, iconv.encode(['伝票番号,荷物状況,日付,時刻', row('999999999999', '配達完了', 2, 'x').split(',').slice(0, 4).join(',')].join('\r\n'), 'Shift_JIS'))
      await expect(kando('import', 'tracking', bad, '--tenant', 'acme', '--carrier', 'yamato')).rejects.toMatchObject({ code: 2, stdout: expect.stringContaining('1 rows, 0 accepted') })
      writeFileSync(bad, 'a,b\n1,2\n')
      await expect(kando('import', 'tracking', bad, '--tenant', 'acme', '--carrier', 'yamato')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('tracking number column') })
    })

    it('locations seed-demo, then import stock reads a Shift_JIS WMS file (Japanese headers) and ignores the same count the second time', async () => {
      expect((await kando('locations', 'seed-demo')).stdout).toContain('Added 11 locations.')
      expect((await kando('locations', 'seed-demo')).stdout).toContain('Added 0 locations.')
      const csv = ['倉庫コード,商品コード,在庫数', 'loc_saitama_kuki,KD-COF-DRIP10,120', 'loc_osaka_ibaraki,KD-COF-DRIP10,"1,200"', 'loc_nowhere,KD-X,1', 'loc_sendai,KD-Y,-3'].join('\r\n')
      const dir = mkdtempSync(join(tmpdir(), 'kando-stock-'))
      const file = join(dir, 'stock.csv')
      writeFileSync(file, iconv.encode(csv, 'Shift_JIS'))
      const first = await kando('import', 'stock', file, '--tenant', 'acme', '--seq', '7')
      expect(first.stdout).toContain('4 rows, 2 applied, 0 stale, 2 errors')
      expect(first.stdout).toContain('  line 4: unknown location "loc_nowhere"')
      expect(first.stdout).toContain('  line 5: on_hand "-3" is not a whole number ≥ 0')
      expect((await kando('import', 'stock', file, '--tenant', 'acme', '--seq', '7')).stdout).toContain('4 rows, 0 applied, 2 stale, 2 errors')
      const k = await createKando(testConfig(database.url, { secretKey: env.KANDO_SECRET_KEY! }), { logger: pino({ level: 'silent' }) })
      try {
        const t = await k.tenants.find('acme')
        const rows = await k.inventory.stock(k.scope(t.id), { sku: 'KD-COF-DRIP10', limit: 10 })
        expect(rows.map((r) => [r.locationId, r.onHand])).toEqual([['loc_osaka_ibaraki', 1200], ['loc_saitama_kuki', 120]])
      } finally {
        await k.close()
      }
    })

    it('import reviews: a CSV of existing reviews, bad rows by line, nothing twice on a second run', async () => {
      const csv = ['sku,rating,title,body,author,created_at', 'KD-COF-DRIP10,5,香り,"毎朝飲んでいます, おすすめ",佐藤,2026-10-01T09:00:00+09:00', 'KD-COF-DRIP10,4,,少し苦め,鈴木,', 'KD-NOPE,5,,ない商品,x,', 'KD-COF-DRIP10,0,,星ゼロ,x,'].join('\n')
      const file = join(mkdtempSync(join(tmpdir(), 'kando-reviews-')), 'reviews.csv')
      writeFileSync(file, csv)
      const first = await kando('import', 'reviews', file, '--tenant', 'acme')
      expect(first.stdout).toContain('4 rows, 2 created, 2 skipped')
      expect(first.stdout).toContain('  line 4: No variant with SKU KD-NOPE.')
      expect(first.stdout).toMatch(/ {2}line 5: rating/)
      expect((await kando('import', 'reviews', file, '--tenant', 'acme')).stdout).toContain('4 rows, 0 created, 4 skipped')
    })
  })
}
