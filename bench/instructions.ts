/**
 * npm run bench:instructions [-- 2 4 5]: CPU instructions per signed-in read of (2) the bare
 * recipe, (4) tenantry and (5) tenantry with many tenants (or those named), counted by valgrind's
 * callgrind. A count barely moves with the machine's load, so it shows what a change bought where
 * requests/s are too noisy to; it counts work, not time (cache misses, system calls and waits on
 * Redis weigh nothing). After BENCH_INSTRUCTION_WARMUP reads (3,000), each of
 * BENCH_INSTRUCTION_WINDOWS windows (5) of BENCH_INSTRUCTION_READS reads (600) follows a forced
 * garbage collection and BENCH_INSTRUCTION_REWARM reads (200); it prints the windows' median and
 * range. Needs valgrind (Debian: `apt-get install valgrind`); some minutes per server.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../harness/polling.ts';
import { redisCli } from '../harness/redis-cli.ts';
import * as configs from './configs.ts';
import {
  benchSetting,
  labelOf,
  type ConfigId,
  type Instrumented,
  type Running,
} from './configs.ts';
import { allAnswered, commandStats, resetCommandStats, signedInReads } from './load.ts';
import { writeFormatted } from './markdown.ts';
import { readResults, RESULTS_FILE, spread, type InstructionResult } from './results.ts';

const READS = benchSetting('BENCH_INSTRUCTION_READS', 600);
const WINDOWS = benchSetting('BENCH_INSTRUCTION_WINDOWS', 5);
const WARM_UP = benchSetting('BENCH_INSTRUCTION_WARMUP', 3000);
const REWARM = benchSetting('BENCH_INSTRUCTION_REWARM', 200);
const CONNECTIONS = 10;
const n = (x: number) => Math.round(x).toLocaleString('en');
const counts = configs.tenantCounts();
const only = process.argv.slice(2).map((n) => `(${n})`);

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
const underCallgrind: Instrumented = {
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

type Backends = Awaited<ReturnType<typeof configs.startBackends>>;
type Counted = { id: ConfigId; start: (backends: Backends) => Promise<Running> };
const servers: Counted[] = (
  [
    { id: 'bare', start: (b) => configs.startRecipe('bare', b.redisUrl, underCallgrind) },
    { id: 'tenantry', start: (b) => configs.startDemoTenantry(b, underCallgrind) },
    {
      id: 'tenantry-10k',
      start: (b) => configs.startManyTenants(b, generated!, counts.signedInTenants, underCallgrind),
    },
  ] satisfies Counted[] as Counted[]
).filter(({ id }) => only.length === 0 || only.some((x) => labelOf(id, counts).startsWith(x)));
// (5)'s tenant files, made before the database so their users go in with it.
const generated: Awaited<ReturnType<typeof configs.generateTenants>> | undefined = servers.some(
  (s) => s.id === 'tenantry-10k',
)
  ? await configs.generateTenants(counts.tenants)
  : undefined;
const backends = await configs.startBackends(generated?.ids);
const rows: InstructionResult[] = [];
try {
  for (const { id, start } of servers) {
    const label = labelOf(id, counts);
    console.log(`${label}: starting under callgrind`);
    const { server, clients } = await start(backends);
    try {
      const reads = async (amount: number, who = clients) =>
        signedInReads({
          port: server.port,
          clients: who,
          connections: CONNECTIONS,
          durationSeconds: 0,
          amount,
        });
      const collected = () => server.output().split(GC_DONE).length;
      if (id !== 'bare') await lastSeenAhead(backends.redis.port);
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
        await resetCommandStats(backends.redis.port);
        control('--zero');
        const measured = await reads(READS);
        control('--dump');
        const [total, compiling] = await dumpedInstructions(server.child.pid!, ++dumps);
        const instructions = total - compiling;
        const stats = await commandStats(backends.redis.port);
        if (stats.set !== undefined) throw new Error(`${label}: a session was written in a window`);
        // On a busy machine valgrind may not read Redis's reply within the bound: count it again.
        if (measured.errors > 0) {
          if (--retries < 0) allAnswered(label, measured);
          console.log(`${label}: ${JSON.stringify(measured.statuses)}; counting that window again`);
          continue;
        }
        windows.push(instructions / READS);
        commands += Object.values(stats).reduce((a, b) => a + b, 0);
        console.log(
          `${label}: window ${windows.length}: ${n(instructions / READS)} per read ` +
            `(V8's optimising compilers ${n(compiling / READS)} more, left out)`,
        );
      }
      rows.push({
        id,
        label,
        perRead: spread(windows),
        windows,
        commandsPerRead: commands / (READS * WINDOWS),
      });
    } finally {
      await server.stop();
    }
  }
} finally {
  await generated?.remove();
  await backends.stop();
  await rm(dir, { recursive: true, force: true });
}

const bare = rows.find((r) => r.id === 'bare')?.perRead.median;
console.log(
  [
    '| server | instructions per read, median (min–max) | over (2) | Redis commands per read |',
    '| --- | --- | --- | --- |',
    ...rows.map(
      ({ label, perRead: s, commandsPerRead }) =>
        `| ${label} | ${n(s.median)} (${n(s.min)}–${n(s.max)}, ±${((50 * (s.max - s.min)) / s.median).toFixed(1)} %) | ` +
        `${bare ? (s.median / bare).toFixed(2) : '–'} | ${commandsPerRead.toFixed(2)} |`,
    ),
  ].join('\n'),
);
const results = readResults();
if (results) {
  const env = Object.entries(process.env).filter(([k]) => k.startsWith('BENCH_'));
  const args = process.argv
    .slice(2)
    .map((a) => ` ${a}`)
    .join('');
  const command = [
    ...env.map(([k, v]) => `${k}=${v}`),
    `npm run bench:instructions${args ? ` --${args}` : ''}`,
  ].join(' ');
  // Servers not counted this time keep their last count.
  const kept = (results.instructions?.servers ?? []).filter(
    (s) => !rows.some((r) => r.id === s.id),
  );
  const servers = [...kept, ...rows].sort((a, b) => a.label.localeCompare(b.label));
  const instructions = { date: new Date().toISOString(), command, servers };
  await writeFormatted(RESULTS_FILE, JSON.stringify({ ...results, instructions }));
  console.log(`written to ${RESULTS_FILE}; npm run bench:table puts it into docs/benchmark.md`);
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
  const total = await eventually(
    async () => {
      const totals = /^totals: (\d+)/m.exec(await readFile(file, 'utf8'))?.[1];
      if (totals === undefined) throw new Error(`${file} is not complete`);
      return Number(totals);
    },
    { timeoutMs: 600_000, intervalMs: 500 },
  );
  const inclusive = execFileSync(
    'callgrind_annotate',
    ['--inclusive=yes', '--threshold=100', file],
    {
      encoding: 'utf8',
      maxBuffer: 256 * 2 ** 20,
    },
  );
  let compiling = 0;
  for (const [, count] of inclusive.matchAll(COMPILER_JOBS))
    compiling += Number(count!.replaceAll(',', ''));
  return [total, compiling];
}
