import { Router } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookiesOf, sessionIdOf } from '../../harness/cookies.ts';
import { DEMO } from '../../harness/demo.ts';
import { signIn } from '../../harness/sign-in.ts';
import { buildApp, createTestApp, type TestApp } from '../../harness/test-app.ts';
import { cookieFor } from './helpers.ts';

/**
 * The tenant id is stored in the session and checked on every request, behind the key prefix and
 * the per-tenant signing key: a session whose data names another tenant is never honoured.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const keyOf = (tenant: string, sid: string) => `sessions:${tenant}:${t.config.appName}:${sid}`;
const me = (host: string, cookie: string) =>
  request(t.app).get('/api/me').set('Host', host).set('Cookie', cookie);

async function rewrite(key: string, change: (value: Record<string, unknown>) => void) {
  const value = JSON.parse((await t.redis.get(key))!) as Record<string, unknown>;
  change(value);
  await t.redis.set(key, JSON.stringify(value), { expiration: { type: 'EX', value: 60 } });
}

describe('tenant binding', () => {
  it('when a session signs in, then its data names its tenant', async () => {
    const cookie = await signIn(t.app, DEMO.b);
    const value = JSON.parse((await t.redis.get(keyOf('customer-b', sessionIdOf(cookie))))!);
    expect(value.tenantId).toBe('customer-b');
  });

  it.each([
    ['names another tenant', (v: Record<string, unknown>) => (v.tenantId = 'customer-b')],
    ['names no tenant', (v: Record<string, unknown>) => delete v.tenantId],
    ['names a tenant that does not exist', (v: Record<string, unknown>) => (v.tenantId = 'nobody')],
  ])(
    'when a session under this tenant’s prefix %s, then it is dropped and the visitor is anonymous',
    async (_case, change) => {
      const cookie = await signIn(t.app, DEMO.a);
      const key = keyOf('customer-a', sessionIdOf(cookie));
      await rewrite(key, change);
      const before = await t.keys();
      const res = await me(DEMO.a.host, cookie);
      expect(res.status).toBe(401);
      expect(cookiesOf(res)).toEqual([]);
      expect(await t.keys()).toEqual(before.filter((k) => k !== key));
    },
  );

  it('when a session is copied under another prefix with a valid signature there, then the binding alone refuses it', async () => {
    const sid = sessionIdOf(await signIn(t.app, DEMO.c));
    await t.redis.set(keyOf('customer-a', sid), (await t.redis.get(keyOf('customer-c', sid)))!, {
      expiration: { type: 'EX', value: 60 },
    });
    const forged = cookieFor('customer-a', sid, t.config.sessionSecrets);
    const before = await t.keys();
    expect((await me(DEMO.a.host, forged)).status).toBe(401);
    expect(await t.keys()).toEqual(before.filter((k) => k !== keyOf('customer-a', sid)));
    // The original is untouched and still works where it belongs.
    expect(
      (await me(DEMO.c.host, cookieFor('customer-c', sid, t.config.sessionSecrets))).status,
    ).toBe(200);
  });

  it('when a route keeps data in an anonymous session, then the stored session is stamped with its tenant and start', async () => {
    const cart = Router().post('/cart', (req, res) => {
      req.session.visits = 1;
      res.json({ ok: true });
    });
    const app = buildApp(t, { pages: [cart] });
    const res = await request(app).post('/cart').set('Host', DEMO.b.host);
    const cookie = cookiesOf(res)[0]!;
    const value = JSON.parse((await t.redis.get(keyOf('customer-b', sessionIdOf(cookie))))!);
    expect(value).toMatchObject({ tenantId: 'customer-b', visits: 1 });
    expect(value.createdAt).toBeGreaterThan(Date.now() - 60_000);
    expect(value.user).toBeUndefined();
  });
});
