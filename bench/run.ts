/**
 * npm run bench: what tenantry costs against the bare recipe, into docs/benchmark.md (which says
 * what each figure is). Each round runs every server in turn, so a machine that slows down moves
 * them all alike. Fails only when the harness does, never on a missed target.
 */
import { availableParallelism } from 'node:os';
import { hashPassword, verifyPassword } from '../src/auth/password.ts';
import { DEMO } from '../harness/demo.ts';
import { sleep } from '../harness/polling.ts';
import { cpuMicros, rssBytes } from '../harness/proc.ts';
import { signIn } from '../harness/sign-in.ts';
import {
  CONFIGS,
  DEMO_FILES,
  SETTINGS,
  startBackends,
  startConfig,
  startTenantry,
} from './configs.ts';
import type { Config, ConfigId, Running } from './configs.ts';
import { metricsSeries, redisCommands, resetCommandStats, signedInReads } from './load.ts';
import { fillMarkers, fixed, provenance, ranged, spread, table, whole } from './report.ts';

/** A round's reads per second and p99; CPU (server, Redis, PostgreSQL) and Redis commands per read. */
type Round = { rps: number; p99: number; cpu: number; commands: number };
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Each `of` over `to`: what tenantry costs, and what (6)-(9) cost against (4) and each other. */
const RATIOS = [
  ['tenantry', 'bare'],
  ['tenantry-10k', 'bare'],
  ['tenantry', 'defended'],
  ['tenantry', 'plain'],
  ['sessions-50', 'tenantry'],
  ['tenantry', 'no-metrics'],
  ['notes', 'notes-no-rls'],
] as const;

const bench = await startBackends();
const running = new Map<ConfigId, Running>();
try {
  console.log(`starting the servers; ${SETTINGS.signedInTenants} sign-ins at (5)`);
  for (const { id } of CONFIGS) running.set(id, await startConfig(id, bench));
  const rounds = new Map<ConfigId, Round[]>(CONFIGS.map((c) => [c.id, []]));
  for (let round = 0; round <= SETTINGS.rounds; round++) {
    for (const config of CONFIGS) {
      const r = await measureRound(config, round);
      if (round > 0) rounds.get(config.id)!.push(r);
    }
  }
  // (5) after its load: the series its metrics hold for 1,000 tenants seen of 10,000.
  const metrics = await metricsSeries(running.get('tenantry-10k')!.server);
  for (const { server } of running.values()) await server.stop();
  running.clear();
  const [signIns, startup] = [await measureSignIns(), await measureStartup()];
  await fillMarkers('bench', report(rounds, signIns, metrics, startup));
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  for (const { server } of running.values()) await server.stop();
  await bench.stop();
}

/** One config's reads for a round (0: the warm-up), the CPU they took, their Redis commands. */
async function measureRound({ id, label }: Config, round: number): Promise<Round> {
  const measured = running.get(id)!;
  await resetCommandStats(bench.redis.port);
  // The server's CPU, Redis's (the recipe sends it two commands a read) and PostgreSQL's (its
  // backends run the notes' queries and RLS's checks).
  const pids = () => [
    measured.server.child.pid!,
    bench.redis.process().pid!,
    ...bench.postgres.pids(),
  ];
  const cpuBefore = cpuMicros(pids());
  const reads = await signedInReads(measured, {
    connections: SETTINGS.connections,
    durationSeconds: round === 0 ? SETTINGS.warmupSeconds : SETTINGS.durationSeconds,
  });
  const cpu = (cpuMicros(pids()) - cpuBefore) / reads.requests;
  await sleep(250); // requests still in flight when autocannon stopped send theirs
  const calls = Object.values(await redisCommands(bench.redis.port));
  const r = {
    rps: reads.requestsPerSecond,
    p99: reads.p99Ms,
    cpu,
    commands: sum(calls) / reads.sent,
  };
  console.log(
    `${round === 0 ? 'warm-up' : `round ${round}`}  ${label.padEnd(46)} ${whole(r.rps)} req/s, ` +
      `p99 ${r.p99} ms, ${whole(r.cpu)} µs CPU, ${fixed(2)(r.commands)} Redis commands per read`,
  );
  return r;
}

/**
 * Sign-ins per second against the machine's scrypt limit: first as many password checks at the
 * default cost as there are cores, then the demo users signing in at their tenants with twice as
 * many at once (each a POST /login: a password check and a new session), on a fresh (4).
 */
async function measureSignIns() {
  const seconds = SETTINGS.signInSeconds;
  console.log(`sign-ins for ${seconds} s, against scrypt alone`);
  const parallel = availableParallelism();
  const hash = await hashPassword(DEMO.a.password);
  const scrypt = await perSecond(parallel, seconds, () => verifyPassword(DEMO.a.password, hash));
  // The bench's one address signs in far past the default limit on successes.
  const server = await startTenantry(bench, DEMO_FILES, { env: { LOGIN_MAX_SUCCESSES: '100000' } });
  const { people } = DEMO_FILES;
  const signIns = await perSecond(parallel * 2, seconds, (i) =>
    signIn(server.port, people[i % people.length]!),
  ).finally(() => server.stop());
  return { scrypt, signIns, parallel };
}

/** Runs `work` on `parallel` loops for `seconds`; how many times it finished, per second. */
async function perSecond(parallel: number, seconds: number, work: (i: number) => Promise<unknown>) {
  const started = performance.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: parallel }, async (_, loop) => {
      while (performance.now() - started < seconds * 1000) await work(loop + parallel * done++);
    }),
  );
  return (done * 1000) / (performance.now() - started);
}

/** Spawn to ready (s) and RSS then (MB), with the 3 demo tenants and with BENCH_TENANTS. */
async function measureStartup() {
  console.log(`start-up, ${SETTINGS.starts} times each: 3 tenants, then ${SETTINGS.tenants}`);
  const seconds = { demo: [] as number[], many: [] as number[] };
  const mb = { demo: [] as number[], many: [] as number[] };
  for (let i = 0; i < SETTINGS.starts; i++) {
    for (const tenants of ['demo', 'many'] as const) {
      const files = tenants === 'demo' ? DEMO_FILES : await bench.many();
      const server = await startTenantry(bench, files);
      seconds[tenants].push(server.startMs / 1000);
      mb[tenants].push(rssBytes(server.child.pid!) / 1e6);
      await server.stop();
    }
  }
  return { seconds, mb };
}

/** The tables: each server, the ratios (per round), the targets (each PASS or FAIL). */
function report(
  rounds: Map<ConfigId, Round[]>,
  { scrypt, signIns, parallel }: Awaited<ReturnType<typeof measureSignIns>>,
  metrics: Awaited<ReturnType<typeof metricsSeries>>,
  startup: Awaited<ReturnType<typeof measureStartup>>,
): string {
  const of = (id: ConfigId, field: keyof Round) => spread(rounds.get(id)!.map((r) => r[field]));
  const ratio = (a: ConfigId, b: ConfigId, field: 'rps' | 'cpu') =>
    spread(rounds.get(a)!.map((r, i) => r[field] / rounds.get(b)![i]![field]));
  const servers = table(
    ['server', 'requests/s', 'p99', 'CPU / read', 'Redis commands / read'],
    CONFIGS.map(({ id, label }) => [
      label,
      ranged(of(id, 'rps'), whole),
      `${ranged(of(id, 'p99'), whole)} ms`,
      `${ranged(of(id, 'cpu'), whole)} µs`,
      ranged(of(id, 'commands'), fixed(2)),
    ]),
  );
  const short = (id: ConfigId) => CONFIGS.find((c) => c.id === id)!.label.slice(0, 3);
  const ratios = table(
    ['ratio', 'requests/s, per round', 'CPU per read, per round'],
    RATIOS.map(([a, b]) => [
      `${short(a)} / ${short(b)}`,
      ranged(ratio(a, b, 'rps'), fixed(2)),
      ranged(ratio(a, b, 'cpu'), fixed(2)),
    ]),
  );

  const [times, ms] = [(x: number) => `${fixed(2)(x)} ×`, (x: number) => `${whole(x)} ms`];
  /** A target's row; a negative limit is one to reach or pass, a positive one not to pass. */
  const check = (name: string, value: number, limit: number, format: (x: number) => string) => {
    const pass = limit < 0 ? value >= -limit : value <= limit;
    return [name, format(value), format(Math.abs(limit)), pass ? 'PASS' : 'FAIL'];
  };
  const targets = (['tenantry', 'tenantry-10k'] as const).flatMap((id) => [
    check(`${short(id)} requests/s over (2)'s`, ratio(id, 'bare', 'rps').median, -0.9, times),
    check(`${short(id)} p99, at most (2)'s`, of(id, 'p99').median, of('bare', 'p99').median, ms),
    check(`${short(id)} Redis commands per read`, of(id, 'commands').median, 1.05, fixed(2)),
  ]);
  const metricsCost = ratio('tenantry', 'no-metrics', 'cpu').median;
  targets.push(check("(4) CPU per read over (7)'s", metricsCost, 1.03, times));
  const hashing = `${fixed(1)(signIns)}/s, ${parallel * 2} at once; scrypt ${fixed(1)(scrypt)}/s`;
  targets.push(check(`sign-ins over scrypt alone (${hashing})`, signIns / scrypt, -0.8, times));
  const series = `(5) /metrics: values of \`tenant\` (in ${whole(metrics.series)} series)`;
  targets.push(check(series, metrics.tenantLabels, metrics.bound, whole));
  for (const [what, xs, limit, unit] of [
    ['start-up', startup.seconds, 1.5, 's'],
    ['RSS', startup.mb, 60, 'MB'],
  ] as const) {
    const [demo, many] = [spread(xs.demo), spread(xs.many)];
    const digits = unit === 's' ? fixed(2) : whole;
    const format = (x: number) => `${digits(x)} ${unit}`;
    const name = `${whole(SETTINGS.tenants)} tenants: ${what} beyond 3 tenants'`;
    const both = `${ranged(many, digits)} against ${ranged(demo, digits)} ${unit}`;
    targets.push(check(`${name} (${both})`, many.median - demo.median, limit, format));
  }

  const how =
    `${SETTINGS.rounds} rounds of ${SETTINGS.durationSeconds} s per server after a ` +
    `${SETTINGS.warmupSeconds} s warm-up, ${SETTINGS.connections} connections, signed-in reads; ` +
    `CPU is the server's, Redis's and PostgreSQL's; medians, with the range over rounds.`;
  const goals = table(['target (medians)', 'measured', 'limit', ''], targets);
  return [servers, ratios, goals, `${provenance('bench')}: ${how}`].join('\n\n');
}
