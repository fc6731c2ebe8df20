import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createUserSessions } from '../../src/sessions/user-sessions.ts';
import { TenantLoadError, loadTenants } from '../../src/tenants/load-tenants.ts';
import { tenantJsonSchema } from '../../src/tenants/tenant-json-schema.ts';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';
import { tenantFilesCopy, type TenantFiles } from '../../harness/tenant-files.ts';
import {
  BROWSERS,
  indexKey,
  sessionKey,
  sessionsOf,
  signInWith,
  signedIn,
} from '../../harness/user-sessions.ts';
import { setCookieHeaders } from '../../harness/cookies.ts';
import { DEMO } from '../../harness/demo.ts';

/**
 * Per-tenant session policy: a tenant file's `"session": {"ttlSeconds", "absoluteSeconds",
 * "maxPerUser"}`, each falling back to the environment, validated when the file loads.
 */
describe('the session policy in a tenant file', () => {
  let files: TenantFiles;
  afterEach(async () => {
    await files.remove();
  });

  it.each([
    ['ttlSeconds below a minute', { ttlSeconds: 10 }, 'session.ttlSeconds'],
    ['absoluteSeconds not a number', { absoluteSeconds: '1d' }, 'session.absoluteSeconds'],
    ['absoluteSeconds past a year', { absoluteSeconds: 40_000_000 }, 'session.absoluteSeconds'],
    ['maxPerUser negative', { maxPerUser: -1 }, 'session.maxPerUser'],
    ['maxPerUser 0, once "no limit"', { maxPerUser: 0 }, 'session.maxPerUser'],
    ['maxPerUser past 1000', { maxPerUser: 1001 }, 'session.maxPerUser'],
    ['maxPerUser fractional', { maxPerUser: 1.5 }, 'session.maxPerUser'],
    ['an unknown setting', { idleSeconds: 60 }, 'session'],
  ])(
    'when it has %s, then the file is refused, naming the field',
    async (_case, session, field) => {
      files = await tenantFilesCopy();
      await files.edit('customer-a', (file) => (file.session = session));
      const err = await loadTenants(files.dir, {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TenantLoadError);
      expect((err as TenantLoadError).problems).toEqual([
        expect.stringMatching(new RegExp(`^customer-a\\.json: ${field.replace('.', '\\.')} `)),
      ]);
    },
  );

  it('when the JSON Schema is generated, then it describes the policy, and no users', () => {
    const schema = tenantJsonSchema() as {
      properties: {
        session: { properties: Record<string, { minimum: number; maximum: number }> };
      };
    };
    const { session } = schema.properties;
    expect(Object.keys(schema.properties)).not.toContain('users');
    expect(Object.keys(session.properties)).toEqual([
      'ttlSeconds',
      'absoluteSeconds',
      'maxPerUser',
    ]);
    expect(session.properties.ttlSeconds).toMatchObject({ minimum: 60, maximum: 31_536_000 });
    expect(session.properties.maxPerUser).toMatchObject({ minimum: 1, maximum: 1000 });
  });
});

describe('a tenant’s own policy, on a real Redis', () => {
  let t: TestApp;
  let files: TenantFiles;
  beforeAll(async () => {
    files = await tenantFilesCopy();
    await files.edit('customer-a', (file) => {
      file.session = { ttlSeconds: 120, absoluteSeconds: 600, maxPerUser: 2 };
    });
    await files.edit('customer-c', (file) => (file.session = { maxPerUser: 1000 }));
    // customer-b sets nothing: the environment's defaults, a limit of 1 among them.
    t = await createTestApp({ env: { TENANTS_DIR: files.dir, SESSION_MAX_PER_USER: '1' } });
  });
  afterAll(async () => {
    await t.close();
    await files.remove();
  });

  const key = (tenant: string, sid: string) => sessionKey(t.config.appName, tenant, sid);

  it('when a tenant sets its lifetimes, then its sessions and cookies follow them, and other tenants keep the defaults', async () => {
    const res = await request(t.app)
      .post('/login')
      .set('Host', DEMO.a.host)
      .type('form')
      .send({ username: 'alice', password: 'alice-password' });
    const expires = Date.parse(/Expires=([^;]+)/.exec(setCookieHeaders(res)[0]!)![1]!);
    const cookieSeconds = (expires - Date.parse(res.headers.date as string)) / 1000;
    // The idle lifetime plus the minute between last-seen saves (see cookieLifetimeMs).
    expect(cookieSeconds).toBeGreaterThan(160);
    expect(cookieSeconds).toBeLessThanOrEqual(180);
    const sid = decodeURIComponent(setCookieHeaders(res)[0]!).match(/^sid=s:([^.]+)\./)![1]!;
    const ttl = await t.redis.ttl(key('customer-a', sid));
    expect(ttl).toBeGreaterThan(100);
    expect(ttl).toBeLessThanOrEqual(120);
    const stored = JSON.parse((await t.redis.get(key('customer-a', sid)))!);
    expect(stored.endsAt - stored.createdAt).toBe(600_000);
    const indexTtl = await t.redis.ttl(indexKey(t.config.appName, 'customer-a', 'alice'));
    expect(indexTtl).toBeGreaterThanOrEqual(600);
    expect(indexTtl).toBeLessThanOrEqual(660);

    const bobs = await signInWith(t.app, DEMO.b, BROWSERS.chrome);
    expect(await t.redis.ttl(key('customer-b', bobs.sid))).toBeGreaterThan(3500);
  });

  it('when alice signs in past the tenant’s maxPerUser, then her session with the earliest sign-in ends, even if it was used last', async () => {
    const first = await signInWith(t.app, DEMO.a, BROWSERS.firefox);
    const second = await signInWith(t.app, DEMO.a, BROWSERS.safari);
    expect(await signedIn(t.app, DEMO.a.host, first.cookie)).toBe(true); // used most recently
    const third = await signInWith(t.app, DEMO.a, BROWSERS.chrome);
    expect(await signedIn(t.app, DEMO.a.host, first.cookie)).toBe(false);
    expect(await signedIn(t.app, DEMO.a.host, second.cookie)).toBe(true);
    expect(await signedIn(t.app, DEMO.a.host, third.cookie)).toBe(true);
    const listed = await sessionsOf(t.app, DEMO.a.host, third.cookie);
    expect(listed.map((s) => [s.device, s.current])).toEqual([
      ['Chrome on Windows', true],
      ['Safari on macOS', false],
    ]);
    expect(await t.redis.exists(key('customer-a', first.sid))).toBe(0);
  });

  it('when the tenant sets no limit, then the environment’s applies; when it sets its own, that one', async () => {
    const b1 = await signInWith(t.app, DEMO.b, BROWSERS.firefox);
    const b2 = await signInWith(t.app, DEMO.b, BROWSERS.safari);
    expect(await signedIn(t.app, DEMO.b.host, b1.cookie)).toBe(false);
    expect(await signedIn(t.app, DEMO.b.host, b2.cookie)).toBe(true);

    const carol = await Promise.all(
      [BROWSERS.firefox, BROWSERS.safari, BROWSERS.chrome].map((ua) =>
        signInWith(t.app, DEMO.c, ua),
      ),
    );
    for (const s of carol) expect(await signedIn(t.app, DEMO.c.host, s.cookie)).toBe(true);
  });

  it('when two sign-ins count against a limit of one at the same moment, then the later stays and the earlier ends, never both', async () => {
    const earlier = await signInWith(t.app, DEMO.c, BROWSERS.firefox);
    const later = await signInWith(t.app, DEMO.c, BROWSERS.safari);
    // Both are written; now each counts, as two racing sign-ins would, under a limit of one.
    const strict = { ...t.tenants.resolve(DEMO.c.host)!, session: { maxPerUser: 1 } };
    const sessions = createUserSessions({
      stores: t.stores,
      appName: t.config.appName,
      defaults: { ttlSeconds: 3600, absoluteSeconds: 86_400, maxPerUser: 1000 },
    });
    await Promise.all([
      sessions.enforceLimit(strict, 'carol', later.sid),
      sessions.enforceLimit(strict, 'carol', earlier.sid),
    ]);
    expect(await signedIn(t.app, DEMO.c.host, later.cookie)).toBe(true);
    expect(await signedIn(t.app, DEMO.c.host, earlier.cookie)).toBe(false);
    expect((await sessions.list(strict, 'carol')).map((s) => s.sid)).toEqual([later.sid]);
  });

  it('when the tenant file lowers the limit on a running app, then the next sign-in applies it', async () => {
    const before = [
      await signInWith(t.app, DEMO.c, BROWSERS.firefox),
      await signInWith(t.app, DEMO.c, BROWSERS.safari),
    ];
    await files.edit('customer-c', (file) => (file.session = { maxPerUser: 1 }));
    expect(await t.tenants.reload()).toBe(true);
    const latest = await signInWith(t.app, DEMO.c, BROWSERS.chrome);
    for (const s of before) expect(await signedIn(t.app, DEMO.c.host, s.cookie)).toBe(false);
    expect(await sessionsOf(t.app, DEMO.c.host, latest.cookie)).toHaveLength(1);
  });
});
