import { sql } from 'kysely';
import { pino } from 'pino';
import { migrateDatabase } from '../src/db/migrate-database.ts';
import { openDatabase } from '../src/db/open-database.ts';
import { seedDemoAccounts } from '../src/db/seed.ts';
import { pgUrl, withSuperuser, type PostgresAddress } from './postgres-admin.ts';

/** The suite's template database: migrated and seeded once, copied for each test. */
export const TEMPLATE_DATABASE = 'tenantry_template';

/**
 * Creates the suite's template database and brings it where `npm run db:migrate && npm run
 * db:seed` would: migrated as the owner, the runtime role granted, the demo accounts seeded. Every
 * test database is then a cheap copy of it.
 */
export function prepareTemplateDatabase(address: PostgresAddress): Promise<string> {
  return prepareDatabase(address, TEMPLATE_DATABASE);
}

/** Creates database `name` migrated and seeded, as compose's migrate job does; its runtime URL. */
export async function prepareDatabase(address: PostgresAddress, name: string): Promise<string> {
  await withSuperuser(address, 'postgres', (db) =>
    sql`create database ${sql.id(name)} owner ${sql.id(address.owner.name)}`.execute(db),
  );
  const url = pgUrl(address.port, address.runtime, name);
  const database = await openDatabase(
    {
      databaseUrl: url,
      databaseMigrationUrl: pgUrl(address.port, address.owner, name),
      dataDir: '',
    },
    pino({ level: 'silent' }),
  );
  try {
    await migrateDatabase(database);
    await seedDemoAccounts(database.owner());
  } finally {
    // CREATE DATABASE … TEMPLATE refuses a template anyone is connected to.
    await database.close();
  }
  return url;
}
