import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';

/** A login role of the test server, with the password it connects with. */
export interface PgRole {
  name: string;
  password: string;
}

/** What a test needs to reach the suite's server (plain data: vitest's provide() passes it on). */
export interface PostgresAddress {
  port: number;
  superuser: PgRole;
  /** Owns the tables (NOSUPERUSER): migrations and seeding. */
  owner: PgRole;
  /** The server's role: NOSUPERUSER NOBYPASSRLS, owns nothing. */
  runtime: PgRole;
}

export const pgUrl = (port: number, role: PgRole, database: string) =>
  `postgres://${role.name}:${role.password}@127.0.0.1:${port}/${database}`;

/** Runs `fn` as the superuser on `database`, on one connection, closed after. */
export async function withSuperuser<T>(
  address: PostgresAddress,
  database: string,
  fn: (db: Kysely<unknown>) => Promise<T>,
): Promise<T> {
  const pool = new pg.Pool({
    connectionString: pgUrl(address.port, address.superuser, database),
    max: 1,
  });
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}
