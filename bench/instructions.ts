/**
 * npm run bench:instructions: the CPU instructions each server executes per signed-in read, counted
 * by valgrind's callgrind, for (2) the bare recipe, (4) tenantry and (5) tenantry with many
 * tenants. Unlike requests/s, an instruction count barely moves with what else the machine is
 * doing, so it shows what a change to the code bought on a machine too noisy to time it.
 * It counts work, not time: cache misses, system calls and waiting on Redis weigh nothing here.
 *
 * Each server runs under callgrind with counting off; after its sign-ins and a warm-up (so V8 has
 * optimised the hot code), the counters are zeroed, up to BENCH_INSTRUCTION_READS signed-in reads
 * (default 8,000) are sent, and the count is read. Everything the process does meanwhile counts: the
 * request's own work, V8's garbage collection and compilation, the Redis client.
 *
 * Under valgrind a read takes some fifty times as long, so tenantry's once-a-minute write of a
 * session's last-seen time (src/sessions/session-activity.ts) would come fifty times as often per
 * read as it does at full speed. So the counted window holds reads only: after the warm-up the
 * bench sends anonymous reads until every session is due for that write, reads each session once
 * (each is written then), and counts only as many reads as fit in the minute that follows. The Redis commands per
 * read in that window are printed to show it: 1.00 for tenantry, 2.00 for the bare recipe.
 *
 * Needs valgrind (Debian: `apt-get install valgrind`); about fifteen minutes, most of it waiting for
 * that minute and (5)'s sign-ins under valgrind.
 *
 *   BENCH_INSTRUCTION_READS=8000 BENCH_TENANTS=10000 BENCH_SIGNED_IN_TENANTS=1000 npm run bench:instructions
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedisServer } from '../test/support/redis-server.ts';
import { ROOT } from '../test/support/root.ts';
import { benchSetting, countedServers, tenantCounts, type Instrumented } from './configs.ts';
import { LAST_SEEN_RESOLUTION_MS } from '../src/sessions/session-activity.ts';
import { sleep } from '../test/support/polling.ts';
import { allAnswered, commandStats, resetCommandStats, signedInReads } from './load.ts';
import { fillMarkers } from './markdown.ts';
import { wrap } from './report.ts';

const READS = benchSetting('BENCH_INSTRUCTION_READS', 8000);
const counts = tenantCounts();
const CONNECTIONS = 10;

const dir = await mkdtemp(join(tmpdir(), 'tenantry-callgrind-'));
// The server's HOST (127.0.0.1) names valgrind's control pipes, so callgrind_control needs it too.
const control = (...args: string[]) =>
  execFileSync('callgrind_control', [`--vgdb-prefix=${dir}/vgdb`, ...args], {
    env: { ...process.env, HOST: '127.0.0.1' },
    stdio: 'ignore',
  });
const underCallgrind: Instrumented = {
  wrapper: [
    'valgrind',
    '--tool=callgrind',
    '--instr-atstart=no',
    `--vgdb-prefix=${dir}/vgdb`,
    `--callgrind-out-file=${dir}/callgrind.%p`,
  ],
  readyTimeoutMs: 600_000,
};

const servers = countedServers(counts, underCallgrind);

const redis = await startRedisServer();
const rows: { label: string; perRead: number; commandsPerRead: number; reads: number }[] = [];
try {
  for (const { label, start } of servers) {
    console.log(`${label}: starting under callgrind`);
    const { server, clients, done } = await start(redis.url);
    try {
      const reads = async (amount: number) => {
        const started = performance.now();
        const measured = await signedInReads({
          port: server.port,
          clients,
          connections: CONNECTIONS,
          durationSeconds: 0,
          amount,
        });
        allAnswered(label, measured);
        return {
          ...measured,
          perSecond: measured.requests / ((performance.now() - started) / 1000),
        };
      };
      // Counting on from here, so that the warm-up runs at the pace of the counted reads.
      control('--instr=on');
      const warm = await reads(READS);
      // Every session due for its last-seen write, then each read (and written) once. The minute
      // is spent on anonymous reads (401), not idle: an idle V8 shrinks its heap and ages its code.
      await signedInReads({
        port: server.port,
        clients: clients.map(({ host }) => ({ host })),
        connections: CONNECTIONS,
        durationSeconds: LAST_SEEN_RESOLUTION_MS / 1000 + 1,
      });
      const writesFrom = performance.now();
      await reads(Math.max(clients.length, CONNECTIONS));
      // Only as many reads as end well inside the minute after those writes, at the warm-up's pace.
      const secondsLeft = (LAST_SEEN_RESOLUTION_MS * 0.8 - (performance.now() - writesFrom)) / 1000;
      const amount = Math.min(READS, Math.floor(warm.perSecond * secondsLeft));
      if (amount < 500)
        throw new Error(`${label}: too slow under callgrind to count ${amount} reads`);
      await resetCommandStats(redis.port);
      control('--zero');
      const measured = await reads(amount);
      control('--instr=off');
      control('--dump');
      const commands = Object.values(await commandStats(redis.port)).reduce((a, b) => a + b, 0);
      const instructions = await dumpedInstructions(server.child.pid!);
      const row = {
        label,
        perRead: instructions / measured.requests,
        commandsPerRead: commands / measured.requests,
        reads: measured.requests,
      };
      rows.push(row);
      console.log(`${label}: ${row.perRead.toFixed(0)} instructions per read, ${row.reads} reads`);
    } finally {
      await done();
    }
  }
} finally {
  await redis.stop();
  await rm(dir, { recursive: true, force: true });
}

const bare = rows[0]!.perRead;
const table = [
  '| server | instructions per signed-in read | over (2) | reads counted | Redis commands per read |',
  '| --- | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r.label} | ${Math.round(r.perRead).toLocaleString('en')} | ${(r.perRead / bare).toFixed(2)} | ` +
      `${r.reads.toLocaleString('en')} | ${r.commandsPerRead.toFixed(2)} |`,
  ),
].join('\n');
const note = wrap(
  `\`npm run bench:instructions\`, ${new Date().toISOString().slice(0, 10)}: up to ` +
    `${READS.toLocaleString('en')} signed-in reads each after as many to warm up, ` +
    `${CONNECTIONS} connections, counted by callgrind (valgrind), Node ${process.version}.`,
);
console.log(`\n${table}\n\n${note}`);
await fillMarkers(join(ROOT, 'docs', 'benchmark.md'), 'instructions', `${table}\n\n${note}`);

/**
 * The instructions in the dump callgrind_control asked for: the one file of this process with a
 * non-zero total (the dump at exit holds none, counting being off by then).
 */
async function dumpedInstructions(pid: number): Promise<number> {
  // The process writes the dump itself, a moment after the request: wait for it.
  for (let attempt = 0; attempt < 100; attempt++) {
    for (const name of await readdir(dir)) {
      if (!name.startsWith(`callgrind.${pid}.`)) continue;
      const total = /^totals: (\d+)/m.exec(await readFile(join(dir, name), 'utf8'))?.[1];
      if (total !== undefined && Number(total) > 0) return Number(total);
    }
    await sleep(200);
  }
  throw new Error(`no callgrind dump of process ${pid} in ${dir}`);
}
