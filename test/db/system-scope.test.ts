import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantToRuntimeRole } from '../../src/db/grants.ts';
import { tenantIdCheck, tenantPolicies } from '../../src/db/migrations/tenant-policies.ts';
import { withSystemScope, withTenant } from '../../src/db/tenant-scope.ts';
import { openTestDatabase, type OpenTestDatabase } from '../support/app-database.ts';
import { missingPostgres } from '../support/postgres-server.ts';
import { prerequisitesTest } from '../support/prerequisites.ts';

const missing = missingPostgres();
prerequisitesTest('test/db/system-scope.test.ts', missing);

const rowsOf = (result: { rows: { tenant_id: string }[] }) =>
  result.rows.map((r) => r.tenant_id).sort();

/**
 * The one path across tenants: a table made as a later migration would make one the platform
 * reads across tenants (verified domains), with tenantPolicies' `systemRead`.
 */
describe.skipIf(missing.length > 0)('the system scope', () => {
  let database: OpenTestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase();
    const owner = database.owner();
    await owner.schema
      .createTable('domains')
      .addColumn('tenant_id', 'text', (c) => c.notNull().check(tenantIdCheck))
      .addColumn('domain', 'text', (c) => c.notNull().unique())
      .execute();
    await tenantPolicies(owner, 'domains', { systemRead: true });
    await grantToRuntimeRole(owner, 'tenantry_app');
    for (const [tenant, domain] of [
      ['customer-a', 'a.example'],
      ['customer-b', 'b.example'],
    ]) {
      await withTenant(database.db, tenant!, (trx) =>
        sql`insert into domains (tenant_id, domain) values (${tenant}, ${domain})`.execute(trx),
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
        sql`insert into domains (tenant_id, domain) values ('customer-c', 'c.example')`.execute(
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
