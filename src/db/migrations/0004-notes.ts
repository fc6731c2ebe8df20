import { sql, type Kysely } from 'kysely';
import { tenantIdCheck, tenantPolicies } from './tenant-policies.ts';

/** The example feature's notes: each belongs to one user of its own tenant and goes with them. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notes')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'text', (c) => c.notNull().check(tenantIdCheck))
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // (tenant_id, user_id): a note can never point at another tenant's user.
    .addForeignKeyConstraint(
      'notes_user_fkey',
      ['tenant_id', 'user_id'],
      'users',
      ['tenant_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await db.schema
    .createIndex('notes_tenant_id_user_id_created_at_idx')
    .on('notes')
    .columns(['tenant_id', 'user_id', 'created_at desc'])
    .execute();
  await tenantPolicies(db, 'notes');
}
