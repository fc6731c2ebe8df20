import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AMY } from '../../harness/accounts.ts';
import { DEMO } from '../../harness/demo.ts';
import { startDnsServer, startSilentDnsServer, type DnsServer } from '../../harness/dns-server.ts';
import { missingPostgres } from '../../harness/postgres-server.ts';
import { prerequisitesTest } from '../../harness/prerequisites.ts';
import { cookiesOfEach, signIn } from '../../harness/sign-in.ts';
import { tenantFilesCopy, type TenantFiles } from '../../harness/tenant-files.ts';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';

const missing = missingPostgres();
prerequisitesTest('test/domains/domains-api.test.ts', missing);

/** A host customer-b's tenant file lists: no tenant may add it as a domain. */
const FILE_HOST = 'shop.customer-b.test';
const MAX = 3;

describe.skipIf(missing.length > 0)('the domains API', () => {
  let t: TestApp;
  let dns: DnsServer;
  let files: TenantFiles;
  let cookies: Record<'alice' | 'amy' | 'bob', string>;

  beforeAll(async () => {
    dns = await startDnsServer();
    files = await tenantFilesCopy();
    await files.edit(DEMO.b.tenant, (file) => void (file.hosts as string[]).push(FILE_HOST));
    t = await createTestApp({
      env: {
        TENANTS_DIR: files.dir,
        DNS_SERVERS: dns.address,
        DOMAINS_MAX_PER_TENANT: String(MAX),
        CENTRAL_HOSTS: 'localhost,www.tenantry.test',
      },
    });
    cookies = await cookiesOfEach(t.app, { alice: DEMO.a, amy: AMY, bob: DEMO.b });
  });
  afterAll(async () => {
    await t?.close();
    await dns?.stop();
    await files?.remove();
  });

  const as = (who: 'alice' | 'amy' | 'bob' | 'nobody') => {
    const host = who === 'bob' ? DEMO.b.host : DEMO.a.host;
    const agent = (r: request.Test) =>
      who === 'nobody' ? r.set('Host', host) : r.set('Host', host).set('Cookie', cookies[who]);
    return {
      list: () => agent(request(t.app).get('/api/admin/domains')),
      add: (body: unknown) => agent(request(t.app).post('/api/admin/domains')).send(body as object),
      verify: (domain: string) =>
        agent(request(t.app).post(`/api/admin/domains/${encodeURIComponent(domain)}/verify`)),
      remove: (domain: string) =>
        agent(request(t.app).delete(`/api/admin/domains/${encodeURIComponent(domain)}`)),
    };
  };
  const domainsOf = async (who: 'alice' | 'bob') =>
    ((await as(who).list().expect(200)).body.domains as { domain: string }[]).map((d) => d.domain);
  const clear = async () => {
    for (const who of ['alice', 'bob'] as const) {
      for (const domain of await domainsOf(who)) await as(who).remove(domain).expect(204);
    }
  };
  beforeEach(clear);

  describe('adding', () => {
    it('when an owner adds a domain, then 201 with it pending and the TXT record to publish, and the list has it', async () => {
      const res = await as('alice').add({ domain: 'Shop.Example.COM.' }).expect(201);
      expect(res.body).toEqual({
        domain: 'shop.example.com',
        status: 'pending',
        verification: {
          type: 'TXT',
          name: '_tenantry.shop.example.com',
          value: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/),
        },
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        verifiedAt: null,
      });
      const list = await as('alice').list().expect(200);
      expect(list.body).toEqual({ domains: [res.body] });
    });

    it('when an internationalised name is added, then it is stored and shown as punycode', async () => {
      const res = await as('alice').add({ domain: 'Bücher.Example' }).expect(201);
      expect(res.body.domain).toBe('xn--bcher-kva.example');
      expect(res.body.verification.name).toBe('_tenantry.xn--bcher-kva.example');
    });

    it('when two tenants add the same domain, then each gets a token of its own, and each domain of a tenant another', async () => {
      const a = await as('alice').add({ domain: 'shared.example.com' }).expect(201);
      const b = await as('bob').add({ domain: 'shared.example.com' }).expect(201);
      const other = await as('alice').add({ domain: 'other.example.com' }).expect(201);
      const tokens = [a, b, other].map((r) => r.body.verification.value as string);
      expect(new Set(tokens).size).toBe(3);
    });

    it.each([
      ['an IPv4 address', '192.0.2.1', /IP address/],
      ['an IPv4 shorthand', '127.1', /IP address/],
      ['an IPv6 literal', '[::1]', /IP address/],
      ['localhost', 'localhost', /localhost/],
      ['a name under localhost', 'Shop.Localhost', /localhost/],
      ['a tenant file’s .localhost host', DEMO.b.host, /localhost/],
      ['a name without a dot', 'intranet', /no dot/],
      ['a central host', 'WWW.tenantry.test.', /this service’s own address/],
      ['a host of another tenant’s file', FILE_HOST, /already served here/],
      ['a wildcard', '*.example.com', /not a domain name/],
      ['a URL', 'https://shop.example.com/', /not a domain name/],
    ])(
      'when the domain is %s, then 400 with a message and nothing is stored',
      async (_what, domain, message) => {
        const res = await as('alice').add({ domain }).expect(400);
        expect(res.body.error).toMatch(message);
        expect(await domainsOf('alice')).toEqual([]);
      },
    );

    it.each([
      ['no domain', {}],
      ['a number', { domain: 42 }],
      ['an unknown field', { domain: 'shop.example.com', tenant: 'customer-b' }],
      ['an array', ['shop.example.com']],
    ])('when the body has %s, then 400 with a message', async (_what, body) => {
      const res = await as('alice').add(body).expect(400);
      expect(res.body.error).toEqual(expect.any(String));
    });

    it('when the tenant adds a domain it already has (in any spelling), then 409', async () => {
      await as('alice').add({ domain: 'shop.example.com' }).expect(201);
      const res = await as('alice').add({ domain: 'SHOP.example.com.' }).expect(409);
      expect(res.body.error).toMatch(/already one of this site’s domains/);
    });

    it(`when the tenant has ${MAX} domains, then adding another is 409, and removing one makes room`, async () => {
      for (let i = 1; i <= MAX; i++)
        await as('alice')
          .add({ domain: `d${i}.example.com` })
          .expect(201);
      const res = await as('alice').add({ domain: 'one-more.example.com' }).expect(409);
      expect(res.body.error).toMatch(/the most allowed/);
      // Another tenant's count is its own.
      await as('bob').add({ domain: 'one-more.example.com' }).expect(201);
      await as('alice').remove('d1.example.com').expect(204);
      await as('alice').add({ domain: 'one-more.example.com' }).expect(201);
    });

    it('when several adds race past the limit, then no more than the limit are stored', async () => {
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, i) => as('alice').add({ domain: `race${i}.example.com` })),
      );
      expect(answers.filter((r) => r.status === 201)).toHaveLength(MAX);
      expect(answers.filter((r) => r.status === 409)).toHaveLength(6 - MAX);
      expect(await domainsOf('alice')).toHaveLength(MAX);
    });
  });

  describe('verifying', () => {
    const publish = (domain: string, token: string) => dns.setTxt(`_tenantry.${domain}`, token);

    it('when no TXT record is published, then 200 pending with a reason, after asking the DNS server', async () => {
      const before = dns.questions().length;
      await as('alice').add({ domain: 'nothing.example.com' }).expect(201);
      const res = await as('alice').verify('nothing.example.com').expect(200);
      expect(res.body).toMatchObject({ domain: 'nothing.example.com', status: 'pending' });
      expect(res.body.reason).toMatch(/No TXT record at _tenantry\.nothing\.example\.com/);
      expect(dns.questions().slice(before)).toContainEqual({
        name: '_tenantry.nothing.example.com',
        type: 'TXT',
      });
    });

    it('when the TXT record holds another value, then 200 pending with a reason', async () => {
      await as('alice').add({ domain: 'wrong.example.com' }).expect(201);
      publish('wrong.example.com', 'not-the-token');
      const res = await as('alice').verify('wrong.example.com').expect(200);
      expect(res.body.status).toBe('pending');
      expect(res.body.reason).toMatch(/does not hold this domain’s value/);
    });

    it('when the TXT record holds the token (beside other records), then 200 verified, and verifying again changes nothing', async () => {
      const added = await as('alice').add({ domain: 'ok.example.com' }).expect(201);
      dns.setTxt('_tenantry.ok.example.com', 'v=spf1 -all', added.body.verification.value);
      const res = await as('alice').verify('OK.example.com.').expect(200);
      expect(res.body).toMatchObject({ domain: 'ok.example.com', status: 'verified' });
      expect(res.body.reason).toBeUndefined();
      expect(Date.parse(res.body.verifiedAt)).toBeGreaterThanOrEqual(
        Date.parse(res.body.createdAt),
      );
      const again = await as('alice').verify('ok.example.com').expect(200);
      expect(again.body).toEqual(res.body);
    });

    it('when bob publishes alice’s token for his own pending copy of her domain, then his stays pending', async () => {
      const mine = await as('alice').add({ domain: 'copied.example.com' }).expect(201);
      await as('bob').add({ domain: 'copied.example.com' }).expect(201);
      publish('copied.example.com', mine.body.verification.value);
      expect((await as('bob').verify('copied.example.com').expect(200)).body.status).toBe(
        'pending',
      );
      expect((await as('alice').verify('copied.example.com').expect(200)).body.status).toBe(
        'verified',
      );
    });

    it('when another tenant has verified the domain, then adding it is 409 and verifying a copy added before is 409', async () => {
      const mine = await as('alice').add({ domain: 'taken.example.com' }).expect(201);
      await as('bob').add({ domain: 'taken.example.com' }).expect(201);
      publish('taken.example.com', mine.body.verification.value);
      await as('alice').verify('taken.example.com').expect(200);
      const res = await as('bob').verify('taken.example.com').expect(409);
      expect(res.body.error).toMatch(/verified by another site/);
      await as('bob').remove('taken.example.com').expect(204);
      expect((await as('bob').add({ domain: 'taken.example.com' }).expect(409)).body.error).toMatch(
        /verified by another site/,
      );
      // Once alice lets it go, bob may have it.
      await as('alice').remove('taken.example.com').expect(204);
      await as('bob').add({ domain: 'taken.example.com' }).expect(201);
    });

    it('when the domain is none of this tenant’s, then 404', async () => {
      await as('alice').verify('unknown.example.com').expect(404);
      await as('alice').verify('not a domain').expect(404);
    });
  });

  describe('when the DNS server does not answer', () => {
    let silent: Awaited<ReturnType<typeof startSilentDnsServer>>;
    let quiet: TestApp;
    beforeAll(async () => {
      silent = await startSilentDnsServer();
      quiet = await createTestApp({ env: { DNS_SERVERS: silent.address } });
    });
    afterAll(async () => {
      await quiet?.close();
      await silent?.stop();
    });

    it('then verify answers 200 pending with a reason that says it timed out, within a few seconds', async () => {
      const cookie = await signIn(quiet.app, DEMO.a);
      const api = (r: request.Test) => r.set('Host', DEMO.a.host).set('Cookie', cookie);
      await api(request(quiet.app).post('/api/admin/domains'))
        .send({ domain: 'slow.example.com' })
        .expect(201);
      const started = performance.now();
      const res = await api(
        request(quiet.app).post('/api/admin/domains/slow.example.com/verify'),
      ).expect(200);
      expect(performance.now() - started).toBeLessThan(5000);
      expect(res.body.status).toBe('pending');
      expect(res.body.reason).toMatch(/timed out/);
    });
  });

  describe('removing', () => {
    it('when an owner removes a domain, then 204 and it is gone; removing it again is 404', async () => {
      await as('alice').add({ domain: 'gone.example.com' }).expect(201);
      await as('alice').remove('Gone.Example.com').expect(204);
      expect(await domainsOf('alice')).toEqual([]);
      await as('alice').remove('gone.example.com').expect(404);
    });
  });

  describe('isolation', () => {
    it('when another tenant’s owner lists, verifies or removes, then they see and change nothing of this tenant’s', async () => {
      const added = await as('alice').add({ domain: 'private.example.com' }).expect(201);
      expect(await domainsOf('bob')).toEqual([]);
      await as('bob').verify('private.example.com').expect(404);
      await as('bob').remove('private.example.com').expect(404);
      expect((await as('alice').list().expect(200)).body.domains).toEqual([added.body]);
    });

    it('when a member asks, then 403 on every route, and nothing changes', async () => {
      await as('alice').add({ domain: 'members.example.com' }).expect(201);
      for (const res of [
        await as('amy').list(),
        await as('amy').add({ domain: 'amys.example.com' }),
        await as('amy').verify('members.example.com'),
        await as('amy').remove('members.example.com'),
      ]) {
        expect(res.status).toBe(403);
        expect(res.body.error).toEqual(expect.any(String));
      }
      expect(await domainsOf('alice')).toEqual(['members.example.com']);
    });

    it('when nobody is signed in, then 401 on every route', async () => {
      for (const res of [
        await as('nobody').list(),
        await as('nobody').add({ domain: 'anon.example.com' }),
        await as('nobody').verify('anon.example.com'),
        await as('nobody').remove('anon.example.com'),
      ]) {
        expect(res.status).toBe(401);
      }
    });

    it('when a form on another site posts to the API, then 403 and nothing is added', async () => {
      await as('alice')
        .add({ domain: 'csrf.example.com' })
        .set('Sec-Fetch-Site', 'cross-site')
        .expect(403);
      expect(await domainsOf('alice')).toEqual([]);
    });
  });
});
