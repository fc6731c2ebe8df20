import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkTenantFile, type CheckedTenantFile, type TenantSource } from './check-tenant-file.ts';
import type { Tenant } from './tenant.ts';

export type { TenantSource } from './check-tenant-file.ts';

export class TenantLoadError extends Error {
  readonly problems: string[];
  constructor(dir: string, problems: string[]) {
    super(`Invalid tenants in ${dir}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'TenantLoadError';
    this.problems = problems;
  }
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

/** Whether a directory entry is a tenant file (the JSON Schema beside them is not). */
export const isTenantFile = (name: string) =>
  name.endsWith('.json') && !name.endsWith('.schema.json');

export type CheckedTenantDir = ReadonlyMap<string, { stamp: string; checked: CheckedTenantFile }>;

/**
 * What changes whenever a file is written or replaced: a write changes its size or times (ctime
 * cannot be set back by any tool), a rename onto it or a swapped symlink its inode.
 */
const stampOf = (path: string) => {
  const s = statSync(path, { bigint: true });
  return `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
};

/**
 * A file whose stamp is unchanged since `previous` keeps its check and its very Tenant object; the
 * checks across files run every time. Synchronous on purpose: at start-up nothing else waits.
 */
export function readTenantDir(
  dir: string,
  { env, centralHosts = [] }: TenantCheckOptions,
  previous: CheckedTenantDir = new Map(),
): { tenants: Tenant[]; problems: TenantProblem[]; files: CheckedTenantDir } {
  const files = new Map<string, { stamp: string; checked: CheckedTenantFile }>();
  const unreadable: TenantProblem[] = [];
  for (const file of listTenantFiles(dir)) {
    const path = join(dir, file);
    try {
      const stamp = stampOf(path);
      const known = previous.get(file);
      if (known?.stamp === stamp) {
        files.set(file, known);
        continue;
      }
      const checked = checkTenantFile({ file, text: readFileSync(path, 'utf8') }, env);
      files.set(file, { stamp, checked });
    } catch (err) {
      // Removed since the listing (a rename in progress): it is simply not a tenant any more.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        unreadable.push({ file, message: `cannot be read (${(err as Error).message})` });
      }
    }
  }
  if (unreadable.length > 0) return { tenants: [], problems: unreadable, files };
  const checked = [...files.values()].map((f) => f.checked);
  return { ...checkAcrossFiles(checked, centralHosts), files };
}

function listTenantFiles(dir: string): string[] {
  try {
    return readdirSync(dir).filter(isTenantFile).sort();
  } catch (err) {
    throw new TenantLoadError(dir, [`cannot read the directory: ${(err as Error).message}`]);
  }
}

/** The tenant files of `dir`, sorted by name; a TenantLoadError when the directory is unreadable. */
export async function readTenantSources(dir: string): Promise<TenantSource[]> {
  const sources: TenantSource[] = [];
  const problems: string[] = [];
  for (const file of listTenantFiles(dir)) {
    try {
      sources.push({ file, text: readFileSync(join(dir, file), 'utf8') });
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

/** Every file is good, or one TenantLoadError names each bad file and its problem. */
export async function loadTenants(
  dir: string,
  env: Record<string, string | undefined>,
  options: Omit<TenantCheckOptions, 'env'> = {},
): Promise<Tenant[]> {
  const { tenants, problems } = readTenantDir(dir, { ...options, env });
  if (problems.length > 0) throw tenantLoadError(dir, problems);
  return tenants;
}

/** The TenantLoadError naming each problem as `<file>: <message>`. */
export const tenantLoadError = (dir: string, problems: readonly TenantProblem[]) =>
  new TenantLoadError(
    dir,
    problems.map((p) => `${p.file}: ${p.message}`),
  );

/**
 * Loading and the scaffolding commands (src/cli/) both check with this, so they never disagree.
 * Across files, an id or a host belongs to the first file that has it.
 */
export function checkTenants(
  sources: readonly TenantSource[],
  { env, centralHosts = [] }: TenantCheckOptions,
): { tenants: Tenant[]; problems: TenantProblem[] } {
  return checkAcrossFiles(
    sources.map((source) => checkTenantFile(source, env)),
    centralHosts,
  );
}

/** The checks across files, over files already checked one by one, in the order given. */
function checkAcrossFiles(
  files: readonly CheckedTenantFile[],
  centralHosts: readonly string[],
): { tenants: Tenant[]; problems: TenantProblem[] } {
  const problems: TenantProblem[] = [];
  const tenants: Tenant[] = [];
  const hostOwner = new Map<string, string>();
  const idOwner = new Map<string, string>();
  const central = new Set(centralHosts);
  for (const { file: name, id, hosts, problems: own, tenant } of files) {
    const problem = (message: string) => problems.push({ file: name, message });
    const before = problems.length;
    if (id !== undefined) {
      if (idOwner.has(id)) problem(`id "${id}" is already used by ${idOwner.get(id)}`);
      else idOwner.set(id, name);
    }
    for (const entry of hosts) {
      if ('problem' in entry) {
        problem(entry.problem);
      } else if (central.has(entry.host)) {
        problem(`host "${entry.host}" is a central host (CENTRAL_HOSTS): it belongs to no tenant`);
      } else if (hostOwner.has(entry.host)) {
        problem(`host "${entry.host}" is already claimed by ${hostOwner.get(entry.host)}`);
      } else {
        hostOwner.set(entry.host, name);
      }
    }
    own.forEach(problem);
    if (problems.length === before && tenant) tenants.push(tenant);
  }
  return { tenants, problems };
}
