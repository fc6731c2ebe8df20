/** npm run bench:table: bench/results.json into docs/benchmark.md, between its `bench` markers. */
import { join } from 'node:path';
import { ROOT } from '../harness/root.ts';
import { fillMarkers } from './markdown.ts';
import { report } from './report.ts';
import { readResults } from './results.ts';

const results = readResults();
if (!results) throw new Error('no bench/results.json: run `npm run bench` first');
await fillMarkers(join(ROOT, 'docs', 'benchmark.md'), 'bench', report(results));
console.log('docs/benchmark.md updated from bench/results.json');
