import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { hashPassword } from '../src/auth/password.ts';
import type { Db } from '../src/db/tables.ts';
import { startBackends as startHarnessBackends, type Backends } from '../harness/backends.ts';
import { DEMO, DEMO_TENANTS_DIR } from '../harness/demo.ts';
import { withSuperuser } from '../harness/postgres-admin.ts';
import { prepareDatabase } from '../harness/postgres-template.ts';
import { plainRequest } from '../harness/http-client.ts';
import { startServer, type ServerProcess } from '../harness/server-process.ts';
import { signIn, signInEach, type Who } from '../harness/sign-in.ts';
import type { Client } from './load.ts';

/**
 * The servers `npm run bench` measures, in the order each round runs them: a signed-in read on
 * each, `GET /api/me` unless the config names its `path`.
 */
export const CONFIGS = [
  { id: 'plain', label: '(1) plain Express, no session', redis: false },
  { id: 'bare', label: '(2) bare recipe', redis: true },
  { id: 'defended', label: '(3) bare recipe + helmet + request log', redis: true },
  { id: 'tenantry', label: '(4) tenantry, 3 tenants', redis: true },
  { id: 'tenantry-10k', label: '(5) tenantry, many tenants', redis: true },
  {
    id: 'sessions-50',
    label: '(6) tenantry, GET /api/sessions: 50 sessions',
    redis: true,
    path: '/api/sessions',
  },
  { id: 'no-metrics', label: '(7) (4) with METRICS=off', redis: true },
  { id: 'notes', label: '(8) tenantry, GET /api/notes: 20 notes', redis: true, path: '/api/notes' },
  {
    id: 'notes-no-rls',
    label: '(9) (8) with row-level security off',
    redis: true,
    path: '/api/notes',
  },
] as const;

export type ConfigId = (typeof CONFIGS)[number]['id'];

/** A config's label, with the tenant counts of this run in (5)'s. */
export function labelOf(id: ConfigId, counts: { tenants: number; signedInTenants: number }) {
  const config = CONFIGS.find((c) => c.id === id)!;
  if (id !== 'tenantry-10k') return config.label;
  const n = (x: number) => x.toLocaleString('en');
  return `(5) tenantry, ${n(counts.tenants)} tenants (load on ${n(counts.signedInTenants)})`;
}

/** A server under test, started, with the signed-in clients the load goes round. */
export interface Running {
  server: ServerProcess;
  clients: Client[];
}

/** Where each server logs: stdout, at info, into /dev/null (writing a line is the server's cost). */
const QUIET = { stdout: 'discard' } as const;

/** Node's own flags, a command to run node under (valgrind), more environment. */
export interface Instrumented {
  nodeArgs?: string[];
  wrapper?: string[];
  readyTimeoutMs?: number;
  env?: Record<string, string>;
}

/** (1)-(3): bench/recipe-server.ts, each baseline a process of its own. */
export async function startRecipe(
  recipe: 'plain' | 'bare' | 'defended',
  redisUrl: string,
  options: Instrumented = {},
): Promise<Running> {
  const server = await startServer({
    redisUrl,
    databaseUrl: null,
    entry: 'bench/recipe-server.ts',
    ...QUIET,
    ...options,
    env: { RECIPE: recipe, ...options.env },
  });
  if (recipe === 'plain') return { server, clients: [{ host: 'localhost' }] };
  // Three sessions, as tenantry has three signed-in users.
  const who = (username: string): Who => ({ host: 'localhost', username, password: 'any' });
  return { server, clients: await signInEach(server.port, ['a', 'b', 'c'].map(who)) };
}

/**
 * (4) and (5): the real server, dist/server.js, as production runs it (NODE_ENV=production, a
 * SESSION_SECRET, Redis, LOG_LEVEL=info), ready once /readyz answers 200 and `probeHost` (a
 * tenant) serves its home page. Polled every 10 ms: `startMs` is the start-up time measured.
 */
export function startTenantry(
  { redisUrl, databaseUrl }: Backends,
  tenantsDir: string,
  { probeHost, ...options }: { probeHost: string } & Instrumented,
): Promise<ServerProcess> {
  return startServer({
    redisUrl,
    databaseUrl,
    entry: 'dist/server.js',
    ready: async (port) => {
      for (const [host, path] of [
        ['localhost', '/readyz'],
        [probeHost, '/'],
      ] as const) {
        const res = await plainRequest({ port, host, path, timeoutMs: 1000 });
        if (res.status !== 200) throw new Error(`${host}${path} answered ${res.status}`);
      }
    },
    readyIntervalMs: 10,
    ...QUIET,
    ...options,
    env: {
      TENANTS_DIR: tenantsDir,
      LOG_LEVEL: 'info',
      ...options.env,
    },
  });
}

/** (4): the demo tenants, alice, bob and carol each signed in at their own. */
export async function startDemoTenantry(
  backends: Backends,
  options: Instrumented = {},
): Promise<Running> {
  const people = [DEMO.a, DEMO.b, DEMO.c];
  const server = await startTenantry(backends, DEMO_TENANTS_DIR, {
    probeHost: DEMO.c.host,
    ...options,
  });
  return { server, clients: await signInEach(server.port, people) };
}

/**
 * (6): the demo tenants, alice signed in 50 times (SESSION_MAX_PER_USER's default, so all live),
 * each of her cookies a client: every request lists her 50 sessions.
 */
export async function startSessionListing(backends: Backends): Promise<Running> {
  const server = await startTenantry(backends, DEMO_TENANTS_DIR, {
    probeHost: DEMO.a.host,
    // 50 sign-ins from one address are past LOGIN_MAX_SUCCESSES's default.
    env: { LOGIN_MAX_SUCCESSES: '50' },
  });
  return { server, clients: await signInEach(server.port, Array<Who>(50).fill(DEMO.a)) };
}

/**
 * (8) and (9): the demo tenants, each demo user with 20 notes; (9) on a copy of the database whose
 * `notes` table has row-level security disabled, so the two differ by RLS's policy check alone
 * (the server still scopes each query to the tenant and the user).
 */
export async function startNotes(backends: Backends, { rls }: { rls: boolean }): Promise<Running> {
  let { databaseUrl } = backends;
  if (!rls) {
    databaseUrl = await prepareDatabase(backends.postgres, 'tenantry_no_rls');
    await asSuperuser(backends, 'tenantry_no_rls', (db) =>
      sql`alter table notes no force row level security, disable row level security`.execute(db),
    );
  }
  for (const database of [rls ? 'tenantry' : 'tenantry_no_rls']) {
    await asSuperuser(backends, database, async (db) => {
      const users = await db.selectFrom('users').select(['id', 'tenant_id']).execute();
      const notes = users.flatMap((u) =>
        Array.from({ length: 20 }, (_, i) => ({
          tenant_id: u.tenant_id,
          user_id: u.id,
          text: `Note ${i + 1}: something to remember.`,
        })),
      );
      await db.insertInto('notes').values(notes).execute();
    });
  }
  const people = [DEMO.a, DEMO.b, DEMO.c];
  const server = await startTenantry({ ...backends, databaseUrl }, DEMO_TENANTS_DIR, {
    probeHost: DEMO.c.host,
  });
  return { server, clients: await signInEach(server.port, people) };
}

/** As the superuser: row-level security would hold the owner to one tenant. */
const asSuperuser = <T>(backends: Backends, database: string, work: (db: Db) => Promise<T>) =>
  withSuperuser(backends.postgres, database, (db) => work(db as unknown as Db));

/**
 * harness/backends.ts's Redis and PostgreSQL (the database as compose's migrate job leaves it)
 * plus a user `user` at each generated tenant.
 */
export async function startBackends(generatedIds: readonly string[] = []): Promise<Backends> {
  const backends = await startHarnessBackends();
  // A cheap scrypt cost (the hash carries it), so a thousand sign-ins take seconds, not minutes;
  // the server verifies it exactly as it verifies a default-cost hash.
  const passwordHash = await hashPassword(PASSWORD, { logN: 10, r: 1, p: 1 });
  await asSuperuser(backends, 'tenantry', async (db) => {
    for (let i = 0; i < generatedIds.length; i += 1000) {
      const rows = generatedIds.slice(i, i + 1000).map((id, k) => ({
        tenant_id: id,
        username: 'user',
        display_name: `User ${i + k}`,
        role: 'owner' as const,
        password_hash: passwordHash,
      }));
      await db.insertInto('users').values(rows).execute();
    }
  });
  return backends;
}

const PASSWORD = 'bench-password';

/** Generated tenant files: `count` tenants `t00000`…, whose users startDatabase() adds. */
export async function generateTenants(count: number) {
  const dir = await mkdtemp(join(tmpdir(), 'tenantry-bench-tenants-'));
  const ids: string[] = [];
  const people: Who[] = [];
  for (let i = 0; i < count; i++) {
    const id = `t${String(i).padStart(5, '0')}`;
    ids.push(id);
    people.push({ host: `${id}.localhost`, username: 'user', password: PASSWORD });
    const file = {
      id,
      name: `Tenant ${i}`,
      hosts: [`${id}.localhost`],
      theme: { color: '#1f6feb' },
    };
    await writeFile(join(dir, `${id}.json`), JSON.stringify(file));
  }
  return { dir, ids, people, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** (5): every generated tenant loaded; the first `signedIn` of them each with a session. */
export async function startManyTenants(
  backends: Backends,
  tenants: Awaited<ReturnType<typeof generateTenants>>,
  signedIn: number,
  options: Instrumented = {},
): Promise<Running> {
  const server = await startTenantry(backends, tenants.dir, {
    probeHost: tenants.people.at(-1)!.host,
    ...options,
  });
  const people = tenants.people.slice(0, signedIn);
  const clients: Client[] = [];
  // A few sign-ins at once: each tenant's limits and hash queue are its own, and one sign-in
  // each never comes near them.
  for (let i = 0; i < people.length; i += 8) {
    const batch = people.slice(i, i + 8);
    const cookies = await Promise.all(batch.map((who) => signIn(server.port, who)));
    batch.forEach((who, k) => clients.push({ host: who.host, cookie: cookies[k]! }));
  }
  return { server, clients };
}

export const benchSetting = (name: string, fallback: number) =>
  Number(process.env[name] ?? fallback);

/** (5)'s size: BENCH_TENANTS tenant files (10,000), BENCH_SIGNED_IN_TENANTS signed in (1,000). */
export const tenantCounts = () => ({
  tenants: benchSetting('BENCH_TENANTS', 10_000),
  signedInTenants: benchSetting('BENCH_SIGNED_IN_TENANTS', 1000),
});

/** Resident set size of a process now (VmRSS), in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kib === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kib) * 1024;
}
