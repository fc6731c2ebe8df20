import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRuntimeRole, RuntimeRoleError } from '../../src/db/runtime-role.ts';
import {
  freshDatabase,
  suitePostgres,
  type TestDatabase,
} from '../../harness/postgres-databases.ts';
import { pgUrl, withSuperuser } from '../../harness/postgres-admin.ts';
import { missingPostgres } from '../../harness/postgres-server.ts';
import { prerequisitesTest } from '../../harness/prerequisites.ts';

const missing = missingPostgres();
prerequisitesTest('test/db/runtime-role.test.ts', missing);

/** Runs checkRuntimeRole over a connection as `url`'s role. */
async function check(url: string): Promise<void> {
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }),
  });
  try {
    await checkRuntimeRole(db);
  } finally {
    await db.destroy();
  }
}

describe.skipIf(missing.length > 0)("the server's database role at start", () => {
  let database: TestDatabase;
  const roles: string[] = [];
  const password = randomBytes(8).toString('hex');

  /** A login role made for one test (roles are cluster-wide: each gets a fresh name, dropped after). */
  const role = async (attributes: ReturnType<typeof sql>, memberOf?: string) => {
    const name = `r_${randomBytes(4).toString('hex')}`;
    roles.push(name);
    await withSuperuser(suitePostgres()!, database.name, async (db) => {
      await sql`create role ${sql.id(name)} login password ${sql.lit(password)} ${attributes}`.execute(
        db,
      );
      if (memberOf) await sql`grant ${sql.id(memberOf)} to ${sql.id(name)}`.execute(db);
    });
    return pgUrl(suitePostgres()!.port, { name, password }, database.name);
  };

  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(async () => {
    await database?.drop();
    await withSuperuser(suitePostgres()!, 'postgres', async (db) => {
      for (const name of roles) await sql`drop role if exists ${sql.id(name)}`.execute(db);
    });
  });

  it('when it is the runtime role (no superuser, NOBYPASSRLS, owns nothing), then it passes', async () => {
    await expect(check(database.url)).resolves.toBeUndefined();
  });

  it('when it is a superuser, then start-up is refused saying so', async () => {
    await expect(check(await role(sql`superuser`))).rejects.toThrow(/is a superuser \(SUPERUSER\)/);
  });

  it('when it has BYPASSRLS, then start-up is refused saying so', async () => {
    const error = await check(await role(sql`nosuperuser bypassrls`)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RuntimeRoleError);
    expect((error as RuntimeRoleError).problems).toEqual([
      expect.stringMatching(/^it has BYPASSRLS/),
    ]);
  });

  it('when it owns the tables, then start-up is refused naming them', async () => {
    await expect(check(database.migrationUrl)).rejects.toThrow(
      /it owns \(or may act as the owner of\) domains, invitations, kysely_migration, kysely_migration_lock, notes, password_resets, users: an owner can switch row-level security off/,
    );
  });

  it('when it may SET ROLE to the owner or to a role with BYPASSRLS, then start-up is refused naming that role', async () => {
    const owner = suitePostgres()!.owner.name;
    await expect(check(await role(sql`nosuperuser`, owner))).rejects.toThrow(
      /owns \(or may act as the owner of\) domains, invitations/,
    );
    const bypassing = `r_${randomBytes(4).toString('hex')}`;
    roles.push(bypassing);
    await withSuperuser(suitePostgres()!, 'postgres', (db) =>
      sql`create role ${sql.id(bypassing)} nologin bypassrls`.execute(db),
    );
    await expect(check(await role(sql`nosuperuser`, bypassing))).rejects.toThrow(
      new RegExp(`may SET ROLE to ${bypassing}, which bypass`),
    );
  });
});
