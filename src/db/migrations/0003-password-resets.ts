import { sql, type Kysely } from 'kysely';
import { tenantIdCheck, tenantPolicies } from './tenant-policies.ts';

/** Single-use password-reset tokens (sha-256 stored), deleted with their user. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('password_resets')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'text', (c) => c.notNull().check(tenantIdCheck))
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint(
      'password_resets_user_fkey',
      ['tenant_id', 'user_id'],
      'users',
      ['tenant_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await db.schema
    .createIndex('password_resets_tenant_id_user_id_idx')
    .on('password_resets')
    .columns(['tenant_id', 'user_id'])
    .execute();
  await tenantPolicies(db, 'password_resets');
}
