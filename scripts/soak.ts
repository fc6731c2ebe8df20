/**
 * Soak check: N minutes of mixed traffic (logins, reads, logouts, anonymous pages, probes) across
 * the demo tenants, with Redis killed and restarted, or paused and resumed, every few seconds.
 * Starts its own redis-server (appendonly, as in compose) and the real server, on free ports.
 *
 *   npm run soak                       # 2 minutes
 *   npm run soak -- --minutes 10 --clients 8 --outage-every 20 --outage-seconds 2.5
 *   SOAK_MINUTES=1 npm run soak
 *
 * Prints requests, outcomes by kind, latency, and the server's RSS at start and end. Exits 1 when
 * something broke the contract: a request without an HTTP answer, one slower than 2 s, a status
 * other than the expected ones, a 503 outside an outage, an unhandled error, or a crashed server.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';
import { request, sleep, type Answer } from '../test/support/load.ts';
import { startRedisServer } from '../test/support/redis-server.ts';
import { alarmingLines, startServer } from '../test/support/server-process.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: process.env.SOAK_MINUTES ?? '2' },
    clients: { type: 'string', default: process.env.SOAK_CLIENTS ?? '6' },
    'outage-every': { type: 'string', default: process.env.SOAK_OUTAGE_EVERY ?? '20' },
    'outage-seconds': { type: 'string', default: process.env.SOAK_OUTAGE_SECONDS ?? '2.5' },
  },
});
const minutes = Number(values.minutes);
const clientCount = Number(values.clients);
const outageEveryMs = Number(values['outage-every']) * 1000;
const outageMs = Number(values['outage-seconds']) * 1000;
const BOUND_MS = 2000;

const PEOPLE = [
  { host: 'customer-a.localhost', username: 'alice', password: 'alice-password' },
  { host: 'customer-b.localhost', username: 'bob', password: 'bob-password' },
  { host: 'customer-c.localhost', username: 'carol', password: 'carol-password' },
];

const kinds = new Map<string, number>();
const latencies: number[] = [];
const slowest = new Map<string, number>();
const outages: { from: number; to: number }[] = [];
let unexpected = 0;
let slow = 0;
let strayUnavailable = 0;

const inOutage = (at: number) => outages.some((o) => at >= o.from && at <= o.to + BOUND_MS);

function record(action: string, startedAt: number, answer: Answer, expected: number[]) {
  latencies.push(answer.ms);
  slowest.set(action, Math.max(slowest.get(action) ?? 0, answer.ms));
  if (answer.ms >= BOUND_MS) slow++;
  const kind =
    answer.status === 0 ? `${action} no answer (${answer.error})` : `${action} ${answer.status}`;
  kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  if (answer.status === 503) {
    if (action !== 'readyz' && answer.headers['retry-after'] !== '2') unexpected++;
    if (!inOutage(startedAt) && !inOutage(startedAt + answer.ms)) strayUnavailable++;
  } else if (!expected.includes(answer.status)) {
    unexpected++;
  }
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

const redis = await startRedisServer({ appendonly: true });
// A capped heap tells a leak (the server then dies, and the soak fails) from a heap that merely
// grew because V8 collects lazily when memory is plentiful. SOAK_NODE_OPTIONS='' lifts the cap.
const nodeOptions = process.env.SOAK_NODE_OPTIONS ?? '--max-old-space-size=64';
const server = await startServer({ redisUrl: redis.url, env: { NODE_OPTIONS: nodeOptions } });
const { port } = server;
// Ctrl-C (or a timeout's SIGTERM) still takes the server and redis-server down with the script.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.child.kill('SIGKILL');
    void redis.stop().finally(() => process.exit(130));
  });
}
const pid = server.child.pid!;
const started = performance.now();
const end = started + minutes * 60_000;
console.log(
  `soak: ${minutes} min, ${clientCount} clients, server pid ${pid} on :${port} (NODE_OPTIONS=${nodeOptions}), redis ${redis.url}`,
);

async function client(index: number): Promise<void> {
  const who = PEOPLE[index % PEOPLE.length]!;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let cookie: string | undefined;
  const ask = (action: string, options: Parameters<typeof request>[1], expected: number[]) => {
    const startedAt = performance.now();
    return request(port, { agent, ...options }).then((answer) => {
      record(action, startedAt, answer, expected);
      return answer;
    });
  };
  while (performance.now() < end) {
    const roll = Math.random();
    if (!cookie) {
      const res = await ask(
        'login',
        {
          method: 'POST',
          path: '/login',
          host: who.host,
          form: { username: who.username, password: who.password },
        },
        [303, 429],
      );
      if (res.status === 303) cookie = [res.headers['set-cookie'] ?? []].flat()[0]?.split(';')[0];
    } else if (roll < 0.78) {
      const res = await ask(
        'me',
        { path: '/api/me', host: who.host, cookie, accept: 'application/json' },
        [200, 401],
      );
      if (res.status === 401) cookie = undefined; // lost with a Redis that kept nothing
    } else if (roll < 0.88) {
      await ask('home', { path: '/', host: who.host, cookie, accept: 'text/html' }, [200]);
    } else if (roll < 0.95) {
      const anywhere = PEOPLE[Math.floor(Math.random() * PEOPLE.length)]!;
      await ask('anonymous home', { path: '/', host: anywhere.host }, [200]);
    } else if (roll < 0.97) {
      const res = await ask(
        'logout',
        { method: 'POST', path: '/logout', host: who.host, cookie },
        [303],
      );
      if (res.status === 303) cookie = undefined;
    } else {
      await ask('readyz', { path: '/readyz', host: 'localhost' }, [200]);
    }
    await sleep(20 + Math.random() * 20);
  }
  agent.destroy();
}

async function chaos(): Promise<void> {
  let kill = true;
  for (let next = started + outageEveryMs; ; next += outageEveryMs) {
    if (next + outageMs + BOUND_MS > end) return;
    await sleep(next - performance.now());
    const outage = { from: performance.now(), to: Infinity };
    outages.push(outage);
    if (kill) await redis.kill();
    else redis.pause();
    await sleep(outageMs);
    if (kill) await redis.restart();
    else redis.resume();
    outage.to = performance.now();
    console.log(
      `  ${((outage.from - started) / 1000).toFixed(0)} s: redis ${kill ? 'killed and restarted' : 'paused and resumed'}`,
    );
    kill = !kill;
  }
}

const work = Promise.all([...Array.from({ length: clientCount }, (_, i) => client(i)), chaos()]);
// The first reading once the heap has settled under load, so start and end compare like with like.
await sleep(Math.min(10_000, (end - started) / 6));
const rssStart = rssMb(pid);
let rssMax = rssStart;
const rssTimer = setInterval(() => (rssMax = Math.max(rssMax, rssMb(pid))), 1000);
await work;
clearInterval(rssTimer);
const rssEnd = rssMb(pid);
const alive = server.exit() === undefined;
const alarms = alarmingLines(server);
const exit = await server.stop();
await redis.stop();

latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
const seconds = (performance.now() - started) / 1000;
const total = latencies.length;
const byKind = [...kinds].sort(([a], [b]) => a.localeCompare(b));
const failed = byKind.filter(([kind]) => !/ (200|303)$/.test(kind));
console.log(`
requests: ${total} in ${seconds.toFixed(0)} s (${(total / seconds).toFixed(0)}/s), ${outages.length} Redis outages of ${outageMs / 1000} s
by kind:
${byKind.map(([kind, n]) => `  ${kind}: ${n}`).join('\n')}
errors by kind: ${failed.length ? failed.map(([kind, n]) => `${kind}: ${n}`).join(', ') : 'none'}
  unexpected statuses or no answer: ${unexpected}, 503 outside an outage: ${strayUnavailable}, slower than ${BOUND_MS} ms: ${slow}
latency: p50 ${pct(0.5).toFixed(1)} ms, p99 ${pct(0.99).toFixed(1)} ms, max ${pct(1).toFixed(1)} ms (${[...slowest].map(([action, ms]) => `${action} ${ms.toFixed(0)}`).join(', ')})
server RSS: start ${rssStart.toFixed(1)} MB, end ${rssEnd.toFixed(1)} MB (${rssEnd >= rssStart ? '+' : ''}${(rssEnd - rssStart).toFixed(1)} MB), max ${rssMax.toFixed(1)} MB
server: ${alive ? 'stayed up' : 'EXITED during the run'}, unhandled or fatal log lines: ${alarms.length}, exit on SIGTERM: ${exit.code}`);
for (const line of alarms.slice(0, 5)) console.log(`  ${line}`);

const ok =
  alive && alarms.length === 0 && exit.code === 0 && !unexpected && !slow && !strayUnavailable;
console.log(ok ? 'soak: OK' : 'soak: FAILED');
process.exit(ok ? 0 : 1);
