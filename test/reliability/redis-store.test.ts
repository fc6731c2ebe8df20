import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, inject, it } from 'vitest';
import {
  createRedisStore,
  reconnectDelay,
  RedisTimeoutError,
} from '../../src/store/redis-store.ts';
import type { Store } from '../../src/store/store.ts';
import { StoreUnavailableError } from '../../src/store/store-unavailable.ts';
import { eventually, sleep } from '../../harness/polling.ts';
import { startRedisServer, type RedisServer } from '../../harness/redis-server.ts';

const TIMEOUT_MS = 300;

/** A logger whose lines (level >= info) land in an array. */
function capturedLogger() {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

async function timed<T>(work: Promise<T>): Promise<{ ms: number; result?: T; error?: unknown }> {
  const start = performance.now();
  try {
    const result = await work;
    return { ms: performance.now() - start, result };
  } catch (error) {
    return { ms: performance.now() - start, error };
  }
}

describe('reconnectDelay', () => {
  it('when retries grow, then the delay doubles up to the cap, with jitter in its upper half, and never gives up', () => {
    expect(reconnectDelay(0, 1000, () => 0)).toBe(25);
    expect(reconnectDelay(0, 1000, () => 1)).toBe(50);
    expect(reconnectDelay(3, 1000, () => 1)).toBe(400);
    for (const retries of [5, 10, 100, 10_000]) {
      expect(reconnectDelay(retries, 1000, () => 0)).toBe(500);
      expect(reconnectDelay(retries, 1000, () => 1)).toBe(1000);
    }
  });
});

let redis: RedisServer | undefined;
let backend: Store | undefined;
afterEach(async () => {
  await backend?.close();
  await redis?.stop();
  backend = redis = undefined;
});

describe.runIf(inject('redisServerAvailable'))('the Redis store', () => {
  it('when Redis is paused, then a command already sent fails within its timeout, later ones fail at once, and all works again on resume', async () => {
    redis = await startRedisServer();
    const { logger, lines } = capturedLogger();
    backend = createRedisStore({ url: redis.url, timeoutMs: TIMEOUT_MS, logger });
    await eventually(() => backend!.ping(), { timeoutMs: 5000, intervalMs: 50 });
    await backend.kv.set('k', 'v');

    redis.pause();
    const stuck = await timed(backend.kv.get('k'));
    expect(stuck.error).toBeInstanceOf(StoreUnavailableError);
    expect((stuck.error as Error).cause).toBeInstanceOf(RedisTimeoutError);
    expect(stuck.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    expect(stuck.ms).toBeLessThan(TIMEOUT_MS + 500);
    // The stuck connection was replaced; the new one cannot finish its handshake, so no waiting.
    const next = await timed(backend.kv.get('k'));
    expect(next.error).toBeInstanceOf(StoreUnavailableError);
    expect(next.ms).toBeLessThan(100);
    await sleep(3 * TIMEOUT_MS); // handshakes go unanswered and are replaced too

    redis.resume();
    await eventually(() => backend!.ping(), { timeoutMs: 2000, intervalMs: 50 });
    expect(await backend.kv.get('k')).toBe('v');
    const changes = lines.filter((l) => l.msg.startsWith('redis')).map((l) => l.msg);
    expect(changes).toEqual([
      'redis ready',
      expect.stringMatching(/^redis unavailable/),
      'redis ready',
    ]);
  });

  it('when Redis is killed and stays down, then commands fail at once, retries are not logged one by one, and it reconnects when Redis returns', async () => {
    redis = await startRedisServer();
    const { logger, lines } = capturedLogger();
    backend = createRedisStore({ url: redis.url, timeoutMs: TIMEOUT_MS, logger });
    await eventually(() => backend!.ping(), { timeoutMs: 5000, intervalMs: 50 });

    await redis.kill();
    await sleep(1500); // many reconnect attempts
    const down = await timed(backend.kv.get('k'));
    expect(down.error).toBeInstanceOf(StoreUnavailableError);
    expect(down.ms).toBeLessThan(100);

    await redis.restart();
    const start = performance.now();
    await eventually(() => backend!.ping(), { timeoutMs: 3000, intervalMs: 50 });
    expect(performance.now() - start).toBeLessThan(1500);
    expect(lines.filter((l) => l.msg.startsWith('redis unavailable'))).toHaveLength(1);
  });

  it('when the app closes while Redis is paused, then close() returns within the timeout', async () => {
    redis = await startRedisServer();
    backend = createRedisStore({
      url: redis.url,
      timeoutMs: TIMEOUT_MS,
      logger: pino({ level: 'silent' }),
    });
    await eventually(() => backend!.ping(), { timeoutMs: 5000, intervalMs: 50 });
    redis.pause();
    const pending = backend.kv.get('k').catch(() => 'failed');
    const closing = await timed(backend.close());
    expect(closing.ms).toBeLessThan(TIMEOUT_MS + 300);
    expect(await pending).toBe('failed');
    backend = undefined;
    redis.resume();
  });
});
