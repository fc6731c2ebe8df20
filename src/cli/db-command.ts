import { pino } from 'pino';
import type { Config } from '../config.ts';
import { DatabaseUnavailableError } from '../db/database-unavailable.ts';
import { DataDirBusyError } from '../db/data-dir-lock.ts';
import { openDatabase, type AppDatabase } from '../db/open-database.ts';
import { CliError } from './cli-support.ts';

/**
 * Runs `work` on the configured database (DATABASE_MIGRATION_URL's owner role; PGlite under
 * DATA_DIR without DATABASE_URL), then closes it. An unreachable database or a busy DATA_DIR is a
 * CliError naming it; the embedded database is announced on standard error.
 */
export async function withDatabase<T>(
  config: Config,
  work: (database: AppDatabase) => Promise<T>,
): Promise<T> {
  if (config.databaseUrl === undefined) {
    console.error(
      `DATABASE_URL is not set: using the embedded database (PGlite) in ${config.dataDir}.`,
    );
  }
  let database: AppDatabase;
  try {
    database = await openDatabase(config, pino({ level: 'silent' }));
  } catch (err) {
    if (err instanceof DataDirBusyError) throw new CliError(err.message);
    throw err;
  }
  try {
    return await work(database);
  } catch (err) {
    if (err instanceof DatabaseUnavailableError) {
      throw new CliError(
        `The database did not answer: ${String((err.cause as Error)?.message ?? err.cause)}`,
      );
    }
    throw err;
  } finally {
    await database.close();
  }
}
