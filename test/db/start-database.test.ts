import { sql } from 'kysely';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseUnavailableError } from '../../src/db/database-unavailable.ts';
import { migrations } from '../../src/db/migrations/index.ts';
import type { AppDatabase } from '../../src/db/open-database.ts';
import { RuntimeRoleError } from '../../src/db/runtime-role.ts';
import {
  SchemaNotCurrentError,
  startDatabase,
  type StartConfig,
} from '../../src/db/start-database.ts';
import { freePort } from '../../harness/free-port.ts';
import { freshDatabase, type TestDatabase } from '../../harness/postgres-databases.ts';
import { missingPostgres } from '../../harness/postgres-server.ts';
import { prerequisitesTest } from '../../harness/prerequisites.ts';

const missing = missingPostgres();
prerequisitesTest('test/db/start-database.test.ts', missing);

const logger = pino({ level: 'silent' });

describe.skipIf(missing.length > 0)("the server's start rule for the database", () => {
  const started: AppDatabase[] = [];
  const databases: TestDatabase[] = [];
  const database = async (options: { empty?: boolean } = {}) => {
    const test = await freshDatabase(options);
    databases.push(test);
    return test;
  };
  const start = async (config: Partial<StartConfig>) => {
    const opened = await startDatabase(
      {
        env: 'production',
        dataDir: '',
        databaseUrl: undefined,
        databaseMigrationUrl: undefined,
        ...config,
      },
      logger,
    );
    started.push(opened);
    return opened;
  };
  afterEach(async () => {
    await Promise.all(started.splice(0).map((d) => d.close()));
    await Promise.all(databases.splice(0).map((d) => d.drop()));
  });

  it('when the schema is behind and no DATABASE_MIGRATION_URL is set, then it refuses to start naming npm run db:migrate', async () => {
    const test = await database({ empty: true });
    const error = await start({ databaseUrl: test.url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaNotCurrentError);
    expect((error as Error).message).toMatch(/not yet run: 0001-users, .*Run `npm run db:migrate`/);
  });

  it('when DATABASE_MIGRATION_URL is set, then it migrates at start and serves as the runtime role', async () => {
    const test = await database({ empty: true });
    const opened = await start({ databaseUrl: test.url, databaseMigrationUrl: test.migrationUrl });
    const ran = await sql<{ n: string }>`select count(*) as n from kysely_migration`.execute(
      opened.db,
    );
    expect(Number(ran.rows[0]!.n)).toBe(Object.keys(migrations).length);
    const role = await sql<{ role: string }>`select current_user as role`.execute(opened.db);
    expect(role.rows[0]!.role).toBe('tenantry_app');
  });

  it('when the schema is current, then it starts without migrating', async () => {
    const test = await database();
    const opened = await start({ databaseUrl: test.url });
    expect(await opened.state()).toBe('up');
  });

  it('when the database has run a step this code does not know (a newer release), then it still starts', async () => {
    const test = await database();
    const owner = await start({ databaseUrl: test.url, databaseMigrationUrl: test.migrationUrl });
    await sql`insert into kysely_migration (name, timestamp) values ('9999-newer', ${new Date().toISOString()})`.execute(
      owner.owner(),
    );
    await expect(start({ databaseUrl: test.url })).resolves.toBeDefined();
    await expect(
      start({ databaseUrl: test.url, databaseMigrationUrl: test.migrationUrl }),
    ).resolves.toBeDefined();
  });

  it('when production runs the server as the owner role, then it refuses to start naming the problem', async () => {
    const test = await database();
    await expect(start({ databaseUrl: test.migrationUrl })).rejects.toThrow(RuntimeRoleError);
    await expect(
      start({ databaseUrl: test.migrationUrl, env: 'development' }),
    ).resolves.toBeDefined();
  });

  it('when nothing answers at DATABASE_URL, then it fails with DatabaseUnavailableError', async () => {
    const url = `postgres://nobody:x@127.0.0.1:${await freePort()}/none`;
    await expect(start({ databaseUrl: url })).rejects.toThrow(DatabaseUnavailableError);
  });
});
