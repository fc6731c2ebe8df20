import request from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../harness/redis-server.ts';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';
import { setCookieHeaders } from '../../harness/cookies.ts';
import { DEMO } from '../../harness/demo.ts';
import { eventually } from '../../harness/polling.ts';
import { signIn } from '../../harness/sign-in.ts';

/**
 * A logout while Redis is not answering still ends the sign-in in the browser: the cookie is
 * cleared and Clear-Site-Data sent, and the page says the session ends on the server by itself.
 */
describe.runIf(inject('redisServerAvailable'))('logout during a store outage', () => {
  let redis: RedisServer;
  let t: TestApp;
  beforeAll(async () => {
    redis = await startRedisServer();
    t = await createTestApp({ redisUrl: redis.url, env: { SESSION_TTL_SECONDS: '1800' } });
  });
  afterAll(async () => {
    redis.resume();
    await t.close();
    await redis.stop();
  });
  /** Resumes Redis and waits until the app's store answers again (it replaced the stuck connection). */
  const resume = async () => {
    redis.resume();
    await eventually(() => t.store.ping(), { timeoutMs: 5000, intervalMs: 50 });
  };

  it('when Redis is paused and the user logs out, then the cookie is cleared, Clear-Site-Data is sent, and the page says when the session ends by itself', async () => {
    const cookie = await signIn(t.app, DEMO.a);
    redis.pause();
    try {
      const res = await request(t.app)
        .post('/logout')
        .set('Host', DEMO.a.host)
        .set('Cookie', cookie);
      expect(res.status).toBe(200);
      expect(setCookieHeaders(res)).toEqual([
        expect.stringMatching(/^sid=; Path=\/; Expires=Thu, 01 Jan 1970/),
      ]);
      expect(res.headers['clear-site-data']).toBe('"cache", "storage"');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.text).toContain('You are signed out on this device.');
      expect(res.text).toContain('it ends there by itself within 30 minutes');

      const json = await request(t.app)
        .post('/logout')
        .set('Host', DEMO.a.host)
        .set('Cookie', cookie)
        .set('Accept', 'application/json');
      expect(json.status).toBe(200);
      expect(json.body).toMatchObject({ signedOut: true });
      expect(setCookieHeaders(json)).toHaveLength(1);
    } finally {
      await resume();
    }
  });

  it('when Redis is paused and another site posts a logout, then it is refused and nothing is cleared', async () => {
    const cookie = await signIn(t.app, DEMO.b);
    redis.pause();
    try {
      const res = await request(t.app)
        .post('/logout')
        .set('Host', DEMO.b.host)
        .set('Cookie', cookie)
        .set('Sec-Fetch-Site', 'cross-site');
      expect(res.status).toBe(403);
      expect(setCookieHeaders(res)).toEqual([]);
      expect(res.headers['clear-site-data']).toBeUndefined();
    } finally {
      await resume();
    }
  });

  it('when Redis is paused, then other requests that need the session still answer 503', async () => {
    const cookie = await signIn(t.app, DEMO.c);
    redis.pause();
    try {
      const res = await request(t.app)
        .get('/api/me')
        .set('Host', DEMO.c.host)
        .set('Cookie', cookie);
      expect(res.status).toBe(503);
      expect(setCookieHeaders(res)).toEqual([]);
    } finally {
      await resume();
    }
  });
});
