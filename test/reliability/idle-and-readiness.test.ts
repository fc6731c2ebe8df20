import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEMO } from '../../harness/demo.ts';
import { timedRequest } from '../../harness/http-client.ts';
import { eventually, sleep } from '../../harness/polling.ts';
import { startRedisServer, type RedisServer } from '../../harness/redis-server.ts';
import { alarmingLines, startServer, type ServerProcess } from '../../harness/server-process.ts';
import { signIn } from '../../harness/sign-in.ts';

// Longer than any timer the Redis client uses (REDIS_TIMEOUT_MS is 1 s; there is no socket timeout).
const IDLE_MS = 3000;

let redis: RedisServer;
let server: ServerProcess;
let cookie: string;
const available = inject('redisServerAvailable');

beforeAll(async () => {
  if (!available) return;
  redis = await startRedisServer({ appendonly: true });
  server = await startServer({ redisUrl: redis.url });
  cookie = await signIn(server.port, DEMO.c);
}, 45_000); // tsx compiles the server on the fly: slow on a loaded CI box
afterAll(async () => {
  if (!available) return;
  expect(alarmingLines(server)).toEqual([]);
  expect((await server.stop()).code).toBe(0);
  await redis.stop();
});

const me = () =>
  timedRequest({
    port: server.port,
    path: '/api/me',
    host: DEMO.c.host,
    cookie,
    accept: 'application/json',
  });
const readyz = () => timedRequest({ port: server.port, path: '/readyz', host: 'localhost' });

describe.runIf(available)('an idle app and its readiness probe', { timeout: 30_000 }, () => {
  it('when the app has been idle, then its first request is served', async () => {
    await sleep(IDLE_MS);
    expect((await me()).status).toBe(200);
  });

  it('when Redis is killed and restarted while the app is idle, then its next request is served', async () => {
    await redis.kill();
    await sleep(500);
    await redis.restart();
    await sleep(IDLE_MS); // reconnects by itself, with nobody asking
    expect((await me()).status).toBe(200);
    expect((await readyz()).status).toBe(200);
  });

  it('when Redis is paused and resumed while the app is idle, then its next request is served', async () => {
    redis.pause();
    await sleep(IDLE_MS);
    redis.resume();
    expect((await me()).status).toBe(200);
  });

  it('when Redis is paused, then /readyz answers 503 within 2 s, and 200 again once it resumes, even after idling', async () => {
    redis.pause();
    try {
      const first = await readyz();
      const second = await readyz();
      expect(first.status).toBe(503);
      expect(JSON.parse(first.body)).toEqual({
        status: 'unavailable',
        stores: [
          { name: 'default', kind: 'redis', state: 'down' },
          { name: 'database', kind: 'postgres', state: 'up' },
        ],
      });
      expect(first.ms).toBeLessThan(2000);
      expect(second.status).toBe(503);
      expect(second.ms).toBeLessThan(2000);
      expect(
        (await timedRequest({ port: server.port, path: '/healthz', host: 'localhost' })).status,
      ).toBe(200);
      await sleep(IDLE_MS);
    } finally {
      redis.resume();
    }
    await eventually(async () => expect((await readyz()).status).toBe(200), {
      timeoutMs: 2000,
      intervalMs: 50,
    });
    expect(JSON.parse((await readyz()).body)).toEqual({
      status: 'ready',
      stores: [
        { name: 'default', kind: 'redis', state: 'up' },
        { name: 'database', kind: 'postgres', state: 'up' },
      ],
    });
    expect((await me()).status).toBe(200);
    expect(server.exit()).toBeUndefined();
  });
});
