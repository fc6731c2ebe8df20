import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { hashPassword } from '../src/auth/password.ts';
import type { Db } from '../src/db/tables.ts';
import { startBackends as startHarnessBackends, type Backends } from '../harness/backends.ts';
import { DEMO, DEMO_TENANTS_DIR } from '../harness/demo.ts';
import { plainRequest } from '../harness/http-client.ts';
import { withSuperuser } from '../harness/postgres-admin.ts';
import { prepareDatabase } from '../harness/postgres-template.ts';
import { startServer, type ServerOptions, type ServerProcess } from '../harness/server-process.ts';
import { signIn, type Who } from '../harness/sign-in.ts';
import type { Client } from './load.ts';

/**
 * The servers `npm run bench` measures, in the order each round runs them: a signed-in read on
 * each, `GET /api/me` unless the config names its `path`.
 */
export const CONFIGS = [
  { id: 'plain', label: '(1) plain Express, no session' },
  { id: 'bare', label: '(2) bare recipe' },
  { id: 'defended', label: '(3) bare recipe + helmet + request log' },
  { id: 'tenantry', label: '(4) tenantry, 3 tenants' },
  { id: 'tenantry-10k', label: '(5) tenantry, many tenants' },
  {
    id: 'sessions-50',
    label: '(6) tenantry, GET /api/sessions: 50 sessions',
    path: '/api/sessions',
  },
  { id: 'no-metrics', label: '(7) (4) with METRICS=off' },
  { id: 'notes', label: '(8) tenantry, GET /api/notes: 20 notes', path: '/api/notes' },
  { id: 'notes-no-rls', label: '(9) (8) with row-level security off', path: '/api/notes' },
] as const;

export type ConfigId = (typeof CONFIGS)[number]['id'];

export const benchSetting = (name: string, fallback: number) =>
  Number(process.env[name] ?? fallback);

/** (5)'s size: BENCH_TENANTS tenant files (10,000), BENCH_SIGNED_IN_TENANTS signed in (1,000). */
export const tenantCounts = () => ({
  tenants: benchSetting('BENCH_TENANTS', 10_000),
  signedInTenants: benchSetting('BENCH_SIGNED_IN_TENANTS', 1000),
});

/** A config's label, with the tenant counts of this run in (5)'s. */
export function labelOf(id: ConfigId, counts: ReturnType<typeof tenantCounts>): string {
  if (id !== 'tenantry-10k') return CONFIGS.find((c) => c.id === id)!.label;
  const n = (x: number) => x.toLocaleString('en');
  return `(5) tenantry, ${n(counts.tenants)} tenants (load on ${n(counts.signedInTenants)})`;
}

/** A server under test, started, with the signed-in clients the load goes round. */
export type Running = { server: ServerProcess; clients: Client[] };

/** Node's own flags, a command to run node under (valgrind), more environment. */
export type Instrumented = Pick<ServerOptions, 'nodeArgs' | 'wrapper' | 'readyTimeoutMs' | 'env'>;

/** A folder of tenant files, the tenant whose home page shows they are loaded, who signs in. */
export type TenantFiles = { dir: string; probeHost: string; people: Who[] };

export const DEMO_FILES: TenantFiles = {
  dir: DEMO_TENANTS_DIR,
  probeHost: DEMO.c.host,
  people: [DEMO.a, DEMO.b, DEMO.c],
};

/** What a config adds to tenantry's environment. */
const EXTRA_ENV: Partial<Record<ConfigId, Record<string, string>>> = {
  'no-metrics': { METRICS: 'off' },
  // 50 sign-ins from one address are past LOGIN_MAX_SUCCESSES's default.
  'sessions-50': { LOGIN_MAX_SUCCESSES: '50' },
};

/** Starts config `id` with its clients signed in; (5) loads `many`, the generated tenants. */
export async function startConfig(
  id: ConfigId,
  backends: Backends,
  many: TenantFiles | undefined,
  options: Instrumented = {},
): Promise<Running> {
  if (id === 'plain' || id === 'bare' || id === 'defended') {
    return startRecipe(id, backends.redisUrl, options);
  }
  const files = id === 'tenantry-10k' ? many! : DEMO_FILES;
  const notes = id === 'notes' || id === 'notes-no-rls';
  const databaseUrl = notes ? await seedNotes(backends, id === 'notes') : backends.databaseUrl;
  const env = { ...EXTRA_ENV[id], ...options.env };
  const server = await startTenantry({ ...backends, databaseUrl }, files, { ...options, env });
  // (6): alice 50 times (SESSION_MAX_PER_USER's default, so all live), each of her cookies a
  // client, so that every request lists her 50 sessions.
  const people = id === 'sessions-50' ? Array<Who>(50).fill(DEMO.a) : files.people;
  // (5) signs in a few at once: each tenant's limits and hash queue are its own, and one sign-in
  // each never comes near them.
  return { server, clients: await signInAll(server.port, people, id === 'tenantry-10k' ? 8 : 1) };
}

/** (1)-(3): bench/recipe-server.ts; (2) and (3) with three sessions, as (4) has three users. */
async function startRecipe(
  recipe: 'plain' | 'bare' | 'defended',
  redisUrl: string,
  options: Instrumented,
): Promise<Running> {
  const server = await startServer({
    redisUrl,
    databaseUrl: null,
    entry: 'bench/recipe-server.ts',
    stdout: 'discard',
    ...options,
    env: { RECIPE: recipe, ...options.env },
  });
  if (recipe === 'plain') return { server, clients: [{ host: 'localhost' }] };
  const who = (username: string): Who => ({ host: 'localhost', username, password: 'any' });
  return { server, clients: await signInAll(server.port, ['a', 'b', 'c'].map(who)) };
}

/**
 * The real server, dist/server.js, as production runs it (NODE_ENV=production, a SESSION_SECRET,
 * Redis, PostgreSQL, LOG_LEVEL=info; its stdout into /dev/null, as writing a line is the server's
 * cost), ready once /readyz answers 200 and a tenant serves its home page. Polled every 10 ms:
 * `startMs` is the start-up time measured.
 */
export function startTenantry(backends: Backends, files: TenantFiles, options: Instrumented = {}) {
  return startServer({
    redisUrl: backends.redisUrl,
    databaseUrl: backends.databaseUrl,
    entry: 'dist/server.js',
    ready: async (port) => {
      for (const [host, path] of [
        ['localhost', '/readyz'],
        [files.probeHost, '/'],
      ] as const) {
        const res = await plainRequest({ port, host, path, timeoutMs: 1000 });
        if (res.status !== 200) throw new Error(`${host}${path} answered ${res.status}`);
      }
    },
    readyIntervalMs: 10,
    stdout: 'discard',
    ...options,
    env: { TENANTS_DIR: files.dir, LOG_LEVEL: 'info', ...options.env },
  });
}

/** Signs each in, `atOnce` at a time (scrypt is slow by design), as the load's clients. */
async function signInAll(port: number, people: readonly Who[], atOnce = 1): Promise<Client[]> {
  const clients: Client[] = [];
  for (let i = 0; i < people.length; i += atOnce) {
    const batch = people.slice(i, i + atOnce);
    const cookies = await Promise.all(batch.map((who) => signIn(port, who)));
    batch.forEach((who, k) => clients.push({ host: who.host, cookie: cookies[k]! }));
  }
  return clients;
}

/**
 * 20 notes for each user, and the database's URL. (9)'s is a copy whose `notes` table has
 * row-level security disabled, so (8) and (9) differ by RLS's policy check alone (the server still
 * scopes each query to the tenant and the user).
 */
async function seedNotes(backends: Backends, rls: boolean): Promise<string> {
  const database = rls ? 'tenantry' : 'tenantry_no_rls';
  const url = rls ? backends.databaseUrl : await prepareDatabase(backends.postgres, database);
  await asSuperuser(backends, database, async (db) => {
    if (!rls) {
      await sql`alter table notes no force row level security, disable row level security`.execute(
        db,
      );
    }
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
  return url;
}

/** As the superuser: row-level security would hold the owner to one tenant. */
const asSuperuser = <T>(backends: Backends, database: string, work: (db: Db) => Promise<T>) =>
  withSuperuser(backends.postgres, database, (db) => work(db as unknown as Db));

const PASSWORD = 'bench-password';

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

/** `count` tenant files `t00000`…, whose users startBackends() adds; the first `signedIn` sign in. */
export async function generateTenants(count: number, signedIn: number) {
  const dir = await mkdtemp(join(tmpdir(), 'tenantry-bench-tenants-'));
  const ids = Array.from({ length: count }, (_, i) => `t${String(i).padStart(5, '0')}`);
  for (const [i, id] of ids.entries()) {
    const file = {
      id,
      name: `Tenant ${i}`,
      hosts: [`${id}.localhost`],
      theme: { color: '#1f6feb' },
    };
    await writeFile(join(dir, `${id}.json`), JSON.stringify(file));
  }
  const who = (id: string): Who => ({
    host: `${id}.localhost`,
    username: 'user',
    password: PASSWORD,
  });
  return {
    dir,
    ids,
    probeHost: who(ids.at(-1)!).host,
    people: ids.slice(0, signedIn).map(who),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
