import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
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

const MIN_OWN_SECRET_BYTES = 32;

/**
 * Reads every *.json in `dir` (the JSON Schema file aside) and validates it. Either every file is
 * good and the tenants come back, or one TenantLoadError names each bad file and its problem.
 */
export async function loadTenants(
  dir: string,
  env: Record<string, string | undefined>,
): Promise<Tenant[]> {
  const problems: string[] = [];
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json') && !n.endsWith('.schema.json'));
  } catch (err) {
    throw new TenantLoadError(dir, [`cannot read the directory: ${(err as Error).message}`]);
  }
  const tenants: Tenant[] = [];
  const hostOwner = new Map<string, string>();
  const idOwner = new Map<string, string>();
  for (const name of names.sort()) {
    const problem = (message: string) => problems.push(`${name}: ${message}`);
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(join(dir, name), 'utf8'));
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
    idOwner.set(file.id, name);
    const hosts: string[] = [];
    for (const rawHost of file.hosts) {
      const host = normalizeHost(rawHost);
      if (host === undefined) {
        problem(`host "${rawHost}" is not a valid host name`);
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
      ownSecrets,
      redis,
      file: name,
    });
  }
  if (problems.length > 0) throw new TenantLoadError(dir, problems);
  return tenants;
}

function isRedisUrl(value: string): boolean {
  try {
    const { protocol, hostname } = new URL(value);
    return (protocol === 'redis:' || protocol === 'rediss:') && hostname !== '';
  } catch {
    return false;
  }
}
