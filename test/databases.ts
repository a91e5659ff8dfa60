import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { randomBytes } from 'node:crypto'
import type { DialectName } from '../src/platform/db/index.js'

/**
 * The databases every repository and HTTP suite runs on. SQLite always; PostgreSQL when
 * KANDO_TEST_POSTGRES_URL points at a server (an admin URL: each suite creates and drops
 * its own database there). test/global-setup.ts says loudly when PostgreSQL was not run.
 */
export const POSTGRES_ADMIN_URL = process.env.KANDO_TEST_POSTGRES_URL
export const DIALECTS: DialectName[] = POSTGRES_ADMIN_URL ? ['sqlite', 'postgres'] : ['sqlite']

export interface TestDatabase {
  dialect: DialectName
  url: string
  drop(): Promise<void>
}

/** A fresh, empty database of the given engine. */
export async function createTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'kando-test-'))
    return { dialect, url: `sqlite:${join(dir, 'kando.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) }
  }
  if (!POSTGRES_ADMIN_URL) throw new Error('KANDO_TEST_POSTGRES_URL is not set')
  const name = `kando_t_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = new URL(POSTGRES_ADMIN_URL)
  url.pathname = `/${name}`
  return {
    dialect,
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: POSTGRES_ADMIN_URL })
      await c.connect()
      await c.query(`drop database if exists ${name} with (force)`)
      await c.end()
    },
  }
}
