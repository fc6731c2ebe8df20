import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { createRedisStore } from '../../src/store/redis-store.ts';
import type { Kv, Store } from '../../src/store/store.ts';
import { eventually } from '../../harness/polling.ts';

/**
 * The sorted-set commands, EXPIRE's modes and MULTI the session index uses, run against a real
 * Redis and against the in-process development store: both must answer alike.
 */
let redis: Store;
const memory = createMemoryStore();
// One hash tag: the script's multi-key commands keep to one slot, as on a cluster.
const prefix = `{kv-test-${randomBytes(4).toString('hex')}}:`;

beforeAll(async () => {
  redis = createRedisStore({
    url: inject('redisUrl'),
    timeoutMs: 1000,
    logger: pino({ level: 'silent' }),
  });
  await eventually(() => redis.ping(), { timeoutMs: 5000, intervalMs: 50 });
});
afterAll(async () => {
  for await (const keys of redis.kv.scanIterator({ MATCH: `${prefix}*`, COUNT: 100 })) {
    for (const key of keys) await redis.kv.del(key);
  }
  await redis.close();
});

/** Runs the same steps on a store and returns every answer, to compare the two stores. */
async function script(kv: Kv): Promise<unknown[]> {
  const z = `${prefix}z`;
  const s = `${prefix}s`;
  const out: unknown[] = [];
  out.push(
    await kv.zAdd(z, [
      { value: 'b', score: 20 },
      { value: 'a', score: 10 },
    ]),
  );
  out.push(await kv.zAdd(z, { value: 'a', score: 30 })); // an update, not an addition
  out.push(await kv.zAdd(z, { value: 'c', score: 5 }));
  out.push(await kv.zRangeWithScores(z, 0, -1));
  out.push(await kv.zRangeWithScores(z, 1, 1));
  out.push(await kv.ttl(z)); // no TTL yet: -1
  out.push(await kv.expire(z, 100, 'GT')); // no TTL counts as endless: refused
  out.push(await kv.expire(z, 100, 'NX'));
  out.push(await kv.expire(z, 50, 'NX')); // has one now: refused
  out.push(await kv.expire(z, 50, 'GT')); // shorter: refused
  out.push(await kv.expire(z, 200, 'GT'));
  out.push((await kv.ttl(z)) > 150);
  out.push(await kv.zRem(z, ['c', 'missing']));
  out.push(await kv.zRemRangeByScore(z, '-inf', 20));
  out.push(await kv.zRangeWithScores(z, 0, -1));
  out.push((await kv.ttl(z)) > 150); // changing members keeps the TTL
  out.push(await kv.zRem(z, 'a')); // the last member: the key goes
  out.push(await kv.ttl(z));
  out.push(await kv.zRangeWithScores(z, 0, -1));
  out.push(await kv.expire(`${prefix}missing`, 10));
  // One MULTI: the member and the TTL arrive together.
  out.push(
    await kv
      .multi()
      .zRemRangeByScore(z, '-inf', 1)
      .zAdd(z, { value: 'x', score: 2 })
      .expire(z, 60, 'NX')
      .expire(z, 60, 'GT')
      .exec(),
  );
  out.push(await kv.zRangeWithScores(z, 0, -1));
  out.push((await kv.ttl(z)) > 50);
  // A string key refuses sorted-set commands, and MGET reads a sorted set as nil.
  await kv.set(s, 'v', { expiration: { type: 'EX', value: 60 } });
  out.push(await kv.zAdd(s, { value: 'x', score: 1 }).catch((err: Error) => err.message));
  out.push(await kv.mGet([s, z]));
  out.push(await kv.get(z).catch((err: Error) => err.message.slice(0, 9)));
  // Many keys at once, absent ones and a sorted set among them, then deleted each.
  out.push(await kv.getMany([s, `${prefix}missing`, z, s]));
  out.push(await kv.getMany([]));
  out.push(await kv.delEach([s, `${prefix}missing`, z]));
  out.push(await kv.getMany([s, z]));
  return out;
}

describe('sorted sets in the store layer', () => {
  it('when the same commands run on Redis and on the development store, then they answer alike', async () => {
    const real = await script(redis.kv);
    const dev = await script(memory.kv);
    expect(dev).toEqual(real);
    // And what they answer is what the index relies on.
    expect(real[3]).toEqual([
      { value: 'c', score: 5 },
      { value: 'b', score: 20 },
      { value: 'a', score: 30 },
    ]);
    expect(real.slice(6, 11)).toEqual([0, 1, 0, 0, 1]);
    expect(real[17]).toBe(-2);
    expect(real[23]).toMatch(/^WRONGTYPE/);
  });
});
