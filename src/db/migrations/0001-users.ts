import { sql, type Kysely } from 'kysely';
import { tenantIdCheck, tenantPolicies } from './tenant-policies.ts';

/** The users of every tenant: ids never reused, usernames unique per tenant in any letter case. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'text', (c) => c.notNull().check(tenantIdCheck))
    // The slug of src/tenants/username.ts as it was when this ran (it goes into Redis keys).
    .addColumn('username', 'text', (c) =>
      c.notNull().check(sql`username ~ '^[a-z0-9][a-z0-9._-]{0,63}$'`),
    )
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('owner', 'admin', 'member')`))
    .addColumn('disabled', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // The target of composite foreign keys: a row can only point at a user of its own tenant.
    .addUniqueConstraint('users_tenant_id_id_key', ['tenant_id', 'id'])
    .execute();
  await db.schema
    .createIndex('users_tenant_id_username_key')
    .on('users')
    .unique()
    .columns(['tenant_id'])
    .expression(sql`lower(username)`)
    .execute();
  await tenantPolicies(db, 'users');
}
