import { spread, type Results, type Spread } from './results.ts';

const fixed = (digits: number) => (x: number) =>
  x.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const whole = fixed(0);

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

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Each server: requests/s and p99 over rounds, Redis commands, instructions per read. */
function serverTable(r: Results): string {
  const counted = (id: string) => r.instructions?.servers.find((s) => s.id === id);
  return table(
    ['server', 'requests/s', 'p99', 'CPU / read', 'Redis commands / read', 'instructions / read'],
    r.configs.map((c) => {
      const n = counted(c.id);
      return [
        c.label,
        ranged(c.requestsPerSecond, whole),
        `${ranged(c.p99Ms, whole)} ms`,
        `${ranged(c.cpuMicrosPerRequest, whole)} µs`,
        c.commandsPerRequest ? ranged(c.commandsPerRequest, fixed(2)) : '–',
        n ? ranged(n.perRead, whole) : '–',
      ];
    }),
  );
}

function ratioTable(r: Results): string {
  const counted = (id: string) => r.instructions?.servers.find((s) => s.id === id)?.perRead.median;
  return table(
    ['ratio', 'requests/s, per round', 'CPU per read, per round', 'instructions per read'],
    r.ratios.map(({ name, of, to, spread: s, cpu }) => {
      const [a, b] = [counted(of), counted(to)];
      return [name, ranged(s, fixed(2)), ranged(cpu, fixed(2)), a && b ? fixed(2)(a / b) : '–'];
    }),
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
      [r.settings.tenants!.toLocaleString('en'), s(many.ms), mb(many.rss)],
    ],
  );
}

function signInTable(r: Results): string {
  const { scryptPerSecond, signInsPerSecond, parallel } = r.signIns;
  return table(
    ['sign-ins', 'per second'],
    [
      [`scrypt alone, ${parallel} at once`, fixed(1)(scryptPerSecond)],
      [`POST /login at the demo tenants, ${parallel * 2} at once`, fixed(1)(signInsPerSecond)],
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
  const m = r.machine;
  const s = r.settings;
  const counted = r.instructions
    ? ` Instructions: \`${r.instructions.command}\`, ${r.instructions.date.slice(0, 10)}.`
    : '';
  const provenance = wrap(
    `${m.cpu}, ${m.cores} cores; Node ${m.node}, Redis ${m.redis}; ${r.date.slice(0, 10)}. ` +
      `\`${r.command}\`: ${s.rounds} rounds of ${s.durationSeconds} s per server after a ` +
      `${s.warmupSeconds} s warm-up, ${s.connections} connections, signed-in reads; CPU is the ` +
      `server's and PostgreSQL's; medians, with the range over rounds.${counted}`,
  );
  const tables = [serverTable(r), ratioTable(r), signInTable(r), startupTable(r), targetTable(r)];
  return [...tables, provenance].join('\n\n');
}
