import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DIALECTS, createTestDatabase, type TestDatabase } from './databases.js'

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
  })
}
