/**
 * `npm run soak`: minutes of mixed traffic (logins, reads, logouts, anonymous pages, probes) across
 * the demo tenants, with Redis killed and restarted, or paused and resumed, every few seconds.
 * Starts its own redis-server (appendonly, as in compose) and the real server, on free ports.
 * Not part of `npm test` (see vitest.config.ts beside this file).
 *
 *   npm run soak                                   # 1 minute
 *   SOAK_MINUTES=10 SOAK_CLIENTS=8 npm run soak
 *
 * Environment: SOAK_MINUTES (default 1), SOAK_CLIENTS (6), SOAK_OUTAGE_EVERY (seconds between
 * outages, 20), SOAK_OUTAGE_SECONDS (2.5), SOAK_NODE_OPTIONS (the server's NODE_OPTIONS, default
 * a 64 MB heap cap; '' lifts it).
 *
 * Prints requests, outcomes by kind, latency, and the server's RSS at start and end. Fails when
 * something broke the contract: a request without an HTTP answer, one slower than 2 s, a status
 * other than the expected ones, a 503 outside an outage, an unhandled error, or a crashed server.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookiesOf } from '../../harness/cookies.ts';
import { DEMO } from '../../harness/demo.ts';
import { timedRequest, type PlainRequest } from '../../harness/http-client.ts';
import type { Exit } from '../../harness/launch.ts';
import { sleep } from '../../harness/polling.ts';
import { rssBytes } from '../../harness/proc.ts';
import { startRedisServer, type RedisServer } from '../../harness/redis-server.ts';
import { alarmingLines, startServer, type ServerProcess } from '../../harness/server-process.ts';
import { BOUND_MS, createTally } from './tally.ts';

const minutes = Number(process.env.SOAK_MINUTES ?? '1');
const clientCount = Number(process.env.SOAK_CLIENTS ?? '6');
const outageEveryMs = Number(process.env.SOAK_OUTAGE_EVERY ?? '20') * 1000;
const outageMs = Number(process.env.SOAK_OUTAGE_SECONDS ?? '2.5') * 1000;
// A capped heap tells a leak (the server then dies, and the soak fails) from a heap that merely
// grew because V8 collects lazily when memory is plentiful. SOAK_NODE_OPTIONS='' lifts the cap.
const nodeOptions = process.env.SOAK_NODE_OPTIONS ?? '--max-old-space-size=64';
const PEOPLE = [DEMO.a, DEMO.b, DEMO.c];
const tally = createTally();
const { outages } = tally;

const rssMb = (pid: number) => rssBytes(pid) / 2 ** 20;

let redis: RedisServer;
let server: ServerProcess;
let started = 0;
let end = 0;

/** One signed-in visitor at a time for one demo user: mostly reads, sometimes pages and logouts. */
async function client(index: number): Promise<void> {
  const who = PEOPLE[index % PEOPLE.length]!;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let cookie: string | undefined;
  const ask = async (action: string, options: Omit<PlainRequest, 'port'>, expected: number[]) => {
    const startedAt = performance.now();
    const answer = await timedRequest({ port: server.port, agent, ...options });
    tally.record(action, startedAt, answer, expected);
    return answer;
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
      if (res.status === 303) cookie = cookiesOf(res)[0];
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

/** Redis killed and restarted, then paused and resumed, in turn, every `outageEveryMs`. */
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

let alive = false;
let alarms: string[] = [];
let exit: Exit;

describe(`soak: ${minutes} min of mixed traffic with Redis outages`, () => {
  beforeAll(
    async () => {
      redis = await startRedisServer({ appendonly: true });
      server = await startServer({ redisUrl: redis.url, env: { NODE_OPTIONS: nodeOptions } });
      const pid = server.child.pid!;
      started = performance.now();
      end = started + minutes * 60_000;
      console.log(
        `soak: ${minutes} min, ${clientCount} clients, server pid ${pid} on :${server.port} (NODE_OPTIONS=${nodeOptions}), redis ${redis.url}`,
      );

      const work = Promise.all([
        ...Array.from({ length: clientCount }, (_, i) => client(i)),
        chaos(),
      ]);
      // The first reading once the heap has settled under load, so start and end compare alike.
      await sleep(Math.min(10_000, (end - started) / 6));
      const rssStart = rssMb(pid);
      let rssMax = rssStart;
      const rssTimer = setInterval(() => (rssMax = Math.max(rssMax, rssMb(pid))), 1000);
      await work;
      clearInterval(rssTimer);
      const rssEnd = rssMb(pid);
      alive = server.exit() === undefined;
      alarms = alarmingLines(server);
      exit = await server.stop();

      const seconds = (performance.now() - started) / 1000;
      console.log(`
${tally.report(seconds, outageMs)}
server RSS: start ${rssStart.toFixed(1)} MB, end ${rssEnd.toFixed(1)} MB (${rssEnd >= rssStart ? '+' : ''}${(rssEnd - rssStart).toFixed(1)} MB), max ${rssMax.toFixed(1)} MB
server: ${alive ? 'stayed up' : 'EXITED during the run'}, unhandled or fatal log lines: ${alarms.length}, exit on SIGTERM: ${exit.code}`);
      for (const line of alarms.slice(0, 5)) console.log(`  ${line}`);
    },
    minutes * 60_000 + 120_000,
  );
  afterAll(async () => {
    // Also after a failed start or a timeout: nothing it started outlives the run.
    await server?.stop('SIGKILL');
    await redis?.stop();
  });

  it('when Redis comes and goes, then the server stays up, logs nothing unhandled and exits 0 on SIGTERM', () => {
    expect(alive).toBe(true);
    expect(alarms).toEqual([]);
    expect(exit.code).toBe(0);
  });

  it('then every request got an HTTP answer with one of the expected statuses', () => {
    expect(tally.broken.unexpected).toBe(0);
  });

  it('then no request waited 2 s or more', () => {
    expect(tally.broken.slow).toBe(0);
  });

  it('then a 503 came only during an outage or within 2 s of its end', () => {
    expect(tally.broken.strayUnavailable).toBe(0);
  });
});
