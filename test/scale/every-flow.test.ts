import request from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sessionKeyPrefix, userSessionsKeyPrefix } from '../../src/sessions/keys.ts';
import { createUserSessions } from '../../src/sessions/user-sessions.ts';
import { cookiesOf } from '../../harness/cookies.ts';
import { DEMO } from '../../harness/demo.ts';
import { createKindApp, type KindApp } from '../../harness/kind-app.ts';
import { infoFields, redisCli } from '../../harness/redis-cli.ts';
import { startKind, STORE_KINDS, type KindServers } from '../../harness/store-kinds.ts';
import { signIn } from '../../harness/sign-in.ts';
import {
  BROWSERS,
  sessionsOf,
  signedIn,
  signInWith,
  signOutEverywhere,
} from '../../harness/user-sessions.ts';

const MAX_FAILURES = 3;
const WINDOW_SECONDS = 600;
const TTL_SECONDS = 900;
const ABSOLUTE_SECONDS = 3600;

type Answer = { status: number };

/**
 * Every flow a user can take, each a list of steps whose answers must all be < 500: on a cluster a
 * command over keys of two slots is refused as a bug (a 500), so any such command in a flow fails
 * it. Add a flow here when the app gains one (the session pages, revoking, the example feature).
 */
const FLOWS: { name: string; run: (t: KindApp) => Promise<Answer[]> }[] = [
  {
    name: 'several sessions on every tenant, each read (its TTL renewed)',
    run: async (t) => {
      const answers: Answer[] = [];
      for (const who of [DEMO.a, DEMO.b, DEMO.c, DEMO.a, DEMO.b, DEMO.c]) {
        const res = await request(t.app)
          .post('/login')
          .set('Host', who.host)
          .type('form')
          .send({ username: who.username, password: who.password });
        const me = await request(t.app)
          .get('/api/me')
          .set('Host', who.host)
          .set('Cookie', cookiesOf(res)[0]!);
        expect([res.status, me.status]).toEqual([303, 200]);
        answers.push(res, me);
      }
      return answers;
    },
  },
  {
    name: 'sign in, read signed-in pages, sign out',
    run: async (t) => {
      const cookie = await signIn(t.app, DEMO.a);
      const answers = [
        await request(t.app).get('/api/me').set('Host', DEMO.a.host).set('Cookie', cookie),
        await request(t.app).get('/').set('Host', DEMO.a.host).set('Cookie', cookie),
        await request(t.app).post('/logout').set('Host', DEMO.a.host).set('Cookie', cookie),
        await request(t.app).get('/api/me').set('Host', DEMO.a.host).set('Cookie', cookie),
      ];
      expect(answers.map((a) => a.status)).toEqual([200, 200, 303, 401]);
      return answers;
    },
  },
  {
    name: 'the example feature: notes added, listed and deleted (in the database)',
    run: async (t) => {
      const cookie = await signIn(t.app, DEMO.c);
      const api = (method: 'get' | 'post' | 'delete', path: string) =>
        request(t.app)[method](path).set('Host', DEMO.c.host).set('Cookie', cookie);
      const kept = await api('post', '/api/notes').send({ text: 'kept' });
      const gone = await api('post', '/api/notes').send({ text: 'deleted' });
      const list = await api('get', '/api/notes');
      const deleted = await api('delete', `/api/notes/${gone.body.id}`);
      expect([kept.status, gone.status, list.status, deleted.status]).toEqual([201, 201, 200, 204]);
      return [kept, gone, list, deleted];
    },
  },
  {
    name: 'your sessions: listed, one ended, the others ended, then sign out everywhere',
    run: async (t) => {
      const host = DEMO.a.host;
      const [one, two, three] = [
        await signInWith(t.app, DEMO.a, BROWSERS.firefox),
        await signInWith(t.app, DEMO.a, BROWSERS.safari),
        await signInWith(t.app, DEMO.a, BROWSERS.chrome),
      ];
      const listed = await sessionsOf(t.app, host, one.cookie);
      expect(listed.length).toBeGreaterThanOrEqual(3);
      const safari = listed.find((s) => s.userAgent === BROWSERS.safari)!;
      const api = (method: 'get' | 'delete', path: string, cookie: string) =>
        request(t.app)[method](path).set('Host', host).set('Cookie', cookie);
      const endOne = await api('delete', `/api/sessions/${safari.handle}`, one.cookie);
      const page = await api('get', '/account/sessions', one.cookie);
      const endOthers = await api('delete', '/api/sessions', one.cookie);
      expect([endOne.status, page.status, endOthers.status]).toEqual([204, 200, 204]);
      expect(await signedIn(t.app, host, two.cookie)).toBe(false);
      expect(await signedIn(t.app, host, three.cookie)).toBe(false);
      const four = await signInWith(t.app, DEMO.a, BROWSERS.firefox);
      const everywhere = await signOutEverywhere(t.app, host, one.cookie);
      expect(everywhere.status).toBe(303);
      expect(await signedIn(t.app, host, four.cookie)).toBe(false);
      return [endOne, page, endOthers, everywhere];
    },
  },
  {
    name: 'the operator revokes a user through the index (npm run sessions -- revoke-user)',
    run: async (t) => {
      const cookies = [await signIn(t.app, DEMO.b), await signIn(t.app, DEMO.b)];
      const sessions = userSessionsOf(t);
      const bob = t.tenants.resolve(DEMO.b.host)!;
      expect(await sessions.endAll(bob, DEMO.b.username)).toBeGreaterThanOrEqual(2);
      for (const cookie of cookies) expect(await signedIn(t.app, DEMO.b.host, cookie)).toBe(false);
      return [];
    },
  },
  {
    name: 'sessions left signed in for the checks below (two users, two tenants)',
    run: async (t) => {
      for (const who of [DEMO.a, DEMO.a, DEMO.b, DEMO.c]) await signIn(t.app, who);
      return [];
    },
  },
  {
    name: 'failed sign-ins until the limiter answers 429',
    run: async (t) => {
      const answers = [];
      for (let i = 0; i <= MAX_FAILURES; i++) answers.push(await badLogin(t, DEMO.b));
      expect(answers.map((a) => a.status)).toEqual([...Array(MAX_FAILURES).fill(401), 429]);
      return answers;
    },
  },
  {
    name: 'a sign-in after a failure clears the count; a stranger’s failure stays counted',
    run: async (t) => {
      const stranger = await badLogin(t, { ...DEMO.c, username: 'mallory' });
      const failed = await badLogin(t, DEMO.c);
      const ok = await request(t.app)
        .post('/login')
        .set('Host', DEMO.c.host)
        .type('form')
        .send({ username: DEMO.c.username, password: DEMO.c.password });
      expect([stranger.status, failed.status, ok.status]).toEqual([401, 401, 303]);
      return [stranger, failed, ok];
    },
  },
];

const userSessionsOf = (t: KindApp) =>
  createUserSessions({
    stores: t.stores,
    appName: t.config.appName,
    defaults: { ttlSeconds: TTL_SECONDS, absoluteSeconds: ABSOLUTE_SECONDS, maxPerUser: 1000 },
  });

const badLogin = (t: KindApp, who: { host: string; username: string }) =>
  request(t.app)
    .post('/login')
    .set('Host', who.host)
    .type('form')
    .send({ username: who.username, password: 'wrong' });

const kinds = inject('redisServerAvailable') ? STORE_KINDS : (['single'] as const);

describe.each(kinds)('every flow on %s', (kind) => {
  let servers: KindServers;
  let t: KindApp;
  beforeAll(async () => {
    servers = await startKind(kind, inject('redisUrl'));
    t = await createKindApp(servers, {
      env: {
        LOGIN_MAX_FAILURES: String(MAX_FAILURES),
        LOGIN_WINDOW_SECONDS: String(WINDOW_SECONDS),
        SESSION_TTL_SECONDS: String(TTL_SECONDS),
        SESSION_ABSOLUTE_SECONDS: String(ABSOLUTE_SECONDS),
      },
    });
    for (const flow of FLOWS) {
      const answers = await flow.run(t);
      expect(
        answers.filter((a) => a.status >= 500),
        flow.name,
      ).toEqual([]);
    }
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await servers?.stop();
  });

  it('when keys lie in many slots, then getMany reads them in order (nil where absent) and delEach deletes each', async () => {
    const { kv } = t.store;
    // Session-like keys without a hash tag: on a cluster they spread over every primary.
    const keys = Array.from(
      { length: 40 },
      (_, i) => `sessions:customer-a:${t.config.appName}:m${i}`,
    );
    for (const [i, key] of keys.entries()) {
      if (i % 4 !== 3) await kv.set(key, `v${i}`, { expiration: { type: 'EX', value: 60 } });
    }
    const expected = keys.map((_, i) => (i % 4 === 3 ? null : `v${i}`));
    expect(await kv.getMany(keys)).toEqual(expected);
    expect(await kv.delEach(keys)).toEqual(expected.map((v) => (v === null ? 0 : 1)));
    expect(await kv.getMany(keys)).toEqual(keys.map(() => null));
  });

  it('when every flow has run, then every key the app wrote carries a TTL within its bound', async () => {
    const keys = await t.keys();
    expect(keys.filter((k) => k.startsWith('sessions:')).length).toBeGreaterThanOrEqual(6);
    expect(keys.filter((k) => k.startsWith('login-failures:')).length).toBeGreaterThanOrEqual(1);
    expect(keys.filter((k) => k.startsWith('user-sessions:')).length).toBeGreaterThanOrEqual(3);
    const ttls = await Promise.all(keys.map(async (key) => [key, await t.redis.ttl(key)] as const));
    for (const [key, ttl] of ttls) {
      const bound = key.startsWith('login-failures:')
        ? WINDOW_SECONDS
        : key.startsWith('user-sessions:')
          ? ABSOLUTE_SECONDS + 60 // the index outlives its last session by a minute, no more
          : TTL_SECONDS;
      expect({ key, ttl: ttl > 0 && ttl <= bound }).toEqual({ key, ttl: true });
    }
  });

  it('when every flow has run, then every live session is in its user’s index (the index knows every session)', async () => {
    const app = t.config.appName;
    const sessionKeys = (await t.keys()).filter((k) => k.startsWith('sessions:'));
    const values = await t.redis.mGet(sessionKeys);
    let signedInSessions = 0;
    for (const [i, key] of sessionKeys.entries()) {
      const session = JSON.parse(values[i] ?? '{}') as { user?: { username: string } };
      if (!session.user) continue;
      signedInSessions++;
      const tenantId = key.split(':')[1]!;
      const tenant = t.tenants.list().find((x) => x.id === tenantId)!;
      const sid = key.slice(sessionKeyPrefix(tenantId, app).length);
      const index = `${userSessionsKeyPrefix(tenantId, app)}${session.user.username}}`;
      const members = await t.stores.forTenant(tenant).kv.zRangeWithScores(index, 0, -1);
      expect({ key, indexed: members.some((m) => m.value === sid) }).toEqual({
        key,
        indexed: true,
      });
    }
    expect(signedInSessions).toBeGreaterThanOrEqual(4);
  });

  it('when the store is scanned, then it finds every session key, wherever it lives', async () => {
    const pattern = `sessions:*:${t.config.appName}:*`;
    const all = await t.redis.keys(pattern);
    const scanned: string[] = [];
    for (const store of t.stores.all()) {
      for await (const page of store.kv.scanIterator({ MATCH: pattern })) scanned.push(...page);
    }
    expect(scanned.sort()).toEqual(all);
  });

  it.runIf(kind === 'cluster')(
    'when sessions are written to a cluster, then they spread over its primaries and no node ever refused a command across slots',
    async () => {
      const { cluster } = servers;
      const primaries = await cluster!.primaries();
      const perPrimary = await Promise.all(
        primaries.map(async (port) => {
          const keys = await redisCli(
            port,
            '--scan',
            '--pattern',
            `sessions:*:${t.config.appName}:*`,
          );
          return keys.split('\n').filter(Boolean).length;
        }),
      );
      expect(perPrimary.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
      for (const node of cluster!.nodes) {
        const errors = infoFields(await redisCli(node.port, 'info', 'errorstats'));
        expect(errors.get('errorstat_CROSSSLOT')).toBeUndefined();
      }
    },
  );

  it.runIf(kind === 'per-tenant')(
    'when customer-c has its own Redis, then its sessions and limiter keys are there and nowhere else',
    async () => {
      const app = t.config.appName;
      const own = await redisCli(servers.tenantRedis!.port, '--scan', '--pattern', `*:${app}:*`);
      const fallback = await redisCli(
        Number(new URL(servers.env.REDIS_URL!).port),
        '--scan',
        '--pattern',
        `*:${app}:*`,
      );
      const ownKeys = own.split('\n').filter(Boolean);
      expect(ownKeys.length).toBeGreaterThan(0);
      const ofC = (k: string) => /^[a-z-]+:\{?customer-c:/.test(k);
      expect(ownKeys.every(ofC)).toBe(true);
      expect(ownKeys.some((k) => k.startsWith('login-failures:customer-c:'))).toBe(true);
      expect(fallback.split('\n').filter(ofC)).toEqual([]);
    },
  );
});
