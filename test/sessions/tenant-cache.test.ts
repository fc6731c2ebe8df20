import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantCache } from '../../src/tenants/tenant-cache.ts';
import type { Tenant } from '../../src/tenants/tenant.ts';
import { setCookieHeaders } from '../../harness/cookies.ts';
import { DEMO } from '../../harness/demo.ts';
import { signIn, type Who } from '../../harness/sign-in.ts';
import { tenantFilesCopy, type TenantFiles } from '../../harness/tenant-files.ts';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';

const tenantNamed = (id: string) => ({ id }) as Tenant;

describe('the per-tenant cache (TENANT_CACHE_SIZE)', () => {
  it('when more tenants are used than it holds, then the least recently used is built again on its next use', () => {
    const built: string[] = [];
    const of = tenantCache(2, (tenant) => {
      built.push(tenant.id);
      return { id: tenant.id };
    });
    const [a, b, c] = ['a', 'b', 'c'].map(tenantNamed) as [Tenant, Tenant, Tenant];
    of(a);
    of(b);
    of(a);
    of(c); // b is the least recently used of a and b
    of(a);
    expect(built).toEqual(['a', 'b', 'c']);
    of(b);
    expect(built).toEqual(['a', 'b', 'c', 'b']);
  });

  it('when a tenant comes back as a new object (its file reloaded), then its entry is built again at once', () => {
    const built: Tenant[] = [];
    const of = tenantCache(10, (tenant) => {
      built.push(tenant);
      return {};
    });
    const before = tenantNamed('a');
    const after = tenantNamed('a');
    const first = of(before);
    expect(of(before)).toBe(first);
    expect(of(after)).not.toBe(first);
    expect(built).toEqual([before, after]);
  });
});

describe('tenants served through a cache of two, on a real Redis', () => {
  let t: TestApp;
  let files: TenantFiles;
  beforeAll(async () => {
    files = await tenantFilesCopy();
    t = await createTestApp({ env: { TENANTS_DIR: files.dir, TENANT_CACHE_SIZE: '2' } });
  });
  afterAll(async () => {
    await t.close();
    await files.remove();
  });

  const me = (who: Who, cookie: string) =>
    request(t.app).get('/api/me').set('Host', who.host).set('Cookie', cookie);

  it('when three tenants are served in turn, then each works, and a signed-in cookie still reads as signed in after its tenant’s middleware was evicted and rebuilt', async () => {
    const people = [DEMO.a, DEMO.b, DEMO.c];
    const cookies = [];
    for (const who of people) cookies.push(await signIn(t.app, who));
    // Each request below evicts the tenant served two requests earlier, twice round.
    for (let round = 0; round < 2; round++) {
      for (const [i, who] of people.entries()) {
        const res = await me(who, cookies[i]!);
        expect(res.status, res.text).toBe(200);
        expect(res.body).toMatchObject({
          tenant: { id: who.tenant },
          user: { username: who.username },
        });
      }
    }
    // Rebuilt, each is still only its own tenant's: a's cookie is nobody at b.
    expect((await me(DEMO.b, cookies[0]!)).status).toBe(401);
    const out = await request(t.app)
      .post('/logout')
      .set('Host', DEMO.a.host)
      .set('Cookie', cookies[0]!);
    expect(out.status).toBe(303);
    expect((await me(DEMO.a, cookies[0]!)).status).toBe(401);
  });

  it('when the file of a tenant already cached changes, then its new policy takes effect at its next request', async () => {
    const alices = await signIn(t.app, DEMO.a);
    expect((await me(DEMO.a, alices)).status).toBe(200);
    await files.edit('customer-a', (file) => {
      file.session = { ttlSeconds: 120 };
    });
    expect(await t.tenants.reload()).toBe(true);

    expect((await me(DEMO.a, alices)).status).toBe(200);
    const res = await request(t.app)
      .post('/login')
      .set('Host', DEMO.a.host)
      .type('form')
      .send({ username: DEMO.a.username, password: DEMO.a.password });
    expect(res.status, res.text).toBe(303);
    // The new policy: the cookie of a sign-in now lives 120 s (plus the minute between last-seen
    // saves, see cookieLifetimeMs), not the default hour.
    const expires = Date.parse(/Expires=([^;]+)/.exec(setCookieHeaders(res)[0]!)![1]!);
    const seconds = (expires - Date.parse(res.headers.date as string)) / 1000;
    expect(seconds).toBeGreaterThan(160);
    expect(seconds).toBeLessThanOrEqual(180);
  });
});
