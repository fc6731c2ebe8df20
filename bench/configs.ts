/** The servers the bench measures, the backends they share, and how each is started. */
import { sql } from 'kysely';
import { hashPassword } from '../src/auth/password.ts';
import { startBackends as startHarnessBackends, type Backends } from '../harness/backends.ts';
import { DEMO, DEMO_TENANTS_DIR } from '../harness/demo.ts';
import { plainRequest } from '../harness/http-client.ts';
import { withSuperuser } from '../harness/postgres-admin.ts';
import { prepareDatabase } from '../harness/postgres-template.ts';
import { startServer, type ServerOptions, type ServerProcess } from '../harness/server-process.ts';
import { signInEach, type Who } from '../harness/sign-in.ts';
import { generatedTenantFiles } from '../harness/tenant-files.ts';

export const benchSetting = (name: string, fallback: number) =>
  Number(process.env[name] ?? fallback);

/** `npm run bench`'s settings; (5) has `tenants` tenant files, `signedInTenants` signed in. */
export const SETTINGS = {
  connections: 50,
  durationSeconds: benchSetting('BENCH_DURATION', 5),
  warmupSeconds: benchSetting('BENCH_WARMUP', 3),
  rounds: benchSetting('BENCH_ROUNDS', 3),
  starts: benchSetting('BENCH_STARTS', 3),
  signInSeconds: benchSetting('BENCH_SIGN_IN_SECONDS', 5),
  tenants: benchSetting('BENCH_TENANTS', 10_000),
  signedInTenants: benchSetting('BENCH_SIGNED_IN_TENANTS', 1000),
};
const n = (x: number) => x.toLocaleString('en');

/** The servers, in the order each round runs them: each takes signed-in reads of `path`. */
export const CONFIGS = [
  { id: 'plain', label: '(1) plain Express, no session' },
  { id: 'bare', label: '(2) bare recipe' },
  { id: 'defended', label: '(3) bare recipe + helmet + request log' },
  { id: 'tenantry', label: '(4) tenantry, 3 tenants' },
  {
    id: 'tenantry-10k',
    label: `(5) tenantry, ${n(SETTINGS.tenants)} tenants (load on ${n(SETTINGS.signedInTenants)})`,
  },
  { id: 'sessions-50', label: '(6) tenantry, GET /api/sessions: 50 sessions' },
  { id: 'no-metrics', label: '(7) (4) with METRICS=off' },
  { id: 'notes', label: '(8) tenantry, GET /api/notes: 20 notes' },
  { id: 'notes-no-rls', label: '(9) (8) with row-level security off' },
] as const;

export type Config = (typeof CONFIGS)[number];
export type ConfigId = Config['id'];

/** One signed-in client of a server under test: its Host and its session cookie (if any). */
export type Client = { host: string; cookie?: string };

/** A server under test, started, with the path it is read at and the clients that read it. */
export type Running = { server: ServerProcess; path: string; clients: Client[] };

/** A folder of tenant files, a tenant whose home page shows them loaded, who signs in. */
type TenantFiles = { dir: string; probeHost: string; people: Who[] };

export const DEMO_FILES = {
  dir: DEMO_TENANTS_DIR,
  probeHost: DEMO.c.host,
  people: [DEMO.a, DEMO.b, DEMO.c],
};

/** Redis and PostgreSQL, and (5)'s tenant files, generated when first asked for. */
export type Bench = Backends & { many: () => Promise<TenantFiles> };

const PASSWORD = 'bench-password';

/**
 * harness/backends.ts's Redis and PostgreSQL (the database as compose's migrate job leaves it);
 * (5)'s BENCH_TENANTS tenants, each with a user `user` in the database, only once a command asks
 * for them (the profile and a count of (4) alone never do).
 */
export async function startBackends(): Promise<Bench> {
  const backends = await startHarnessBackends();
  let many: Promise<TenantFiles & { remove(): Promise<void> }> | undefined;
  const stop = async () => {
    await backends.stop();
    await many?.then(
      (files) => files.remove(),
      () => undefined,
    );
  };
  return { ...backends, many: () => (many ??= manyTenants(backends)), stop };
}

async function manyTenants(backends: Backends) {
  const tenants = await generatedTenantFiles(SETTINGS.tenants);
  // A cheap scrypt cost (the hash carries it), so a thousand sign-ins take seconds, not minutes;
  // the server verifies it exactly as it verifies a default-cost hash.
  const hash = await hashPassword(PASSWORD, { logN: 10, r: 1, p: 1 });
  const { ids } = tenants;
  await asSuperuser(
    backends,
    'tenantry',
    sql`insert into users (tenant_id, username, display_name, role, password_hash)
      select id, 'user', 'User ' || (n - 1), 'owner', ${hash}
      from unnest(${ids}::text[]) with ordinality as generated (id, n)`,
  );
  const who = (id: string) => ({ host: `${id}.localhost`, username: 'user', password: PASSWORD });
  const people = ids.slice(0, SETTINGS.signedInTenants).map(who);
  return { dir: tenants.dir, probeHost: who(ids.at(-1)!).host, people, remove: tenants.remove };
}

/** What a config adds to tenantry's environment. */
const EXTRA_ENV: Partial<Record<ConfigId, Record<string, string>>> = {
  'no-metrics': { METRICS: 'off' },
  // 50 sign-ins from one address are past LOGIN_MAX_SUCCESSES's default.
  'sessions-50': { LOGIN_MAX_SUCCESSES: '50' },
};

/** Starts config `id`, its clients signed in. */
export async function startConfig(
  id: ConfigId,
  bench: Bench,
  options: Partial<ServerOptions> = {},
): Promise<Running> {
  if (id === 'plain' || id === 'bare' || id === 'defended') return startRecipe(id, bench, options);
  const files = id === 'tenantry-10k' ? await bench.many() : DEMO_FILES;
  const notes = id === 'notes' || id === 'notes-no-rls';
  const databaseUrl = notes ? await seedNotes(bench, id === 'notes') : bench.databaseUrl;
  const env = { ...EXTRA_ENV[id], ...options.env };
  const server = await startTenantry({ ...bench, databaseUrl }, files, { ...options, env });
  const path = notes ? '/api/notes' : id === 'sessions-50' ? '/api/sessions' : '/api/me';
  // (6): alice 50 times (SESSION_MAX_PER_USER's default, so all live), each of her cookies a
  // client, so that every request lists her 50 sessions. (5) signs in a few at once: each tenant's
  // limits and hash queue are its own, and one sign-in each never comes near them.
  const people = id === 'sessions-50' ? Array<Who>(50).fill(DEMO.a) : files.people;
  const atOnce = id === 'tenantry-10k' ? 8 : 1;
  return { server, path, clients: await signInEach(server.port, people, { atOnce }) };
}

/** (1)-(3): bench/recipe-server.ts; (2) and (3) with three sessions, as (4) has three users. */
async function startRecipe(
  recipe: string,
  { redisUrl }: Backends,
  options: Partial<ServerOptions>,
) {
  const server = await startServer({
    redisUrl,
    databaseUrl: null,
    entry: 'bench/recipe-server.ts',
    stdout: 'discard',
    ...options,
    env: { RECIPE: recipe, ...options.env },
  });
  const who = (username: string) => ({ host: 'localhost', username, password: 'any' });
  const clients =
    recipe === 'plain'
      ? [{ host: 'localhost' }]
      : await signInEach(server.port, ['a', 'b', 'c'].map(who));
  return { server, path: '/api/me', clients };
}

/**
 * The real server, dist/server.js, as production runs it (NODE_ENV=production, a SESSION_SECRET,
 * LOG_LEVEL=info; its logs into /dev/null, as writing a line is the server's cost), ready once
 * /readyz answers 200 and a tenant serves its home page. Polled every 10 ms: `startMs` is the
 * start-up time measured.
 */
export function startTenantry(
  backends: Backends,
  files: TenantFiles,
  options: Partial<ServerOptions> = {},
) {
  return startServer({
    redisUrl: backends.redisUrl,
    databaseUrl: backends.databaseUrl,
    entry: 'dist/server.js',
    ready: async (port) => {
      const ready = await plainRequest({ port, host: 'localhost', path: '/readyz' });
      const home = await plainRequest({ port, host: files.probeHost, path: '/' });
      if (ready.status !== 200 || home.status !== 200) throw new Error('not ready yet');
    },
    readyIntervalMs: 10,
    stdout: 'discard',
    ...options,
    env: { TENANTS_DIR: files.dir, LOG_LEVEL: 'info', ...options.env },
  });
}

/**
 * 20 notes for each demo user, and the database's URL. (9)'s is a copy whose `notes` table has
 * row-level security disabled, so (8) and (9) differ by RLS's policy check alone (the server
 * still scopes each query to the tenant and the user).
 */
async function seedNotes(backends: Backends, rls: boolean): Promise<string> {
  const database = rls ? 'tenantry' : 'tenantry_no_rls';
  const url = rls ? backends.databaseUrl : await prepareDatabase(backends.postgres, database);
  const noRls = sql`alter table notes no force row level security, disable row level security`;
  if (!rls) await asSuperuser(backends, database, noRls);
  const tenants = DEMO_FILES.people.map((p) => p.tenant);
  const notes = sql`insert into notes (tenant_id, user_id, text)
    select tenant_id, id, 'Note ' || i || ': something to remember.'
    from users, generate_series(1, 20) as i where tenant_id = any(${tenants})`;
  await asSuperuser(backends, database, notes);
  return url;
}

/** As the superuser: row-level security would hold the owner to one tenant. */
const asSuperuser = (backends: Backends, database: string, query: ReturnType<typeof sql>) =>
  withSuperuser(backends.postgres, database, (db) => query.execute(db));
