import { rm } from 'node:fs/promises';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantSigningKeys } from '../../src/sessions/signing-keys.ts';
import { TenantLoadError, loadTenants } from '../../src/tenants/load-tenants.ts';
import { cookiesOf, sessionIdOf } from '../../harness/cookies.ts';
import { DEMO } from '../../harness/demo.ts';
import { signIn } from '../../harness/sign-in.ts';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';
import { cookieFor, demoTenant, signedCookieValue, tenantsDir } from './helpers.ts';

/** Signing keys: one per tenant, derived from SESSION_SECRET, rotatable, or the tenant's own. */
const OLD = 'old-secret-0123456789abcdef0123456789abcdef';
const NEW = 'new-secret-0123456789abcdef0123456789abcdef';
const OWN = 'customer-a-own-secret-0123456789abcdef012345';

const me = (t: TestApp, host: string, cookie: string) =>
  request(t.app).get('/api/me').set('Host', host).set('Cookie', cookie);

describe('per-tenant keys', () => {
  it('when keys are derived, then each tenant has its own, stable, in rotation order, and none is the secret itself', () => {
    const a = tenantSigningKeys([NEW, OLD], 'customer-a');
    const b = tenantSigningKeys([NEW, OLD], 'customer-b');
    expect(a).toHaveLength(2);
    expect(a).toEqual(tenantSigningKeys([NEW, OLD], 'customer-a'));
    expect(a[1]).toEqual(tenantSigningKeys([OLD], 'customer-a')[0]);
    expect(new Set([...a, ...b, NEW, OLD]).size).toBe(6);
  });

  it('when a cookie is signed with SESSION_SECRET itself (the plain recipe), then no tenant accepts it', async () => {
    const t = await createTestApp({ env: { SESSION_SECRET: NEW } });
    try {
      const sid = sessionIdOf(await signIn(t.app, DEMO.a));
      const plainRecipe = `sid=${signedCookieValue(sid, NEW)}`;
      expect((await me(t, DEMO.a.host, plainRecipe)).status).toBe(401);
      expect((await me(t, DEMO.a.host, cookieFor('customer-a', sid, [NEW]))).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe('rotation', () => {
  let before: TestApp; // SESSION_SECRET=old
  let during: TestApp; // SESSION_SECRET=new,old
  let after: TestApp; // SESSION_SECRET=new
  beforeAll(async () => {
    const appName = `rot-${Date.now().toString(36)}`;
    const app = (secret: string) =>
      createTestApp({ env: { APP_NAME: appName, SESSION_SECRET: secret } });
    [before, during, after] = await Promise.all([app(OLD), app(`${NEW},${OLD}`), app(NEW)]);
  });
  afterAll(async () => {
    await Promise.all([before.close(), during.close(), after.close()]);
  });

  it('when a new secret is put first, then a cookie signed under the old one still works and comes back signed with the new one', async () => {
    const cookie = await signIn(before.app, DEMO.b);
    const sid = sessionIdOf(cookie);
    const res = await me(during, DEMO.b.host, cookie);
    expect(res.status).toBe(200);
    expect(res.body.user.username).toBe('bob');
    // Each signed-in answer renews the cookie, now under the first (new) secret.
    const [renewed] = cookiesOf(res);
    expect(renewed).toBe(cookieFor('customer-b', sid, [NEW]));
    expect((await me(during, DEMO.b.host, renewed!)).status).toBe(200);

    // Once the old secret is dropped, only renewed cookies work.
    expect((await me(after, DEMO.b.host, cookie)).status).toBe(401);
    expect((await me(after, DEMO.b.host, renewed!)).status).toBe(200);
  });
});

describe('a tenant’s own secret', () => {
  let dir: string;
  let t: TestApp;
  beforeAll(async () => {
    dir = await tenantsDir({
      'customer-a.json': {
        ...(await demoTenant('customer-a')),
        sessionSecretEnv: 'CUSTOMER_A_SESSION_SECRET',
      },
    });
    t = await createTestApp({
      env: { TENANTS_DIR: dir, SESSION_SECRET: NEW },
      tenantEnv: { CUSTOMER_A_SESSION_SECRET: `${OWN},${OLD}` },
    });
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('when a tenant file names an env var, then that tenant signs with keys derived from its own secrets only', async () => {
    const cookie = await signIn(t.app, DEMO.a);
    const sid = sessionIdOf(cookie);
    expect(cookie).toBe(cookieFor('customer-a', sid, [OWN]));
    // Its second own secret verifies too (rotation works per tenant); SESSION_SECRET does not.
    expect((await me(t, DEMO.a.host, cookieFor('customer-a', sid, [OLD]))).status).toBe(200);
    expect((await me(t, DEMO.a.host, cookieFor('customer-a', sid, [NEW]))).status).toBe(401);
  });

  it('when other tenants have no override, then they keep SESSION_SECRET', async () => {
    const cookie = await signIn(t.app, DEMO.b);
    expect(cookie).toBe(cookieFor('customer-b', sessionIdOf(cookie), [NEW]));
  });

  it('when a tenant file holds a secret instead of a variable name, or a name that is not set, then loading refuses it', async () => {
    const bad = await tenantsDir({
      'customer-b.json': {
        ...(await demoTenant('customer-b')),
        sessionSecretEnv: 'c2VjcmV0LXZhbHVlLWluLWEtZmlsZQ==',
      },
      'customer-c.json': { ...(await demoTenant('customer-c')), sessionSecret: OWN },
      'customer-a.json': {
        ...(await demoTenant('customer-a')),
        sessionSecretEnv: 'NOT_SET_ANYWHERE',
      },
    });
    try {
      const error = await loadTenants(bad, {}).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(TenantLoadError);
      expect((error as TenantLoadError).problems).toEqual([
        'customer-a.json: sessionSecretEnv names NOT_SET_ANYWHERE, which is not set',
        expect.stringMatching(
          /^customer-b\.json: sessionSecretEnv must be an environment variable name/,
        ),
        expect.stringMatching(/^customer-c\.json: .*sessionSecret/),
      ]);
    } finally {
      await rm(bad, { recursive: true, force: true });
    }
  });
});
