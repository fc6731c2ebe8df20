/** npm run bench:table: bench/results.json into docs/benchmark.md, between its `bench` markers. */
import { fillMarkers, readResults, report } from './report.ts';

const results = readResults();
if (!results) throw new Error('no bench/results.json: run `npm run bench` first');
await fillMarkers('bench', report(results));
console.log('docs/benchmark.md updated from bench/results.json');
