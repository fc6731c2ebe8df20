import express from 'express';
import { sql } from 'kysely';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usersRepository } from '../../src/accounts/users-repository.ts';
import { DatabaseUnavailableError } from '../../src/db/database-unavailable.ts';
import { migrateDatabase } from '../../src/db/migrate-database.ts';
import { openDatabase, type AppDatabase } from '../../src/db/open-database.ts';
import { withTenant } from '../../src/db/tenant-scope.ts';
import { errorHandler } from '../../src/web/errors.ts';
import { freshDatabase } from '../../harness/postgres-databases.ts';
import {
  missingPostgres,
  startPostgresServer,
  type PostgresServer,
} from '../../harness/postgres-server.ts';
import { eventually } from '../../harness/polling.ts';
import { prerequisitesTest } from '../../harness/prerequisites.ts';

const missing = missingPostgres();
prerequisitesTest('test/db/outage.test.ts', missing);

/** How long `work` took to settle, and how. */
async function timed(work: () => Promise<unknown>) {
  const started = performance.now();
  const outcome = await work().then(
    (value) => ({ value, error: undefined }),
    (error: unknown) => ({ value: undefined, error }),
  );
  return { ...outcome, ms: performance.now() - started };
}

/** A query that needs the database, as a repository makes one. */
const someQuery = (database: AppDatabase) =>
  withTenant(database.db, 'customer-a', (trx) => trx.selectFrom('users').select('id').execute());

describe.skipIf(missing.length > 0)('the database down or paused', () => {
  // Its own server: stopping the suite's would fail every other test file.
  let server: PostgresServer;
  let database: AppDatabase;

  beforeAll(async () => {
    server = await startPostgresServer();
    const test = await freshDatabase({ empty: true, address: server });
    database = await openDatabase(
      { databaseUrl: test.url, databaseMigrationUrl: test.migrationUrl, dataDir: '' },
      pino({ level: 'silent' }),
    );
    await migrateDatabase(database);
  });
  afterAll(async () => {
    await database?.close();
    await server?.stop();
  });

  /** Several queries at once: some on pooled connections, some needing new ones. */
  const expectUnavailableWithin2s = async () => {
    const attempts = await Promise.all(
      Array.from({ length: 12 }, () => timed(() => someQuery(database))),
    );
    for (const attempt of attempts) {
      expect(attempt.error).toBeInstanceOf(DatabaseUnavailableError);
      expect(attempt.ms).toBeLessThan(2000);
    }
    const probe = await timed(() => database.state());
    expect(probe).toMatchObject({ value: 'down' });
    expect(probe.ms).toBeLessThan(2000);
  };
  const expectRecovered = () =>
    eventually(
      async () => {
        await someQuery(database);
        expect(await database.state()).toBe('up');
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );

  it('when the server is stopped (pg_ctl stop), then queries fail with DatabaseUnavailableError within 2 s, and work again once it is back', async () => {
    await Promise.all(Array.from({ length: 6 }, () => someQuery(database)));
    await server.halt();
    await expectUnavailableWithin2s();
    await server.start();
    await expectRecovered();
  });

  it('when the server is paused (SIGSTOP), then queries fail with DatabaseUnavailableError within 2 s, and work again once it resumes', async () => {
    await Promise.all(Array.from({ length: 6 }, () => someQuery(database)));
    server.pause();
    try {
      await expectUnavailableWithin2s();
    } finally {
      server.resume();
    }
    await expectRecovered();
  });

  it('when a query is wrong (a constraint, bad SQL), then its error is not DatabaseUnavailableError', async () => {
    const users = usersRepository(database.db);
    await users.create('customer-a', {
      username: 'olga',
      displayName: 'O',
      role: 'owner',
      passwordHash: 'x',
    });
    const taken = await timed(() =>
      users.create('customer-a', {
        username: 'olga',
        displayName: 'O',
        role: 'owner',
        passwordHash: 'x',
      }),
    );
    expect(taken.error).not.toBeInstanceOf(DatabaseUnavailableError);
    const bad = await timed(() => sql`select * from no_such_table`.execute(database.db));
    expect(bad.error).not.toBeInstanceOf(DatabaseUnavailableError);
    expect((bad.error as { code?: string }).code).toBe('42P01');
  });

  it("when the app's error handler meets these errors, then an outage is a 503 with Retry-After and no SQL text ever reaches the client", async () => {
    const app = express();
    app.use((req, _res, next) => {
      req.log = pino({ level: 'silent' });
      next();
    });
    app.get('/api/broken', async () => {
      await sql`select * from no_such_table`.execute(database.db);
    });
    app.get('/api/users', async (_req, res) => {
      res.json(await someQuery(database));
    });
    app.use(errorHandler);

    const broken = await request(app).get('/api/broken').set('Host', 'customer-a.localhost');
    expect(broken.status).toBe(500);
    expect(broken.body).toEqual({ error: 'Something went wrong on our side.' });

    await server.halt();
    try {
      const down = await request(app).get('/api/users').set('Host', 'customer-a.localhost');
      expect(down.status).toBe(503);
      expect(down.headers['retry-after']).toBe('2');
      expect(down.body).toEqual({ error: 'The database is not answering. Try again in a moment.' });
    } finally {
      await server.start();
    }
    await expectRecovered();
  });
});
