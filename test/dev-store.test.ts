import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../src/store/memory-store.ts';
import { sessionIdOf } from '../harness/cookies.ts';
import { DEMO } from '../harness/demo.ts';
import { signIn } from '../harness/sign-in.ts';
import { createTestApp } from '../harness/test-app.ts';

describe('without REDIS_URL (development)', () => {
  it('when sessions live in the process, then login, /api/me and logout work with the same key layout', async () => {
    // REDIS_URL unset, as `npm run dev` runs.
    const t = await createTestApp({ env: { REDIS_URL: '', APP_NAME: 'app' } });
    const backend = t.store;
    expect(backend.kind).toBe('memory');
    const { app } = t;

    const cookie = await signIn(app, DEMO.a);
    const key = `sessions:customer-a:app:${sessionIdOf(cookie)}`;
    expect(JSON.parse((await backend.kv.get(key))!)).toMatchObject({ tenantId: 'customer-a' });
    expect(await backend.kv.ttl(key)).toBeLessThanOrEqual(3600);
    expect(await backend.kv.ttl(key)).toBeGreaterThan(3500);

    const me = await request(app).get('/api/me').set('Host', DEMO.a.host).set('Cookie', cookie);
    expect(me.body.user).toEqual({ username: 'alice', displayName: 'Alice Anders' });
    await request(app).post('/logout').set('Host', DEMO.a.host).set('Cookie', cookie).expect(303);
    expect(await backend.kv.get(key)).toBeNull();
    await t.close();
  });

  it('when the store is full, then the least recently used keys go first', async () => {
    const { kv } = createMemoryStore(2);
    // One hash tag: a multi-key command stays within one cluster slot, on every kind of store.
    await kv.set('{lru}a', '1');
    await kv.set('{lru}b', '2');
    await kv.get('{lru}a');
    await kv.set('{lru}c', '3');
    expect(await kv.mGet(['{lru}a', '{lru}b', '{lru}c'])).toEqual(['1', null, '3']);
  });

  it('when keys have a TTL, then INCR keeps it and NX does not overwrite', async () => {
    const { kv } = createMemoryStore();
    await kv.set('n', '0', { expiration: { type: 'EX', value: 60 }, condition: 'NX' });
    await kv.set('n', '5', { expiration: { type: 'EX', value: 60 }, condition: 'NX' });
    expect(await kv.incr('n')).toBe(1);
    expect(await kv.ttl('n')).toBeGreaterThan(55);
    expect(await kv.ttl('missing')).toBe(-2);
  });

  it('when a count is taken back, then DECR keeps the TTL, and a missing key counts from 0 without one', async () => {
    const { kv } = createMemoryStore();
    await kv.set('n', '2', { expiration: { type: 'EX', value: 60 } });
    expect(await kv.decr('n')).toBe(1);
    expect(await kv.ttl('n')).toBeGreaterThan(55);
    expect(await kv.decr('gone')).toBe(-1);
    expect(await kv.ttl('gone')).toBe(-1);
  });
});
