import { rm } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import type { Server } from 'node:http';
import { Router } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { DEMO } from '../../harness/demo.ts';
import { closeServer, listen } from '../../harness/listen.ts';
import { buildApp, createTestApp, type TestApp } from '../../harness/test-app.ts';
import { demoTenant, rawRequest, tenantsDir } from './helpers.ts';

/**
 * What a client can send is bounded: small flat forms parsed only where forms post, one value
 * per field, Node's default header limit, and hosts that are ASCII (punycode) names only.
 */
let t: TestApp;
let server: Server;
let port: number;
let app: Express;

beforeAll(async () => {
  t = await createTestApp();
  // A route of the app's own, to see whether anything parsed a body before it.
  const probe = Router().post('/probe', (req, res) => {
    res.json({ parsed: req.body !== undefined });
  });
  app = buildApp(t, { pages: [probe] });
  ({ server, port } = await listen(app));
});
afterAll(async () => {
  await closeServer(server);
  await t.close();
});

const postLogin = (body: string, type = 'form') =>
  request(app)
    .post('/login')
    .set('Host', DEMO.a.host)
    .set('Accept', 'application/json')
    .type(type)
    .send(body);

describe('bodies', () => {
  it('when a login form is over 4 kB, then 413 before anything else', async () => {
    const res = await postLogin(`username=alice&password=${'x'.repeat(5000)}`);
    expect(res.status).toBe(413);
  });

  it('when a login form has more than 10 fields, then 413', async () => {
    const fields = Array.from({ length: 11 }, (_, i) => `f${i}=x`).join('&');
    expect((await postLogin(fields)).status).toBe(413);
  });

  it.each([
    ['a repeated username', 'username=alice&username=bob&password=x'],
    ['a repeated password', 'username=alice&password=x&password=y'],
    ['array syntax', 'username[]=alice&password=x'],
    ['nested syntax', 'username[a]=alice&password[b]=x'],
    ['a prototype key', '__proto__[username]=alice&password=x'],
  ])('when the form has %s, then 400 with a message', async (_case, body) => {
    const res = await postLogin(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'Send one username and one password as a form.' });
  });

  it('when a login form is compressed, then 415: no inflating for anonymous clients', async () => {
    const res = await request(app)
      .post('/login')
      .set('Host', DEMO.a.host)
      .set('Accept', 'application/json')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .set('Content-Encoding', 'gzip')
      .send(gzipSync('username=alice&password=alice-password'));
    expect(res.status).toBe(415);
    expect(res.body.error).toMatch(/content encoding/i);
  });

  it('when the login is sent as JSON, then it is not parsed: 400', async () => {
    const res = await postLogin(
      JSON.stringify({ username: 'alice', password: 'alice-password' }),
      'json',
    );
    expect(res.status).toBe(400);
  });

  it('when a form is posted anywhere but /login, then nothing parses it', async () => {
    const res = await request(app)
      .post('/probe')
      .set('Host', DEMO.a.host)
      .type('form')
      .send('a=1&b=2');
    expect(res.body).toEqual({ parsed: false });
    const json = await request(app).post('/probe').set('Host', DEMO.a.host).send({ a: 1 });
    expect(json.body).toEqual({ parsed: false });
  });
});

describe('headers', () => {
  const head = (extra: string) =>
    `GET / HTTP/1.1\r\nHost: ${DEMO.a.host}\r\n${extra}Connection: close\r\n\r\n`;

  it('when the headers stay within Node’s default 16 KiB, then the request is served', async () => {
    const res = await rawRequest(port, head(`X-Pad: ${'x'.repeat(12 * 1024)}\r\n`));
    expect(res.status).toBe(200);
  });

  it('when the headers pass 16 KiB, then Node answers 431 and the app never sees them', async () => {
    const res = await rawRequest(port, head(`X-Pad: ${'x'.repeat(20 * 1024)}\r\n`));
    expect(res.status).toBe(431);
    const cookies = await rawRequest(port, head(`Cookie: sid=${'a'.repeat(17 * 1024)}\r\n`));
    expect(cookies.status).toBe(431);
  });
});

describe('internationalised hosts', () => {
  let dir: string;
  let idn: TestApp;
  beforeAll(async () => {
    dir = await tenantsDir({
      'buecher.json': {
        ...(await demoTenant('customer-a')),
        id: 'buecher',
        name: 'Bücher',
        hosts: ['xn--bcher-kva.localhost'],
      },
    });
    idn = await createTestApp({ env: { TENANTS_DIR: dir } });
  });
  afterAll(async () => {
    await idn.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['xn--bcher-kva.localhost', 'XN--BCHER-KVA.localhost.', 'xn--bcher-kva.localhost:80'])(
    'when the Host is %j, then it is the tenant whose file says xn--bcher-kva.localhost',
    async (host) => {
      const res = await request(idn.app).get('/').set('Host', host);
      expect(res.status).toBe(200);
      expect(res.text).toContain('Bücher');
    },
  );

  it.each(['bücher.localhost', 'BÜCHER.localhost:80'])(
    'when the Host is the raw Unicode name %j, then 400: browsers send punycode, and nothing converts',
    async (host) => {
      const res = await request(idn.app).get('/').set('Host', host);
      expect(res.status).toBe(400);
      expect(res.text).not.toContain('Bücher');
    },
  );

  it('when a tenant file names a host in Unicode, then loading refuses it and says to write punycode', async () => {
    const unicode = await tenantsDir({
      'buecher.json': {
        ...(await demoTenant('customer-a')),
        id: 'buecher',
        name: 'Bücher',
        hosts: ['bücher.localhost'],
      },
    });
    try {
      await expect(createTestApp({ env: { TENANTS_DIR: unicode } })).rejects.toThrow(
        /buecher\.json: host "bücher\.localhost" is not ASCII: write internationalised names as punycode \("xn--bcher-kva\.localhost"\)/,
      );
    } finally {
      await rm(unicode, { recursive: true, force: true });
    }
  });

  it('when a look-alike host is sent, then it is no tenant', async () => {
    // "bucher" without the umlaut, and a Cyrillic "с" in customer-a.
    for (const host of [
      'bucher.localhost',
      'xn--bcher-kva.localhost.evil',
      'xn--ustomer-a-u3h.localhost',
    ]) {
      expect((await request(idn.app).get('/').set('Host', host)).status).toBe(404);
    }
  });

  it('when a browser posts from the punycode origin, then the cross-origin check sees its own origin', async () => {
    const res = await request(idn.app)
      .post('/nowhere')
      .set('Host', 'xn--bcher-kva.localhost')
      .set('Origin', 'http://xn--bcher-kva.localhost');
    expect(res.status).toBe(404); // past the check; no route there
  });
});
