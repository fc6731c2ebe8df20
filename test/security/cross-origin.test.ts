import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../harness/demo.ts';
import { signIn } from '../../harness/sign-in.ts';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';

/**
 * Cross-origin protection for state-changing requests, as Go's http.CrossOriginProtection does
 * it: Sec-Fetch-Site decides alone when present; otherwise Origin must be the request's own;
 * neither header means not a browser, and the request passes.
 */
let t: TestApp;
let cookie: string;
const REFUSED = 'Cross-origin request refused: this form can only be sent from this site.';

beforeAll(async () => {
  t = await createTestApp();
  cookie = await signIn(t.app, DEMO.a);
});
afterAll(async () => {
  await t.close();
});

/** POST /logout at customer A with the given headers; a refusal leaves the session alone. */
const logoutWith = (headers: Record<string, string>, host = DEMO.a.host) =>
  request(t.app)
    .post('/logout')
    .set('Host', host)
    .set('Cookie', cookie)
    .set('Accept', 'application/json')
    .set(headers);

/** A POST to a path no route serves: 404 when the check lets it through, 403 when not. */
const passThrough = (app: TestApp, host: string) =>
  request(app.app).post('/nowhere').set('Host', host).set('Accept', 'application/json');

const stillSignedIn = async () =>
  (await request(t.app).get('/api/me').set('Host', DEMO.a.host).set('Cookie', cookie)).status ===
  200;

describe('cross-origin protection', () => {
  it.each([
    ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site (a sibling tenant)', { 'Sec-Fetch-Site': 'same-site' }],
    [
      'Sec-Fetch-Site: cross-site with a matching Origin',
      { 'Sec-Fetch-Site': 'cross-site', Origin: 'http://customer-a.localhost' },
    ],
    ['Origin of another tenant', { Origin: 'http://customer-b.localhost' }],
    ['Origin of another site', { Origin: 'https://evil.example' }],
    ['Origin: null without Sec-Fetch-Site', { Origin: 'null' }],
    ['Origin with another port', { Origin: 'http://customer-a.localhost:8080' }],
    // The whole origin decides: these name the right host, but not this plain-HTTP origin.
    ['Origin with https on plain HTTP', { Origin: 'https://customer-a.localhost' }],
    ['Origin with another scheme', { Origin: 'foo://customer-a.localhost' }],
    ['Origin with a path-like scheme', { Origin: 'file://customer-a.localhost' }],
    ['Origin that is not a URL', { Origin: 'customer-a.localhost' }],
    [
      'Origin naming the host as a subdomain',
      { Origin: 'http://customer-a.localhost.evil.example' },
    ],
  ])(
    'when a POST carries %s, then 403 with a clear message and nothing changes',
    async (_case, headers) => {
      const res = await logoutWith(headers);
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: REFUSED });
      expect(await stillSignedIn()).toBe(true);
    },
  );

  it.each([
    ['Sec-Fetch-Site: same-origin', { 'Sec-Fetch-Site': 'same-origin' }],
    ['Sec-Fetch-Site: none (typed in the address bar, a bookmark)', { 'Sec-Fetch-Site': 'none' }],
    // What Chromium sends for a same-origin form under Referrer-Policy: no-referrer.
    [
      'Sec-Fetch-Site: same-origin with Origin: null',
      { 'Sec-Fetch-Site': 'same-origin', Origin: 'null' },
    ],
    ['its own Origin only', { Origin: 'http://customer-a.localhost' }],
    ['its own Origin in another case', { Origin: 'HTTP://Customer-A.LOCALHOST' }],
    [
      'its own Origin with the default port spelled out',
      { Origin: 'http://customer-a.localhost:80' },
    ],
    ['neither header (curl, another service)', {}],
  ])('when a POST carries %s, then it goes through', async (_case, headers) => {
    const res = await passThrough(t, DEMO.a.host).set(headers);
    expect(res.status).toBe(404); // past the check, to the routes (where this path is unknown)
  });

  it('when the Host carries a port, then the Origin must carry the same one', async () => {
    const host = `${DEMO.a.host}:3000`;
    const send = (origin: string) => passThrough(t, host).set('Origin', origin);
    expect((await send(`http://${host}`)).status).toBe(404);
    expect((await send(`http://${DEMO.a.host}`)).status).toBe(403);
  });

  it.each(['PUT', 'PATCH', 'DELETE'] as const)(
    'when the method is %s, then it is checked like POST',
    async (method) => {
      const res = await request(t.app)
        [method.toLowerCase() as 'put' | 'patch' | 'delete']('/logout')
        .set('Host', DEMO.a.host)
        .set('Sec-Fetch-Site', 'cross-site');
      expect(res.status).toBe(403);
    },
  );

  it.each(['GET', 'HEAD', 'OPTIONS'] as const)(
    'when the method is %s, then cross-site is fine (it changes nothing)',
    async (method) => {
      const res = await request(t.app)
        [method.toLowerCase() as 'get' | 'head' | 'options']('/login')
        .set('Host', DEMO.a.host)
        .set('Sec-Fetch-Site', 'cross-site')
        .set('Origin', 'https://evil.example');
      expect(res.status).not.toBe(403);
    },
  );

  it('when another site posts a login (login CSRF), then it is refused before any password check or count', async () => {
    const before = await t.keys();
    const res = await request(t.app)
      .post('/login')
      .set('Host', DEMO.b.host)
      .set('Origin', 'http://customer-a.localhost')
      .type('form')
      .send({ username: 'bob', password: 'bob-password' });
    expect(res.status).toBe(403);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await t.keys()).toEqual(before);
  });

  it('when a trusted proxy says the request came over HTTPS, then only the https origin passes', async () => {
    const proxied = await createTestApp({ env: { TRUST_PROXY: 'loopback' } });
    try {
      const send = (origin: string) =>
        passThrough(proxied, DEMO.a.host).set('X-Forwarded-Proto', 'https').set('Origin', origin);
      expect((await send(`https://${DEMO.a.host}`)).status).toBe(404);
      expect((await send(`https://${DEMO.a.host}:443`)).status).toBe(404);
      expect((await send(`http://${DEMO.a.host}`)).status).toBe(403);
    } finally {
      await proxied.close();
    }
  });

  it('when a trusted proxy forwards the public host, then the Origin is compared with that host', async () => {
    const proxied = await createTestApp({ env: { TRUST_PROXY: 'loopback' } });
    try {
      const send = (origin: string) =>
        passThrough(proxied, 'app:3000').set('X-Forwarded-Host', DEMO.c.host).set('Origin', origin);
      expect((await send(`http://${DEMO.c.host}`)).status).toBe(404);
      expect((await send('http://app:3000')).status).toBe(403);
    } finally {
      await proxied.close();
    }
  });
});
