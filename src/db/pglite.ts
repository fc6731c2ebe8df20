import type { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, sql, type PGliteDialectConfig } from 'kysely';
import { lockDataDir } from './data-dir-lock.ts';
import type { Database } from './tables.ts';

/**
 * PGlite's only login is a superuser, which bypasses RLS: the app's statements run under
 * `SET LOCAL ROLE` to this one, so RLS applies in development as in production.
 */
export const PGLITE_RUNTIME_ROLE = 'tenantry_app';

export interface Embedded {
  /** The superuser session: migrations and seeding. */
  owner: Kysely<Database>;
  /** Every statement as PGLITE_RUNTIME_ROLE. */
  runtime: Kysely<Database>;
  close(): Promise<void>;
}

/** PGlite kept in `dataDir` (created if missing), which it locks to this process. */
export async function openPglite(dataDir: string): Promise<Embedded> {
  const unlock = lockDataDir(dataDir);
  try {
    // Loaded only here: production never needs the embedded database.
    const { PGlite } = await import('@electric-sql/pglite');
    const pglite = await PGlite.create(dataDir);
    const owner = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
    const role = await sql`select 1 from pg_roles where rolname = ${PGLITE_RUNTIME_ROLE}`.execute(
      owner,
    );
    if (role.rows.length === 0) {
      await sql`create role ${sql.id(PGLITE_RUNTIME_ROLE)} nologin nosuperuser nobypassrls`.execute(
        owner,
      );
    }
    const runtime = new Kysely<Database>({
      dialect: new PGliteDialect({ pglite: asRuntimeRole(pglite, owner) }),
    });
    return {
      owner,
      runtime,
      async close() {
        if (!pglite.closed) await pglite.close();
        unlock();
      },
    };
  } catch (err) {
    unlock();
    throw err;
  }
}

/**
 * Each statement runs in a transaction that first switches to the runtime role; the session stays
 * the superuser's, for the owner's work beside it.
 */
function asRuntimeRole(pglite: PGlite, owner: Kysely<Database>): PGliteDialectConfig['pglite'] {
  const setRole = sql`set local role ${sql.id(PGLITE_RUNTIME_ROLE)}`.compile(owner);
  const transaction: PGlite['transaction'] = (callback) =>
    pglite.transaction(async (tx) => {
      await tx.query(setRole.sql, [...setRole.parameters]);
      return callback(tx);
    });
  return {
    transaction,
    query: (text, params, options) => transaction((tx) => tx.query(text, params, options)),
    close: () => pglite.close(),
    get closed() {
      return pglite.closed;
    },
    get ready() {
      return pglite.ready;
    },
    waitReady: pglite.waitReady,
  };
}
