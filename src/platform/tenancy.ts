import type { DeleteQueryBuilder, Insertable, SelectQueryBuilder, UpdateQueryBuilder, UpdateResult, DeleteResult } from 'kysely'
import type { Database, TenantTable } from '../schema.js'
import type { DialectName, Executor } from './db/index.js'

/**
 * The one place tenant isolation is enforced: every read, update and delete through a
 * TenantDb is filtered by its tenant, every insert is stamped with it. Modules get a
 * TenantDb, never a bare handle to tenant tables, so no route can forget the filter.
 */
export class TenantDb {
  constructor(
    readonly tenantId: string,
    readonly db: Executor,
    readonly dialect: DialectName,
  ) {}

  selectFrom<T extends TenantTable>(table: T): SelectQueryBuilder<Database, T, {}> {
    // Kysely cannot type a generic table's columns; the cast is sound because every TenantTable has tenant_id.
    return (this.db.selectFrom(table) as any).where(`${table}.tenant_id`, '=', this.tenantId)
  }

  updateTable<T extends TenantTable>(table: T): UpdateQueryBuilder<Database, T, T, UpdateResult> {
    return (this.db.updateTable(table) as any).where(`${table}.tenant_id`, '=', this.tenantId)
  }

  deleteFrom<T extends TenantTable>(table: T): DeleteQueryBuilder<Database, T, DeleteResult> {
    return (this.db.deleteFrom(table) as any).where(`${table}.tenant_id`, '=', this.tenantId)
  }

  insertInto<T extends TenantTable>(table: T, rows: Omit<Insertable<Database[T]>, 'tenant_id'> | Array<Omit<Insertable<Database[T]>, 'tenant_id'>>) {
    const list = (Array.isArray(rows) ? rows : [rows]).map((r) => ({ ...r, tenant_id: this.tenantId }))
    return this.db.insertInto(table).values(list as any)
  }

  /** The same scope over another executor (a transaction). */
  with(db: Executor): TenantDb {
    return new TenantDb(this.tenantId, db, this.dialect)
  }
}
