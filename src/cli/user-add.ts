/**
 * Creates a user in the database, with the hash of a password asked twice without echo; they can
 * sign in at once. Without a terminal the password is the first line of standard input:
 *   npm run -s user:add -- customer-a dave [--display-name "Dave Davis"] [--role member]
 *   printf '%s\n' "$PASSWORD" | npm run -s user:add -- customer-a dave
 */
import { Command, InvalidArgumentError } from 'commander';
import { ROLES, UsernameTakenError, type Role } from '../accounts/user.ts';
import { usersRepository } from '../accounts/users-repository.ts';
import { hashPassword, newPasswordProblem } from '../auth/password.ts';
import { loadTenants } from '../tenants/load-tenants.ts';
import { USERNAME_PATTERN } from '../tenants/username.ts';
import { CliError, cliConfig, runProgram } from './cli-support.ts';
import { withDatabase } from './db-command.ts';
import { isPromptAbort, PasswordInputError, readPassword } from './read-password.ts';

const role = (value: string): Role => {
  if (!(ROLES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`one of ${ROLES.join(', ')}.`);
  }
  return value as Role;
};

const program = new Command('user:add')
  .description(
    'Create a user of a tenant in the database (DATABASE_URL; the embedded one without).',
  )
  .argument('<tenant>', 'tenant id (a file in TENANTS_DIR)')
  .argument('<username>', 'lower-case letters, digits, ".", "_" or "-"')
  .option('--display-name <name>', 'name shown when signed in (default: the username)')
  .option('--role <role>', `${ROLES.join(', ')} (default: member)`, role, 'member' as Role)
  .action(
    async (tenantId: string, username: string, options: { displayName?: string; role: Role }) => {
      const config = cliConfig();
      if (!USERNAME_PATTERN.test(username)) {
        throw new CliError(
          `"${username}" is not a username: lower-case letters, digits, ".", "_" or "-", at most 64.`,
        );
      }
      const tenants = await loadTenants(config.tenantsDir, process.env, config).catch(
        (err: Error) => {
          throw new CliError(err.message);
        },
      );
      const tenant = tenants.find((t) => t.id === tenantId);
      if (!tenant) {
        const ids = tenants.map((t) => t.id).join(', ') || 'none';
        throw new CliError(`No tenant "${tenantId}" in ${config.tenantsDir} (tenants: ${ids}).`);
      }
      const displayName = (options.displayName ?? username).trim().slice(0, 100) || username;
      await withDatabase(config, async (database) => {
        const users = usersRepository(database.db);
        // Checked before the password is asked, so nobody types one for nothing.
        if (await users.findByUsername(tenant.id, username)) {
          throw new CliError(`User "${username}" already exists at ${tenant.id}.`);
        }
        let password: string;
        try {
          password = await readPassword({ confirm: true });
        } catch (err) {
          if (isPromptAbort(err)) throw new CliError('Cancelled; nothing was written.');
          if (err instanceof PasswordInputError) throw new CliError(err.message);
          throw err;
        }
        const problem = newPasswordProblem(password);
        if (problem) throw new CliError(`${problem} Nothing was written.`);
        try {
          const passwordHash = await hashPassword(password);
          await users.create(tenant.id, {
            username,
            displayName,
            role: options.role,
            passwordHash,
          });
        } catch (err) {
          if (err instanceof UsernameTakenError) throw new CliError(err.message);
          throw err;
        }
      });
      const port = config.port === 80 ? '' : `:${config.port}`;
      console.log(`Added ${username} (${options.role}) to ${tenant.id}.
  sign in at: http://${tenant.hosts[0]}${port}/login`);
    },
  );

await runProgram(program);
