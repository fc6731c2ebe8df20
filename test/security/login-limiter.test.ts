import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { clientBucket, createLoginLimiter } from '../../src/auth/login-limiter.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { singleStore } from '../../src/store/stores.ts';
import type { Tenant } from '../../src/tenants/tenant.ts';
import { DEMO } from '../../harness/demo.ts';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';

/**
 * Failed-login limiting: in Redis, per tenant, per client address across usernames and per
 * username plus client address.
 */
const MAX = 2;
/** The smallest per-address limit the configuration allows (4 × LOGIN_MAX_FAILURES), to hash little. */
const PER_ADDRESS = 4;
const limits = { LOGIN_MAX_FAILURES: '1', LOGIN_MAX_FAILURES_PER_ADDRESS: String(PER_ADDRESS) };
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({
    env: { LOGIN_MAX_FAILURES: String(MAX), LOGIN_WINDOW_SECONDS: '600' },
  });
});
afterAll(async () => {
  await t.close();
});

const attempt = (
  app: TestApp['app'],
  host: string,
  username: string,
  password: string,
  headers: Record<string, string> = {},
) =>
  request(app)
    .post('/login')
    .set('Host', host)
    .set(headers)
    .type('form')
    .send({ username, password });

/** The visible part of an answer: status, Retry-After and the page's message. */
const answer = (res: request.Response) => ({
  status: res.status,
  retryAfter: res.headers['retry-after'] !== undefined,
  message: /class="error-summary__list">\s*<li>([^<]*)</.exec(res.text)?.[1],
});

describe('failed-login limiting', () => {
  it('when a username fails too often, then 429 with Retry-After, even for the right password', async () => {
    for (let i = 0; i < MAX; i++) {
      expect((await attempt(t.app, DEMO.c.host, 'carol', 'wrong')).status).toBe(401);
    }
    const locked = await attempt(t.app, DEMO.c.host, 'carol', 'carol-password');
    expect(locked.status).toBe(429);
    const retryAfter = Number(locked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(locked.text).toContain('Too many failed sign-ins');
  });

  it('when the count lives in Redis, then it is one key per username and address and one per address, under the tenant prefix, hashed, with the window as TTL', async () => {
    await attempt(t.app, DEMO.a.host, 'mallory', 'x');
    const keys = (await t.keys()).filter((k) => k.startsWith('login-failures:customer-a:'));
    const prefix = `login-failures:customer-a:${t.config.appName}:`;
    expect(keys).toHaveLength(2);
    expect(keys).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^${prefix}[\\w-]{43}$`)),
        expect.stringMatching(new RegExp(`^${prefix}address:[\\w-]{43}$`)),
      ]),
    );
    for (const key of keys) {
      expect(key).not.toContain('mallory');
      expect(key).not.toContain('127.0.0.1');
      expect(await t.redis.get(key)).toBe('1');
      expect(await t.redis.ttl(key)).toBeGreaterThan(590);
    }
  });

  it('when many guesses arrive at once, then no more than the limit are checked', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () => attempt(t.app, DEMO.b.host, 'bob', 'guess')),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(MAX);
    expect(statuses.filter((s) => s === 429)).toHaveLength(8 - MAX);
  });

  it('when the username does not exist, then every answer is the same as for one that does', async () => {
    const known: unknown[] = [];
    const unknown: unknown[] = [];
    for (let i = 0; i <= MAX; i++) {
      known.push(answer(await attempt(t.app, DEMO.a.host, 'alice', 'wrong')));
      unknown.push(answer(await attempt(t.app, DEMO.a.host, 'nobody-here', 'wrong')));
    }
    expect(unknown).toEqual(known);
    expect(known[0]).toMatchObject({ status: 401, message: 'Wrong username or password.' });
    expect(known.at(-1)).toMatchObject({ status: 429, retryAfter: true });
  });

  it('when one tenant is under attack, then the same username and address still work at another tenant', async () => {
    const other = await createTestApp({ env: { LOGIN_MAX_FAILURES: String(MAX) } });
    try {
      // "bob" is locked at customer-a from this address; bob's own tenant does not care.
      for (let i = 0; i < MAX; i++) await attempt(other.app, DEMO.a.host, 'bob', 'bob-password');
      expect((await attempt(other.app, DEMO.a.host, 'bob', 'bob-password')).status).toBe(429);
      expect((await attempt(other.app, DEMO.b.host, 'bob', 'bob-password')).status).toBe(303);
    } finally {
      await other.close();
    }
  });

  it('when the app runs as two replicas on one Redis, then failures at one count at the other', async () => {
    const env = { APP_NAME: `r-${t.config.appName}`, LOGIN_MAX_FAILURES: String(MAX) };
    const [one, two] = await Promise.all([createTestApp({ env }), createTestApp({ env })]);
    try {
      for (let i = 0; i < MAX; i++) await attempt(one.app, DEMO.c.host, 'carol', 'wrong');
      expect((await attempt(two.app, DEMO.c.host, 'carol', 'carol-password')).status).toBe(429);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it('when the right password comes before the limit, then the user’s count starts again and the address keeps only the failures', async () => {
    const other = await createTestApp({ env: { LOGIN_MAX_FAILURES: String(MAX) } });
    try {
      for (let i = 0; i < MAX - 1; i++) await attempt(other.app, DEMO.b.host, 'bob', 'wrong');
      expect((await attempt(other.app, DEMO.b.host, 'bob', 'bob-password')).status).toBe(303);
      const keys = (await other.keys()).filter(
        (k) => k.startsWith('login-failures:') && !k.includes(':success:'),
      );
      expect(keys).toEqual([expect.stringContaining(':address:')]);
      expect(await other.redis.get(keys[0]!)).toBe(String(MAX - 1));
    } finally {
      await other.close();
    }
  });

  it('when the client address comes from a trusted proxy, then each address has its own count; from anyone else X-Forwarded-For changes nothing', async () => {
    const proxied = await createTestApp({
      env: { LOGIN_MAX_FAILURES: '1', TRUST_PROXY: 'loopback' },
    });
    const direct = await createTestApp({ env: { LOGIN_MAX_FAILURES: '1' } });
    try {
      const from = (ip: string) => ({ 'X-Forwarded-For': ip });
      await attempt(proxied.app, DEMO.a.host, 'alice', 'x', from('203.0.113.1'));
      expect(
        (await attempt(proxied.app, DEMO.a.host, 'alice', 'x', from('203.0.113.1'))).status,
      ).toBe(429);
      expect(
        (await attempt(proxied.app, DEMO.a.host, 'alice', 'x', from('203.0.113.2'))).status,
      ).toBe(401);

      await attempt(direct.app, DEMO.a.host, 'alice', 'x', from('203.0.113.1'));
      expect(
        (await attempt(direct.app, DEMO.a.host, 'alice', 'x', from('203.0.113.2'))).status,
      ).toBe(429);
    } finally {
      await Promise.all([proxied.close(), direct.close()]);
    }
  });

  it('when an IPv6 client rotates addresses within its /64, then they all count as one client', async () => {
    const proxied = await createTestApp({
      env: { LOGIN_MAX_FAILURES: '1', TRUST_PROXY: 'loopback' },
    });
    try {
      const from = (ip: string) => ({ 'X-Forwarded-For': ip });
      await attempt(proxied.app, DEMO.b.host, 'bob', 'x', from('2001:db8:1:2::1'));
      const same = await attempt(
        proxied.app,
        DEMO.b.host,
        'bob',
        'x',
        from('2001:db8:1:2:ffff::9'),
      );
      expect(same.status).toBe(429);
      const next = await attempt(proxied.app, DEMO.b.host, 'bob', 'x', from('2001:db8:1:3::1'));
      expect(next.status).toBe(401);
    } finally {
      await proxied.close();
    }
  });

  it('when one address fails with many usernames (spraying), then past LOGIN_MAX_FAILURES_PER_ADDRESS every sign-in from it gets 429, the right password too', async () => {
    const sprayed = await createTestApp({ env: limits });
    try {
      for (let i = 0; i < PER_ADDRESS; i++) {
        expect((await attempt(sprayed.app, DEMO.a.host, `user-${i}`, 'Summer2025!')).status).toBe(
          401,
        );
      }
      const next = await attempt(sprayed.app, DEMO.a.host, 'user-next', 'Summer2025!');
      expect(next.status).toBe(429);
      expect(Number(next.headers['retry-after'])).toBeGreaterThan(0);
      // Counted before any password check: alice's right password from there waits too.
      expect((await attempt(sprayed.app, DEMO.a.host, 'alice', 'alice-password')).status).toBe(429);
      // Per tenant: the same address still signs in at another tenant.
      expect((await attempt(sprayed.app, DEMO.b.host, 'bob', 'bob-password')).status).toBe(303);
    } finally {
      await sprayed.close();
    }
  });

  it('when many usernames are tried at once from one address, then no more than the per-address limit are checked', async () => {
    const sprayed = await createTestApp({ env: limits });
    try {
      const results = await Promise.all(
        Array.from({ length: PER_ADDRESS + 6 }, (_, i) =>
          attempt(sprayed.app, DEMO.c.host, `parallel-${i}`, 'guess'),
        ),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 401)).toHaveLength(PER_ADDRESS);
      expect(statuses.filter((s) => s === 429)).toHaveLength(6);
    } finally {
      await sprayed.close();
    }
  });

  it('when sign-ins from one address succeed, then they do not use up its failure budget', async () => {
    const office = await createTestApp({ env: limits });
    try {
      for (let i = 0; i < PER_ADDRESS + 2; i++) {
        expect((await attempt(office.app, DEMO.b.host, 'bob', 'bob-password')).status).toBe(303);
      }
    } finally {
      await office.close();
    }
  });

  it('when one user signs in successfully LOGIN_MAX_SUCCESSES times from one address, then the next gets 429 with Retry-After before any hashing; other users and addresses are not held', async () => {
    const busy = await createTestApp({
      env: { LOGIN_MAX_SUCCESSES: '2', TRUST_PROXY: 'loopback' },
    });
    const elsewhere = { 'X-Forwarded-For': '203.0.113.50' };
    try {
      // A failure is no success: it does not count here.
      expect((await attempt(busy.app, DEMO.b.host, 'bob', 'wrong')).status).toBe(401);
      for (let i = 0; i < 2; i++) {
        expect((await attempt(busy.app, DEMO.b.host, 'bob', 'bob-password')).status).toBe(303);
      }
      const held = await attempt(busy.app, DEMO.b.host, 'bob', 'bob-password');
      expect(held.status).toBe(429);
      expect(held.text).toContain('Too many sign-ins');
      const retryAfter = Number(held.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(900);
      expect((await attempt(busy.app, DEMO.b.host, 'bob', 'wrong')).status).toBe(429);
      // Per user and address, per tenant.
      const bobElsewhere = await attempt(busy.app, DEMO.b.host, 'bob', 'bob-password', elsewhere);
      expect(bobElsewhere.status).toBe(303);
      expect((await attempt(busy.app, DEMO.a.host, 'alice', 'alice-password')).status).toBe(303);
    } finally {
      await busy.close();
    }
  });

  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:DB8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:db8:1:2:3:4:1.2.3.4', '2001:db8:1:2::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
  ])('when the client address is %s, then failures count against %s', (ip, bucket) => {
    expect(clientBucket(ip)).toBe(bucket);
  });
});

describe('limiter keys', () => {
  const keysAfterOneAttempt = async (secret: string) => {
    const store = createMemoryStore();
    const { kv } = store;
    const limiter = createLoginLimiter({
      stores: singleStore(store),
      appName: 'app',
      secret,
      maxFailures: 5,
      maxFailuresPerAddress: 50,
      maxSuccesses: 20,
      windowSeconds: 60,
    });
    const tenant = { id: 'customer-a' } as Tenant;
    await limiter.admit({ tenant, username: 'alice', clientIp: '203.0.113.7' });
    const keys: string[] = [];
    for await (const batch of kv.scanIterator({ MATCH: 'login-failures:*' })) keys.push(...batch);
    return keys.sort();
  };

  it('when the secret differs, then so do the keys: whoever reads Redis cannot test guesses', async () => {
    const one = await keysAfterOneAttempt('x'.repeat(32));
    const two = await keysAfterOneAttempt('y'.repeat(32));
    expect(one).toHaveLength(2);
    expect(one).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^login-failures:customer-a:app:[\w-]{43}$/),
        expect.stringMatching(/^login-failures:customer-a:app:address:[\w-]{43}$/),
      ]),
    );
    expect(two).toHaveLength(2);
    for (const key of two) expect(one).not.toContain(key);
    const unkeyed = createHash('sha256').update('alice\n203.0.113.7').digest('base64url');
    for (const key of one) expect(key).not.toContain(unkeyed);
  });

  it.each(['memory', 'redis'] as const)(
    'when attempts are taken back (never checked) or succeed, then no counter is left at zero (%s)',
    async (kind) => {
      const store = kind === 'memory' ? createMemoryStore() : t.store;
      const appName = kind === 'memory' ? 'app' : t.config.appName;
      const limiter = createLoginLimiter({
        stores: singleStore(store),
        appName,
        secret: 'z'.repeat(32),
        maxFailures: 5,
        maxFailuresPerAddress: 50,
        maxSuccesses: 20,
        windowSeconds: 60,
      });
      const keys = async () => {
        const found: string[] = [];
        const MATCH = `login-failures:zero-test:${appName}:*`;
        for await (const batch of store.kv.scanIterator({ MATCH })) found.push(...batch);
        return found;
      };
      const tenant = { id: 'zero-test' } as Tenant;
      const attempt = (i: number) =>
        limiter.admit({ tenant, username: `flood-${i}`, clientIp: '198.51.100.9' });
      // A flood of fresh usernames whose clients hang up before their hash: each taken back.
      for (let i = 0; i < 20; i++) await (await attempt(i)).release();
      expect(await keys()).toEqual([]);
      // A success leaves only its own count (LOGIN_MAX_SUCCESSES), never a count of zero.
      await (await attempt(100)).succeeded();
      expect(await keys()).toEqual([expect.stringContaining(':success:')]);
      // A failure stays counted, for the window: one key for the username, one for the address.
      await attempt(101);
      expect(await keys()).toHaveLength(3);
    },
  );
});
