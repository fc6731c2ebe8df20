import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScript } from '../../harness/command.ts';
import { freePort } from '../../harness/free-port.ts';
import { freshDatabase, type TestDatabase } from '../../harness/postgres-databases.ts';
import { missingPostgres } from '../../harness/postgres-server.ts';
import { prerequisitesTest } from '../../harness/prerequisites.ts';

const missing = missingPostgres();
prerequisitesTest('test/cli/db-commands.test.ts', missing);

/** `npm run db:migrate` and `npm run db:seed` as an operator (or compose) runs them. */
describe.skipIf(missing.length > 0)('npm run db:migrate and db:seed', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    database = await freshDatabase({ empty: true });
    env = {
      NODE_ENV: 'development',
      DATABASE_URL: database.url,
      DATABASE_MIGRATION_URL: database.migrationUrl,
    };
  });
  afterAll(() => database?.drop());

  it('when run twice each on an empty database, then the first runs do the work and the second ones find nothing to do', async () => {
    const migrate = await runScript('db:migrate', [], { env });
    expect(migrate.stdout).toMatch(
      /^Migrated: 0001-users, .*\.\nGranted the server's role "tenantry_app" its rights\.\n$/,
    );
    expect((await runScript('db:migrate', [], { env })).stdout).toMatch(/^The schema is current\./);
    const seed = await runScript('db:seed', [], { env });
    expect(seed).toMatchObject({
      code: 0,
      stdout: 'Created: alice@customer-a, amy@customer-a, bob@customer-b, carol@customer-c.\n',
    });
    expect(await runScript('db:seed', [], { env })).toMatchObject({
      code: 0,
      stdout: 'The demo accounts exist.\n',
    });
    // Four commands, each starting node and tsx.
  }, 60_000);

  it('when the database does not answer, then the command exits 1 saying so', async () => {
    const url = `postgres://nobody:x@127.0.0.1:${await freePort()}/none`;
    const run = await runScript('db:migrate', [], {
      env: { ...env, DATABASE_URL: url, DATABASE_MIGRATION_URL: url },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^The database did not answer: .*ECONNREFUSED/);
  });

  it('when the embedded database is open in another process, then the command exits 1 naming it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tenantry-busy-'));
    try {
      writeFileSync(join(dataDir, 'tenantry.pid'), String(process.pid));
      const run = await runScript('db:seed', [], {
        env: { NODE_ENV: 'development', DATABASE_URL: '', DATA_DIR: dataDir },
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`is open in another process (pid ${process.pid})`);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
