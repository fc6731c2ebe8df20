import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSystemScope, withTenant } from '../../src/db/tenant-scope.ts';
import { openTestDatabase, type OpenTestDatabase } from '../../harness/app-database.ts';
import { missingPostgres } from '../../harness/postgres-server.ts';
import { prerequisitesTest } from '../../harness/prerequisites.ts';

const missing = missingPostgres();
prerequisitesTest('test/db/system-scope.test.ts', missing);

const rowsOf = (result: { rows: { tenant_id: string }[] }) =>
  result.rows.map((r) => r.tenant_id).sort();

/**
 * The one path across tenants: the verified domains' table (migration 0005), made with
 * tenantPolicies' `systemRead`.
 */
describe.skipIf(missing.length > 0)('the system scope', () => {
  let database: OpenTestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase();
    for (const [tenant, domain] of [
      ['customer-a', 'a.example'],
      ['customer-b', 'b.example'],
    ]) {
      await withTenant(database.db, tenant!, (trx) =>
        sql`insert into domains (tenant_id, domain, token) values (${tenant}, ${domain}, 't')`.execute(
          trx,
        ),
      );
    }
  });
  afterAll(() => database?.close());

  it("when the platform reads in the system scope, then it sees every tenant's rows of a table that allows it", async () => {
    const all = await withSystemScope(database.db, (trx) =>
      sql<{ tenant_id: string }>`select tenant_id from domains`.execute(trx),
    );
    expect(rowsOf(all)).toEqual(['customer-a', 'customer-b']);
    const one = await withTenant(database.db, 'customer-a', (trx) =>
      sql<{ tenant_id: string }>`select tenant_id from domains`.execute(trx),
    );
    expect(rowsOf(one)).toEqual(['customer-a']);
    expect((await sql`select * from domains`.execute(database.db)).rows).toEqual([]);
  });

  it('when the system scope reads a table without the system policy, then it sees nothing', async () => {
    const users = await withSystemScope(database.db, (trx) =>
      sql`select * from users`.execute(trx),
    );
    expect(users.rows).toEqual([]);
  });

  it('when the system scope tries to write, then the read-only transaction refuses', async () => {
    await expect(
      withSystemScope(database.db, (trx) =>
        sql`insert into domains (tenant_id, domain, token) values ('customer-c', 'c.example', 't')`.execute(
          trx,
        ),
      ),
    ).rejects.toThrow(/read-only transaction/);
    await expect(
      withSystemScope(database.db, (trx) => sql`delete from domains`.execute(trx)),
    ).rejects.toThrow(/read-only transaction/);
  });

  it('when the system scope ends, then the next transaction on the pool is back to seeing nothing', async () => {
    await withSystemScope(database.db, (trx) => sql`select 1`.execute(trx));
    expect((await sql`select * from domains`.execute(database.db)).rows).toEqual([]);
  });
});
