/**
 * npm run bench: what tenantry costs, against the bare recipe and plain Express, in one run on
 * this machine (docs/benchmark.md says what each server is and how to read the numbers).
 *
 * Each server is a process of its own; autocannon runs here. After a warm-up round, each round
 * runs every server in turn, so a machine that gets slower or faster mid-run moves them all alike
 * and shows as a range. Then sign-ins against scrypt alone, and start-up and RSS with 3 and with
 * BENCH_TENANTS tenant files. Prints the tables and writes bench/results.json. Exits non-zero only
 * when the harness fails (a server dies, an answer is not a 200), never because a target is missed.
 *
 *   BENCH_DURATION=5 BENCH_ROUNDS=3 BENCH_WARMUP=3 BENCH_STARTS=3 npm run bench
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { hashPassword, verifyPassword } from '../src/auth/password.ts';
import type { Backends } from '../harness/backends.ts';
import { DEMO } from '../harness/demo.ts';
import { sleep } from '../harness/polling.ts';
import { signIn } from '../harness/sign-in.ts';
import * as servers from './configs.ts';
import {
  benchSetting,
  CONFIGS,
  DEMO_FILES,
  labelOf,
  type ConfigId,
  type Running,
} from './configs.ts';
import { allAnswered, commandStats, cpuMicros, resetCommandStats, signedInReads } from './load.ts';
import { commandLine, readResults, report, spread, writeResults } from './report.ts';
import type { Results, Round, SignIns, Target } from './report.ts';

const settings = {
  connections: 50,
  durationSeconds: benchSetting('BENCH_DURATION', 5),
  warmupSeconds: benchSetting('BENCH_WARMUP', 3),
  rounds: benchSetting('BENCH_ROUNDS', 3),
  starts: benchSetting('BENCH_STARTS', 3),
  signInSeconds: benchSetting('BENCH_SIGN_IN_SECONDS', 5),
  ...servers.tenantCounts(),
};

const RATIOS: [of: ConfigId, to: ConfigId][] = [
  ['tenantry', 'bare'],
  ['tenantry-10k', 'bare'],
  ['tenantry', 'defended'],
  ['tenantry', 'plain'],
  // What listing a user's 50 sessions costs against a signed-in GET /api/me.
  ['sessions-50', 'tenantry'],
  // What the Prometheus metrics cost a read, and what row-level security costs the notes API.
  ['tenantry', 'no-metrics'],
  ['notes', 'notes-no-rls'],
];

const tenants = await servers.generateTenants(settings.tenants, settings.signedInTenants);
const backends = await servers.startBackends(tenants.ids);
const running = new Map<ConfigId, Running>();
try {
  console.log(`starting the servers; ${settings.signedInTenants} sign-ins at (5)`);
  for (const { id } of CONFIGS) running.set(id, await servers.startConfig(id, backends, tenants));
  const rounds = new Map<ConfigId, Round[]>(CONFIGS.map((c) => [c.id, []]));
  for (let round = 0; round <= settings.rounds; round++) {
    for (const config of CONFIGS) {
      const seconds = round === 0 ? settings.warmupSeconds : settings.durationSeconds;
      const r = await measureRound(config, running.get(config.id)!, seconds);
      console.log(
        `${round === 0 ? 'warm-up' : `round ${round}`}  ${labelOf(config.id, settings).padEnd(46)} ` +
          `${r.requestsPerSecond.toFixed(0).padStart(6)} req/s  p99 ${r.p99Ms} ms` +
          `  ${r.cpuMicrosPerRequest.toFixed(0)} µs CPU/req` +
          (r.commandsPerRequest ? `  ${r.commandsPerRequest.toFixed(2)} Redis commands/req` : ''),
      );
      if (round > 0) rounds.get(config.id)!.push(r);
    }
  }
  for (const { server } of running.values()) await server.stop();
  running.clear();

  console.log(`sign-ins for ${settings.signInSeconds} s, against scrypt alone`);
  const signIns = await measureSignIns(backends, settings.signInSeconds);
  console.log(
    `${signIns.signInsPerSecond.toFixed(1)} sign-ins/s; scrypt alone ` +
      `${signIns.scryptPerSecond.toFixed(1)} checks/s, ${signIns.parallel} at once`,
  );

  console.log(`start-up, ${settings.starts} times each: 3 tenants, then ${settings.tenants}`);
  const startup: Results['startup'] = { demo: { ms: [], rss: [] }, many: { ms: [], rss: [] } };
  for (let i = 0; i < settings.starts; i++) {
    for (const [into, files] of [
      [startup.demo, DEMO_FILES],
      [startup.many, tenants],
    ] as const) {
      const server = await servers.startTenantry(backends, files);
      into.ms.push(server.startMs);
      into.rss.push(rssBytes(server.child.pid!));
      await server.stop();
    }
  }

  const configs = CONFIGS.map((c) => {
    const rs = rounds.get(c.id)!;
    const perRequest = rs.map((r) => r.commandsPerRequest).filter((x) => x !== undefined);
    return {
      id: c.id,
      label: labelOf(c.id, settings),
      rounds: rs,
      requestsPerSecond: spread(rs.map((r) => r.requestsPerSecond)),
      p99Ms: spread(rs.map((r) => r.p99Ms)),
      cpuMicrosPerRequest: spread(rs.map((r) => r.cpuMicrosPerRequest)),
      ...(perRequest.length > 0 ? { commandsPerRequest: spread(perRequest) } : {}),
    };
  });
  const byId = (id: ConfigId) => configs.find((c) => c.id === id)!;
  const ratios = RATIOS.map(([of, to]) => {
    const perRound = (field: 'requestsPerSecond' | 'cpuMicrosPerRequest') =>
      byId(of).rounds.map((r, i) => r[field] / byId(to).rounds[i]![field]);
    const name = `${byId(of).label.slice(0, 3)} / ${byId(to).label.slice(0, 3)}`;
    const [requests, cpu] = [perRound('requestsPerSecond'), perRound('cpuMicrosPerRequest')];
    return { name, of, to, perRound: requests, spread: spread(requests), cpu: spread(cpu) };
  });
  const redis = execFileSync('redis-server', ['--version'], { encoding: 'utf8' });
  const partial: Omit<Results, 'targets'> = {
    date: new Date().toISOString(),
    command: commandLine('bench'),
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      node: process.version,
      redis: /v=(\S+)/.exec(redis)![1]!,
    },
    settings,
    configs,
    ratios,
    signIns,
    startup,
    // Kept from the last `npm run bench:instructions`, which adds its own date.
    ...(readResults()?.instructions ? { instructions: readResults()!.instructions } : {}),
  };
  const results: Results = { ...partial, targets: targets(partial) };
  console.log(`\n${report(results)}\n`);
  await writeResults(results);
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  for (const { server } of running.values()) await server.stop();
  await tenants.remove();
  await backends.stop();
}

/** One round of a config: its reads for `seconds`, the CPU they took, the Redis commands. */
async function measureRound(
  config: (typeof CONFIGS)[number],
  { server, clients }: Running,
  seconds: number,
): Promise<Round> {
  await resetCommandStats(backends.redis.port);
  // The server's CPU and PostgreSQL's (its backends do the notes' queries and RLS's checks).
  const pids = () => [server.child.pid!, ...backends.postgres.pids()];
  const cpuBefore = cpuMicros(pids());
  const measured = await signedInReads({
    port: server.port,
    clients,
    connections: settings.connections,
    durationSeconds: seconds,
    ...('path' in config ? { path: config.path } : {}),
  });
  const r: Round = {
    ...allAnswered(labelOf(config.id, settings), measured),
    cpuMicrosPerRequest: (cpuMicros(pids()) - cpuBefore) / measured.requests,
  };
  // (1) has no Redis to count.
  if (config.id !== 'plain') {
    await sleep(250); // requests still in flight when autocannon stopped send theirs
    r.redisCommands = await commandStats(backends.redis.port);
    const total = Object.values(r.redisCommands).reduce((sum, n) => sum + n, 0);
    r.commandsPerRequest = total / measured.sent;
  }
  return r;
}

/**
 * Sign-ins per second against the machine's scrypt limit: first as many password checks at the
 * default cost as there are cores, then the demo users signing in at their tenants with twice as
 * many at once (each a POST /login: a password check and a new session), on a fresh (4).
 */
async function measureSignIns(backends: Backends, seconds: number): Promise<SignIns> {
  const parallel = availableParallelism();
  const hash = await hashPassword(DEMO.a.password);
  const scryptPerSecond = await perSecond(parallel, seconds, () =>
    verifyPassword(DEMO.a.password, hash),
  );
  // The bench's one address signs in far past the default limit on successes.
  const env = { LOGIN_MAX_SUCCESSES: '100000' };
  const server = await servers.startTenantry(backends, DEMO_FILES, { env });
  const { people } = DEMO_FILES;
  try {
    const signInsPerSecond = await perSecond(parallel * 2, seconds, (i) =>
      signIn(server.port, people[i % people.length]!),
    );
    return { scryptPerSecond, signInsPerSecond, parallel };
  } finally {
    await server.stop();
  }
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

/** The targets, each PASS or FAIL: a measurement, so none of them fails the run. */
function targets(r: Omit<Results, 'targets'>): Target[] {
  const config = (id: ConfigId) => r.configs.find((c) => c.id === id)!;
  const ratio = (of: ConfigId, to: ConfigId) => r.ratios.find((x) => x.of === of && x.to === to)!;
  const list: Target[] = [];
  const add = (name: string, value: number, limit: number, unit: string, atMost: boolean) =>
    list.push({ name, value, limit, unit, pass: atMost ? value <= limit : value >= limit });
  for (const id of ['tenantry', 'tenantry-10k'] as const) {
    const { label, p99Ms, commandsPerRequest } = config(id);
    const n = label.slice(0, 3);
    add(`${n} requests/s over (2)'s, median`, ratio(id, 'bare').spread.median, 0.9, '×', false);
    add(`${n} p99, median, at most (2)'s`, p99Ms.median, config('bare').p99Ms.median, 'ms', true);
    add(`${n} Redis commands per read, median`, commandsPerRequest!.median, 1.05, '', true);
  }
  const metrics = ratio('tenantry', 'no-metrics').cpu.median;
  add("(4) CPU per read over (7)'s, median", metrics, 1.03, '×', true);
  const { signInsPerSecond, scryptPerSecond } = r.signIns;
  add('sign-ins/s over scrypt alone', signInsPerSecond / scryptPerSecond, 0.8, '×', false);
  const { demo, many } = r.startup;
  const beyond = (xs: number[], ys: number[]) => spread(xs).median - spread(ys).median;
  const n = settings.tenants.toLocaleString('en');
  add(`${n} tenants: start-up beyond 3 tenants'`, beyond(many.ms, demo.ms) / 1000, 1.5, 's', true);
  add(`${n} tenants: RSS beyond 3 tenants'`, beyond(many.rss, demo.rss) / 1e6, 60, 'MB', true);
  return list;
}

/** Resident set size of a process now (VmRSS), in bytes. */
function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kib === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kib) * 1024;
}
