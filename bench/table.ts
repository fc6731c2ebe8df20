/**
 * npm run bench:table: renders bench/results.json (written by `npm run bench`) into
 * docs/benchmark.md and the README's Performance paragraph, between their markers.
 */
import { join } from 'node:path';
import { ROOT } from '../test/support/root.ts';
import { fillMarkers } from './markdown.ts';
import { configTable, headline, report, targetTable } from './report.ts';
import { readResults } from './results.ts';

const results = readResults();
await fillMarkers(join(ROOT, 'docs', 'benchmark.md'), 'bench', report(results));
await fillMarkers(
  join(ROOT, 'README.md'),
  'bench-headline',
  [headline(results), configTable(results), targetTable(results)].join('\n\n'),
);
console.log('docs/benchmark.md and README.md updated from bench/results.json');
