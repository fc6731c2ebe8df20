/**
 * npm run bench: what tenantry costs, against the bare recipe and plain Express, in one run on
 * this machine (docs/benchmark.md says what each server is and how to read the numbers).
 *
 * Each server is a process of its own; autocannon runs here. After a warm-up round, each round
 * runs every server in turn, so a machine that gets slower or faster mid-run moves them all alike
 * and shows as a range. Then start-up and RSS with 3 and with BENCH_TENANTS tenant files. Prints
 * the tables and writes bench/results.json (`npm run bench:table` puts it into docs/benchmark.md).
 * Exits non-zero only when the harness fails (a server dies, an answer is not a 200), never
 * because a target is missed.
 *
 *   BENCH_DURATION=5 BENCH_ROUNDS=3 BENCH_WARMUP=3 BENCH_STARTS=3 npm run bench
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { DEMO, DEMO_TENANTS_DIR } from '../harness/demo.ts';
import { sleep } from '../harness/polling.ts';
import * as servers from './configs.ts';
import { benchSetting, CONFIGS, labelOf, type ConfigId, type Running } from './configs.ts';
import { allAnswered, commandStats, cpuMicros, resetCommandStats, signedInReads } from './load.ts';
import { writeFormatted } from './markdown.ts';
import { report } from './report.ts';
import { readResults, RESULTS_FILE, spread, type Results, type Round } from './results.ts';
import { measureSignIns } from './sign-ins.ts';

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

const tenants = await servers.generateTenants(settings.tenants);
const backends = await servers.startBackends(tenants.ids);
const redisUrl = backends.redisUrl;
const running = new Map<ConfigId, Running>();
try {
  console.log(`starting the servers; ${settings.signedInTenants} sign-ins at (5)`);
  running.set('plain', await servers.startRecipe('plain', redisUrl));
  running.set('bare', await servers.startRecipe('bare', redisUrl));
  running.set('defended', await servers.startRecipe('defended', redisUrl));
  running.set('tenantry', await servers.startDemoTenantry(backends));
  running.set(
    'tenantry-10k',
    await servers.startManyTenants(backends, tenants, settings.signedInTenants),
  );
  running.set('sessions-50', await servers.startSessionListing(backends));
  running.set('no-metrics', await servers.startDemoTenantry(backends, { env: { METRICS: 'off' } }));
  running.set('notes', await servers.startNotes(backends, { rls: true }));
  running.set('notes-no-rls', await servers.startNotes(backends, { rls: false }));

  const rounds = new Map<ConfigId, Round[]>(CONFIGS.map((c) => [c.id, []]));
  for (let round = 0; round <= settings.rounds; round++) {
    for (const config of CONFIGS) {
      const { server, clients } = running.get(config.id)!;
      const label = labelOf(config.id, settings);
      await resetCommandStats(backends.redis.port);
      // The server's CPU and PostgreSQL's (its backends do the notes' queries and RLS's checks).
      const pids = () => [server.child.pid!, ...backends.postgres.pids()];
      const cpuBefore = cpuMicros(pids());
      const measured = await signedInReads({
        port: server.port,
        clients,
        connections: settings.connections,
        durationSeconds: round === 0 ? settings.warmupSeconds : settings.durationSeconds,
        ...('path' in config ? { path: config.path } : {}),
      });
      const r: Round = {
        ...allAnswered(label, measured),
        cpuMicrosPerRequest: (cpuMicros(pids()) - cpuBefore) / measured.requests,
      };
      if (config.redis) {
        await sleep(250); // requests still in flight when autocannon stopped send theirs
        r.redisCommands = await commandStats(backends.redis.port);
        const total = Object.values(r.redisCommands).reduce((sum, n) => sum + n, 0);
        r.commandsPerRequest = total / measured.sent;
      }
      console.log(
        `${round === 0 ? 'warm-up' : `round ${round}`}  ${label.padEnd(46)} ` +
          `${measured.requestsPerSecond.toFixed(0).padStart(6)} req/s  p99 ${measured.p99Ms} ms` +
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
    for (const [into, dir, probeHost] of [
      [startup.demo, DEMO_TENANTS_DIR, DEMO.c.host],
      [startup.many, tenants.dir, tenants.people.at(-1)!.host],
    ] as const) {
      const server = await servers.startTenantry(backends, dir, { probeHost });
      into.ms.push(server.startMs);
      into.rss.push(servers.rssBytes(server.child.pid!));
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
  const env = Object.entries(process.env).filter(([k]) => k.startsWith('BENCH_'));
  const partial: Omit<Results, 'targets'> = {
    date: new Date().toISOString(),
    command: [...env.map(([k, v]) => `${k}=${v}`), 'npm run bench'].join(' '),
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      node: process.version,
      redis: /v=(\S+)/.exec(execFileSync('redis-server', ['--version'], { encoding: 'utf8' }))![1]!,
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
  await writeFormatted(RESULTS_FILE, JSON.stringify(results));
  console.log(`written to ${RESULTS_FILE}; npm run bench:table puts it into docs/benchmark.md`);
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  for (const { server } of running.values()) await server.stop();
  await tenants.remove();
  await backends.stop();
}

/** The targets, each PASS or FAIL: a measurement, so none of them fails the run. */
function targets(r: Omit<Results, 'targets'>): Results['targets'] {
  const config = (id: ConfigId) => r.configs.find((c) => c.id === id)!;
  const list: Results['targets'] = [];
  const add = (name: string, value: number, limit: number, unit: string, atMost: boolean) =>
    list.push({ name, value, limit, unit, pass: atMost ? value <= limit : value >= limit });
  for (const id of ['tenantry', 'tenantry-10k'] as const) {
    const n = config(id).label.slice(0, 3);
    const ratio = r.ratios.find((x) => x.of === id && x.to === 'bare')!.spread.median;
    add(`${n} requests/s over (2)'s, median`, ratio, 0.9, '×', false);
    add(
      `${n} p99, median, at most (2)'s`,
      config(id).p99Ms.median,
      config('bare').p99Ms.median,
      'ms',
      true,
    );
    add(
      `${n} Redis commands per read, median`,
      config(id).commandsPerRequest!.median,
      1.05,
      '',
      true,
    );
  }
  const ratio = (of: ConfigId, to: ConfigId) => r.ratios.find((x) => x.of === of && x.to === to)!;
  add(
    "(4) CPU per read over (7)'s, median",
    ratio('tenantry', 'no-metrics').cpu.median,
    1.03,
    '×',
    true,
  );
  add(
    'sign-ins/s over scrypt alone',
    r.signIns.signInsPerSecond / r.signIns.scryptPerSecond,
    0.8,
    '×',
    false,
  );
  const median = (xs: number[]) => spread(xs).median;
  const { demo, many } = r.startup;
  const tenants = settings.tenants.toLocaleString('en');
  add(
    `${tenants} tenants: start-up beyond 3 tenants'`,
    (median(many.ms) - median(demo.ms)) / 1000,
    1.5,
    's',
    true,
  );
  add(
    `${tenants} tenants: RSS beyond 3 tenants'`,
    (median(many.rss) - median(demo.rss)) / 1e6,
    60,
    'MB',
    true,
  );
  return list;
}
