import type { Kysely } from 'kysely';

/** Where a user's password-reset emails go: set from their invitation; null for none. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('email', 'text').execute();
}
