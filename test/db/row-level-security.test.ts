import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../src/db/tenant-scope.ts';
import { openTestDatabase, type OpenTestDatabase } from '../../harness/app-database.ts';
import { missingPostgres } from '../../harness/postgres-server.ts';
import { prerequisitesTest } from '../../harness/prerequisites.ts';
import { FILLED_TABLES, fillTenant } from './tenant-rows.ts';

const missing = missingPostgres();
prerequisitesTest('test/db/row-level-security.test.ts', missing);

/** Every table of the app's schema that has a tenant_id column, from the catalog. */
async function tenantTables(database: OpenTestDatabase): Promise<string[]> {
  const { rows } = await sql<{ table: string }>`
    select c.relname as table from pg_class c
    join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
    where c.relnamespace = current_schema()::regnamespace and c.relkind in ('r', 'p')
    order by 1`.execute(database.owner());
  return rows.map((r) => r.table);
}

describe.skipIf(missing.length > 0)('row-level security on every tenant table', () => {
  let database: OpenTestDatabase;
  let tables: string[];

  beforeAll(async () => {
    database = await openTestDatabase();
    await fillTenant(database.db, 'customer-a');
    await fillTenant(database.db, 'customer-b');
    tables = await tenantTables(database);
  });
  afterAll(() => database?.close());

  it('when the catalog is read, then every table holds tenant_id and the fixture fills each one', async () => {
    const { rows } = await sql<{ table: string }>`
      select relname as table from pg_class
      where relnamespace = current_schema()::regnamespace and relkind in ('r', 'p')
        and relname not like 'kysely_%' order by 1`.execute(database.owner());
    expect(rows.map((r) => r.table)).toEqual(tables);
    expect(tables).toEqual(FILLED_TABLES);
  });

  it('when any table has tenant_id, then row-level security is enabled and forced, with the tenant policy', async () => {
    const { rows } = await sql<{
      table: string;
      enabled: boolean;
      forced: boolean;
      policy: string | null;
    }>`
      select c.relname as table, c.relrowsecurity as enabled, c.relforcerowsecurity as forced,
        (select p.qual from pg_policies p where p.tablename = c.relname and p.policyname = 'tenant_isolation'
          and p.with_check = p.qual) as policy
      from pg_class c where c.relname = any(${tables})
        -- information_schema has a view called domains too
        and c.relnamespace = current_schema()::regnamespace order by 1`.execute(database.owner());
    for (const row of rows) {
      expect(row, row.table).toMatchObject({ enabled: true, forced: true });
      expect(row.policy, row.table).toContain("current_setting('tenantry.tenant_id'::text, true)");
    }
    expect(rows).toHaveLength(tables.length);
  });

  it("when the server's role queries a table without WHERE inside a tenant, then it sees that tenant's rows only", async () => {
    for (const table of tables) {
      for (const tenant of ['customer-a', 'customer-b']) {
        const seen = await withTenant(database.db, tenant, (trx) =>
          sql<{ tenant_id: string }>`select tenant_id from ${sql.table(table)}`.execute(trx),
        );
        expect(seen.rows.length, table).toBeGreaterThan(0);
        expect(new Set(seen.rows.map((r) => r.tenant_id)), table).toEqual(new Set([tenant]));
      }
    }
  });

  it("when the server's role queries with no tenant set, then every table is empty to it, the owner's too", async () => {
    for (const table of tables) {
      for (const db of [database.db, database.owner()]) {
        const seen = await sql`select * from ${sql.table(table)}`.execute(db);
        expect(seen.rows, table).toEqual([]);
      }
    }
  });

  it('when a transaction set a tenant, then the next one on the same pool sees nothing (the setting is transaction-local)', async () => {
    await withTenant(database.db, 'customer-a', (trx) => sql`select 1`.execute(trx));
    const setting = await sql<{
      value: string | null;
    }>`select current_setting('tenantry.tenant_id', true) as value`.execute(database.db);
    expect(setting.rows[0]!.value ?? '').toBe('');
    expect((await sql`select * from users`.execute(database.db)).rows).toEqual([]);
  });

  it("when a tenant's transaction writes or changes another tenant's rows, then nothing happens or it is refused", async () => {
    await withTenant(database.db, 'customer-a', async (trx) => {
      for (const table of tables) {
        const updated =
          await sql`update ${sql.table(table)} set tenant_id = tenant_id where tenant_id = 'customer-b'`.execute(
            trx,
          );
        const deleted =
          await sql`delete from ${sql.table(table)} where tenant_id = 'customer-b'`.execute(trx);
        expect([updated.numAffectedRows, deleted.numAffectedRows], table).toEqual([0n, 0n]);
      }
    });
    await expect(
      withTenant(database.db, 'customer-a', (trx) =>
        sql`insert into users (tenant_id, username, display_name, role, password_hash)
            values ('customer-b', 'mallory', 'M', 'owner', 'x')`.execute(trx),
      ),
    ).rejects.toThrow(/row-level security/);
    await expect(
      withTenant(database.db, 'customer-a', (trx) =>
        sql`update users set tenant_id = 'customer-b'`.execute(trx),
      ),
    ).rejects.toThrow(/row-level security/);
    const atB = await withTenant(database.db, 'customer-b', (trx) =>
      sql<{ n: string }>`select count(*) as n from users`.execute(trx),
    );
    expect(Number(atB.rows[0]!.n)).toBeGreaterThan(0);
  });

  it("when the server's role tries to switch row-level security off or read the migrations' lock, then it is refused", async () => {
    await expect(
      sql`alter table users disable row level security`.execute(database.db),
    ).rejects.toThrow(/must be owner/);
    await expect(
      withTenant(database.db, 'customer-a', async (trx) => {
        await sql`set local row_security = off`.execute(trx);
        return sql`select * from users`.execute(trx);
      }),
    ).rejects.toThrow(/row-level security/);
    await expect(sql`select * from kysely_migration_lock`.execute(database.db)).rejects.toThrow(
      /permission denied/,
    );
  });
});
