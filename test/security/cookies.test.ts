import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookiesOf, setCookieHeaders } from '../../harness/cookies.ts';
import { DEMO } from '../../harness/demo.ts';
import { signIn } from '../../harness/sign-in.ts';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';

/**
 * Cookies are host-only always; over HTTPS (TLS here, or X-Forwarded-Proto from a trusted proxy)
 * the session cookie is `__Host-sid`: Secure, Path=/, no Domain, which browsers refuse to let a
 * sibling subdomain set. A plain `sid` is then never read, so a tossed one cannot even shadow it.
 */
let t: TestApp;
let tls: Server;
let tlsPort: number;

beforeAll(async () => {
  t = await createTestApp({ env: { TRUST_PROXY: 'loopback' } });
  // A throwaway self-signed certificate, so the app can be spoken to over real TLS.
  const dir = mkdtempSync(join(tmpdir(), 'tenantry-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=customer-a.localhost',
    ],
    { stdio: 'ignore' },
  );
  const key = readFileSync(join(dir, 'key.pem'));
  const cert = readFileSync(join(dir, 'cert.pem'));
  rmSync(dir, { recursive: true, force: true });
  tls = createServer({ key, cert }, t.app);
  await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
  tlsPort = (tls.address() as AddressInfo).port;
});
afterAll(async () => {
  tls.closeAllConnections();
  await new Promise((resolve) => tls.close(resolve));
  await t.close();
});

const form = { username: 'alice', password: 'alice-password' };
const viaProxy = () =>
  request(t.app).post('/login').set('Host', DEMO.a.host).set('X-Forwarded-Proto', 'https');
const viaTls = () =>
  request(`https://127.0.0.1:${tlsPort}`).post('/login').disableTLSCerts().set('Host', DEMO.a.host);

/** Attributes of one Set-Cookie header, lower-cased names, for exact comparison. */
function attributes(header: string) {
  const [pair = '', ...rest] = header.split(';').map((part) => part.trim());
  const name = pair.slice(0, pair.indexOf('='));
  const attrs = rest.map((part) => part.split('=')[0]!.toLowerCase()).sort();
  return { name, attrs };
}

describe('session cookies', () => {
  it('when the request is plain HTTP, then the cookie is `sid`, host-only, HttpOnly, SameSite=Lax, not Secure', async () => {
    const res = await request(t.app)
      .post('/login')
      .set('Host', DEMO.a.host)
      .type('form')
      .send(form);
    const [header] = setCookieHeaders(res);
    expect(attributes(header!)).toEqual({
      name: 'sid',
      attrs: ['expires', 'httponly', 'path', 'samesite'],
    });
    expect(header).toContain('Path=/;');
  });

  it.each([
    ['X-Forwarded-Proto: https from a trusted proxy', viaProxy],
    ['TLS to the app itself', viaTls],
  ])(
    'when the request arrives by %s, then the cookie is `__Host-sid`, Secure, Path=/, no Domain',
    async (_how, send) => {
      const res = await send().type('form').send(form);
      expect(res.status).toBe(303);
      const [header] = setCookieHeaders(res);
      expect(attributes(header!)).toEqual({
        name: '__Host-sid',
        attrs: ['expires', 'httponly', 'path', 'samesite', 'secure'],
      });
      expect(header).toContain('Path=/;');
      // And it works on the next HTTPS request.
      const me = await request(t.app)
        .get('/api/me')
        .set('Host', DEMO.a.host)
        .set('X-Forwarded-Proto', 'https')
        .set('Cookie', cookiesOf(res)[0]!);
      expect(me.status).toBe(200);
    },
  );

  it('when a valid plain `sid` arrives over HTTPS, then it is ignored (a sibling could have tossed it)', async () => {
    const plain = await signIn(t.app, DEMO.a);
    const res = await request(t.app)
      .get('/api/me')
      .set('Host', DEMO.a.host)
      .set('X-Forwarded-Proto', 'https')
      .set('Cookie', plain);
    expect(res.status).toBe(401);
    expect(setCookieHeaders(res)).toEqual([]);
  });

  it('when a `__Host-sid` arrives over plain HTTP, then it is ignored', async () => {
    const secure = cookiesOf(await viaProxy().type('form').send(form))[0]!;
    const res = await request(t.app).get('/api/me').set('Host', DEMO.a.host).set('Cookie', secure);
    expect(res.status).toBe(401);
  });

  it('when the user logs out over HTTPS, then both cookie names are cleared, the secure one with Secure', async () => {
    const secure = cookiesOf(await viaProxy().type('form').send(form))[0]!;
    const res = await request(t.app)
      .post('/logout')
      .set('Host', DEMO.a.host)
      .set('X-Forwarded-Proto', 'https')
      .set('Cookie', secure);
    const cleared = setCookieHeaders(res);
    expect(cleared).toHaveLength(2);
    const byName = Object.fromEntries(cleared.map((h) => [attributes(h).name, h]));
    expect(byName['__Host-sid']).toMatch(/^__Host-sid=; Path=\/; Expires=Thu, 01 Jan 1970/);
    expect(byName['__Host-sid']).toContain('Secure');
    expect(byName.sid).toMatch(/^sid=; Path=\/; Expires=Thu, 01 Jan 1970/);
    for (const header of cleared) expect(header).not.toMatch(/domain=/i);
  });

  it('when SESSION_COOKIE_NAME is set, then HTTPS uses `__Host-` and that name', async () => {
    const named = await createTestApp({
      env: { TRUST_PROXY: 'loopback', SESSION_COOKIE_NAME: 'tenantry_session' },
    });
    try {
      const res = await request(named.app)
        .post('/login')
        .set('Host', DEMO.b.host)
        .set('X-Forwarded-Proto', 'https')
        .type('form')
        .send({ username: 'bob', password: 'bob-password' });
      expect(cookiesOf(res)[0]).toMatch(/^__Host-tenantry_session=s%3A/);
    } finally {
      await named.close();
    }
  });
});
