import { domainToASCII } from 'node:url';
import { duplicateKey } from './duplicate-key.ts';
import { normalizeHost } from './host.ts';
import { tenantFileSchema } from './tenant-file.ts';
import type { Tenant } from './tenant.ts';

/** One tenant file as read: its name in the directory and its text. */
export interface TenantSource {
  file: string;
  text: string;
}

/** Kept across reloads for every unchanged file, so only edited files are parsed again. */
export interface CheckedTenantFile {
  file: string;
  /** Undefined when the file is not valid JSON or breaks the schema (see `problems`). */
  id?: string;
  /** Each host in the file's order: normalised, or why it is refused. */
  hosts: ({ host: string } | { problem: string })[];
  problems: string[];
  tenant?: Tenant;
}

const MIN_OWN_SECRET_BYTES = 32;

const USERS_MOVED =
  'has "users", but users live in the database now: remove the key, and create each user with `npm run user:add -- <tenant> <username>` (docs/configuration.md)';

/** Checks one file against the schema and the environment (`sessionSecretEnv`, `redis.urlEnv`). */
export function checkTenantFile(
  { file: name, text }: TenantSource,
  env: Record<string, string | undefined>,
): CheckedTenantFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { file: name, hosts: [], problems: [`not valid JSON (${(err as Error).message})`] };
  }
  const twice = duplicateKey(text);
  if (twice !== undefined) return { file: name, hosts: [], problems: [duplicateProblem(twice)] };
  if (raw !== null && typeof raw === 'object' && 'users' in raw) {
    return { file: name, hosts: [], problems: [USERS_MOVED] };
  }
  const parsed = tenantFileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || 'file'} ${issue.message}`,
    );
    return { file: name, hosts: [], problems };
  }
  const file = parsed.data;
  const problems: string[] = [];
  const hosts = file.hosts.map((rawHost) => {
    const host = normalizeHost(rawHost);
    return host === undefined ? { problem: hostProblem(rawHost) } : { host };
  });
  let ownSecrets: string[] | undefined;
  if (file.sessionSecretEnv !== undefined) {
    ownSecrets = (env[file.sessionSecretEnv] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (ownSecrets.length === 0) {
      problems.push(`sessionSecretEnv names ${file.sessionSecretEnv}, which is not set`);
    } else if (ownSecrets.some((s) => Buffer.byteLength(s) < MIN_OWN_SECRET_BYTES)) {
      problems.push(
        `${file.sessionSecretEnv} holds a secret shorter than ${MIN_OWN_SECRET_BYTES} bytes`,
      );
    }
  }
  let redis: Tenant['redis'];
  if (file.redis !== undefined) {
    const { urlEnv } = file.redis;
    const url = env[urlEnv]?.trim() ?? '';
    if (url === '') problems.push(`redis.urlEnv names ${urlEnv}, which is not set`);
    else if (!isRedisUrl(url)) problems.push(`${urlEnv} must be a redis:// or rediss:// URL`);
    else redis = { urlEnv, url };
  }
  const checked: CheckedTenantFile = { file: name, id: file.id, hosts, problems };
  if (problems.length > 0 || hosts.some((h) => 'problem' in h)) return checked;
  checked.tenant = {
    id: file.id,
    name: file.name,
    hosts: hosts.map((h) => (h as { host: string }).host),
    color: file.theme.color.toLowerCase(),
    session: file.session,
    ownSecrets,
    redis,
    file: name,
  };
  return checked;
}

export const duplicateProblem = (key: string) => `has the key "${key}" twice`;

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

function isRedisUrl(value: string): boolean {
  try {
    const { protocol, hostname } = new URL(value);
    return (protocol === 'redis:' || protocol === 'rediss:') && hostname !== '';
  } catch {
    return false;
  }
}
