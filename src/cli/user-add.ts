/**
 * Adds a user, with the hash of a password asked twice without echo, to a tenant's file; a running
 * server lets them sign in within moments. Without a terminal the password is the first line of
 * standard input:
 *   npm run -s user:add -- customer-a dave [--display-name "Dave Davis"]
 *   printf '%s\n' "$PASSWORD" | npm run -s user:add -- customer-a dave
 */
import { join } from 'node:path';
import { Command } from 'commander';
import { hashPassword } from '../auth/password.ts';
import { normalizeHost } from '../tenants/host.ts';
import type { TenantSource } from '../tenants/load-tenants.ts';
import { withUserAdded } from '../tenants/tenant-file-text.ts';
import { CliError, cliConfig, runProgram, writeFileAtomically } from './cli-support.ts';
import { isPromptAbort, PasswordInputError, readPassword } from './read-password.ts';
import { checkChange, readSources, warnAbout, type TenantDir } from './tenant-dir.ts';

/** Passes the schema's hash check while the real hash waits for the password. */
const PENDING_HASH = 'scrypt$pending';

interface TenantJson {
  id?: unknown;
  users?: unknown;
}

const program = new Command('user:add')
  .description("Add a user to a tenant's file in TENANTS_DIR (default ./tenants).")
  .argument('<tenant>', 'tenant id')
  .argument('<username>', 'lower-case letters, digits, ".", "_" or "-"')
  .option('--display-name <name>', 'name shown when signed in (default: the username)')
  .action(async (tenantId: string, username: string, options: { displayName?: string }) => {
    const config = cliConfig();
    const target = { dir: config.tenantsDir, env: process.env, centralHosts: config.centralHosts };
    const user = { username, displayName: options.displayName ?? username };
    // Everything is checked before the password is asked, and again before writing.
    await addUser(target, tenantId, { ...user, passwordHash: PENDING_HASH });
    let password: string;
    try {
      password = await readPassword({ confirm: true });
    } catch (err) {
      if (isPromptAbort(err)) throw new CliError('Cancelled; nothing was written.');
      if (err instanceof PasswordInputError) throw new CliError(err.message);
      throw err;
    }
    const { file, host, standing } = await addUser(
      target,
      tenantId,
      { ...user, passwordHash: await hashPassword(password) },
      true,
    );
    warnAbout(standing, target.dir);
    const port = config.port === 80 ? '' : `:${config.port}`;
    console.log(`Added ${username} to ${tenantId} (${join(target.dir, file)}).
  sign in at: http://${host}${port}/login`);
  });

/** Checks the edit against the directory's rules and, when `write`, writes it atomically. */
async function addUser(
  target: TenantDir,
  tenantId: string,
  user: { username: string; displayName: string; passwordHash: string },
  write = false,
) {
  const sources = await readSources(target.dir);
  const source = sources.find((s) => parseTenant(s)?.id === tenantId);
  if (!source) {
    const ids = sources.map((s) => parseTenant(s)?.id).filter((id) => typeof id === 'string');
    throw new CliError(
      `No tenant "${tenantId}" in ${target.dir} (tenants: ${ids.join(', ') || 'none'}).`,
    );
  }
  const users = parseTenant(source)?.users;
  if (
    Array.isArray(users) &&
    users.some((u: { username?: unknown } | null) => u?.username === user.username)
  ) {
    throw new CliError(
      `User "${user.username}" already exists in ${join(target.dir, source.file)}.`,
    );
  }
  const changed: TenantSource = { file: source.file, text: withUserAdded(source.text, user) };
  const standing = checkChange(
    target,
    sources,
    changed,
    `Cannot add "${user.username}" to ${tenantId}`,
  );
  if (write) await writeFileAtomically(join(target.dir, source.file), changed.text);
  const hosts = (parseTenant(source) as { hosts?: unknown } | undefined)?.hosts;
  const host = Array.isArray(hosts) ? normalizeHost(String(hosts[0])) : undefined;
  return { file: source.file, host, standing };
}

function parseTenant(source: TenantSource): TenantJson | undefined {
  try {
    return JSON.parse(source.text) as TenantJson;
  } catch {
    return undefined;
  }
}

await runProgram(program);
