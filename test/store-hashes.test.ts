import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createMemoryStore } from '../src/store/memory-store.ts';
import { createRedisStore } from '../src/store/redis-store.ts';
import type { Store } from '../src/store/store.ts';
import { eventually } from '../harness/polling.ts';

/** The hash commands behave the same on Redis and on the in-process development store. */
const redis = createRedisStore({
  url: inject('redisUrl'),
  timeoutMs: 1000,
  logger: pino({ level: 'silent' }),
});
const memory = createMemoryStore();
const made: string[] = [];
beforeAll(() => eventually(() => redis.ping(), { timeoutMs: 5000, intervalMs: 50 }));
afterAll(async () => {
  // Key by key: a DEL over keys of several hash slots is refused (it would fail on a cluster).
  await Promise.all(made.map((key) => redis.kv.del(key)));
  await redis.close();
  await memory.close();
});

describe.each([
  ['Redis', redis],
  ['the development store', memory],
] as [string, Store][])('hashes on %s', (_name, store) => {
  const { kv } = store;
  /** A key of its own slot, or with `tag` the slot of the other keys made with that tag. */
  const fresh = (tag = randomBytes(6).toString('hex')) => {
    const key = `test-hash:{${tag}}:${randomBytes(3).toString('hex')}`;
    made.push(key);
    return key;
  };

  it('when fields are set, read, counted and removed, then the answers are Redis answers', async () => {
    const key = fresh();
    expect(await kv.hSet(key, 'a', '1')).toBe(1);
    expect(await kv.hSet(key, 'a', '2')).toBe(0); // an update adds no field
    expect(await kv.hSet(key, 'b', '3')).toBe(1);
    expect(await kv.hGetAll(key)).toEqual({ a: '2', b: '3' });
    expect(await kv.hLen(key)).toBe(2);
    expect(await kv.hDel(key, ['a', 'missing'])).toBe(1);
    expect(await kv.hGetAll(key)).toEqual({ b: '3' });
  });

  it('when the last field goes, then the key goes too', async () => {
    const key = fresh();
    await kv.hSet(key, 'only', 'x');
    expect(await kv.hDel(key, 'only')).toBe(1);
    expect(await kv.ttl(key)).toBe(-2);
    expect(await kv.hGetAll(key)).toEqual({});
    expect(await kv.hLen(key)).toBe(0);
    expect(await kv.hDel(key, 'only')).toBe(0);
  });

  it('when a hash has a TTL, then writing a field keeps it', async () => {
    const key = fresh();
    await kv.hSet(key, 'a', '1');
    expect(await kv.ttl(key)).toBe(-1);
    expect(await kv.expire(key, 120)).toBe(1);
    await kv.hSet(key, 'b', '2');
    await kv.hDel(key, 'a');
    expect(await kv.ttl(key)).toBeGreaterThan(110);
    expect(await kv.ttl(key)).toBeLessThanOrEqual(120);
  });

  it('when a command meets a key of the other type, then it fails (WRONGTYPE), and MGET reads nil', async () => {
    // One tag: the MGET below reads both in one command, so they share a cluster slot.
    const tag = randomBytes(6).toString('hex');
    const hash = fresh(tag);
    const text = fresh(tag);
    await kv.hSet(hash, 'a', '1');
    await kv.set(text, 'plain');
    await expect(kv.get(hash)).rejects.toThrow(/^WRONGTYPE/);
    await expect(kv.hGetAll(text)).rejects.toThrow(/^WRONGTYPE/);
    await expect(kv.hSet(text, 'a', '1')).rejects.toThrow(/^WRONGTYPE/);
    expect(await kv.mGet([hash, text])).toEqual([null, 'plain']);
  });
});
