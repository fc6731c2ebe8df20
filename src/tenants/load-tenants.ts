import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { domainToASCII } from 'node:url';
import { normalizeHost } from './host.ts';
import { tenantFileSchema, type TenantUser } from './tenant-file.ts';
import type { Tenant } from './tenant.ts';

export class TenantLoadError extends Error {
  readonly problems: string[];
  constructor(dir: string, problems: string[]) {
    super(`Invalid tenants in ${dir}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'TenantLoadError';
    this.problems = problems;
  }
}

/** One tenant file as read: its name in the directory and its text. */
export interface TenantSource {
  file: string;
  text: string;
}

/** What is wrong with one file, for messages (`<file>: <message>`). */
export interface TenantProblem {
  file: string;
  message: string;
}

export interface TenantCheckOptions {
  /** Where `sessionSecretEnv` names are looked up. */
  env: Record<string, string | undefined>;
  /** CENTRAL_HOSTS (normalised): hosts that belong to no tenant, so no file may claim one. */
  centralHosts?: readonly string[];
}

const MIN_OWN_SECRET_BYTES = 32;

/** Whether a directory entry is a tenant file (the JSON Schema beside them is not). */
export const isTenantFile = (name: string) =>
  name.endsWith('.json') && !name.endsWith('.schema.json');

/** The tenant files of `dir`, sorted by name; a TenantLoadError when the directory is unreadable. */
export async function readTenantSources(dir: string): Promise<TenantSource[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter(isTenantFile).sort();
  } catch (err) {
    throw new TenantLoadError(dir, [`cannot read the directory: ${(err as Error).message}`]);
  }
  const sources: TenantSource[] = [];
  const problems: string[] = [];
  for (const file of names) {
    try {
      sources.push({ file, text: await readFile(join(dir, file), 'utf8') });
    } catch (err) {
      // Removed since the listing (a rename in progress): it is simply not a tenant any more.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        problems.push(`${file}: cannot be read (${(err as Error).message})`);
      }
    }
  }
  if (problems.length > 0) throw new TenantLoadError(dir, problems);
  return sources;
}

/** Why a host in a tenant file is refused, with the fix. */
function hostProblem(raw: string): string {
  // Browsers send internationalised names as punycode, and hosts are matched exactly as sent.
  if (/[^\x20-\x7e]/.test(raw)) {
    const punycode = domainToASCII(raw.trim());
    const hint = punycode ? ` ("${punycode}")` : '';
    return `host "${raw}" is not ASCII: write internationalised names as punycode${hint}`;
  }
  return `host "${raw}" is not a valid host name (ASCII letters, digits, "-" and ".", and an optional ":port")`;
}

/**
 * Reads every tenant file in `dir` and validates it. Either every file is good and the tenants
 * come back, or one TenantLoadError names each bad file and its problem.
 */
export async function loadTenants(
  dir: string,
  env: Record<string, string | undefined>,
  options: Omit<TenantCheckOptions, 'env'> = {},
): Promise<Tenant[]> {
  const { tenants, problems } = checkTenants(await readTenantSources(dir), { ...options, env });
  if (problems.length > 0) {
    throw new TenantLoadError(
      dir,
      problems.map((p) => `${p.file}: ${p.message}`),
    );
  }
  return tenants;
}

/**
 * The rules of a tenants directory, over sources in the order given: each file against the
 * schema, then across files (an id or a host belongs to the first file that has it). Loading and
 * the scaffolding commands (src/cli/) both check with this, so they never disagree.
 */
export function checkTenants(
  sources: readonly TenantSource[],
  { env, centralHosts = [] }: TenantCheckOptions,
): { tenants: Tenant[]; problems: TenantProblem[] } {
  const problems: TenantProblem[] = [];
  const tenants: Tenant[] = [];
  const hostOwner = new Map<string, string>();
  const idOwner = new Map<string, string>();
  const central = new Set(centralHosts);
  for (const { file: name, text } of sources) {
    const problem = (message: string) => problems.push({ file: name, message });
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      problem(`not valid JSON (${(err as Error).message})`);
      continue;
    }
    const parsed = tenantFileSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problem(`${issue.path.join('.') || 'file'} ${issue.message}`);
      continue;
    }
    const file = parsed.data;
    const before = problems.length;
    if (idOwner.has(file.id)) problem(`id "${file.id}" is already used by ${idOwner.get(file.id)}`);
    else idOwner.set(file.id, name);
    const hosts: string[] = [];
    for (const rawHost of file.hosts) {
      const host = normalizeHost(rawHost);
      if (host === undefined) {
        problem(hostProblem(rawHost));
      } else if (central.has(host)) {
        problem(`host "${host}" is a central host (CENTRAL_HOSTS): it belongs to no tenant`);
      } else if (hostOwner.has(host)) {
        problem(`host "${host}" is already claimed by ${hostOwner.get(host)}`);
      } else {
        hostOwner.set(host, name);
        hosts.push(host);
      }
    }
    const users = new Map<string, TenantUser>();
    for (const user of file.users) {
      if (users.has(user.username)) problem(`user "${user.username}" appears twice`);
      users.set(user.username, user);
    }
    let ownSecrets: string[] | undefined;
    if (file.sessionSecretEnv !== undefined) {
      ownSecrets = (env[file.sessionSecretEnv] ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      if (ownSecrets.length === 0) {
        problem(`sessionSecretEnv names ${file.sessionSecretEnv}, which is not set`);
      } else if (ownSecrets.some((s) => Buffer.byteLength(s) < MIN_OWN_SECRET_BYTES)) {
        problem(
          `${file.sessionSecretEnv} holds a secret shorter than ${MIN_OWN_SECRET_BYTES} bytes`,
        );
      }
    }
    let redis: Tenant['redis'];
    if (file.redis !== undefined) {
      const { urlEnv } = file.redis;
      const url = env[urlEnv]?.trim() ?? '';
      if (url === '') problem(`redis.urlEnv names ${urlEnv}, which is not set`);
      else if (!isRedisUrl(url)) problem(`${urlEnv} must be a redis:// or rediss:// URL`);
      else redis = { urlEnv, url };
    }
    if (problems.length > before) continue;
    tenants.push({
      id: file.id,
      name: file.name,
      hosts,
      color: file.theme.color.toLowerCase(),
      users,
      session: file.session,
      ownSecrets,
      redis,
      file: name,
    });
  }
  return { tenants, problems };
}

function isRedisUrl(value: string): boolean {
  try {
    const { protocol, hostname } = new URL(value);
    return (protocol === 'redis:' || protocol === 'rediss:') && hostname !== '';
  } catch {
    return false;
  }
}
