import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';
import { cookiesOf, setCookieHeaders } from '../../harness/cookies.ts';
import { DEMO } from '../../harness/demo.ts';

/**
 * Who can lock whom out. Guesses are counted before the password is checked, per username and
 * address; a browser that has signed in as the user before carries a signed device cookie, and
 * its sign-ins count per device instead, so a stranger's failures never lock it out.
 */
const MAX = 2;
let t: TestApp;

beforeAll(async () => {
  // loopback is trusted, so X-Forwarded-For picks the client address (a proxy in front).
  t = await createTestApp({ env: { LOGIN_MAX_FAILURES: String(MAX), TRUST_PROXY: 'loopback' } });
});
afterAll(async () => {
  await t.close();
});

interface Try {
  host?: string;
  username?: string;
  password: string;
  from: string;
  cookie?: string;
  https?: boolean;
}

const signIn = ({ host = DEMO.a.host, username = 'alice', password, from, cookie, https }: Try) => {
  const req = request(t.app).post('/login').set('Host', host).set('X-Forwarded-For', from);
  if (cookie) req.set('Cookie', cookie);
  if (https) req.set('X-Forwarded-Proto', 'https');
  return req.type('form').send({ username, password });
};

/** The device cookie (`name=value`) a successful sign-in handed out. */
const deviceCookieOf = (res: request.Response) =>
  cookiesOf(res).find((c) => /^(__Host-)?sid-device=/.test(c));

/** Guesses alice's password from `from` until the limit answers 429. */
async function lockOut(from: string, host: string = DEMO.a.host, username = 'alice') {
  for (let i = 0; i < MAX; i++) {
    expect((await signIn({ host, username, password: 'guess', from })).status).toBe(401);
  }
  expect((await signIn({ host, username, password: 'guess', from })).status).toBe(429);
}

describe('lockouts', () => {
  it('when a stranger at the victim’s address fails as the victim, then a new browser there gets 429, but the victim’s own browser still signs in', async () => {
    const office = '198.51.100.10';
    const first = await signIn({ password: DEMO.a.password, from: office });
    expect(first.status).toBe(303);
    const device = deviceCookieOf(first);
    expect(device).toBeDefined();

    await lockOut(office);
    const newBrowser = await signIn({ password: DEMO.a.password, from: office });
    expect(newBrowser.status).toBe(429);
    const known = await signIn({ password: DEMO.a.password, from: office, cookie: device });
    expect(known.status).toBe(303);
    expect(cookiesOf(known)[0]).toMatch(/^sid=s%3A/);
  });

  it('when a browser with a device cookie guesses wrong, then its own failures are limited like anyone’s', async () => {
    const from = '198.51.100.20';
    const device = deviceCookieOf(await signIn({ password: DEMO.a.password, from }));
    for (let i = 0; i < MAX; i++) {
      expect((await signIn({ password: 'guess', from, cookie: device })).status).toBe(401);
    }
    const stolen = await signIn({ password: DEMO.a.password, from, cookie: device });
    expect(stolen.status).toBe(429);
    expect(Number(stolen.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('when the device cookie is altered, names another user, or comes from another tenant, then it exempts nothing', async () => {
    const from = '198.51.100.30';
    const alices = deviceCookieOf(await signIn({ password: DEMO.a.password, from }))!;
    const bobs = deviceCookieOf(
      await signIn({ host: DEMO.b.host, username: 'bob', password: DEMO.b.password, from }),
    )!;
    await lockOut(from);
    const altered = alices.slice(0, -3) + (alices.endsWith('AAA') ? 'BBB' : 'AAA');
    for (const cookie of [altered, bobs, `${alices}x`, 'sid-device=v1.customer-a']) {
      expect((await signIn({ password: DEMO.a.password, from, cookie })).status).toBe(429);
    }
    // Bob's own device cookie is for bob at customer-b: locked out there, it still works.
    await lockOut(from, DEMO.b.host, 'bob');
    const bob = await signIn({
      host: DEMO.b.host,
      username: 'bob',
      password: DEMO.b.password,
      from,
      cookie: bobs,
    });
    expect(bob.status).toBe(303);
  });

  it('when one address is locked out for a user, then the same user at another address is not', async () => {
    await lockOut('198.51.100.40');
    expect((await signIn({ password: DEMO.a.password, from: '198.51.100.41' })).status).toBe(303);
  });
});

describe('behind a proxy that TRUST_PROXY does not name', () => {
  it('when one visitor sprays the tenant past the per-address limit, then new browsers get 429, and browsers that have signed in before still sign in', async () => {
    // Every client is 127.0.0.1 here, as every client is the proxy's address behind an unnamed proxy.
    const shared = await createTestApp({
      env: { LOGIN_MAX_FAILURES: '1', LOGIN_MAX_FAILURES_PER_ADDRESS: '4' },
    });
    try {
      const post = (username: string, password: string, cookie?: string) => {
        const req = request(shared.app).post('/login').set('Host', DEMO.a.host);
        if (cookie) req.set('Cookie', cookie);
        return req.type('form').send({ username, password });
      };
      const device = deviceCookieOf(await post('alice', DEMO.a.password));
      for (let i = 0; i < 4; i++) expect((await post(`someone-${i}`, 'guess')).status).toBe(401);
      expect((await post('alice', DEMO.a.password)).status).toBe(429);
      expect((await post('alice', DEMO.a.password, device)).status).toBe(303);
    } finally {
      await shared.close();
    }
  });
});

describe('device cookies', () => {
  it('when a sign-in succeeds over plain HTTP, then the device cookie is host-only, HttpOnly, SameSite=Lax, long-lived, after the session cookie', async () => {
    const res = await signIn({ password: DEMO.a.password, from: '198.51.100.50' });
    const headers = setCookieHeaders(res);
    expect(headers).toHaveLength(2);
    expect(headers[0]).toMatch(/^sid=s%3A/);
    expect(headers[1]).toMatch(/^sid-device=v1\.customer-a\.[\w-]+\.[\w-]{22}\.\d+\.[\w-]{43}; /);
    expect(headers[1]).toMatch(/; HttpOnly/);
    expect(headers[1]).toMatch(/; SameSite=Lax/);
    expect(headers[1]).toMatch(/; Path=\//);
    expect(headers[1]).toMatch(/Max-Age=15552000/);
    expect(headers[1]).not.toMatch(/domain=|secure/i);
    // Names the user, and no password or session id.
    expect(headers[1]).toContain(Buffer.from('alice').toString('base64url'));
  });

  it('when a sign-in arrives over HTTPS, then it is `__Host-sid-device` and Secure, and only that name is read there', async () => {
    const from = '198.51.100.60';
    const res = await signIn({ password: DEMO.a.password, from, https: true });
    const headers = setCookieHeaders(res);
    expect(headers[0]).toMatch(/^__Host-sid=/);
    expect(headers[1]).toMatch(/^__Host-sid-device=.*; Secure/);
    const device = deviceCookieOf(res)!;
    await lockOut(from);
    expect(
      (await signIn({ password: DEMO.a.password, from, https: true, cookie: device })).status,
    ).toBe(303);
    // The same value under the plain name (a sibling could set that one) is not read over HTTPS.
    const plain = device.replace(/^__Host-/, '');
    expect(
      (await signIn({ password: DEMO.a.password, from, https: true, cookie: plain })).status,
    ).toBe(429);
  });

  it('when the user logs out, then the session cookie is cleared and the device cookie is left alone', async () => {
    const res = await signIn({ password: DEMO.a.password, from: '198.51.100.70' });
    const out = await request(t.app)
      .post('/logout')
      .set('Host', DEMO.a.host)
      .set('Cookie', cookiesOf(res).join('; '));
    expect(out.status).toBe(303);
    const cleared = setCookieHeaders(out);
    expect(cleared).toEqual([expect.stringMatching(/^sid=; Path=\/; Expires=Thu, 01 Jan 1970/)]);
    expect(out.headers['clear-site-data']).not.toContain('cookies');
  });
});
