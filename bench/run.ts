/**
 * npm run bench: what tenantry costs, against the bare recipe and plain Express, on this machine
 * (docs/benchmark.md says how to read it). Each server is a process of its own. After a warm-up
 * round, each round runs every server in turn, so a machine that gets slower or faster mid-run
 * moves them all alike and shows as a range. Then sign-ins against scrypt alone, and start-up with
 * 3 and with BENCH_TENANTS tenants. Fails only when the harness does, never on a missed target.
 */
import { availableParallelism } from 'node:os';
import { hashPassword, verifyPassword } from '../src/auth/password.ts';
import { DEMO } from '../harness/demo.ts';
import { sleep } from '../harness/polling.ts';
import { signIn } from '../harness/sign-in.ts';
import {
  CONFIGS,
  DEMO_FILES,
  SETTINGS,
  startBackends,
  startConfig,
  startTenantry,
} from './configs.ts';
import type { Config, Running } from './configs.ts';
import {
  allAnswered,
  commandStats,
  cpuMicros,
  metricsSeries,
  resetCommandStats,
  rssBytes,
  signedInReads,
} from './load.ts';
import {
  readResults,
  report,
  summarise,
  writeResults,
  type Round,
  type SignIns,
} from './report.ts';

const bench = await startBackends();
const running = new Map<Config, Running>();
try {
  console.log(`starting the servers; ${SETTINGS.signedInTenants} sign-ins at (5)`);
  for (const config of CONFIGS) running.set(config, await startConfig(config.id, bench));
  const rounds = new Map<Config, Round[]>(CONFIGS.map((c) => [c, []]));
  for (let round = 0; round <= SETTINGS.rounds; round++) {
    for (const config of CONFIGS) {
      const r = await measureRound(config, round);
      if (round > 0) rounds.get(config)!.push(r);
    }
  }
  // (5) after its load: the series its metrics hold for 1,000 tenants seen of 10,000.
  const many = [...running].find(([config]) => config.id === 'tenantry-10k')![1].server;
  const metrics = await metricsSeries(many);
  for (const { server } of running.values()) await server.stop();
  running.clear();
  const [signIns, startup] = [await measureSignIns(), await measureStartup()];
  const results = summarise(rounds, signIns, metrics, startup, readResults()?.instructions);
  console.log(`\n${report(results)}\n`);
  await writeResults(results);
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  for (const { server } of running.values()) await server.stop();
  await bench.stop();
}

/** One config's reads for a round (0: the warm-up), the CPU they took, their Redis commands. */
async function measureRound(config: Config, round: number): Promise<Round> {
  const { server } = running.get(config)!;
  await resetCommandStats(bench.redis.port);
  // The server's CPU, Redis's (the recipe sends it two commands a read) and PostgreSQL's (its
  // backends run the notes' queries and RLS's checks).
  const pids = () => [server.child.pid!, bench.redis.process().pid!, ...bench.postgres.pids()];
  const cpuBefore = cpuMicros(pids());
  const measured = await signedInReads(running.get(config)!, {
    connections: SETTINGS.connections,
    durationSeconds: round === 0 ? SETTINGS.warmupSeconds : SETTINGS.durationSeconds,
    path: 'path' in config ? config.path : undefined,
  });
  const r: Round = {
    ...allAnswered(config.label, measured),
    cpuMicrosPerRequest: (cpuMicros(pids()) - cpuBefore) / measured.requests,
  };
  // (1) has no Redis to count.
  if (config.id !== 'plain') {
    await sleep(250); // requests still in flight when autocannon stopped send theirs
    r.redisCommands = await commandStats(bench.redis.port);
    const total = Object.values(r.redisCommands).reduce((sum, n) => sum + n, 0);
    r.commandsPerRequest = total / measured.sent;
  }
  console.log(
    `${round === 0 ? 'warm-up' : `round ${round}`}  ${config.label.padEnd(46)} ` +
      `${r.requestsPerSecond.toFixed(0).padStart(6)} req/s  p99 ${r.p99Ms} ms` +
      `  ${r.cpuMicrosPerRequest.toFixed(0)} µs CPU/req` +
      (r.commandsPerRequest ? `  ${r.commandsPerRequest.toFixed(2)} Redis commands/req` : ''),
  );
  return r;
}

/**
 * Sign-ins per second against the machine's scrypt limit: first as many password checks at the
 * default cost as there are cores, then the demo users signing in at their tenants with twice as
 * many at once (each a POST /login: a password check and a new session), on a fresh (4).
 */
async function measureSignIns(): Promise<SignIns> {
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
  console.log(
    `${signIns.toFixed(1)} sign-ins/s; scrypt alone ${scrypt.toFixed(1)} checks/s, ${parallel} at once`,
  );
  return { scryptPerSecond: scrypt, signInsPerSecond: signIns, parallel };
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

/** Spawn to ready and RSS then (ms, bytes), with the 3 demo tenants and with BENCH_TENANTS. */
async function measureStartup() {
  console.log(`start-up, ${SETTINGS.starts} times each: 3 tenants, then ${SETTINGS.tenants}`);
  const startup = {
    demo: { ms: [] as number[], rss: [] as number[] },
    many: { ms: [] as number[], rss: [] as number[] },
  };
  for (let i = 0; i < SETTINGS.starts; i++) {
    for (const tenants of ['demo', 'many'] as const) {
      const server = await startTenantry(bench, tenants === 'demo' ? DEMO_FILES : bench.many);
      startup[tenants].ms.push(server.startMs);
      startup[tenants].rss.push(rssBytes(server.child.pid!));
      await server.stop();
    }
  }
  return startup;
}
