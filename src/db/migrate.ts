import { sql, type Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import { migrationProvider } from './migrations/index.ts';

/** A migration failed; the database is as it was before that run. */
export class MigrationError extends Error {
  constructor(step: string | undefined, cause: unknown) {
    super(`Migration ${step ?? '(setup)'} failed: ${(cause as Error)?.message ?? String(cause)}`, {
      cause,
    });
    this.name = 'MigrationError';
  }
}

const migratorFor = <DB>(db: Kysely<DB>) => new Migrator({ db, provider: migrationProvider });

/**
 * One transaction under one advisory lock, `after` (the grants) included: several processes at
 * once wait their turn, and concurrent GRANTs, which collide, are kept apart.
 */
export async function migrateToLatest<DB>(
  owner: Kysely<DB>,
  after?: (trx: Kysely<DB>) => Promise<void>,
): Promise<string[]> {
  return owner.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('tenantry.migrate'))`.execute(trx);
    const { error, results = [] } = await migratorFor(trx).migrateToLatest();
    if (error !== undefined) {
      throw new MigrationError(results.find((r) => r.status === 'Error')?.migrationName, error);
    }
    await after?.(trx);
    return results.map((r) => r.migrationName);
  });
}

export interface SchemaStatus {
  /** Steps this code has that the database has not run. */
  pending: string[];
  /** Steps the database has run that this code does not know (newer code migrated it). */
  unknown: string[];
}

/** Where the database stands against this code's migrations; read-only (the server's role may ask). */
export async function schemaStatus<DB>(db: Kysely<DB>): Promise<SchemaStatus> {
  const migrator = migratorFor(db);
  const known = await migrator.getMigrations();
  const pending = known.filter((m) => m.executedAt === undefined).map((m) => m.name);
  const names = new Set(known.map((m) => m.name));
  const executed = await executedNames(db);
  return { pending, unknown: executed.filter((name) => !names.has(name)) };
}

async function executedNames<DB>(db: Kysely<DB>): Promise<string[]> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((t) => t.name === 'kysely_migration')) return [];
  const rows = await (db as unknown as Kysely<{ kysely_migration: { name: string } }>)
    .selectFrom('kysely_migration')
    .select('name')
    .execute();
  return rows.map((r) => r.name);
}
