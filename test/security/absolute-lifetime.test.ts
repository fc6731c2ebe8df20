import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { cookiesOf, sessionIdOf } from '../../harness/cookies.ts';
import { DEMO } from '../../harness/demo.ts';
import { signIn } from '../../harness/sign-in.ts';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';

/**
 * An absolute lifetime beside the idle TTL: a session ends SESSION_ABSOLUTE_SECONDS after sign-in
 * however active it is, enforced on the server (the Redis TTL and a check on every request).
 */
const ABSOLUTE = 120;
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ env: { SESSION_ABSOLUTE_SECONDS: String(ABSOLUTE) } });
});
afterAll(async () => {
  await t.close();
});

const keyOf = (cookie: string, tenant = 'customer-a') =>
  `sessions:${tenant}:${t.config.appName}:${sessionIdOf(cookie)}`;
const me = (cookie: string) =>
  request(t.app).get('/api/me').set('Host', DEMO.a.host).set('Cookie', cookie);

/** Moves the session's sign-in time into the past, as if `seconds` had gone by. */
async function age(key: string, seconds: number) {
  const value = JSON.parse((await t.redis.get(key))!) as { createdAt: number };
  value.createdAt -= seconds * 1000;
  await t.redis.set(key, JSON.stringify(value), { expiration: { type: 'EX', value: 3600 } });
}

describe('absolute session lifetime', () => {
  it('when unset, then it is 24 hours', () => {
    expect(loadConfig({}).sessionAbsoluteSeconds).toBe(86_400);
  });

  it('when a session is created, then its Redis TTL is the shorter of the idle TTL and the time left', async () => {
    const cookie = await signIn(t.app, DEMO.a);
    const ttl = await t.redis.ttl(keyOf(cookie));
    expect(ttl).toBeGreaterThan(ABSOLUTE - 5);
    expect(ttl).toBeLessThanOrEqual(ABSOLUTE);
    expect(t.config.sessionTtlSeconds).toBeGreaterThan(ABSOLUTE);
  });

  it('when an active session nears its end, then activity no longer extends its TTL past it', async () => {
    const cookie = await signIn(t.app, DEMO.a);
    await age(keyOf(cookie), ABSOLUTE - 30);
    expect((await me(cookie)).status).toBe(200); // still valid, and touched by this request
    const ttl = await t.redis.ttl(keyOf(cookie));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30);
  });

  it('when the absolute lifetime has passed, then the next request is anonymous and the session is deleted', async () => {
    const cookie = await signIn(t.app, DEMO.a);
    await age(keyOf(cookie), ABSOLUTE + 1); // the key still exists: only the server's check stands
    const before = await t.keys();
    const res = await me(cookie);
    expect(res.status).toBe(401);
    // Dropped as if it had never been: no cookie, and no empty session written in its place.
    expect(cookiesOf(res)).toEqual([]);
    expect(await t.keys()).toEqual(before.filter((key) => key !== keyOf(cookie)));
  });

  it('when a signed-in session has no sign-in time, then it is treated as expired', async () => {
    const cookie = await signIn(t.app, DEMO.a);
    const value = JSON.parse((await t.redis.get(keyOf(cookie)))!) as Record<string, unknown>;
    delete value.createdAt;
    await t.redis.set(keyOf(cookie), JSON.stringify(value), {
      expiration: { type: 'EX', value: 60 },
    });
    expect((await me(cookie)).status).toBe(401);
    expect(await t.redis.exists(keyOf(cookie))).toBe(0);
  });
});
