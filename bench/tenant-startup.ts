/**
 * npm run bench:tenants: how long many tenant files take to be ready to serve, and what they cost
 * in memory, against 3 tenants. Each count runs in a fresh process (so RSS is its own):
 * TenantRegistry.open, the stores and the app as src/server.ts builds them, and the start-up URL
 * list; then one tenant file is edited and the registry reloaded, as the directory watcher does.
 * The files are like the demo ones: one host, a name, a colour, one user with an scrypt hash.
 *
 * TENANTS=10000 sets the larger count.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { openParts } from '../src/parts.ts';
import { startUrls } from '../src/web/front-door.ts';
import { runCommand } from '../test/support/command.ts';

interface Sample {
  tenants: number;
  readyMs: number;
  rssMb: number;
  heapMb: number;
  reloadMs: number;
}

const tenantFile = (id: string) => ({
  id,
  name: `Tenant ${id}`,
  hosts: [`${id}.localhost`],
  theme: { color: '#1f6feb' },
  users: [
    {
      username: 'user',
      displayName: `User of ${id}`,
      passwordHash: `scrypt$15$8$3$${randomBytes(16).toString('base64url')}$${randomBytes(32).toString('base64url')}`,
    },
  ],
});

async function writeTenants(count: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tenantry-bench-tenants-'));
  for (let i = 0; i < count; i++) {
    const id = `tenant-${String(i).padStart(5, '0')}`;
    await writeFile(join(dir, `${id}.json`), JSON.stringify(tenantFile(id), null, 2));
  }
  return dir;
}

/** In the child: build everything server.ts builds per tenant, and measure. */
async function measure(dir: string): Promise<Sample> {
  const logger = pino({ level: 'silent' });
  const config = loadConfig({ NODE_ENV: 'test', TENANTS_DIR: dir, LOG_LEVEL: 'silent' });
  const started = performance.now();
  const parts = await openParts({ config, env: {}, logger });
  const { tenants } = parts;
  createApp(parts);
  startUrls({ port: 3000, centralHosts: config.centralHosts, tenants: tenants.list() });
  const readyMs = performance.now() - started;
  globalThis.gc?.();
  globalThis.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  const [rssMb, heapMb] = [rss / 2 ** 20, heapUsed / 2 ** 20];

  const [first] = tenants.list();
  await writeFile(
    join(dir, first!.file),
    JSON.stringify({ ...tenantFile(first!.id), name: 'Renamed' }),
  );
  const reloadStarted = performance.now();
  if (!(await tenants.reload())) throw new Error('reload refused');
  const reloadMs = performance.now() - reloadStarted;
  if (tenants.resolve(first!.hosts[0])?.name !== 'Renamed') throw new Error('edit not picked up');
  await parts.close();
  return { tenants: tenants.list().length, readyMs, rssMb, heapMb, reloadMs };
}

async function run(count: number): Promise<Sample> {
  const dir = await writeTenants(count);
  try {
    const child = await runCommand(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', 'bench/tenant-startup.ts', '--child', dir],
      { env: {}, timeoutMs: 120_000 },
    );
    if (child.code !== 0) throw new Error(`child failed:\n${child.stderr}`);
    return JSON.parse(child.stdout) as Sample;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const childAt = process.argv.indexOf('--child');
if (childAt !== -1) {
  process.stdout.write(JSON.stringify(await measure(process.argv[childAt + 1]!)));
} else {
  const many = Number(process.env.TENANTS ?? 10_000);
  const few = await run(3);
  const lots = await run(many);
  const row = (s: Sample) =>
    `${String(s.tenants).padStart(6)} tenants: ready in ${s.readyMs.toFixed(0)} ms, RSS ${s.rssMb.toFixed(1)} MB (heap ${s.heapMb.toFixed(1)} MB), one-file reload ${s.reloadMs.toFixed(0)} ms`;
  console.log(row(few));
  console.log(row(lots));
  console.log(
    `${many} tenants over 3: RSS +${(lots.rssMb - few.rssMb).toFixed(1)} MB, heap +${(lots.heapMb - few.heapMb).toFixed(1)} MB`,
  );
}
