import { Router, type Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireUser, safeNextPath } from '../src/auth/require-user.ts';
import { buildApp, createTestApp, type TestApp } from '../harness/test-app.ts';
import { cookiesOf } from '../harness/cookies.ts';
import { DEMO } from '../harness/demo.ts';
import { signIn } from '../harness/sign-in.ts';

/** A page and an API route behind the guard, as a feature would add them. */
let t: TestApp;
let app: Express;

beforeAll(async () => {
  t = await createTestApp();
  const page = Router()
    .get('/private', requireUser, (req, res) => {
      res.type('html').send(`<p>for ${req.user!.displayName}</p>`);
    })
    .post('/private', requireUser, (_req, res) => {
      res.redirect(303, '/private');
    });
  const api = Router().get('/private', requireUser, (req, res) => {
    res.json({ for: req.user!.username });
  });
  app = buildApp(t, { pages: [page], api: [api] });
});
afterAll(async () => {
  await t.close();
});

describe('requireUser', () => {
  it('when a signed-out browser asks for a guarded page, then it is sent to the login page and, signed in there, back to the page', async () => {
    const res = await request(app).get('/private?tab=2').set('Host', DEMO.a.host);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Fprivate%3Ftab%3D2');

    const form = await request(app).get(res.headers.location!).set('Host', DEMO.a.host);
    expect(form.text).toContain('name="next" value="/private?tab=2"');
    const login = await request(app)
      .post('/login')
      .set('Host', DEMO.a.host)
      .type('form')
      .send({ username: DEMO.a.username, password: DEMO.a.password, next: '/private?tab=2' });
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/private?tab=2');
    const [cookie] = cookiesOf(login);
    const page = await request(app)
      .get('/private?tab=2')
      .set('Host', DEMO.a.host)
      .set('Cookie', cookie!);
    expect(page.text).toContain('for Alice Anders');
  });

  it('when a signed-out browser posts a guarded form, then 303 to the login page with no way back to a POST', async () => {
    const res = await request(app)
      .post('/private')
      .set('Host', DEMO.a.host)
      .type('form')
      .send({ x: '1' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login');
  });

  it('when a signed-out client asks for JSON or the API, then 401 JSON, no redirect', async () => {
    const api = await request(app).get('/api/private').set('Host', DEMO.a.host);
    expect(api.status).toBe(401);
    expect(api.body).toEqual({ error: 'Not signed in' });
    const page = await request(app)
      .get('/private')
      .set('Host', DEMO.a.host)
      .set('Accept', 'application/json');
    expect(page.status).toBe(401);
    expect(page.body).toEqual({ error: 'Not signed in' });
  });

  it('when signed in, then the guarded page and API answer for that user only', async () => {
    const cookie = await signIn(app, DEMO.b);
    const page = await request(app).get('/private').set('Host', DEMO.b.host).set('Cookie', cookie);
    expect(page.status).toBe(200);
    expect(page.text).toContain('for Bob');
    const api = await request(app)
      .get('/api/private')
      .set('Host', DEMO.b.host)
      .set('Cookie', cookie);
    expect(api.body).toEqual({ for: 'bob' });
    // The same cookie on another tenant signs nobody in.
    const elsewhere = await request(app)
      .get('/api/private')
      .set('Host', DEMO.c.host)
      .set('Cookie', cookie);
    expect(elsewhere.status).toBe(401);
  });
});

describe('where the login page sends the user afterwards', () => {
  it.each([
    ['/account?x=1', '/account?x=1'],
    ['/notes', '/notes'],
    ['/a/b?c=d', '/a/b?c=d'],
    ['/a/../b', '/b'],
    ['/a%2Fb', '/a%2Fb'],
    ['/%2F%2Fevil.example', '/'],
    ['/%5Cevil.example', '/'],
    ['/.//evil.example/phish', '/'],
    ['/%2e//evil.example', '/'],
    ['/a/..//evil.example', '/'],
    ['/./%5Cevil.example', '/'],
    ['/./\\evil.example', '/'],
    ['/%2e%2e/%2e%2e//evil.example', '/'],
    ['/x#fragment', '/x'],
    ['//evil.example/path', '/'],
    ['/\\evil.example', '/'],
    ['https://evil.example/', '/'],
    ['javascript:alert(1)', '/'],
    ['notes', '/'],
    ['', '/'],
    [`/${'a'.repeat(2048)}`, '/'],
    [42, '/'],
    [['/a', '/b'], '/'],
    [undefined, '/'],
  ])('when next is %j, then it is %j (never another site)', (next, expected) => {
    expect(safeNextPath(next)).toBe(expected);
  });

  it.each([
    '//evil.example',
    '/\\evil.example',
    'https://evil.example',
    '/\t/evil.example',
    '/.//evil.example/phish',
    '/%2e//evil.example',
    '/a/..//evil.example',
    '/./%5Cevil.example',
  ])(
    'when the login form carries next=%j, then the sign-in lands on / (no open redirect)',
    async (next) => {
      const res = await request(app)
        .post('/login')
        .set('Host', DEMO.c.host)
        .type('form')
        .send({ username: DEMO.c.username, password: DEMO.c.password, next });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/');
    },
  );
  it('when a signed-in browser opens /login?next=/.//evil.example/phish, then it is sent to / (no open redirect)', async () => {
    const cookie = await signIn(app, DEMO.b);
    const res = await request(app)
      .get(`/login?next=${encodeURIComponent('/.//evil.example/phish')}`)
      .set('Host', DEMO.b.host)
      .set('Cookie', cookie);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
  });
});
