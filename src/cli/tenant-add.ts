/**
 * Writes a new tenant file into TENANTS_DIR; a running server serves it within moments.
 *   npm run -s tenant:add -- customer-d --host customer-d.localhost [--name "Customer D"] [--color "#8250df"]
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { normalizeHost } from '../tenants/host.ts';
import { TENANT_ID_PATTERN } from '../tenants/tenant-file.ts';
import { newTenantFileText } from '../tenants/tenant-file-text.ts';
import { CliError, cliConfig, runProgram, writeFileAtomically } from './cli-support.ts';
import { checkChange, readSources, warnAbout } from './tenant-dir.ts';

/** Brand colours that carry white text; a new tenant takes the first one no tenant uses yet. */
const PALETTE = ['#1f6feb', '#c2410c', '#15803d', '#8250df', '#bf3989', '#0e7490', '#9a6700'];

interface Options {
  host: string[];
  name?: string;
  color?: string;
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

const program = new Command('tenant:add')
  .description('Write a new tenant file into TENANTS_DIR (default ./tenants).')
  .argument('<id>', 'tenant id: lower-case letters, digits and "-" (it goes into Redis keys)')
  .requiredOption('--host <host>', 'a host name it answers on (repeat for more)', collect)
  .option('--name <name>', 'display name (default: from the id)')
  .option('--color <color>', 'brand colour, like #8250df (default: one no tenant uses yet)')
  .action(async (id: string, options: Options) => {
    const config = cliConfig();
    const dir = config.tenantsDir;
    if (!TENANT_ID_PATTERN.test(id)) {
      throw new CliError(
        `"${id}" is not a tenant id: a-z, 0-9 and "-", at most 63 characters, no "-" at either end.`,
      );
    }
    const file = `${id}.json`;
    const sources = await readSources(dir);
    if (sources.some((s) => s.file === file)) {
      throw new CliError(`Cannot add tenant "${id}": ${join(dir, file)} already exists.`);
    }
    const used = new Set(
      sources.map((s) => /"color"\s*:\s*"(#[0-9a-fA-F]{6})"/.exec(s.text)?.[1]?.toLowerCase()),
    );
    const text = newTenantFileText({
      id,
      name:
        options.name ??
        id.replace(
          /(^|-)(\w)/g,
          (_m, dash: string, c: string) => `${dash ? ' ' : ''}${c.toUpperCase()}`,
        ),
      hosts: options.host.map((h) => normalizeHost(h) ?? h),
      color: options.color ?? PALETTE.find((c) => !used.has(c)) ?? PALETTE[0]!,
      schema: existsSync(join(dir, 'tenant.schema.json')) ? './tenant.schema.json' : undefined,
    });
    const standing = checkChange(
      { dir, env: process.env, centralHosts: config.centralHosts },
      sources,
      { file, text },
      `Cannot add tenant "${id}" to ${dir}`,
    );
    await writeFileAtomically(join(dir, file), text);
    warnAbout(standing, dir);
    const host = normalizeHost(options.host[0])!;
    console.log(`Wrote ${join(dir, file)}.
  open it:    http://${host}${config.port === 80 ? '' : `:${config.port}`}
  add a user: npm run user:add -- ${id} <username>`);
  });

await runProgram(program);
