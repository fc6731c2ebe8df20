import { resolve } from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { redactUrl } from '../store/state-log.ts';
import { boundedPool } from './bounded-pool.ts';
import { databaseState, type DatabaseState } from './database-state.ts';
import { outageLog } from './outage-log.ts';
import { openPglite } from './pglite.ts';
import type { Database, Db } from './tables.ts';

export type DatabaseConfig = Pick<Config, 'databaseUrl' | 'databaseMigrationUrl' | 'dataDir'>;

/** The app's database: the server's role for every request, the owner's for migrations. */
export interface AppDatabase {
  kind: 'postgres' | 'pglite';
  /** The server's role (DATABASE_URL): row-level security applies to every query. */
  db: Db;
  /** The owner, for migrations and seeding only: never hand it to a request. */
  owner(): Db;
  /** 'up' or 'down' within DATABASE_STATE_TIMEOUT_MS, for /readyz. */
  state(): Promise<DatabaseState>;
  close(): Promise<void>;
}

/** DATABASE_URL through a bounded pool, or else PGlite under DATA_DIR (development only). */
export async function openDatabase(config: DatabaseConfig, logger: Logger): Promise<AppDatabase> {
  if (config.databaseUrl === undefined) {
    const dir = resolve(config.dataDir);
    logger.warn(
      { dataDir: dir },
      'DATABASE_URL is not set: using PGlite, an embedded PostgreSQL in this process (one process only; development only)',
    );
    const embedded = await openPglite(dir);
    return {
      kind: 'pglite',
      db: embedded.runtime,
      owner: () => embedded.owner,
      state: () => databaseState(embedded.runtime),
      close: () => embedded.close(),
    };
  }
  const name = redactUrl(config.databaseUrl);
  const log = outageLog(logger, name);
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: boundedPool({ url: config.databaseUrl, onOutage: log.down, onAnswer: log.up }),
    }),
  });
  let owner: Db | undefined;
  const migrationUrl = config.databaseMigrationUrl ?? config.databaseUrl;
  return {
    kind: 'postgres',
    db,
    owner: () =>
      (owner ??= new Kysely<Database>({
        dialect: new PostgresDialect({
          pool: boundedPool({ url: migrationUrl, bounded: false, max: 2 }),
        }),
      })),
    state: () => databaseState(db),
    async close() {
      await Promise.all([db.destroy(), owner?.destroy()]);
    },
  };
}
