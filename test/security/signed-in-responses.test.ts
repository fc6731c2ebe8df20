import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../harness/demo.ts';
import { signIn } from '../../harness/sign-in.ts';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';

/**
 * Answers for a signed-in user are personal: Cache-Control: no-store, so no shared cache or
 * back/forward cache keeps them. Logout also asks the browser to clear what this site stored.
 */
let t: TestApp;
let cookie: string;
beforeAll(async () => {
  t = await createTestApp();
  cookie = await signIn(t.app, DEMO.a);
});
afterAll(async () => {
  await t.close();
});

describe('responses for a signed-in user', () => {
  it.each([
    ['GET', '/'],
    ['GET', '/api/me'],
    ['GET', '/login'],
    ['GET', '/nope'],
  ])(
    'when a signed-in user asks %s %s, then the answer is Cache-Control: no-store',
    async (_m, path) => {
      const res = await request(t.app).get(path).set('Host', DEMO.a.host).set('Cookie', cookie);
      expect(res.headers['cache-control']).toBe('no-store');
    },
  );

  it('when a login is answered, success or not, then the answer is not cached either', async () => {
    const wrong = await request(t.app)
      .post('/login')
      .set('Host', DEMO.b.host)
      .type('form')
      .send({ username: 'bob', password: 'wrong' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['cache-control']).toBe('no-store');
    const right = await request(t.app)
      .post('/login')
      .set('Host', DEMO.b.host)
      .type('form')
      .send({ username: 'bob', password: 'bob-password' });
    expect(right.status).toBe(303);
    expect(right.headers['cache-control']).toBe('no-store');
  });

  it('when the user logs out, then the answer also sends Clear-Site-Data for this origin’s cache and storage, never "cookies"', async () => {
    const mine = await signIn(t.app, DEMO.c);
    const res = await request(t.app).post('/logout').set('Host', DEMO.c.host).set('Cookie', mine);
    expect(res.status).toBe(303);
    // "cookies" would reach every sibling subdomain (other tenants) and the device cookie.
    expect(res.headers['clear-site-data']).toBe('"cache", "storage"');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('when nobody is signed in and logout is posted, then it is the same clean answer', async () => {
    const res = await request(t.app).post('/logout').set('Host', DEMO.c.host);
    expect(res.status).toBe(303);
    expect(res.headers['clear-site-data']).toBe('"cache", "storage"');
  });
});
