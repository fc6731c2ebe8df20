/** bench/results.json: what `npm run bench` and `bench:instructions` measured last, as markdown. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { ROOT } from '../harness/root.ts';
import { SETTINGS, type Config, type ConfigId } from './configs.ts';
import type { Measured } from './load.ts';

const RESULTS_FILE = join(ROOT, 'bench', 'results.json');

export type Spread = { median: number; min: number; max: number };
export type SignIns = { scryptPerSecond: number; signInsPerSecond: number; parallel: number };
type Starts = { ms: number[]; rss: number[] };

/** A round's reads; CPU (server, Redis, PostgreSQL) and Redis commands per answered read. */
export type Round = Measured & {
  cpuMicrosPerRequest: number;
  redisCommands?: Record<string, number>;
  commandsPerRequest?: number;
};

/** Instructions per signed-in read under callgrind, each server's windows summarised. */
export type InstructionResult = {
  id: ConfigId;
  label: string;
  windows: number[];
  perRead: Spread;
  commandsPerRead: number;
};
type Instructions = { date: string; command: string; servers: InstructionResult[] };

/** Each `of` over `to`: what tenantry costs, and what (6)-(9) cost against (4) and each other. */
const RATIOS = [
  ['tenantry', 'bare'],
  ['tenantry-10k', 'bare'],
  ['tenantry', 'defended'],
  ['tenantry', 'plain'],
  ['sessions-50', 'tenantry'],
  ['tenantry', 'no-metrics'],
  ['notes', 'notes-no-rls'],
] as const;

export type Results = ReturnType<typeof summarise>;

/**
 * The results of `npm run bench`: each config's rounds with their medians and ranges, the ratios
 * per round (requests/s and CPU per read), the targets; `instructions` kept from the last count.
 */
export function summarise(
  rounds: Map<Config, Round[]>,
  signIns: SignIns,
  metrics: { series: number; tenantLabels: number },
  startup: { demo: Starts; many: Starts },
  instructions: Instructions | undefined,
) {
  const configs = [...rounds].map(([{ id, label }, rs]) => {
    const perRequest = rs.flatMap((r) => r.commandsPerRequest ?? []);
    return {
      id,
      label,
      rounds: rs,
      requestsPerSecond: spread(rs.map((r) => r.requestsPerSecond)),
      p99Ms: spread(rs.map((r) => r.p99Ms)),
      cpuMicrosPerRequest: spread(rs.map((r) => r.cpuMicrosPerRequest)),
      commandsPerRequest: perRequest.length > 0 ? spread(perRequest) : undefined,
    };
  });
  const config = (id: ConfigId) => configs.find((c) => c.id === id)!;
  const ratios = RATIOS.map(([of, to]) => {
    const perRound = (field: 'requestsPerSecond' | 'cpuMicrosPerRequest') =>
      config(of).rounds.map((r, i) => r[field] / config(to).rounds[i]![field]);
    const [requests, cpu] = [perRound('requestsPerSecond'), perRound('cpuMicrosPerRequest')];
    const name = `${config(of).label.slice(0, 3)} / ${config(to).label.slice(0, 3)}`;
    return { name, of, to, perRound: requests, spread: spread(requests), cpu: spread(cpu) };
  });
  const ratio = (of: ConfigId, to: ConfigId) => ratios.find((x) => x.of === of && x.to === to)!;

  // The targets, each PASS or FAIL: a measurement, so none of them fails the run.
  const targets: { name: string; value: number; limit: number; unit: string; pass: boolean }[] = [];
  const add = (name: string, value: number, limit: number, unit: string, atMost = true) =>
    targets.push({ name, value, limit, unit, pass: atMost ? value <= limit : value >= limit });
  for (const id of ['tenantry', 'tenantry-10k'] as const) {
    const { label, p99Ms, commandsPerRequest } = config(id);
    const n = label.slice(0, 3);
    add(`${n} requests/s over (2)'s, median`, ratio(id, 'bare').spread.median, 0.9, '×', false);
    add(`${n} p99, median, at most (2)'s`, p99Ms.median, config('bare').p99Ms.median, 'ms');
    add(`${n} Redis commands per read, median`, commandsPerRequest!.median, 1.05, '');
  }
  add("(4) CPU per read over (7)'s, median", ratio('tenantry', 'no-metrics').cpu.median, 1.03, '×');
  const { signInsPerSecond, scryptPerSecond } = signIns;
  add('sign-ins/s over scrypt alone', signInsPerSecond / scryptPerSecond, 0.8, '×', false);
  // METRICS_TENANT_LABELS (100) tenants by name, the rest under `other`, unknown hosts `none`.
  const name = `(5) /metrics: values of \`tenant\` (in ${metrics.series.toLocaleString('en')} series)`;
  add(name, metrics.tenantLabels, 102, '');
  const beyond = (key: 'ms' | 'rss', unit: number) =>
    (spread(startup.many[key]).median - spread(startup.demo[key]).median) / unit;
  const tenants = SETTINGS.tenants.toLocaleString('en');
  add(`${tenants} tenants: start-up beyond 3 tenants'`, beyond('ms', 1000), 1.5, 's');
  add(`${tenants} tenants: RSS beyond 3 tenants'`, beyond('rss', 1e6), 60, 'MB');

  const redis = execFileSync('redis-server', ['--version'], { encoding: 'utf8' });
  return {
    date: new Date().toISOString(),
    command: commandLine('bench'),
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      node: process.version,
      redis: /v=(\S+)/.exec(redis)![1]!,
    },
    settings: SETTINGS,
    configs,
    ratios,
    signIns,
    metrics,
    startup,
    instructions,
    targets,
  };
}

export function spread(xs: readonly number[]): Spread {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median =
    sorted.length % 2 === 1 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)! };
}

export const readResults = (): Results | undefined =>
  existsSync(RESULTS_FILE)
    ? (JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Results)
    : undefined;

export async function writeResults(results: Results): Promise<void> {
  await writeFormatted(RESULTS_FILE, JSON.stringify(results));
  console.log(`written to ${RESULTS_FILE}; npm run bench:table puts it into docs/benchmark.md`);
}

/** The command that ran, as `npm run <script>` with its BENCH_ settings and arguments. */
export function commandLine(script: string): string {
  const env = Object.entries(process.env).filter(([k]) => k.startsWith('BENCH_'));
  const args = process.argv.slice(2);
  const run = args.length > 0 ? [`npm run ${script} --`, ...args] : [`npm run ${script}`];
  return [...env.map(([k, v]) => `${k}=${v}`), ...run].join(' ');
}

/** Writes `text` as Prettier formats it for that file, so `npm run format:check` stays green. */
async function writeFormatted(path: string, text: string): Promise<void> {
  const options = await prettier.resolveConfig(path);
  await writeFile(path, await prettier.format(text, { ...options, filepath: path }));
}

/** Puts `content` between `<!-- name:start -->` and `<!-- name:end -->` in docs/benchmark.md. */
export async function fillMarkers(name: string, content: string): Promise<void> {
  const path = join(ROOT, 'docs', 'benchmark.md');
  const text = await readFile(path, 'utf8');
  const [start, end] = [`<!-- ${name}:start -->`, `<!-- ${name}:end -->`];
  const [from, to] = [text.indexOf(start), text.indexOf(end)];
  if (from === -1 || to < from) throw new Error(`${path} has no ${start} … ${end}`);
  const filled = `${text.slice(0, from + start.length)}\n\n${content}\n\n${text.slice(to)}`;
  await writeFormatted(path, filled);
}

export const fixed = (digits: number) => (x: number) =>
  x.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const whole = fixed(0);

/** "1,234 (1,200–1,260)": the median, then the range. */
const ranged = (s: Spread, format: (x: number) => string) =>
  s.min === s.max ? format(s.median) : `${format(s.median)} (${format(s.min)}–${format(s.max)})`;

/** Prose broken into lines of at most 100 characters, as the rest of the docs are. */
export function wrap(text: string, width = 100): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line].join('\n');
}

export function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Instructions per read of a server, as the last `npm run bench:instructions` counted them. */
const counted = (r: Results, id: ConfigId) =>
  r.instructions?.servers.find((s) => s.id === id)?.perRead;

function serverTable(r: Results): string {
  return table(
    ['server', 'requests/s', 'p99', 'CPU / read', 'Redis commands / read', 'instructions / read'],
    r.configs.map((c) => [
      c.label,
      ranged(c.requestsPerSecond, whole),
      `${ranged(c.p99Ms, whole)} ms`,
      `${ranged(c.cpuMicrosPerRequest, whole)} µs`,
      c.commandsPerRequest ? ranged(c.commandsPerRequest, fixed(2)) : '–',
      counted(r, c.id) ? ranged(counted(r, c.id)!, whole) : '–',
    ]),
  );
}

function ratioTable(r: Results): string {
  return table(
    ['ratio', 'requests/s, per round', 'CPU per read, per round', 'instructions per read'],
    r.ratios.map(({ name, of, to, spread: requests, cpu }) => {
      const [a, b] = [counted(r, of)?.median, counted(r, to)?.median];
      return [
        name,
        ranged(requests, fixed(2)),
        ranged(cpu, fixed(2)),
        a && b ? fixed(2)(a / b) : '–',
      ];
    }),
  );
}

function signInTable({ signIns: s }: Results): string {
  return table(
    ['sign-ins', 'per second'],
    [
      [`scrypt alone, ${s.parallel} at once`, fixed(1)(s.scryptPerSecond)],
      [`POST /login at the demo tenants, ${s.parallel * 2} at once`, fixed(1)(s.signInsPerSecond)],
    ],
  );
}

function startupTable(r: Results): string {
  const { demo, many } = r.startup;
  const s = (ms: number[]) => ranged(spread(ms.map((x) => x / 1000)), fixed(2)) + ' s';
  const mb = (rss: number[]) => ranged(spread(rss.map((x) => x / 1e6)), whole) + ' MB';
  return table(
    ['tenants', 'spawn to ready', 'RSS when ready'],
    [
      ['3 (demo)', s(demo.ms), mb(demo.rss)],
      [r.settings.tenants.toLocaleString('en'), s(many.ms), mb(many.rss)],
    ],
  );
}

function targetTable(r: Results): string {
  const shown = (x: number, unit: string) =>
    `${(unit === 'ms' || unit === 'MB' ? whole : fixed(2))(x)}${unit ? ` ${unit}` : ''}`;
  return table(
    ['target', 'measured', 'limit', ''],
    r.targets.map((t) => [
      t.name,
      shown(t.value, t.unit),
      shown(t.limit, t.unit),
      t.pass ? 'PASS' : 'FAIL',
    ]),
  );
}

/** Everything `npm run bench` and `npm run bench:instructions` measured, as markdown. */
export function report(r: Results): string {
  const { machine: m, settings: s } = r;
  const instructions = r.instructions
    ? ` Instructions: \`${r.instructions.command}\`, ${r.instructions.date.slice(0, 10)}.`
    : '';
  const provenance = wrap(
    `${m.cpu}, ${m.cores} cores; Node ${m.node}, Redis ${m.redis}; ${r.date.slice(0, 10)}. ` +
      `\`${r.command}\`: ${s.rounds} rounds of ${s.durationSeconds} s per server after a ` +
      `${s.warmupSeconds} s warm-up, ${s.connections} connections, signed-in reads; CPU is the ` +
      `server's, Redis's and PostgreSQL's; medians, with the range over rounds.${instructions}`,
  );
  const tables = [serverTable(r), ratioTable(r), signInTable(r), startupTable(r), targetTable(r)];
  return [...tables, provenance].join('\n\n');
}
