import { sql, type Kysely } from 'kysely';

/**
 * What the server's role needs and nothing more: rows of tables with a `tenant_id` (those have
 * forced RLS), and reading which migrations ran. Run after every migration, so new tables get it.
 */
export async function grantToRuntimeRole<DB>(owner: Kysely<DB>, role: string): Promise<void> {
  const { rows } = await sql<{ table: string }>`
    select c.relname as table from pg_class c
    join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
    where c.relnamespace = current_schema()::regnamespace and c.relkind in ('r', 'p')`.execute(
    owner,
  );
  const schema = await sql<{ name: string }>`select current_schema() as name`.execute(owner);
  const [grantee, namespace] = [sql.id(role), sql.id(schema.rows[0]!.name)];
  await sql`grant usage on schema ${namespace} to ${grantee}`.execute(owner);
  for (const { table } of rows) {
    await sql`grant select, insert, update, delete on ${sql.table(table)} to ${grantee}`.execute(
      owner,
    );
  }
  await sql`grant usage, select on all sequences in schema ${namespace} to ${grantee}`.execute(
    owner,
  );
  await sql`grant select on kysely_migration to ${grantee}`.execute(owner);
}
