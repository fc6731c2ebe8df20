import type { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, sql, type PGliteDialectConfig } from 'kysely';
import { lockDataDir } from './data-dir-lock.ts';
import type { Database } from './tables.ts';

/**
 * The role the app's queries run as on PGlite. PGlite's only login is a superuser, and superusers
 * bypass row-level security: every statement of the app runs under `SET LOCAL ROLE` to this one
 * (no superuser, no BYPASSRLS, owns nothing), so RLS applies in development as in production.
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
 * The PGlite that Kysely's dialect sees for the app: each statement outside a transaction runs in
 * one of its own, and each transaction first switches to the runtime role for its own length. The
 * session itself stays the superuser's, for the owner's work beside it.
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
