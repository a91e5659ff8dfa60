import { afterEach, describe, expect, it, vi } from 'vitest'
import { sql } from 'kysely'
import { openDb, type Db } from './index.js'
import { migrateToLatest } from '../../migrations.js'
import { createTestDatabase, type TestDatabase } from '../../../test/databases.js'

describe('sqlite: group commit', () => {
  let db: Db
  let database: TestDatabase
  afterEach(async () => {
    await db?.close()
    await database?.drop()
  })

  const insertEvent = (id: string) => (trx: Parameters<Parameters<Db['transaction']>[0]>[0]) =>
    trx.insertInto('events').values({ id, tenant_id: 't', type: 'x', subject: 's', data: '{}', occurred_at: '' }).execute()

  it('units that arrive together commit together; a failing unit is rolled back alone', async () => {
    database = await createTestDatabase('sqlite')
    db = openDb(database.url)
    await migrateToLatest(db)
    const transactions = vi.spyOn(db.kysely, 'transaction')
    const results = await Promise.allSettled([
      db.transaction(insertEvent('e1')),
      db.transaction(async (trx) => {
        await insertEvent('e2')(trx)
        throw new Error('unit 2 fails after writing')
      }),
      db.transaction(async (trx) => {
        await insertEvent('e3')(trx)
        // A unit sees its batch-mates' writes: they share one transaction.
        return (await trx.selectFrom('events').select('id').orderBy('id').execute()).map((r) => r.id)
      }),
      db.transaction(insertEvent('e1')), // duplicate key: fails alone
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected'])
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('unit 2 fails after writing')
    expect((results[2] as PromiseFulfilledResult<string[]>).value).toEqual(['e1', 'e3'])
    const stored = (await db.kysely.selectFrom('events').select('id').orderBy('id').execute()).map((r) => r.id)
    expect(stored).toEqual(['e1', 'e3'])
    expect(transactions).toHaveBeenCalledTimes(1)
  })

  it('a unit is all or nothing and its caller hears back only after the commit', async () => {
    database = await createTestDatabase('sqlite')
    db = openDb(database.url)
    await migrateToLatest(db)
    await db.transaction(async (trx) => {
      await insertEvent('a')(trx)
      await insertEvent('b')(trx)
    })
    // A second connection sees the unit's rows once the caller's promise resolved: it was committed.
    const other = openDb(database.url)
    const n = await sql<{ n: number }>`select count(*) as n from events`.execute(other.kysely)
    expect(Number(n.rows[0]!.n)).toBe(2)
    await other.close()
  })
})
