import { sql, type Kysely } from 'kysely';
import { grantToRuntimeRole } from './grants.ts';
import { migrateToLatest } from './migrate.ts';
import type { AppDatabase } from './open-database.ts';

export interface Migrated {
  /** The steps this run applied (none when the schema was current). */
  ran: string[];
  /** The server's role, granted its rights; undefined when it is the owner itself. */
  grantedTo: string | undefined;
}

/** Migrates as the owner, then grants the server's role its rights, so the server owns nothing. */
export async function migrateDatabase(database: AppDatabase): Promise<Migrated> {
  const owner = database.owner();
  const [ownerRole, runtimeRole] = await Promise.all([roleOf(owner), roleOf(database.db)]);
  const grantedTo = runtimeRole === ownerRole ? undefined : runtimeRole;
  const ran = await migrateToLatest(owner, async (trx) => {
    if (grantedTo) await grantToRuntimeRole(trx, grantedTo);
  });
  return { ran, grantedTo };
}

async function roleOf<DB>(db: Kysely<DB>): Promise<string> {
  const { rows } = await sql<{ role: string }>`select current_user as role`.execute(db);
  return rows[0]!.role;
}
