import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { inject } from 'vitest';
import { pgUrl, withSuperuser, type PostgresAddress } from './postgres-admin.ts';
import { TEMPLATE_DATABASE } from './postgres-template.ts';

export interface TestDatabase {
  name: string;
  /** DATABASE_URL: the server's role. */
  url: string;
  /** DATABASE_MIGRATION_URL: the owner's. */
  migrationUrl: string;
  /** The superuser's, for what a test must do behind the app's back. */
  superuserUrl: string;
  drop(): Promise<void>;
}

/** The suite's PostgreSQL, or undefined where its binaries are missing (see missingPostgres()). */
export const suitePostgres = (): PostgresAddress | undefined => inject('postgres') ?? undefined;

/**
 * A database of its own for a test: a copy of the migrated and seeded template (CREATE DATABASE …
 * TEMPLATE, a file copy), or `empty` (nothing migrated), owned by the owner role.
 */
export async function freshDatabase(
  options: { empty?: boolean; address?: PostgresAddress } = {},
): Promise<TestDatabase> {
  const address = options.address ?? suitePostgres();
  if (!address) throw new Error('No PostgreSQL for the tests: see missingPostgres()');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const template = options.empty ? 'template0' : TEMPLATE_DATABASE;
  await withSuperuser(address, 'postgres', (db) =>
    sql`create database ${sql.id(name)} template ${sql.id(template)} owner ${sql.id(address.owner.name)}`.execute(
      db,
    ),
  );
  return {
    name,
    url: pgUrl(address.port, address.runtime, name),
    migrationUrl: pgUrl(address.port, address.owner, name),
    superuserUrl: pgUrl(address.port, address.superuser, name),
    drop: () =>
      withSuperuser(address, 'postgres', async (db) => {
        await sql`drop database if exists ${sql.id(name)} with (force)`.execute(db);
      }),
  };
}
