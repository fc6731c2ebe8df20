/**
 * npm run bench:profile: where (4)'s time goes under the benchmark's load: `node --cpu-prof`, the
 * load of `npm run bench` for BENCH_DURATION seconds (8) after a warm-up, and the functions with
 * the most self time during the load, printed and put into docs/benchmark.md.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type { Profiler } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../harness/root.ts';
import { benchSetting, startBackends, startConfig } from './configs.ts';
import { signedInReads } from './load.ts';
import { fillMarkers, provenance, table } from './report.ts';

const DURATION = benchSetting('BENCH_DURATION', 8);

/** Microseconds on the monotonic clock, the one V8 stamps its samples with. */
const now = () => Number(process.hrtime.bigint() / 1000n);

const dir = await mkdtemp(join(tmpdir(), 'tenantry-cpu-profile-'));
const bench = await startBackends();
let loadWindow: { from: number; to: number };
try {
  const running = await startConfig('tenantry', bench, {
    nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir],
  });
  const load = (durationSeconds: number) =>
    signedInReads(running, { connections: 50, durationSeconds });
  await load(2); // warm-up, left out of the profile below
  const from = now();
  const measured = await load(DURATION);
  loadWindow = { from, to: now() };
  // SIGTERM: the server shuts down and exits, and Node writes the profile as it exits.
  await running.server.stop();
  console.log(`${measured.requestsPerSecond.toFixed(0)} requests/s under the profiler`);
} finally {
  await bench.stop();
}

const [file] = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
if (!file) throw new Error(`no .cpuprofile in ${dir}`);
const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as Profiler.Profile;
await rm(dir, { recursive: true, force: true });

const rows = selfTimes(profile, loadWindow);
const total = rows.reduce((sum, r) => sum + r.us, 0);
const share = (us: number) => `${((100 * us) / total).toFixed(1)} %`;
const code = (text: string) => (text ? `\`${text}\`` : '');
const top = table(
  ['self time', 'function', 'where'],
  rows.slice(0, 15).map((r) => [share(r.us), code(r.name), code(r.where)]),
);
const how =
  `(4) under ${DURATION} s of the benchmark's load (50 connections, signed-in \`GET /api/me\`), ` +
  `${(total / 1e6).toFixed(1)} s sampled. Lines are those of the built code (dist/).`;
await fillMarkers('profile', `${top}\n\n${provenance('bench:profile')}: ${how}`);

/**
 * Self time per function (name, file and line), highest first, from the samples taken between
 * `window.from` and `window.to`: each sample stands for the time until the next one.
 */
function selfTimes(p: Profiler.Profile, window: { from: number; to: number }) {
  const { nodes, startTime, endTime, samples = [], timeDeltas = [] } = p;
  const byId = new Map(nodes.map((n) => [n.id, n.callFrame]));
  const totals = new Map<string, { name: string; where: string; us: number }>();
  let at = startTime;
  const stamps = timeDeltas.map((delta) => (at += delta));
  for (const [i, sample] of samples.entries()) {
    const start = stamps[i]!;
    if (start < window.from || start >= window.to) continue;
    const frame = byId.get(sample)!;
    const name = frame.functionName || '(anonymous)';
    const where = frame.url ? `${shortPath(frame.url)}:${frame.lineNumber + 1}` : '';
    const entry = totals.get(`${name}\n${where}`) ?? { name, where, us: 0 };
    entry.us += (stamps[i + 1] ?? endTime) - start;
    totals.set(`${name}\n${where}`, entry);
  }
  if (totals.size === 0) throw new Error('no samples during the load: clocks not comparable?');
  return [...totals.values()].sort((a, b) => b.us - a.us);
}

/** `node_modules/express/lib/router.js` as `express/lib/router.js`, this repository's files relative. */
function shortPath(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules !== -1) return path.slice(modules + '/node_modules/'.length);
  return path.startsWith(ROOT) ? path.slice(ROOT.length) : path;
}
