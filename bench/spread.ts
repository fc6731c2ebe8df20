/**
 * npm run bench:spread: what (5)'s gap to (4) is made of. One server with BENCH_TENANTS (10,000)
 * tenants loaded and BENCH_SIGNED_IN_TENANTS (1,000) of them signed in, loaded as `npm run bench`
 * loads it, but with the load spread over the first 3, 30 and all of those tenants in turn, beside
 * (4) with its 3 demo tenants; BENCH_ROUNDS (2) rounds of BENCH_DURATION (5) seconds each, after
 * one warm-up round. (4) against "load on 3" is what loading many tenants costs; "load on 3"
 * against "load on all" is what serving many at once costs.
 */
import { startRedisServer } from '../test/support/redis-server.ts';
import {
  benchSetting,
  generateTenants,
  startDemoTenantry,
  startManyTenants,
  tenantCounts,
  type Running,
} from './configs.ts';
import { allAnswered, signedInReads } from './load.ts';

const DURATION = benchSetting('BENCH_DURATION', 5);
const ROUNDS = benchSetting('BENCH_ROUNDS', 2);
const { tenants: TENANTS, signedInTenants: SIGNED_IN } = tenantCounts();

const redis = await startRedisServer();
const generated = await generateTenants(TENANTS);
const servers: Running[] = [];
try {
  const demo = await startDemoTenantry(redis.url);
  const many = await startManyTenants(redis.url, generated, SIGNED_IN);
  servers.push(demo, many);
  const cases: [string, Running, number][] = [
    ['(4) tenantry, 3 tenants', demo, 3],
    ...[3, 30, SIGNED_IN].map((n): [string, Running, number] => [
      `${TENANTS} tenants, load on ${n}`,
      many,
      n,
    ]),
  ];
  const load = async (
    [label, { server, clients }, n]: [string, Running, number],
    seconds: number,
  ) => {
    const m = await signedInReads({
      port: server.port,
      clients: clients.slice(0, n),
      connections: 50,
      durationSeconds: seconds,
    });
    return allAnswered(label, m);
  };
  for (const c of cases) await load(c, 2); // warm-up
  const results = new Map<string, number[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of cases) {
      const m = await load(c, DURATION);
      results.set(c[0], [...(results.get(c[0]) ?? []), m.requestsPerSecond]);
    }
  }
  const base = Math.max(...results.get(cases[0]![0])!);
  console.log("| load | requests/s, each round | best over (4)'s best |\n| --- | --- | --- |");
  for (const [label, rps] of results) {
    const list = rps.map((x) => x.toFixed(0)).join(', ');
    console.log(`| ${label} | ${list} | ${(Math.max(...rps) / base).toFixed(2)} |`);
  }
} finally {
  for (const { server } of servers) await server.stop();
  await generated.remove();
  await redis.stop();
}
