/**
 * Brings the database to the current schema, as the owner role (DATABASE_MIGRATION_URL, else
 * DATABASE_URL; PGlite under DATA_DIR without either), and grants the server's role (DATABASE_URL)
 * what it needs. Idempotent, and safe from several replicas at once (one migrates, the others wait).
 *   npm run -s db:migrate
 */
import { Command } from 'commander';
import { migrateDatabase } from '../db/migrate-database.ts';
import { cliConfig, runProgram } from './cli-support.ts';
import { withDatabase } from './db-command.ts';

const program = new Command('db:migrate')
  .description('Bring the database to the current schema (idempotent).')
  .action(async () => {
    const { ran, grantedTo } = await withDatabase(cliConfig(), migrateDatabase);
    console.log(ran.length > 0 ? `Migrated: ${ran.join(', ')}.` : 'The schema is current.');
    if (grantedTo) console.log(`Granted the server's role "${grantedTo}" its rights.`);
  });

await runProgram(program);
