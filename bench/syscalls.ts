/**
 * npm run bench:syscalls: the system calls each server makes per signed-in read, counted by
 * `strace -c -f` attached to the server for exactly BENCH_SYSCALL_READS reads (default 5,000) of
 * the benchmark's load (50 connections), after a warm-up: (2) the bare recipe, (4) tenantry and
 * (5) tenantry with many tenants. A count, like `npm run bench:instructions`, so a noisy machine
 * moves it little; it covers what instruction counts leave out (time in the kernel, on the
 * request's behalf). Needs strace (Debian: `apt-get install strace`); about a minute.
 *
 *   BENCH_SYSCALL_READS=5000 BENCH_TENANTS=10000 BENCH_SIGNED_IN_TENANTS=1000 npm run bench:syscalls
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { sleep } from '../test/support/polling.ts';
import { startRedisServer } from '../test/support/redis-server.ts';
import { ROOT } from '../test/support/root.ts';
import { benchSetting, countedServers, tenantCounts } from './configs.ts';
import { allAnswered, signedInReads } from './load.ts';
import { fillMarkers } from './markdown.ts';
import { wrap } from './report.ts';

const READS = benchSetting('BENCH_SYSCALL_READS', 5000);
const counts = tenantCounts();
/** Calls made less often than this per read are summed into "other". */
const SHOWN_FROM = 0.02;

const servers = countedServers(counts);

const redis = await startRedisServer();
const rows: { label: string; perRead: Map<string, number> }[] = [];
try {
  for (const { label, start } of servers) {
    const { server, clients, done } = await start(redis.url);
    try {
      const reads = async (amount?: number) =>
        allAnswered(
          label,
          await signedInReads({
            port: server.port,
            clients,
            connections: 50,
            durationSeconds: 3,
            ...(amount === undefined ? {} : { amount }),
          }),
        );
      await reads(); // warm-up, 3 s
      const calls = await straced(server.child.pid!, () => reads(READS));
      rows.push({
        label,
        perRead: new Map([...calls].map(([name, n]) => [name, n / READS])),
      });
      console.log(`${label}: ${(sum(calls.values()) / READS).toFixed(2)} system calls per read`);
    } finally {
      await done();
    }
  }
} finally {
  await redis.stop();
}

const shown = [...new Set(rows.flatMap((r) => [...r.perRead.keys()]))]
  .filter((name) => rows.some((r) => (r.perRead.get(name) ?? 0) >= SHOWN_FROM))
  .sort();
const cell = (r: (typeof rows)[number], name: string) => (r.perRead.get(name) ?? 0).toFixed(2);
const other = (r: (typeof rows)[number]) =>
  sum([...r.perRead].filter(([name]) => !shown.includes(name)).map(([, n]) => n));
const table = [
  `| server | ${shown.map((name) => `\`${name}\``).join(' | ')} | other | all |`,
  `| --- | ${shown.map(() => '---').join(' | ')} | --- | --- |`,
  ...rows.map(
    (r) =>
      `| ${r.label} | ${shown.map((name) => cell(r, name)).join(' | ')} | ` +
      `${other(r).toFixed(2)} | ${sum(r.perRead.values()).toFixed(2)} |`,
  ),
].join('\n');
const note = wrap(
  `System calls per signed-in read, \`npm run bench:syscalls\`, ${new Date().toISOString().slice(0, 10)}: ` +
    `strace -c -f over ${READS.toLocaleString('en')} reads after a 3 s warm-up, 50 connections.`,
);
console.log(`\n${table}\n\n${note}`);
await fillMarkers(join(ROOT, 'docs', 'benchmark.md'), 'syscalls', `${table}\n\n${note}`);

/** Calls of each system call, by every thread of `pid`, while `during` runs. */
async function straced(pid: number, during: () => Promise<unknown>): Promise<Map<string, number>> {
  const strace = spawn('strace', ['-c', '-f', '-p', String(pid)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let summary = '';
  strace.stderr.setEncoding('utf8').on('data', (chunk: string) => (summary += chunk));
  const exited = new Promise((resolve) => strace.once('exit', resolve));
  await sleep(1000); // attached to every thread by then
  await during();
  strace.kill('SIGINT'); // detaches and prints the summary
  await exited;
  // Rows of `% time  seconds  usecs/call  calls  [errors]  syscall`; the total row is left out.
  const calls = new Map<string, number>();
  for (const line of summary.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (!/^[\d.]+$/.test(fields[0] ?? '') || fields.length < 5) continue;
    const name = fields.at(-1)!;
    if (name !== 'total') calls.set(name, Number(fields[3]));
  }
  if (calls.size === 0) throw new Error(`strace printed no summary:\n${summary}`);
  return calls;
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
