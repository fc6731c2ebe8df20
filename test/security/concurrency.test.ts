import { Router, type Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookiesOf, sessionIdOf } from '../../harness/cookies.ts';
import { DEMO } from '../../harness/demo.ts';
import { signIn } from '../../harness/sign-in.ts';
import { buildApp, createTestApp, type TestApp } from '../../harness/test-app.ts';
import './helpers.ts';

/** A route that waits until the test lets it go, optionally changing the session first. */
function slowRoutes() {
  let release = () => {};
  let entered = () => {};
  const inside = new Promise<void>((resolve) => (entered = resolve));
  const gate = new Promise<void>((resolve) => (release = resolve));
  const router = Router();
  router.post('/slow', async (req, res) => {
    entered();
    await gate;
    if (req.query.write === '1') req.session.visits = (req.session.visits ?? 0) + 1;
    res.json({ user: req.session.user?.username ?? null });
  });
  return { router, inside, release: () => release() };
}

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const me = (app: Express, host: string, cookie: string) =>
  request(app).get('/api/me').set('Host', host).set('Cookie', cookie);
const logout = (app: Express, host: string, cookie: string) =>
  request(app).post('/logout').set('Host', host).set('Cookie', cookie);

describe('requests in flight around login and logout', () => {
  it('when the same user signs in several times at once, then each gets its own working session', async () => {
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        request(t.app)
          .post('/login')
          .set('Host', DEMO.a.host)
          .type('form')
          .send({ username: 'alice', password: 'alice-password' }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([303, 303, 303, 303]);
    const cookies = results.map((r) => cookiesOf(r)[0]!);
    expect(new Set(cookies.map(sessionIdOf)).size).toBe(4);
    for (const cookie of cookies) expect((await me(t.app, DEMO.a.host, cookie)).status).toBe(200);
  });

  it('when one session is logged out several times at once, then every answer is a clean 303 and it is gone', async () => {
    const cookie = await signIn(t.app, DEMO.b);
    const key = `sessions:customer-b:${t.config.appName}:${sessionIdOf(cookie)}`;
    const results = await Promise.all(
      Array.from({ length: 4 }, () => logout(t.app, DEMO.b.host, cookie)),
    );
    expect(results.map((r) => r.status)).toEqual([303, 303, 303, 303]);
    expect(await t.redis.exists(key)).toBe(0);
    expect((await me(t.app, DEMO.b.host, cookie)).status).toBe(401);
  });

  it('when reads race a logout, then each read is signed in or not, never an error, and the logout holds', async () => {
    const cookie = await signIn(t.app, DEMO.c);
    const key = `sessions:customer-c:${t.config.appName}:${sessionIdOf(cookie)}`;
    const reads = Array.from({ length: 6 }, () => me(t.app, DEMO.c.host, cookie));
    const out = logout(t.app, DEMO.c.host, cookie);
    const more = Array.from({ length: 6 }, () => me(t.app, DEMO.c.host, cookie));
    const results = await Promise.all([...reads, out, ...more]);
    for (const res of results) expect([200, 303, 401]).toContain(res.status);
    expect(await t.redis.exists(key)).toBe(0);
    expect((await me(t.app, DEMO.c.host, cookie)).status).toBe(401);
  });

  it('when a login with an old cookie races its logout, then both answer cleanly and only the new session lives', async () => {
    const old = await signIn(t.app, DEMO.a);
    const [signedIn, signOut] = await Promise.all([
      request(t.app)
        .post('/login')
        .set('Host', DEMO.a.host)
        .set('Cookie', old)
        .type('form')
        .send({ username: 'alice', password: 'alice-password' }),
      logout(t.app, DEMO.a.host, old),
    ]);
    expect(signedIn.status).toBe(303);
    expect(signOut.status).toBe(303);
    expect((await me(t.app, DEMO.a.host, old)).status).toBe(401);
    expect((await me(t.app, DEMO.a.host, cookiesOf(signedIn)[0]!)).status).toBe(200);
  });

  it.each([
    ['reads the session', '0'],
    ['changes the session', '1'],
  ])(
    'when the user logs out while a slow request that %s is running, then the logout stays a logout',
    async (_what, write) => {
      const slow = slowRoutes();
      const app = buildApp(t, { pages: [slow.router] });
      const cookie = await signIn(app, DEMO.b);
      const key = `sessions:customer-b:${t.config.appName}:${sessionIdOf(cookie)}`;

      const pending = request(app)
        .post(`/slow?write=${write}`)
        .set('Host', DEMO.b.host)
        .set('Cookie', cookie)
        .then((res) => res);
      await slow.inside; // the slow request has read the signed-in session
      expect((await logout(app, DEMO.b.host, cookie)).status).toBe(303);
      expect(await t.redis.exists(key)).toBe(0);

      slow.release();
      const res = await pending;
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ user: 'bob' }); // it began signed in, and may finish so
      expect(await t.redis.exists(key)).toBe(0); // but it wrote nothing back
      expect((await me(app, DEMO.b.host, cookie)).status).toBe(401);
    },
  );

  it('when the session lives in the development store, then a slow request cannot undo a logout either', async () => {
    const dev = await createTestApp({ env: { REDIS_URL: '', APP_NAME: 'app' } });
    const backend = dev.store;
    const slow = slowRoutes();
    const app = buildApp(dev, { pages: [slow.router] });
    const cookie = await signIn(app, DEMO.a);
    const key = `sessions:customer-a:app:${sessionIdOf(cookie)}`;

    const pending = request(app)
      .post('/slow?write=1')
      .set('Host', DEMO.a.host)
      .set('Cookie', cookie)
      .then((res) => res);
    await slow.inside;
    await logout(app, DEMO.a.host, cookie);
    slow.release();
    await pending;
    expect(await backend.kv.get(key)).toBeNull();
    await dev.close();
  });

  it('when a slow request changes a live session, then the change is saved as before', async () => {
    const slow = slowRoutes();
    const app = buildApp(t, { pages: [slow.router] });
    const cookie = await signIn(app, DEMO.c);
    const key = `sessions:customer-c:${t.config.appName}:${sessionIdOf(cookie)}`;
    slow.release();
    await request(app).post('/slow?write=1').set('Host', DEMO.c.host).set('Cookie', cookie);
    expect(JSON.parse((await t.redis.get(key))!)).toMatchObject({
      visits: 1,
      tenantId: 'customer-c',
    });
    expect(await t.redis.ttl(key)).toBeGreaterThan(0);
  });
});
