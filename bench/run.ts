/**
 * npm run bench: what tenantry costs, against the bare recipe and plain Express, in one run on
 * this machine (docs/benchmark.md says what each server is and how to read the numbers).
 *
 * Each server is a process of its own; autocannon runs here. After a warm-up, each round runs
 * every server in turn, so a machine that gets slower or faster mid-run moves them all alike and
 * shows as a range. Prints the tables, writes bench/results.json; `npm run bench:table` puts them
 * into docs/benchmark.md and the README. Exits non-zero only when the harness fails (a server dies,
 * a request is not answered 200), never because a target is missed.
 *
 *   BENCH_DURATION=5 BENCH_ROUNDS=3 BENCH_WARMUP=3 BENCH_STARTS=3 npm run bench
 */
import { execFileSync } from 'node:child_process';
import { cpus, release, totalmem, type } from 'node:os';
import { DEMO, DEMO_TENANTS_DIR } from '../test/support/demo.ts';
import { sleep } from '../test/support/polling.ts';
import { startRedisServer } from '../test/support/redis-server.ts';
import {
  benchSetting,
  CONFIGS,
  generateTenants,
  labelOf,
  rssBytes,
  startDemoTenantry,
  startManyTenants,
  startRecipe,
  startSessionListing,
  startTenantry,
  tenantCounts,
  type ConfigId,
  type Running,
} from './configs.ts';
import { allAnswered, commandStats, resetCommandStats, signedInReads } from './load.ts';
import { writeFormatted } from './markdown.ts';
import { report } from './report.ts';
import {
  RESULTS_FILE,
  spread,
  tenantsCost,
  type ConfigResult,
  type Results,
  type Round,
} from './results.ts';

const settings = {
  connections: 50,
  durationSeconds: benchSetting('BENCH_DURATION', 5),
  warmupSeconds: benchSetting('BENCH_WARMUP', 3),
  rounds: benchSetting('BENCH_ROUNDS', 3),
  ...tenantCounts(),
  starts: benchSetting('BENCH_STARTS', 3),
};

/** Requests/s of the first over the second, each round. */
const RATIOS: [of: ConfigId, to: ConfigId][] = [
  ['tenantry', 'bare'],
  ['tenantry-10k', 'bare'],
  ['tenantry', 'defended'],
  ['tenantry', 'plain'],
  // What listing a user's 50 sessions costs against a signed-in GET /api/me.
  ['sessions-50', 'tenantry'],
];

const redis = await startRedisServer();
const tenants = await generateTenants(settings.tenants);
const running = new Map<ConfigId, Running>();
try {
  console.log(`start-up, ${settings.starts} times each: 3 tenants, then ${settings.tenants}`);
  const demo = { ms: [] as number[], rssBytes: [] as number[] };
  const many = { ms: [] as number[], rssBytes: [] as number[] };
  for (let i = 0; i < settings.starts; i++) {
    for (const [into, dir, probeHost] of [
      [demo, DEMO_TENANTS_DIR, DEMO.c.host],
      [many, tenants.dir, tenants.people.at(-1)!.host],
    ] as const) {
      const server = await startTenantry(redis.url, dir, { probeHost });
      into.ms.push(server.startMs);
      into.rssBytes.push(rssBytes(server.child.pid!));
      await server.stop();
    }
  }

  console.log(`starting the servers; ${settings.signedInTenants} sign-ins at (5)`);
  running.set('plain', await startRecipe('plain', redis.url));
  running.set('bare', await startRecipe('bare', redis.url));
  running.set('defended', await startRecipe('defended', redis.url));
  running.set('tenantry', await startDemoTenantry(redis.url));
  running.set('tenantry-10k', await startManyTenants(redis.url, tenants, settings.signedInTenants));
  running.set('sessions-50', await startSessionListing(redis.url));

  const rounds = new Map<ConfigId, Round[]>(CONFIGS.map((c) => [c.id, []]));
  for (let round = 0; round <= settings.rounds; round++) {
    const warmUp = round === 0;
    for (const config of CONFIGS) {
      const { server, clients } = running.get(config.id)!;
      const label = labelOf(config.id, settings);
      if (config.redis) await resetCommandStats(redis.port);
      const measured = await signedInReads({
        port: server.port,
        clients,
        connections: settings.connections,
        durationSeconds: warmUp ? settings.warmupSeconds : settings.durationSeconds,
        ...('path' in config ? { path: config.path } : {}),
      });
      if (server.exit()) throw new Error(`${label} died:\n${server.output()}`);
      const r: Round = { ...allAnswered(label, measured) };
      if (config.redis) {
        // Requests still in flight when autocannon stopped finish their commands first.
        await sleep(250);
        r.redisCommands = await commandStats(redis.port);
        const total = Object.values(r.redisCommands).reduce((sum, n) => sum + n, 0);
        r.commandsPerRequest = total / measured.sent;
      }
      console.log(
        `${warmUp ? 'warm-up' : `round ${round}`}  ${label.padEnd(46)} ` +
          `${measured.requestsPerSecond.toFixed(0).padStart(6)} req/s  p99 ${measured.p99Ms} ms` +
          (r.commandsPerRequest === undefined
            ? ''
            : `  ${r.commandsPerRequest.toFixed(2)} Redis commands/req`),
      );
      if (!warmUp) rounds.get(config.id)!.push(r);
    }
  }
  const manyRssAfterLoadBytes = rssBytes(running.get('tenantry-10k')!.server.child.pid!);

  const configs: ConfigResult[] = CONFIGS.map((c) => {
    const rs = rounds.get(c.id)!;
    const perRequest = rs.map((r) => r.commandsPerRequest).filter((x) => x !== undefined);
    return {
      id: c.id,
      label: labelOf(c.id, settings),
      rounds: rs,
      requestsPerSecond: spread(rs.map((r) => r.requestsPerSecond)),
      p50Ms: spread(rs.map((r) => r.p50Ms)),
      p99Ms: spread(rs.map((r) => r.p99Ms)),
      errors: rs.reduce((sum, r) => sum + r.errors, 0),
      ...(perRequest.length > 0 ? { commandsPerRequest: spread(perRequest) } : {}),
    };
  });
  const byId = (id: ConfigId) => configs.find((c) => c.id === id)!;
  const short = (id: ConfigId) => byId(id).label.slice(0, 3);
  const ratios = RATIOS.map(([of, to]) => {
    const perRound = byId(of).rounds.map(
      (r, i) => r.requestsPerSecond / byId(to).rounds[i]!.requestsPerSecond,
    );
    return { name: `${short(of)} / ${short(to)}`, of, to, perRound, spread: spread(perRound) };
  });

  const env = Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('BENCH_')),
  );
  const partial: Omit<Results, 'targets'> = {
    date: new Date().toISOString(),
    command: [...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'npm run bench'].join(' '),
    env,
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryBytes: totalmem(),
      os: `${type()} ${release()}`,
      node: process.version,
      redis: /v=(\S+)/.exec(execFileSync('redis-server', ['--version'], { encoding: 'utf8' }))![1]!,
    },
    settings,
    configs,
    ratios,
    startup: { demo, many, manyRssAfterLoadBytes },
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
  await redis.stop();
}

/** The issue's targets, each PASS or FAIL: a measurement, so none of them fails the run. */
function targets(r: Omit<Results, 'targets'>): Results['targets'] {
  const config = (id: ConfigId) => r.configs.find((c) => c.id === id)!;
  const ratio = (of: ConfigId) => r.ratios.find((x) => x.of === of && x.to === 'bare')!;
  const bareP99 = config('bare').p99Ms.median;
  const list: Results['targets'] = [];
  const add = (name: string, value: number, limit: number, unit: string, atMost: boolean) =>
    list.push({ name, value, limit, unit, pass: atMost ? value <= limit : value >= limit });
  for (const id of ['tenantry', 'tenantry-10k'] as const) {
    const c = config(id);
    const n = c.label.slice(0, 3);
    add(`${n} requests/s over (2)'s, median`, ratio(id).spread.median, 0.9, '×', false);
    add(`${n} p99, median, at most (2)'s`, c.p99Ms.median, bareP99, 'ms', true);
    add(`${n} Redis commands per read, median`, c.commandsPerRequest!.median, 1.05, '', true);
  }
  const cost = tenantsCost(r.startup);
  const tenants = r.settings.tenants.toLocaleString('en');
  add(`${tenants} tenants: start-up beyond 3 tenants'`, cost.seconds, 1.5, 's', true);
  add(`${tenants} tenants: RSS beyond 3 tenants'`, cost.megabytes, 60, 'MB', true);
  return list;
}
