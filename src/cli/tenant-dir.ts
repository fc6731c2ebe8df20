import { join } from 'node:path';
import { duplicateProblem } from '../tenants/check-tenant-file.ts';
import { duplicateKey } from '../tenants/duplicate-key.ts';
import {
  checkTenants,
  readTenantSources,
  TenantLoadError,
  type TenantProblem,
  type TenantSource,
} from '../tenants/load-tenants.ts';
import { CliError } from './cli-support.ts';

export interface TenantDir {
  dir: string;
  env: Record<string, string | undefined>;
  centralHosts: readonly string[];
}

/**
 * The tenant files of the directory, or a CliError saying why they cannot be read. A file with a
 * key twice is refused outright: what it holds depends on who reads it, so neither an edit of it
 * nor a check of ids and hosts across files could be trusted.
 */
export async function readSources(dir: string): Promise<TenantSource[]> {
  let sources: TenantSource[];
  try {
    sources = await readTenantSources(dir);
  } catch (err) {
    if (err instanceof TenantLoadError) throw new CliError(err.message);
    throw err;
  }
  for (const { file, text } of sources) {
    const twice = duplicateKey(text);
    if (twice !== undefined) {
      throw new CliError(`${join(dir, file)}: ${duplicateProblem(twice)}; fix it first.`);
    }
  }
  return sources;
}

/**
 * Checks the directory as it would be with `changed` written (the same rules as loading, so the
 * server accepts what passes). A problem the change brings is a CliError headed `refusal`; ones the
 * directory already had are returned, for a warning: the server refuses every reload until they
 * are fixed, so the change would not be served either.
 */
export function checkChange(
  target: TenantDir,
  sources: readonly TenantSource[],
  changed: TenantSource,
  refusal: string,
): TenantProblem[] {
  const options = { env: target.env, centralHosts: target.centralHosts };
  const before = checkTenants(sources, options).problems;
  // An edited file keeps its place; a new one comes last, so a taken id or host is reported as
  // claimed by the file that already has it.
  const edited = sources.some((s) => s.file === changed.file);
  const next = edited
    ? sources.map((s) => (s.file === changed.file ? changed : s))
    : [...sources, changed];
  const after = checkTenants(next, options).problems;
  const known = (p: TenantProblem) =>
    before.some((b) => b.file === p.file && b.message === p.message);
  const introduced = after.filter((p) => !known(p));
  if (introduced.length > 0) {
    throw new CliError(
      `${refusal}:\n${introduced.map((p) => `  - ${p.file}: ${p.message}`).join('\n')}`,
    );
  }
  return after;
}

/** Prints the directory's standing problems, if any, to stderr. */
export function warnAbout(problems: TenantProblem[], dir: string): void {
  if (problems.length === 0) return;
  console.error(
    `warning: ${dir} already has problems; a running server keeps its previous tenants until they are fixed:\n${problems
      .map((p) => `  - ${p.file}: ${p.message}`)
      .join('\n')}`,
  );
}
