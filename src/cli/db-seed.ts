/**
 * Creates the demo accounts (alice and amy at customer-a, bob at customer-b, carol at customer-c),
 * as the owner role; accounts that exist are left as they are. Idempotent.
 *   npm run -s db:seed
 */
import { Command } from 'commander';
import { seedDemoAccounts } from '../db/seed.ts';
import { cliConfig, runProgram } from './cli-support.ts';
import { withDatabase } from './db-command.ts';

const program = new Command('db:seed')
  .description('Create the demo accounts that do not exist yet (idempotent).')
  .action(async () => {
    const config = cliConfig();
    // The demo passwords are public: a production database never gets them.
    if (config.env === 'production') {
      console.log('NODE_ENV=production: no demo accounts are created (add users with user:add).');
      return;
    }
    const created = await withDatabase(config, (database) => seedDemoAccounts(database.owner()));
    console.log(
      created.length > 0 ? `Created: ${created.join(', ')}.` : 'The demo accounts exist.',
    );
  });

await runProgram(program);
