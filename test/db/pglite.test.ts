import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsernameTakenError } from '../../src/accounts/user.ts';
import { usersRepository } from '../../src/accounts/users-repository.ts';
import { DataDirBusyError } from '../../src/db/data-dir-lock.ts';
import { schemaStatus } from '../../src/db/migrate.ts';
import type { AppDatabase } from '../../src/db/open-database.ts';
import { checkRuntimeRole } from '../../src/db/runtime-role.ts';
import { seedDemoAccounts } from '../../src/db/seed.ts';
import { startDatabase } from '../../src/db/start-database.ts';
import { withTenant } from '../../src/db/tenant-scope.ts';
import { pgNotesRepository } from '../../src/features/notes/pg-notes-repository.ts';
import { FILLED_TABLES, fillTenant, tenantOf } from './tenant-rows.ts';

/** The embedded database `npm run dev` uses without DATABASE_URL: same migrations, RLS applied. */
describe('PGlite under DATA_DIR', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tenantry-pglite-'));
  const start = () =>
    startDatabase(
      { env: 'development', dataDir, databaseUrl: undefined, databaseMigrationUrl: undefined },
      pino({ level: 'silent' }),
    );
  let database: AppDatabase;

  beforeAll(async () => {
    database = await start();
    await seedDemoAccounts(database.owner());
    await fillTenant(database.db, 'customer-a');
    await fillTenant(database.db, 'customer-b');
    // PGlite's first start runs initdb in WebAssembly: seconds, many on a busy machine.
  }, 120_000);
  afterAll(async () => {
    await database?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('when it starts, then every migration has run and the app runs as a role that cannot bypass RLS', async () => {
    expect(database.kind).toBe('pglite');
    expect(await schemaStatus(database.db)).toEqual({ pending: [], unknown: [] });
    const who = await sql<{ role: string }>`select current_user as role`.execute(database.db);
    expect(who.rows[0]!.role).toBe('tenantry_app');
    await expect(checkRuntimeRole(database.db)).resolves.toBeUndefined();
    await expect(
      sql`alter table users disable row level security`.execute(database.db),
    ).rejects.toThrow(/must be owner/);
    // Why the role matters: PGlite's own login is a superuser, which forced RLS does not hold.
    const asSuperuser = await sql<{ n: string }>`select count(*) as n from users`.execute(
      database.owner(),
    );
    expect(Number(asSuperuser.rows[0]!.n)).toBeGreaterThan(0);
  });

  it("when the app's role queries a table without WHERE, then it sees one tenant's rows inside it and none outside", async () => {
    for (const table of FILLED_TABLES) {
      const outside = await sql`select * from ${sql.table(table)}`.execute(database.db);
      expect(outside.rows, table).toEqual([]);
      const inside = await withTenant(database.db, 'customer-b', (trx) =>
        sql<{ tenant_id: string }>`select tenant_id from ${sql.table(table)}`.execute(trx),
      );
      expect(inside.rows.length, table).toBeGreaterThan(0);
      expect(new Set(inside.rows.map((r) => r.tenant_id)), table).toEqual(new Set(['customer-b']));
    }
    await expect(
      withTenant(database.db, 'customer-a', (trx) =>
        sql`insert into users (tenant_id, username, display_name, role, password_hash)
            values ('customer-b', 'mallory', 'M', 'owner', 'x')`.execute(trx),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('when the repositories run on it, then they behave as on PostgreSQL', async () => {
    const users = usersRepository(database.db);
    await expect(
      users.create('customer-a', {
        username: 'ALICE'.toLowerCase(),
        displayName: 'A',
        role: 'member',
        passwordHash: 'x',
      }),
    ).rejects.toThrow(UsernameTakenError);
    expect(await users.findByUsername('customer-b', 'alice')).toBeUndefined();
  });

  it('when another live process holds DATA_DIR, then opening it is refused naming that process; a stale hold is taken over', async () => {
    const other = mkdtempSync(join(tmpdir(), 'tenantry-pglite-busy-'));
    try {
      writeFileSync(join(other, 'tenantry.pid'), String(process.ppid));
      await expect(
        startDatabase(
          {
            env: 'development',
            dataDir: other,
            databaseUrl: undefined,
            databaseMigrationUrl: undefined,
          },
          pino({ level: 'silent' }),
        ),
      ).rejects.toThrow(new DataDirBusyError(other, process.ppid).message);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('when it is closed and opened again, then the data is still there', async () => {
    const alice = (await usersRepository(database.db).findByUsername('customer-a', 'alice'))!;
    const owner = { tenant: tenantOf('customer-a'), userId: alice.id };
    const note = await pgNotesRepository(database.db).add(owner, 'kept across restarts');
    await database.close();
    // A pid file left by a process that is gone (a crash) does not block the next start.
    writeFileSync(join(dataDir, 'tenantry.pid'), '999999999');
    database = await start();
    expect(await pgNotesRepository(database.db).list(owner)).toContainEqual(note);
  }, 60_000);
});
