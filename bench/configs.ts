import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../src/auth/password.ts';
import { DEMO, DEMO_TENANTS_DIR } from '../test/support/demo.ts';
import { plainRequest } from '../test/support/http-client.ts';
import { startServer, type ServerProcess } from '../test/support/server-process.ts';
import { signIn, signInEach, type Who } from '../test/support/sign-in.ts';
import type { Client } from './load.ts';

/**
 * The servers `npm run bench` measures, in the order each round runs them: a signed-in
 * `GET /api/me` on each, and on (6) `GET /api/sessions`, the listing of one user's 50 sessions.
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

/**
 * Node's own flags for a server, a command to run node under (valgrind), and its stdout piped to
 * this process instead of /dev/null.
 */
export interface Instrumented {
  nodeArgs?: string[];
  wrapper?: string[];
  readyTimeoutMs?: number;
  stdout?: 'pipe' | 'discard';
}

/** (1)-(3): bench/recipe-server.ts, each baseline a process of its own. */
export async function startRecipe(
  recipe: 'plain' | 'bare' | 'defended',
  redisUrl: string,
  options: Instrumented = {},
): Promise<Running> {
  const server = await startServer({
    redisUrl,
    entry: 'bench/recipe-server.ts',
    env: { RECIPE: recipe },
    ...QUIET,
    ...options,
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
  redisUrl: string,
  tenantsDir: string,
  {
    probeHost,
    env,
    ...options
  }: { probeHost: string; env?: Record<string, string> } & Instrumented,
): Promise<ServerProcess> {
  return startServer({
    redisUrl,
    // Built, as `npm start` and the Docker image run it (npm run bench builds first).
    entry: 'dist/server.js',
    // BENCH_METRICS=off: the same server without its Prometheus metrics, to measure what they cost.
    env: {
      TENANTS_DIR: tenantsDir,
      LOG_LEVEL: 'info',
      METRICS: process.env.BENCH_METRICS ?? 'on',
      ...env,
    },
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
  });
}

/** (4): the demo tenants, alice, bob and carol each signed in at their own. */
export async function startDemoTenantry(
  redisUrl: string,
  options: Instrumented = {},
): Promise<Running> {
  const people = [DEMO.a, DEMO.b, DEMO.c];
  const server = await startTenantry(redisUrl, DEMO_TENANTS_DIR, {
    probeHost: DEMO.c.host,
    ...options,
  });
  return { server, clients: await signInEach(server.port, people) };
}

/**
 * (6): the demo tenants, alice signed in 50 times (SESSION_MAX_PER_USER's default, so all live),
 * each of her cookies a client: every request lists her 50 sessions.
 */
export async function startSessionListing(redisUrl: string): Promise<Running> {
  const server = await startTenantry(redisUrl, DEMO_TENANTS_DIR, {
    probeHost: DEMO.a.host,
    // 50 sign-ins from one address are past LOGIN_MAX_SUCCESSES's default.
    env: { LOGIN_MAX_SUCCESSES: '50' },
  });
  return { server, clients: await signInEach(server.port, Array(50).fill(DEMO.a)) };
}

/** Generated tenant files: `count` tenants `t00000`…, one user each, same cheap password. */
export interface GeneratedTenants {
  dir: string;
  people: Who[];
  remove(): Promise<void>;
}

const PASSWORD = 'bench-password';

export async function generateTenants(count: number): Promise<GeneratedTenants> {
  const dir = await mkdtemp(join(tmpdir(), 'tenantry-bench-tenants-'));
  // A cheap scrypt cost (the hash carries it), so a thousand sign-ins take seconds, not minutes;
  // the server verifies it exactly as it verifies a default-cost hash.
  const passwordHash = await hashPassword(PASSWORD, { logN: 10, r: 1, p: 1 });
  const people: Who[] = [];
  for (let i = 0; i < count; i++) {
    const id = `t${String(i).padStart(5, '0')}`;
    people.push({ host: `${id}.localhost`, username: 'user', password: PASSWORD });
    await writeFile(
      join(dir, `${id}.json`),
      JSON.stringify({
        id,
        name: `Tenant ${i}`,
        hosts: [`${id}.localhost`],
        theme: { color: '#1f6feb' },
        users: [{ username: 'user', displayName: `User ${i}`, passwordHash }],
      }),
    );
  }
  return { dir, people, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** (5): every generated tenant loaded; the first `signedIn` of them each with a session. */
export async function startManyTenants(
  redisUrl: string,
  tenants: GeneratedTenants,
  signedIn: number,
  options: Instrumented = {},
): Promise<Running> {
  const server = await startTenantry(redisUrl, tenants.dir, {
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

/** A BENCH_* setting from the environment, or its default. */
export const benchSetting = (name: string, fallback: number) =>
  Number(process.env[name] ?? fallback);

/** (5)'s size: BENCH_TENANTS tenant files (10,000), BENCH_SIGNED_IN_TENANTS signed in (1,000). */
export const tenantCounts = () => ({
  tenants: benchSetting('BENCH_TENANTS', 10_000),
  signedInTenants: benchSetting('BENCH_SIGNED_IN_TENANTS', 1000),
});

/** One of the servers a counting bench measures in turn, started when its turn comes. */
export interface CountedServer {
  label: string;
  /** Starts it; `done` stops it and removes what it was given (generated tenant files). */
  start: (redisUrl: string) => Promise<Running & { done: () => Promise<void> }>;
}

/**
 * (2) the bare recipe, (4) and (5), each with the same instrumentation, for the benches that count
 * what one read costs (bench:instructions, bench:syscalls). (5)'s tenant files are generated when
 * it starts and removed when it is done.
 */
export function countedServers(
  counts: ReturnType<typeof tenantCounts>,
  options: Instrumented = {},
): CountedServer[] {
  const stopping = (running: Running, cleanup = async () => {}) => ({
    ...running,
    done: async () => {
      await running.server.stop();
      await cleanup();
    },
  });
  const servers: CountedServer[] = [
    {
      label: labelOf('bare', counts),
      start: async (url) => stopping(await startRecipe('bare', url, options)),
    },
    {
      label: labelOf('tenantry', counts),
      start: async (url) => stopping(await startDemoTenantry(url, options)),
    },
    {
      label: labelOf('tenantry-10k', counts),
      start: async (url) => {
        const generated = await generateTenants(counts.tenants);
        try {
          const running = await startManyTenants(url, generated, counts.signedInTenants, options);
          return stopping(running, () => generated.remove());
        } catch (err) {
          await generated.remove();
          throw err;
        }
      },
    },
  ];
  // BENCH_ONLY="(4)": that server alone, to compare two settings of it run after run.
  const only = process.env.BENCH_ONLY;
  return only ? servers.filter((s) => s.label.startsWith(only)) : servers;
}

/** Resident set size of a process now (VmRSS), in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kib === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kib) * 1024;
}
