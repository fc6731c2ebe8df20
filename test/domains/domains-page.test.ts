import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AMY } from '../../harness/accounts.ts';
import { DEMO } from '../../harness/demo.ts';
import { startDnsServer, type DnsServer } from '../../harness/dns-server.ts';
import { missingPostgres } from '../../harness/postgres-server.ts';
import { prerequisitesTest } from '../../harness/prerequisites.ts';
import { cookiesOfEach } from '../../harness/sign-in.ts';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';

const missing = missingPostgres();
prerequisitesTest('test/domains/domains-page.test.ts', missing);

/** The page at /admin/domains: the same service as the API, through forms. */
describe.skipIf(missing.length > 0)('the domains page', () => {
  let t: TestApp;
  let dns: DnsServer;
  let cookies: Record<'alice' | 'amy' | 'bob', string>;

  beforeAll(async () => {
    dns = await startDnsServer();
    t = await createTestApp({ env: { DNS_SERVERS: dns.address, DOMAINS_MAX_PER_TENANT: '2' } });
    cookies = await cookiesOfEach(t.app, { alice: DEMO.a, amy: AMY, bob: DEMO.b });
  });
  afterAll(async () => {
    await t?.close();
    await dns?.stop();
  });

  const as = (who: 'alice' | 'amy' | 'bob') => {
    const host = who === 'bob' ? DEMO.b.host : DEMO.a.host;
    const agent = (r: request.Test) => r.set('Host', host).set('Cookie', cookies[who]);
    return {
      page: () => agent(request(t.app).get('/admin/domains')),
      home: () => agent(request(t.app).get('/')),
      post: (path: string, form: Record<string, string> = {}) =>
        agent(request(t.app).post(path)).type('form').send(form),
    };
  };

  it('when an owner adds a domain by the form, then the page shows it pending with the TXT record to publish', async () => {
    const added = await as('alice').post('/admin/domains', { domain: 'Page.Example.com' });
    expect(added.status).toBe(303);
    expect(added.headers.location).toBe('/admin/domains');
    const page = await as('alice').page().expect(200);
    expect(page.text).toContain('page.example.com');
    expect(page.text).toMatch(/<span class="tag tag--pending">Pending<\/span>/);
    expect(page.text).toContain('<code>_tenantry.page.example.com</code>');
    expect(page.text).toMatch(/<dd><code>[A-Za-z0-9_-]{32}<\/code><\/dd>/);
    expect(page.text).toContain('1 of 2 domains.');
  });

  it('when the form sends a domain that cannot be added, then the page comes back with the reason tied to the field and what was typed', async () => {
    const res = await as('alice').post('/admin/domains', { domain: '10.0.0.1' }).expect(400);
    expect(res.text).toContain('There is a problem');
    expect(res.text).toMatch(/id="field-domain-error"[^]*is an IP address/);
    expect(res.text).toMatch(/<input[^>]*name="domain"[^>]*value="10\.0\.0\.1"/);
  });

  it('when verify is pressed before the record is published, then the page shows the domain pending with what the check found', async () => {
    await as('alice').post('/admin/domains', { domain: 'later.example.com' }).expect(303);
    await as('alice').post('/admin/domains/later.example.com/verify').expect(303);
    const page = await as('alice').page().expect(200);
    expect(page.text).toMatch(/No TXT record at _tenantry\.later\.example\.com/);
  });

  it('when the record is published and verify is pressed, then the page shows the domain verified', async () => {
    const page = await as('alice').page();
    const token = new RegExp(
      'later\\.example\\.com[^]*?<dd><code>([A-Za-z0-9_-]{32})</code></dd>',
    ).exec(page.text)?.[1];
    expect(token).toBeDefined();
    dns.setTxt('_tenantry.later.example.com', token!);
    await as('alice').post('/admin/domains/later.example.com/verify').expect(303);
    const after = await as('alice').page().expect(200);
    expect(after.text).toMatch(/later\.example\.com\s*<span class="tag tag--verified">Verified/);
  });

  it('when the tenant is at its limit, then the form answers 409 with the reason', async () => {
    const res = await as('alice').post('/admin/domains', { domain: 'third.example.com' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('the most allowed');
  });

  it('when remove is pressed, then the domain is gone from the page', async () => {
    await as('alice').post('/admin/domains/page.example.com/delete').expect(303);
    const page = await as('alice').page().expect(200);
    expect(page.text).not.toContain('page.example.com');
    expect(page.text).toContain('1 of 2 domains.');
  });

  it('when another tenant’s owner opens the page or posts to this tenant’s domain, then they see and change nothing', async () => {
    const page = await as('bob').page().expect(200);
    expect(page.text).toContain('No domains yet.');
    expect(page.text).not.toContain('later.example.com');
    await as('bob').post('/admin/domains/later.example.com/delete').expect(404);
    expect((await as('alice').page()).text).toContain('later.example.com');
  });

  it('when a member opens the page or posts its forms, then 403, and the navigation offers no Domains link', async () => {
    await as('amy').page().expect(403);
    await as('amy').post('/admin/domains', { domain: 'amy.example.com' }).expect(403);
    await as('amy').post('/admin/domains/later.example.com/delete').expect(403);
    expect((await as('amy').home()).text).not.toContain('href="/admin/domains"');
    expect((await as('alice').home()).text).toMatch(/href="\/admin\/domains"[^>]*>Domains</);
  });

  it('when nobody is signed in, then the page sends them to sign in', async () => {
    const res = await request(t.app).get('/admin/domains').set('Host', DEMO.a.host).expect(303);
    expect(res.headers.location).toMatch(/^\/login/);
  });
});
