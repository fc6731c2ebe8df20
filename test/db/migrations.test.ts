import { sql } from 'kysely';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateDatabase } from '../../src/db/migrate-database.ts';
import { schemaStatus } from '../../src/db/migrate.ts';
import { migrations } from '../../src/db/migrations/index.ts';
import { openDatabase, type AppDatabase } from '../../src/db/open-database.ts';
import { withTenant } from '../../src/db/tenant-scope.ts';
import { runCommand } from '../../harness/command.ts';
import { freshDatabase, type TestDatabase } from '../../harness/postgres-databases.ts';
import { missingPostgres } from '../../harness/postgres-server.ts';
import { prerequisitesTest } from '../../harness/prerequisites.ts';

const missing = missingPostgres();
prerequisitesTest('test/db/migrations.test.ts', missing);

const STEPS = Object.keys(migrations);

describe.skipIf(missing.length > 0)('migrations', () => {
  const opened: AppDatabase[] = [];
  const databases: TestDatabase[] = [];
  const empty = async () => {
    const test = await freshDatabase({ empty: true });
    databases.push(test);
    const database = await openDatabase(
      { databaseUrl: test.url, databaseMigrationUrl: test.migrationUrl, dataDir: '' },
      pino({ level: 'silent' }),
    );
    opened.push(database);
    return { test, database };
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((d) => d.close()));
    await Promise.all(databases.splice(0).map((d) => d.drop()));
  });

  it('when an empty database is migrated twice, then every step runs once and the second run changes nothing', async () => {
    const { database } = await empty();
    expect(await schemaStatus(database.db)).toEqual({ pending: STEPS, unknown: [] });
    expect(await migrateDatabase(database)).toEqual({ ran: STEPS, grantedTo: 'tenantry_app' });
    expect(await migrateDatabase(database)).toEqual({ ran: [], grantedTo: 'tenantry_app' });
    expect(await schemaStatus(database.db)).toEqual({ pending: [], unknown: [] });
    // The grants let the server's role work, inside a tenant.
    const users = await withTenant(database.db, 'customer-a', (trx) =>
      trx.selectFrom('users').selectAll().execute(),
    );
    expect(users).toEqual([]);
  });

  it('when several processes run db:migrate on one empty database at once, then one migrates, the others wait and find it current', async () => {
    const { test, database } = await empty();
    const env = {
      DATABASE_URL: test.url,
      DATABASE_MIGRATION_URL: test.migrationUrl,
      NODE_ENV: 'test',
    };
    const runs = await Promise.all(
      Array.from({ length: 4 }, () =>
        runCommand(process.execPath, ['--import', 'tsx', 'src/cli/db-migrate.ts'], {
          env,
          timeoutMs: 60_000,
        }),
      ),
    );
    for (const run of runs) expect(run, run.stderr).toMatchObject({ code: 0, stderr: '' });
    const outputs = runs.map((run) => run.stdout.split('\n')[0]).sort();
    expect(outputs).toEqual([
      `Migrated: ${STEPS.join(', ')}.`,
      'The schema is current.',
      'The schema is current.',
      'The schema is current.',
    ]);
    const ran = await sql<{
      name: string;
    }>`select name from kysely_migration order by name`.execute(database.owner());
    expect(ran.rows.map((r) => r.name)).toEqual(STEPS);
    expect(await schemaStatus(database.db)).toEqual({ pending: [], unknown: [] });
  }, 60_000);

  it('when the database has run a step this code does not know, then the status names it', async () => {
    const { database } = await empty();
    await migrateDatabase(database);
    await sql`insert into kysely_migration (name, timestamp) values ('9999-from-the-future', ${new Date().toISOString()})`.execute(
      database.owner(),
    );
    expect(await schemaStatus(database.db)).toEqual({
      pending: [],
      unknown: ['9999-from-the-future'],
    });
  });
});
