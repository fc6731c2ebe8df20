/**
 * The operator's session commands, reading the server's own configuration (.env, REDIS_URL,
 * APP_NAME, TENANTS_DIR, SESSION_SECRET). See docs/sessions.md.
 *   npm run -s sessions -- list customer-a [--user alice] [--json]
 *   npm run -s sessions -- show|revoke customer-a <sid>
 *   npm run -s sessions -- revoke-user customer-a alice
 *   npm run -s sessions -- purge customer-a [--yes]
 *   npm run -s sessions -- stats [--json]
 * Exit 0 on success; 1 with a message naming the problem; 2 on a usage error.
 */
import { createInterface } from 'node:readline/promises';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import dotenv from 'dotenv';
import { StoreUnavailableError } from '../store/store-unavailable.ts';
import { USERNAME_PATTERN } from '../tenants/username.ts';
import { CliError } from './sessions/cli-error.ts';
import type { CliContext } from './sessions/context.ts';
import { printable, printableJson } from './sessions/printable.ts';
import { table } from './sessions/table.ts';

dotenv.config({ quiet: true });

// Loaded once a command runs: --help and usage errors answer without loading Redis's client.
const commands = () => import('./sessions/commands.ts');
let opened: CliContext | undefined;
const context = async () =>
  (opened ??= await (await import('./sessions/context.ts')).openContext(process.env));

/** JSON alone on stdout with --json (for scripts), a table or a line otherwise (see printable). */
function print(cmd: Command, data: unknown, text: () => string): void {
  const json = cmd.optsWithGlobals<{ json?: boolean }>().json === true;
  process.stdout.write(`${json ? printableJson(data) : text()}\n`);
}

const time = (iso: string | null) => iso?.replace('T', ' ').slice(0, 19) ?? null;

function username(value: string): string {
  if (!USERNAME_PATTERN.test(value)) {
    throw new InvalidArgumentError('not a username (lower case letters, digits, ".", "_", "-").');
  }
  return value;
}

/** purge is the one command that cannot be undone: a person types the tenant id, or --yes. */
async function confirmPurge(tenantId: string, name: string): Promise<void> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new CliError(
      'purge deletes every session of a tenant: add --yes to run it without a terminal.',
      2,
    );
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(
    `Delete every session of ${tenantId} (${name})? Type the tenant id to confirm: `,
  );
  rl.close();
  if (answer.trim() !== tenantId) throw new CliError('purge not confirmed: nothing was deleted.');
}

const program = new Command('sessions')
  .usage('<command> [options]   (npm run -s sessions -- <command>)')
  .description('See and end the sessions the server keeps in Redis, per tenant.')
  .option('--json', 'print JSON for scripts instead of a table')
  .exitOverride()
  .showHelpAfterError('(npm run -s sessions -- --help for usage)');

program
  .command('list')
  .description('list a tenant’s sessions, newest sign-in first (--user: from the user’s index)')
  .argument('<tenant>', 'tenant id')
  .option('--user <username>', 'only this user’s sessions', username)
  .action(async (tenant: string, options: { user?: string }, cmd: Command) => {
    const rows = await (await commands()).list(await context(), tenant, options.user);
    print(cmd, rows, () =>
      rows.length === 0
        ? 'no sessions'
        : table(
            ['sid', 'user', 'signed in (UTC)', 'last seen (UTC)', 'address'],
            rows.map((r) => [r.sid, r.user, time(r.createdAt), time(r.lastSeenAt), r.ip]),
          ),
    );
  });

program
  .command('show')
  .description('one session in full, and whether the server still honours it')
  .argument('<tenant>', 'tenant id')
  .argument('<sid>', 'session id, as in the key sessions:<tenant>:<app>:<sid>')
  .action(async (tenant: string, sid: string, _options: unknown, cmd: Command) => {
    const session = await (await commands()).show(await context(), tenant, sid);
    print(cmd, session, () =>
      table(
        ['field', 'value'],
        Object.entries(session).map(([key, value]) => [key, value]),
      ),
    );
  });

program
  .command('revoke')
  .description('end one session now')
  .argument('<tenant>', 'tenant id')
  .argument('<sid>', 'session id')
  .action(async (tenant: string, sid: string, _options: unknown, cmd: Command) => {
    const result = await (await commands()).revoke(await context(), tenant, sid);
    print(cmd, result, () =>
      printable(`revoked session ${sid} (${result.user ?? 'anonymous'}) at ${tenant}`),
    );
  });

program
  .command('revoke-user')
  .description('end every session of one user, through the user’s index (no scan)')
  .argument('<tenant>', 'tenant id')
  .argument('<username>', 'username', username)
  .action(async (tenant: string, user: string, _options: unknown, cmd: Command) => {
    const result = await (await commands()).revokeUser(await context(), tenant, user);
    print(cmd, result, () =>
      printable(`revoked ${result.revoked} session(s) of ${user} at ${tenant}`),
    );
  });

program
  .command('purge')
  .description('delete every session and user index of a tenant (asks first)')
  .argument('<tenant>', 'tenant id')
  .option('--yes', 'do not ask')
  .action(async (tenantId: string, options: { yes?: boolean }, cmd: Command) => {
    const ctx = await context();
    const tenant = ctx.tenant(tenantId);
    if (!options.yes) await confirmPurge(tenant.id, tenant.name);
    const result = await (await commands()).purge(ctx, tenant.id);
    print(cmd, result, () =>
      printable(
        `deleted ${result.sessions} session(s) and ${result.indexes} user index(es) of ${tenantId}`,
      ),
    );
  });

program
  .command('stats')
  .description('live sessions per tenant')
  .action(async (_options: unknown, cmd: Command) => {
    const counts = await (await commands()).stats(await context());
    print(cmd, counts, () =>
      table(
        ['tenant', 'sessions'],
        Object.entries(counts).map(([id, n]) => [id, n]),
      ),
    );
  });

/** The exit status for what went wrong; prints the message where commander has not already. */
function exitCodeOf(err: unknown): number {
  if (err instanceof CommanderError) {
    return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : 2;
  }
  if (err instanceof CliError) {
    console.error(`sessions: ${printable(err.message)}`);
    return err.exitCode;
  }
  if (err instanceof StoreUnavailableError) {
    const cause = err.cause instanceof Error ? err.cause.message : String(err.cause);
    console.error(`sessions: Redis unreachable (${cause})`);
    return 1;
  }
  console.error(err);
  return 1;
}

let code = 0;
try {
  await program.parseAsync(process.argv);
} catch (err) {
  code = exitCodeOf(err);
}
await opened?.close(); // bounded by REDIS_TIMEOUT_MS
// Ends once stdout is flushed (a pipe on macOS is written asynchronously); never hangs on.
process.exitCode = code;
setTimeout(() => process.exit(code), 2000).unref();
