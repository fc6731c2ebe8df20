import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { TenantLoadError, loadTenants } from '../src/tenants/load-tenants.ts';
import { startUrls } from '../src/web/front-door.ts';
import { createTestApp, type TestApp } from '../harness/test-app.ts';
import { DEMO } from '../harness/demo.ts';

/** Every tenant link of a landing page, in order. */
const linksOf = (html: string) =>
  [...html.matchAll(/<li[^>]*>\s*<a href="([^"]+)">([^<]+)<\/a>/g)].map((m) => [m[1], m[2]]);

let dev: TestApp;
let trusting: TestApp;
let production: TestApp;
let custom: TestApp;

beforeAll(async () => {
  dev = await createTestApp();
  trusting = await createTestApp({ env: { TRUST_PROXY: 'loopback' } });
  production = await createTestApp({
    env: { NODE_ENV: 'production', SESSION_SECRET: randomBytes(32).toString('base64') },
  });
  custom = await createTestApp({ env: { CENTRAL_HOSTS: 'WWW.Example.test., portal.localhost' } });
});
afterAll(async () => {
  await Promise.all([dev, trusting, production, custom].map((t) => t.close()));
});

describe('the front door (CENTRAL_HOSTS)', () => {
  it('when a central host is asked for /, then a landing page links every tenant’s first host on the request’s port', async () => {
    const res = await request(dev.app).get('/').set('Host', 'localhost:3000');
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/html');
    expect(linksOf(res.text)).toEqual([
      ['http://customer-a.localhost:3000', DEMO.a.name],
      ['http://customer-b.localhost:3000', DEMO.b.name],
      ['http://customer-c.localhost:3000', DEMO.c.name],
    ]);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await dev.keys()).toEqual([]);
  });

  it('when the request came on the scheme’s default port, then the links carry no port', async () => {
    const res = await request(dev.app).get('/').set('Host', 'localhost');
    expect(linksOf(res.text).map(([href]) => href)).toEqual([
      'http://customer-a.localhost',
      'http://customer-b.localhost',
      'http://customer-c.localhost',
    ]);
  });

  it('when a trusted proxy forwards https on port 8443, then the links are https on 8443', async () => {
    const res = await request(trusting.app)
      .get('/')
      .set('Host', 'app-1:3000')
      .set('X-Forwarded-Host', 'localhost:8443')
      .set('X-Forwarded-Proto', 'https');
    expect(res.status).toBe(200);
    expect(linksOf(res.text)[0]).toEqual(['https://customer-a.localhost:8443', DEMO.a.name]);
  });

  it('when a trusted proxy forwards https on 443, then the links carry no port', async () => {
    const res = await request(trusting.app)
      .get('/')
      .set('Host', 'localhost')
      .set('X-Forwarded-Host', 'localhost:443')
      .set('X-Forwarded-Proto', 'https');
    expect(linksOf(res.text)[0]).toEqual(['https://customer-a.localhost', DEMO.a.name]);
  });

  it('when an untrusted client sends X-Forwarded-Proto and -Host, then the links keep the request’s own scheme and port', async () => {
    const res = await request(dev.app)
      .get('/')
      .set('Host', 'localhost:3000')
      .set('X-Forwarded-Host', 'localhost:9999')
      .set('X-Forwarded-Proto', 'https');
    expect(linksOf(res.text)[0]).toEqual(['http://customer-a.localhost:3000', DEMO.a.name]);
  });

  it('when NODE_ENV is production, then the landing page answers but names no tenant', async () => {
    const res = await request(production.app).get('/').set('Host', 'localhost');
    expect(res.status).toBe(200);
    expect(linksOf(res.text)).toEqual([]);
    for (const who of Object.values(DEMO)) {
      expect(res.text).not.toContain(who.name);
      expect(res.text).not.toContain(who.host);
      expect(res.text).not.toContain(who.tenant);
    }
  });

  it.each(['/login', '/api/me', '/account/sessions', '/nope', '/assets/missing.css'])(
    'when a central host is asked for %s, then 404 with no cookie and no Redis key',
    async (path) => {
      const html = await request(dev.app).get(path).set('Host', 'localhost');
      expect(html.status).toBe(404);
      // As everywhere: JSON under /api/, else HTML unless the client asks for JSON.
      expect(html.type).toBe(path.startsWith('/api/') ? 'application/json' : 'text/html');
      const json = await request(dev.app)
        .get(path)
        .set('Host', 'localhost')
        .set('Accept', 'application/json');
      expect(json.status).toBe(404);
      expect(json.body).toEqual({ error: 'Not found' });
      expect(html.headers['set-cookie']).toBeUndefined();
      expect(await dev.keys()).toEqual([]);
    },
  );

  it('when a central host is sent a POST, then 404 (the landing page is read-only)', async () => {
    const res = await request(dev.app)
      .post('/')
      .set('Host', 'localhost')
      .type('form')
      .send({ username: 'alice', password: 'alice-password' });
    expect(res.status).toBe(404);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('when a central host is asked HEAD /, then 200 with no body', async () => {
    const res = await request(dev.app).head('/').set('Host', 'localhost');
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/html');
    expect(res.text).toBeUndefined();
  });

  it.each(['/healthz', '/readyz', '/assets/site.css'])(
    'when a central host is asked for %s, then it answers as on any host',
    async (path) => {
      const res = await request(dev.app).get(path).set('Host', 'localhost');
      expect(res.status).toBe(200);
    },
  );

  it('when CENTRAL_HOSTS names hosts, then those are central (normalised) and localhost no longer is', async () => {
    const www = await request(custom.app).get('/').set('Host', 'www.example.test:8080');
    expect(www.status).toBe(200);
    expect(linksOf(www.text)[0]).toEqual(['http://customer-a.localhost:8080', DEMO.a.name]);
    expect((await request(custom.app).get('/').set('Host', 'Portal.localhost.')).status).toBe(200);
    expect((await request(custom.app).get('/').set('Host', 'localhost')).status).toBe(404);
  });

  it('when a tenant host is asked for /, then the tenant’s own page answers, not the landing page', async () => {
    const res = await request(dev.app).get('/').set('Host', DEMO.b.host);
    expect(res.status).toBe(200);
    expect(res.text).toContain(DEMO.b.name);
    expect(linksOf(res.text)).toEqual([]);
  });
});

describe('CENTRAL_HOSTS and the tenant files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tenantry-central-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('when a tenant file claims a central host, then loading refuses it, naming the file and CENTRAL_HOSTS', async () => {
    await writeFile(
      join(dir, 'greedy.json'),
      JSON.stringify({
        id: 'greedy',
        name: 'Greedy',
        hosts: ['greedy.localhost', 'LocalHost'],
        theme: { color: '#123456' },
      }),
    );
    const err = await loadTenants(dir, {}, { centralHosts: ['localhost'] }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TenantLoadError);
    expect((err as TenantLoadError).problems).toEqual([
      'greedy.json: host "localhost" is a central host (CENTRAL_HOSTS): it belongs to no tenant',
    ]);
    // Another CENTRAL_HOSTS leaves localhost free for a tenant.
    const [loaded] = await loadTenants(dir, {}, { centralHosts: ['www.example.test'] });
    expect(loaded?.hosts).toEqual(['greedy.localhost', 'localhost']);
  });

  it('when CENTRAL_HOSTS is unset or blank, then it is localhost; when it holds something that is not a host, then start-up names it', () => {
    expect(loadConfig({}).centralHosts).toEqual(['localhost']);
    expect(loadConfig({ CENTRAL_HOSTS: ' ' }).centralHosts).toEqual(['localhost']);
    expect(loadConfig({ CENTRAL_HOSTS: 'a.test, A.test.,b.test' }).centralHosts).toEqual([
      'a.test',
      'b.test',
    ]);
    expect(() => loadConfig({ CENTRAL_HOSTS: 'ok.test, http://bad/, x y' })).toThrow(ConfigError);
    expect(() => loadConfig({ CENTRAL_HOSTS: 'ok.test, http://bad/, x y' })).toThrow(
      /CENTRAL_HOSTS has entries that are not host names: http:\/\/bad\/, x y/,
    );
    expect(() => loadConfig({ CENTRAL_HOSTS: ',' })).toThrow(/CENTRAL_HOSTS names no host/);
  });
});

describe('the addresses printed at start', () => {
  it('when the server listens, then it names the front door and each tenant’s first host on its port', () => {
    const tenants = dev.tenants.list();
    expect(startUrls({ port: 3000, centralHosts: ['localhost'], tenants })).toEqual({
      frontDoor: 'http://localhost:3000',
      tenants: [
        { id: 'customer-a', url: 'http://customer-a.localhost:3000' },
        { id: 'customer-b', url: 'http://customer-b.localhost:3000' },
        { id: 'customer-c', url: 'http://customer-c.localhost:3000' },
      ],
    });
    expect(startUrls({ port: 80, centralHosts: ['www.example.test'], tenants }).frontDoor).toBe(
      'http://www.example.test',
    );
  });
});
