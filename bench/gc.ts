/**
 * npm run bench:gc: what the garbage collector does under the benchmark's load, for (2) the bare
 * recipe, (4) tenantry and (5) tenantry with 10,000 tenants, the load on 1,000 of them. Each runs with `node --trace-gc-nvp` for BENCH_DURATION seconds
 * (default 5) after a short warm-up; for the minor GCs (scavenges) of that window it prints how
 * many there were and, as medians, the pause, the bytes that survived and the bytes promoted to the
 * old generation. A request that leaves nothing behind shows as little survived and nothing
 * promoted; objects kept alive past their request show as megabytes promoted per scavenge and
 * longer pauses (docs/benchmark.md).
 */
import { startRedisServer } from '../test/support/redis-server.ts';
import {
  benchSetting,
  generateTenants,
  startDemoTenantry,
  startManyTenants,
  startRecipe,
  type Instrumented,
  type Running,
} from './configs.ts';
import { allAnswered, signedInReads } from './load.ts';

const DURATION = benchSetting('BENCH_DURATION', 5);
const traced: Instrumented = { nodeArgs: ['--trace-gc-nvp'], stdout: 'pipe' };

const servers: [string, (redisUrl: string) => Promise<Running>][] = [
  ['(2) bare recipe', (url) => startRecipe('bare', url, traced)],
  ['(4) tenantry, 3 tenants', (url) => startDemoTenantry(url, traced)],
  [
    '(5) tenantry, 10,000 tenants (load on 1,000)',
    async (url) =>
      startManyTenants(url, (generated ??= await generateTenants(10_000)), 1000, traced),
  ],
];
let generated: Awaited<ReturnType<typeof generateTenants>> | undefined;

const redis = await startRedisServer();
try {
  const rows = [];
  for (const [label, start] of servers) {
    const { server, clients } = await start(redis.url);
    const load = (durationSeconds: number) =>
      signedInReads({ port: server.port, clients, connections: 50, durationSeconds });
    await load(2); // warm-up, left out
    const from = server.output().length;
    const measured = await load(DURATION);
    const scavenges = server
      .output()
      .slice(from)
      .split('\n')
      .filter((line) => line.includes(' gc=s '));
    await server.stop();
    allAnswered(label, measured);
    const median = (field: string) => {
      const values = scavenges
        .map((line) => Number(new RegExp(`\\b${field}=([\\d.]+)`).exec(line)?.[1]))
        .filter((value) => Number.isFinite(value))
        .sort((a, b) => a - b);
      return values[values.length >> 1] ?? NaN;
    };
    const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
    rows.push(
      `| ${label} | ${measured.requestsPerSecond.toFixed(0)} | ${scavenges.length} | ` +
        `${median('pause').toFixed(1)} ms | ${mb(median('new_space_survived'))} | ` +
        `${mb(median('promoted'))} |`,
    );
  }
  console.log(
    [
      '| server | requests/s | minor GCs | pause, median | survived, median | promoted, median |',
      '| --- | --- | --- | --- | --- | --- |',
      ...rows,
    ].join('\n'),
  );
  console.log(`\n${DURATION} s of the benchmark's load each, node --trace-gc-nvp.`);
} finally {
  await redis.stop();
  await generated?.remove();
}
