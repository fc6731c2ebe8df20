import { sql, type Kysely } from 'kysely';
import { tenantIdCheck, tenantPolicies } from './tenant-policies.ts';

/** Single-use invitations; only the sha-256 of each token is stored. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('invitations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'text', (c) => c.notNull().check(tenantIdCheck))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('username', 'text', (c) =>
      c.notNull().check(sql`username ~ '^[a-z0-9][a-z0-9._-]{0,63}$'`),
    )
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('owner', 'admin', 'member')`))
    .addColumn('email', 'text')
    .addColumn('created_by', 'uuid')
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // Removing the inviter keeps the invitation: only created_by is cleared, never tenant_id.
  await sql`alter table invitations add constraint invitations_created_by_fkey
    foreign key (tenant_id, created_by) references users (tenant_id, id)
    on delete set null (created_by)`.execute(db);
  await db.schema
    .createIndex('invitations_tenant_id_created_by_idx')
    .on('invitations')
    .columns(['tenant_id', 'created_by'])
    .execute();
  await tenantPolicies(db, 'invitations');
}
