import { pino } from 'pino';
import { openDatabase, type AppDatabase } from '../src/db/open-database.ts';
import { freshDatabase, type TestDatabase } from './postgres-databases.ts';

export interface OpenTestDatabase extends AppDatabase {
  test: TestDatabase;
}

/**
 * A fresh copy of the migrated and seeded template, opened as the server opens DATABASE_URL
 * (the runtime role, bounded pool) with the owner beside it; close() also drops it.
 */
export async function openTestDatabase(): Promise<OpenTestDatabase> {
  const test = await freshDatabase();
  const database = await openDatabase(
    { databaseUrl: test.url, databaseMigrationUrl: test.migrationUrl, dataDir: '' },
    pino({ level: 'silent' }),
  );
  return {
    ...database,
    test,
    async close() {
      await database.close();
      await test.drop();
    },
  };
}
