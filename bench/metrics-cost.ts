/**
 * npm run bench:metrics: what the Prometheus metrics cost a signed-in read, at full speed. Two (4)
 * servers run side by side, one with METRICS=on and one with METRICS=off; each round sends
 * BENCH_READS (20,000) signed-in reads to each in turn and takes the CPU time the server process
 * spent on them (user + system, from /proc), which a busy machine moves less than requests/s.
 * Under callgrind (bench:instructions) a read takes fifty times as long, so the metrics' per-second
 * work (the event-loop delay sampler of Node's default metrics) would weigh fifty times too much.
 *
 *   BENCH_READS=20000 BENCH_ROUNDS=7 npm run bench:metrics
 */
import { readFileSync } from 'node:fs';
import { benchSetting, startBackends, startDemoTenantry, type Running } from './configs.ts';
import { allAnswered, signedInReads } from './load.ts';

const READS = benchSetting('BENCH_READS', 20_000);
const ROUNDS = benchSetting('BENCH_ROUNDS', 7);

/** CPU time the process has used so far, in microseconds (utime + stime, clock ticks of 10 ms). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const backends = await startBackends();
const servers = new Map<'on' | 'off', Running>();
try {
  for (const metrics of ['on', 'off'] as const) {
    process.env.BENCH_METRICS = metrics;
    servers.set(metrics, await startDemoTenantry(backends));
  }
  const perRead = { on: [] as number[], off: [] as number[] };
  for (let round = 0; round <= ROUNDS; round++) {
    // Each goes first every other round, so neither always runs on the warmer machine.
    const order = round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
    for (const metrics of order) {
      const { server, clients } = servers.get(metrics)!;
      const before = cpuMicros(server.child.pid!);
      const measured = await signedInReads({
        port: server.port,
        clients,
        connections: 10,
        durationSeconds: 0,
        amount: READS,
      });
      allAnswered(`METRICS=${metrics}`, measured);
      const micros = (cpuMicros(server.child.pid!) - before) / measured.requests;
      // Round 0 warms both up (V8 optimises the hot code) and is not kept.
      if (round > 0) perRead[metrics].push(micros);
      console.log(`round ${round} METRICS=${metrics}: ${micros.toFixed(1)} µs of CPU per read`);
    }
  }
  const ratios = perRead.on.map((on, i) => on / perRead.off[i]!);
  const range = (xs: number[], digits: number) =>
    `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;
  console.log(
    `\nCPU per signed-in read, median (range) of ${ROUNDS} rounds of ${READS} reads:\n` +
      `  METRICS=on  ${range(perRead.on, 1)} µs\n  METRICS=off ${range(perRead.off, 1)} µs\n` +
      `  on / off    ${range(ratios, 3)}`,
  );
} finally {
  for (const { server } of servers.values()) await server.stop();
  await backends.stop();
}
