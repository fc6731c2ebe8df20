import { printable } from './printable.ts';

/**
 * Rows as an aligned plain-text table with a header line; empty cells as "-". Every cell is
 * printable(): cells hold what clients sent, and no control character of theirs reaches the terminal.
 */
export function table(columns: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = rows.map((r) =>
    r.map((c) => (c === null || c === undefined || c === '' ? '-' : printable(String(c)))),
  );
  const widths = columns.map((title, i) =>
    Math.max(title.length, ...cells.map((r) => r[i]!.length)),
  );
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n');
}
