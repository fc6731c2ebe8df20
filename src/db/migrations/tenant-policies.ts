import { sql, type Kysely } from 'kysely';

/**
 * Forced RLS, so the table's owner is held to it too; `systemRead` adds a SELECT-only policy for
 * withSystemScope. What this emits must never change (write a new helper instead), or a fresh
 * database would differ from an old one.
 */
export async function tenantPolicies<DB>(
  db: Kysely<DB>,
  table: string,
  { systemRead = false }: { systemRead?: boolean } = {},
): Promise<void> {
  const name = sql.table(table);
  const tenantMatches = sql`tenant_id = current_setting(${sql.lit('tenantry.tenant_id')}, true)`;
  await sql`alter table ${name} enable row level security`.execute(db);
  await sql`alter table ${name} force row level security`.execute(db);
  await sql`create policy tenant_isolation on ${name} using (${tenantMatches}) with check (${tenantMatches})`.execute(
    db,
  );
  if (systemRead) {
    await sql`create policy system_read on ${name} for select using (current_setting(${sql.lit('tenantry.scope')}, true) = 'system')`.execute(
      db,
    );
  }
}

/** `tenant_id text not null`, never empty (an empty id would match a setting that was reset). */
export const tenantIdCheck = sql`tenant_id <> ''`;
