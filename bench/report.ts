/** What the bench's commands share to report: medians and ranges, tables, docs/benchmark.md. */
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { ROOT } from '../harness/root.ts';

export type Spread = { median: number; min: number; max: number };

export function spread(xs: readonly number[]): Spread {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median =
    sorted.length % 2 === 1 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)! };
}

export const fixed = (digits: number) => (x: number) =>
  x.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const whole = fixed(0);

/** "1,234 (1,200–1,260)": the median, then the range. */
export const ranged = (s: Spread, format: (x: number) => string) =>
  s.min === s.max ? format(s.median) : `${format(s.median)} (${format(s.min)}–${format(s.max)})`;

export function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The machine, the day, and the command as typed (its BENCH_ settings and arguments). */
export function provenance(script: string): string {
  const env = Object.entries(process.env).filter(([k]) => k.startsWith('BENCH_'));
  const args = process.argv.slice(2);
  const command = [...env.map(([k, v]) => `${k}=${v}`), `npm run ${script}`];
  if (args.length > 0) command.push('--', ...args);
  const redis = /v=(\S+)/.exec(execFileSync('redis-server', ['--version'], { encoding: 'utf8' }));
  const machine = `${cpus()[0]?.model}, ${cpus().length} cores; Node ${process.version}`;
  const day = new Date().toISOString().slice(0, 10);
  return `${machine}, Redis ${redis?.[1]}; ${day}; \`${command.join(' ')}\``;
}

/**
 * Puts `content` between `<!-- name:start -->` and `<!-- name:end -->` in docs/benchmark.md, as
 * Prettier formats it (its prose wrapped at 100 columns like the rest of the page), and prints it.
 */
export async function fillMarkers(name: string, content: string): Promise<void> {
  const path = join(ROOT, 'docs', 'benchmark.md');
  const options = { ...(await prettier.resolveConfig(path)), filepath: path };
  const formatted = await prettier.format(content, { ...options, proseWrap: 'always' });
  console.log(`\n${formatted}`);
  const text = await readFile(path, 'utf8');
  const [start, end] = [`<!-- ${name}:start -->`, `<!-- ${name}:end -->`];
  const [from, to] = [text.indexOf(start), text.indexOf(end)];
  if (from === -1 || to < from) throw new Error(`${path} has no ${start} … ${end}`);
  const filled = `${text.slice(0, from + start.length)}\n\n${formatted}\n${text.slice(to)}`;
  await writeFile(path, await prettier.format(filled, options));
  console.log(`docs/benchmark.md: ${name} updated`);
}
