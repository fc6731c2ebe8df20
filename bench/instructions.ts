/**
 * npm run bench:instructions [-- 2 4 5 7]: CPU instructions per signed-in read of (2) the bare
 * recipe, (4) tenantry, (5) with many tenants and (7) without metrics (or those named), counted
 * by valgrind's callgrind. A count barely moves with the machine's load, so it shows what a change
 * bought where requests/s are too noisy to; it counts work, not time (cache misses, system calls
 * and waits on Redis weigh nothing). After BENCH_INSTRUCTION_WARMUP reads (10,000), each of
 * BENCH_INSTRUCTION_WINDOWS windows (7) of BENCH_INSTRUCTION_READS reads (600) follows a forced
 * garbage collection and BENCH_INSTRUCTION_REWARM reads (200); it prints the windows' median and
 * range, into docs/benchmark.md when all four were counted. Needs valgrind (Debian: `apt-get
 * install valgrind`); some minutes per server.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../harness/polling.ts';
import { redisCli } from '../harness/redis-cli.ts';
import { benchSetting, CONFIGS, startBackends, startConfig, type ConfigId } from './configs.ts';
import { redisCommands, resetCommandStats, signedInReads } from './load.ts';
import { fillMarkers, provenance, spread, table, whole, type Spread } from './report.ts';

const READS = benchSetting('BENCH_INSTRUCTION_READS', 600);
const WINDOWS = benchSetting('BENCH_INSTRUCTION_WINDOWS', 7);
const WARM_UP = benchSetting('BENCH_INSTRUCTION_WARMUP', 10_000);
const REWARM = benchSetting('BENCH_INSTRUCTION_REWARM', 200);
const named = process.argv.slice(2).map((n) => `(${n})`);
const counted = CONFIGS.filter(
  (c) =>
    ['bare', 'tenantry', 'tenantry-10k', 'no-metrics'].includes(c.id) &&
    (named.length === 0 || named.some((n) => c.label.startsWith(n))),
);

const dir = await mkdtemp(join(tmpdir(), 'tenantry-callgrind-'));
// The server's HOST (127.0.0.1) names valgrind's control pipes, so callgrind_control needs it too.
const control = (...args: string[]) =>
  execFileSync('callgrind_control', [`--vgdb-prefix=${dir}/vgdb`, ...args], {
    env: { ...process.env, HOST: '127.0.0.1' },
    stdio: 'ignore',
    timeout: 120_000,
  });
const GC_DONE = 'bench: garbage collected';
/** callgrind_annotate's lines for the three phases of a TurboFan or Maglev job (none nests another). */
const COMPILER_JOBS =
  /^\s*([\d,]+) .*:v8::internal::OptimizedCompilationJob::(?:Prepare|Execute|Finalize)Job\(/gm;
const underCallgrind = {
  wrapper: [
    'valgrind',
    '--tool=callgrind',
    '--instr-atstart=no',
    `--vgdb-prefix=${dir}/vgdb`,
    `--callgrind-out-file=${dir}/callgrind.%p`,
  ],
  nodeArgs: [
    // V8 resizes its young generation and collects to save memory by the clock, and under
    // valgrind the clock runs fifty times slower than the reads: fixed here, as they are at speed.
    '--no-memory-reducer',
    '--min-semi-space-size=16',
    '--max-semi-space-size=16',
    // A young-generation collection on SIGUSR2: a full one also drops optimised code and object
    // shapes, which V8 then rebuilds inside the window.
    '--expose-gc',
    `--import=data:text/javascript,process.on('SIGUSR2',()=>{gc({type:'minor'});process.stderr.write('${GC_DONE}\\n')})`,
  ],
  readyTimeoutMs: 600_000,
  // A read under valgrind can wait on a busy machine longer than the production bound.
  env: { REDIS_TIMEOUT_MS: '1500' },
};

const bench = await startBackends();
const rows: { id: string; label: string; perRead: Spread; commandsPerRead: number }[] = [];
try {
  for (const { id, label } of counted)
    rows.push({ id, label, ...(await countInstructions(id, label)) });
} finally {
  await bench.stop();
  await rm(dir, { recursive: true, force: true });
}

const bare = rows.find((r) => r.id === 'bare')?.perRead.median;
const instructions = table(
  ['server', 'instructions per read, median (min–max)', 'over (2)', 'Redis commands per read'],
  rows.map(({ label, perRead: { median, min, max }, commandsPerRead }) => [
    label,
    `${whole(median)} (${whole(min)}–${whole(max)}, ±${((50 * (max - min)) / median).toFixed(1)} %)`,
    bare ? (median / bare).toFixed(2) : '–',
    commandsPerRead.toFixed(2),
  ]),
);
const how = `${WINDOWS} windows of ${READS} reads after ${WARM_UP}, each after a forced collection and ${REWARM} reads.`;
if (named.length > 0) console.log(`\n${instructions}`);
else
  await fillMarkers(
    'instructions',
    `${instructions}\n\n${provenance('bench:instructions')}: ${how}`,
  );

/** A server started under callgrind and warmed up, then its instructions per read in windows. */
async function countInstructions(id: ConfigId, label: string) {
  console.log(`${label}: starting under callgrind`);
  const running = await startConfig(id, bench, underCallgrind);
  const { server } = running;
  const reads = (amount: number, tolerate = false) =>
    signedInReads(running, { connections: 10, durationSeconds: 0, amount, tolerate });
  const collected = () => server.output().split(GC_DONE).length;
  try {
    if (id !== 'bare') await lastSeenAhead(bench.redis.port);
    // Counting on from here (zeroed before each window): turning it on retranslates all code,
    // which stalls the process for seconds (a timeout in the warm-up is that, not the server).
    control('--instr=on');
    await reads(WARM_UP);
    const windows: number[] = [];
    let [dumps, commands, retries] = [0, 0, WINDOWS];
    while (windows.length < WINDOWS) {
      const before = collected();
      server.child.kill('SIGUSR2');
      await eventually(async () => {
        if (collected() === before) throw new Error(`${label}: no forced collection`);
      });
      await reads(REWARM);
      await resetCommandStats(bench.redis.port);
      control('--zero');
      const measured = await reads(READS, retries > 0);
      control('--dump');
      const [total, compiling] = await dumpedInstructions(server.child.pid!, ++dumps);
      const stats = await redisCommands(bench.redis.port);
      if (stats.set !== undefined) throw new Error(`${label}: a session was written in a window`);
      // On a busy machine valgrind may not read Redis's reply within the bound: count it again.
      if (measured.errors > 0) {
        retries--;
        console.log(`${label}: ${JSON.stringify(measured.statuses)}; counting that window again`);
        continue;
      }
      windows.push((total - compiling) / READS);
      commands += Object.values(stats).reduce((a, b) => a + b, 0);
      console.log(
        `${label}: window ${windows.length}: ${whole(windows.at(-1)!)} per read ` +
          `(V8's optimising compilers ${whole(compiling / READS)} more, left out)`,
      );
    }
    const commandsPerRead = commands / (READS * WINDOWS);
    return { perRead: spread(windows), commandsPerRead };
  } finally {
    await server.stop();
  }
}

/**
 * Moves each tenantry session's last-seen time a day ahead, so that no counted read writes it (at
 * full speed a session is written once a minute; under valgrind that minute holds 1/50 the reads).
 */
async function lastSeenAhead(redisPort: number): Promise<void> {
  const script = `for _, key in ipairs(redis.call('KEYS', 'sessions:*')) do
    local value = redis.call('GET', key)
    redis.call('SET', key, (string.gsub(value, '"lastSeenAt":%d+', '"lastSeenAt":' .. ARGV[1])), 'KEEPTTL')
  end`;
  await redisCli(redisPort, 'EVAL', script, '0', String(Date.now() + 86_400_000));
}

/**
 * The instructions in dump `k` of process `pid`, and those of V8's optimising compilers among
 * them: when a function happens to be compiled again is no cost of the code per read.
 */
async function dumpedInstructions(pid: number, k: number): Promise<[number, number]> {
  const file = join(dir, `callgrind.${pid}.${k}`);
  // The process writes it a moment after the request, or minutes after on a busy machine.
  const complete = async () => {
    const totals = /^totals: (\d+)/m.exec(await readFile(file, 'utf8'))?.[1];
    if (totals === undefined) throw new Error(`${file} is not complete`);
    return Number(totals);
  };
  const total = await eventually(complete, { timeoutMs: 600_000, intervalMs: 500 });
  const args = ['--inclusive=yes', '--threshold=100', file];
  const inclusive = execFileSync('callgrind_annotate', args, {
    encoding: 'utf8',
    maxBuffer: 256 * 2 ** 20,
  });
  let compiling = 0;
  for (const [, count] of inclusive.matchAll(COMPILER_JOBS)) {
    compiling += Number(count!.replaceAll(',', ''));
  }
  return [total, compiling];
}
