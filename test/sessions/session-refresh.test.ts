import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAST_SEEN_RESOLUTION_MS } from '../../src/sessions/session-activity.ts';
import { setCookieHeaders } from '../../harness/cookies.ts';
import { DEMO } from '../../harness/demo.ts';
import { commandCalls } from '../../harness/redis-cli.ts';
import { startRedisServer, type RedisServer } from '../../harness/redis-server.ts';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';
import { BROWSERS, sessionKey, signInWith, type Signed } from '../../harness/user-sessions.ts';

const TTL_SECONDS = 60;

/**
 * A signed-in read costs one Redis command: GETEX reads the session and slides its idle lifetime.
 * Nothing is written back for a session that did not change, and the cookie is re-sent only when
 * the session is saved. Each test reads Redis's own TTLs and counters (a Redis of its own, so no
 * other test's commands are counted); none waits for a lifetime to pass.
 */
describe('the TTL refresh of a signed-in read, on its own Redis', () => {
  let redis: RedisServer;
  let t: TestApp;
  let alice: Signed;
  let key: string;

  beforeAll(async () => {
    redis = await startRedisServer();
    t = await createTestApp({
      redisUrl: redis.url,
      env: { SESSION_TTL_SECONDS: String(TTL_SECONDS), SESSION_ABSOLUTE_SECONDS: '86400' },
    });
    alice = await signInWith(t.app, DEMO.a, BROWSERS.firefox);
    key = sessionKey(t.config.appName, 'customer-a', alice.sid);
  });
  afterAll(async () => {
    await t.close();
    await redis.stop();
  });

  const me = () =>
    request(t.app).get('/api/me').set('Host', DEMO.a.host).set('Cookie', alice.cookie);
  const stored = async () => JSON.parse((await t.redis.get(key))!) as Record<string, unknown>;
  /** Rewrites the stored session as another request (or replica) would, keeping its TTL. */
  const rewrite = async (change: (sess: Record<string, unknown>) => void) => {
    const sess = await stored();
    change(sess);
    await t.redis.set(key, JSON.stringify(sess), { KEEPTTL: true });
  };
  /** Calls per command since the last CONFIG RESETSTAT, from INFO commandstats. */
  const countedCalls = async () => commandCalls(await t.redis.info('commandstats'));

  it('when a signed-in visitor reads, then Redis runs one GETEX per read, no cookie is sent, and the TTL is back at the idle lifetime', async () => {
    await t.redis.expire(key, 10); // as if idle for 50 s
    await t.redis.configResetStat();
    for (let i = 0; i < 5; i++) {
      const res = await me();
      expect(res.status).toBe(200);
      expect(setCookieHeaders(res)).toEqual([]);
    }
    const calls = await countedCalls();
    delete calls['config|resetstat']; // the test's own
    expect(calls).toEqual({ getex: 5 });
    const ttl = await t.redis.ttl(key);
    expect(ttl).toBeGreaterThan(TTL_SECONDS - 5);
    expect(ttl).toBeLessThanOrEqual(TTL_SECONDS);
  });

  it('when a session is read, then its key never gets more than the idle lifetime, and near its absolute end only what is left of that', async () => {
    expect((await me()).status).toBe(200);
    expect(await t.redis.pTTL(key)).toBeLessThanOrEqual(TTL_SECONDS * 1000);
    await rewrite((sess) => (sess.endsAt = Date.now() + 8_000));
    expect((await me()).status).toBe(200);
    const ttl = await t.redis.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(8);
    await rewrite((sess) => (sess.endsAt = Date.now() + 86_400_000));
  });

  it('when another request writes the session while reads run, then no read writes back over it', async () => {
    const reads = Array.from({ length: 20 }, () => me());
    await rewrite((sess) => (sess.marker = 'written by another request'));
    for (const res of await Promise.all(reads)) expect(res.status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await me()).status).toBe(200);
    expect((await stored()).marker).toBe('written by another request');
  });

  it('when the last-seen time is a minute old, then the answer saves the session and sends a cookie that outlasts its idle lifetime', async () => {
    const minuteAgo = Date.now() - LAST_SEEN_RESOLUTION_MS - 1000;
    await rewrite((sess) => (sess.lastSeenAt = minuteAgo));
    const res = await me();
    expect(res.status).toBe(200);
    const [cookie] = setCookieHeaders(res);
    expect(cookie).toMatch(/^sid=s%3A/);
    const expires = Date.parse(/Expires=([^;]+)/.exec(cookie!)![1]!);
    const cookieSeconds = (expires - Date.parse(res.headers.date as string)) / 1000;
    // The browser keeps the cookie at least as long as Redis keeps the session.
    expect(cookieSeconds).toBeGreaterThan(TTL_SECONDS + LAST_SEEN_RESOLUTION_MS / 1000 - 5);
    expect(cookieSeconds).toBeLessThanOrEqual(TTL_SECONDS + LAST_SEEN_RESOLUTION_MS / 1000);
    expect((await stored()).lastSeenAt).toBeGreaterThan(minuteAgo);
    expect(await t.redis.ttl(key)).toBeGreaterThan(TTL_SECONDS - 5);
  });
});
