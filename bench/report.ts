import { spread, tenantsCost, type Results, type Spread } from './results.ts';

const fixed = (digits: number) => (x: number) => x.toFixed(digits);
const whole = fixed(0);

/** "1234 (1200–1260)": the median, then the range over rounds when they differ. */
function ranged(s: Spread, format: (x: number) => string): string {
  return s.min === s.max
    ? format(s.median)
    : `${format(s.median)} (${format(s.min)}–${format(s.max)})`;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Prose broken into lines of at most `width` characters, as the rest of the docs are. */
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

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Each server: requests/s, latency, errors and Redis commands per request. */
export function configTable(results: Results): string {
  return table(
    ['server', 'requests/s', 'p50', 'p99', 'errors', 'Redis commands / request'],
    results.configs.map((c) => [
      c.label,
      ranged(c.requestsPerSecond, whole),
      `${ranged(c.p50Ms, whole)} ms`,
      `${ranged(c.p99Ms, whole)} ms`,
      String(c.errors),
      c.commandsPerRequest ? ranged(c.commandsPerRequest, fixed(2)) : '–',
    ]),
  );
}

/** Requests/s of one server over another, per round, as median (min–max). */
export function ratioTable(results: Results): string {
  return table(
    ['ratio of requests/s', 'median (min–max over rounds)'],
    results.ratios.map((r) => [r.name, ranged(r.spread, fixed(2))]),
  );
}

export function startupTable(results: Results): string {
  const { demo, many, manyRssAfterLoadBytes } = results.startup;
  const range = (xs: number[], format: (x: number) => string) => ranged(spread(xs), format);
  return table(
    ['tenants', 'spawn to ready', 'RSS when ready', 'RSS after the load'],
    [
      ['3 (demo)', range(demo.ms, seconds), range(demo.rssBytes, mb), '–'],
      [
        results.settings.tenants.toLocaleString('en'),
        range(many.ms, seconds),
        range(many.rssBytes, mb),
        mb(manyRssAfterLoadBytes),
      ],
    ],
  );
}

export function targetTable(results: Results): string {
  const shown = (x: number, unit: string) =>
    `${(unit === 'ms' || unit === 'MB' ? whole : fixed(2))(x)}${unit ? ` ${unit}` : ''}`;
  return table(
    ['target', 'measured', 'limit', ''],
    results.targets.map((t) => [
      t.name,
      shown(t.value, t.unit),
      shown(t.limit, t.unit),
      t.pass ? 'PASS' : 'FAIL',
    ]),
  );
}

/** The machine and the command, as one line under the tables. */
export function provenance(results: Results): string {
  const m = results.machine;
  const s = results.settings;
  return wrap(
    `${m.cpu}, ${m.cores} cores, ${(m.memoryBytes / 2 ** 30).toFixed(0)} GiB, ${m.os}; ` +
      `Node ${m.node}, Redis ${m.redis}; ${results.date.slice(0, 10)}. ` +
      `\`${results.command}\`: ${s.rounds} round(s) of ${s.durationSeconds} s per server after a ` +
      `${s.warmupSeconds} s warm-up, ${s.connections} connections, signed-in \`GET /api/me\`.`,
  );
}

/** Everything, as markdown: what the console shows and docs/benchmark.md holds. */
export function report(results: Results): string {
  return [
    configTable(results),
    ratioTable(results),
    startupTable(results),
    targetTable(results),
    provenance(results),
  ].join('\n\n');
}

/** The README's few lines: tenantry against the bare recipe, and where the rest is. */
export function headline(results: Results): string {
  const config = (id: string) => results.configs.find((c) => c.id === id)!;
  const ratio = results.ratios.find((r) => r.of === 'tenantry' && r.to === 'bare')!;
  const tenantry = config('tenantry');
  const bare = config('bare');
  const m = results.machine;
  const cost = tenantsCost(results.startup);
  return wrap(
    `Signed-in \`GET /api/me\` with every defence on, on ${m.cores} cores (${m.cpu}), ` +
      `\`${results.command}\`: tenantry served ${ranged(tenantry.requestsPerSecond, whole)} ` +
      `requests/s, ${ranged(ratio.spread, fixed(2))}× the bare recipe's ` +
      `${ranged(bare.requestsPerSecond, whole)}, with a p99 of ${whole(tenantry.p99Ms.median)} ms ` +
      `(bare: ${whole(bare.p99Ms.median)} ms) and ` +
      `${fixed(2)(tenantry.commandsPerRequest!.median)} Redis commands per request. ` +
      `${results.settings.tenants.toLocaleString('en')} tenant files added ` +
      `${fixed(2)(cost.seconds)} s to start-up and ${whole(cost.megabytes)} MB of RSS. ` +
      `Every number, the other baselines and the profile: [docs/benchmark.md](docs/benchmark.md).`,
  );
}
