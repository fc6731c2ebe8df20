import { sql, type Transaction } from 'kysely';
import type { Database, Db } from './tables.ts';

/** The setting every tenant table's policy compares `tenant_id` with. */
export const TENANT_SETTING = 'tenantry.tenant_id';
/** Set to 'system' by withSystemScope alone; only policies that name it (SELECT only) honour it. */
export const SCOPE_SETTING = 'tenantry.scope';

export type Tx = Transaction<Database>;

/**
 * The setting is transaction-local, so it never reaches another request on a pooled connection
 * (PgBouncer's transaction mode included).
 */
export async function withTenant<T>(
  db: Db,
  tenantId: string,
  fn: (trx: Tx) => Promise<T>,
): Promise<T> {
  // An empty id would match a setting that was reset: refuse it before any query.
  if (tenantId === '') throw new Error('withTenant needs a tenant id');
  return db.transaction().execute(async (trx) => {
    await sql`select set_config(${TENANT_SETTING}, ${tenantId}, true)`.execute(trx);
    return fn(trx);
  });
}

/**
 * The one path for reads across tenants: READ ONLY, and only tables whose migration adds a
 * `systemRead` policy show it any row.
 */
export async function withSystemScope<T>(db: Db, fn: (trx: Tx) => Promise<T>): Promise<T> {
  return db
    .transaction()
    .setAccessMode('read only')
    .execute(async (trx) => {
      await sql`select set_config(${SCOPE_SETTING}, 'system', true)`.execute(trx);
      return fn(trx);
    });
}
