import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { migrateDatabase } from './migrate-database.ts';
import { schemaStatus } from './migrate.ts';
import { openDatabase, type AppDatabase } from './open-database.ts';
import { checkRuntimeRole } from './runtime-role.ts';

/** The database is behind this code and the server may not migrate it. */
export class SchemaNotCurrentError extends Error {
  constructor(pending: string[]) {
    super(
      `The database schema is not current (not yet run: ${pending.join(', ')}). ` +
        'Run `npm run db:migrate` (as the owner role, DATABASE_MIGRATION_URL), or set DATABASE_MIGRATION_URL so the server migrates at start.',
    );
    this.name = 'SchemaNotCurrentError';
  }
}

export type StartConfig = Pick<Config, 'env' | 'databaseUrl' | 'databaseMigrationUrl' | 'dataDir'>;

/**
 * Never serves on an older schema: migrates where it may (PGlite, DATABASE_MIGRATION_URL), else
 * refuses. In production it also refuses a role that could bypass RLS. The caller closes it.
 */
export async function startDatabase(config: StartConfig, logger: Logger): Promise<AppDatabase> {
  const database = await openDatabase(config, logger);
  try {
    const status = await schemaStatus(database.db);
    if (status.unknown.length > 0 && status.pending.length === 0) {
      // A newer release migrated it (a rolling deploy): its steps only add, so this one may serve.
      logger.warn({ unknown: status.unknown }, 'the database schema is newer than this code');
    } else if (database.kind === 'pglite' || config.databaseMigrationUrl !== undefined) {
      const { ran } = await migrateDatabase(database);
      if (ran.length > 0) logger.info({ migrations: ran }, 'database migrated');
    } else if (status.pending.length > 0) {
      throw new SchemaNotCurrentError(status.pending);
    }
    if (config.env === 'production') await checkRuntimeRole(database.db);
    return database;
  } catch (err) {
    await database.close().catch(() => {});
    throw err;
  }
}
