import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createUserSessions } from '../../src/sessions/user-sessions.ts';
import { DEMO } from '../../harness/demo.ts';
import { commandCalls } from '../../harness/redis-cli.ts';
import { startRedisServer, type RedisServer } from '../../harness/redis-server.ts';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';
import {
  indexKey,
  sessionKey,
  sessionsOf,
  signInWith,
  BROWSERS,
} from '../../harness/user-sessions.ts';

/**
 * One account cannot load the store for everyone: a user holds at most SESSION_MAX_PER_USER (50 by
 * default) sessions per tenant, and listing them reads them in one round trip, not one GET each.
 * On a Redis of its own, so INFO commandstats counts this file's commands alone.
 */
let own: RedisServer;
let t: TestApp;
const alice = DEMO.a;
const CAP = 50;

beforeAll(async () => {
  own = await startRedisServer();
  // The environment's defaults, but for the sign-ins one address may make in a row.
  t = await createTestApp({ redisUrl: own.url, env: { LOGIN_MAX_SUCCESSES: '1000' } });
});
afterAll(async () => {
  await t.close();
  await own.stop();
});

const index = () => indexKey(t.config.appName, 'customer-a', 'alice');
const key = (sid: string) => sessionKey(t.config.appName, 'customer-a', sid);

beforeEach(async () => {
  for (const sid of await t.redis.zRange(index(), 0, -1)) await t.redis.del(key(sid));
  await t.redis.del(index());
});

/**
 * Alice signed in once through the form, plus `more` sessions of hers signed in earlier: copies
 * of the real one under fresh ids, each in her index, as that many sign-ins would leave them
 * (without hashing that many passwords).
 */
async function aliceWith(more: number) {
  const real = await signInWith(t.app, alice, BROWSERS.firefox);
  const stored = JSON.parse((await t.redis.get(key(real.sid)))!) as { createdAt: number };
  const sessions = createUserSessions({
    stores: t.stores,
    appName: t.config.appName,
    defaults: { ttlSeconds: 3600, absoluteSeconds: 86_400, maxPerUser: CAP },
  });
  const tenant = t.tenants.resolve(alice.host)!;
  const earlier: string[] = [];
  for (let i = 0; i < more; i++) {
    const sid = randomBytes(24).toString('base64url');
    const createdAt = stored.createdAt - (more - i) * 1000;
    await sessions.add(tenant, 'alice', sid, createdAt);
    await t.redis.set(key(sid), JSON.stringify({ ...stored, createdAt }), { EX: 3600 });
    earlier.push(sid);
  }
  return { real, earlier };
}

const calls = async () => {
  const {
    info,
    'config|resetstat': reset,
    ...app
  } = commandCalls(await t.redis.info('commandstats'));
  const all = Object.values(app).reduce((sum, n) => sum + n, 0);
  return { get: app.get ?? 0, mget: app.mget ?? 0, all };
};

describe('sessions per user', () => {
  it('when nothing is configured, then the limit is 50: a sign-in past it ends the earliest', async () => {
    const { real, earlier } = await aliceWith(CAP - 1);
    expect(await sessionsOf(t.app, alice.host, real.cookie)).toHaveLength(CAP);
    const next = await signInWith(t.app, alice, BROWSERS.safari);
    const listed = await sessionsOf(t.app, alice.host, next.cookie);
    expect(listed).toHaveLength(CAP);
    expect(await t.redis.exists(key(earlier[0]!))).toBe(0);
    expect(await t.redis.exists(key(earlier[1]!))).toBe(1);
    expect(await t.redis.zScore(index(), earlier[0]!)).toBeNull();
  });

  it('when alice lists her 50 sessions, then they are read with one MGET, not a GET each, and the request sends a handful of commands', async () => {
    const { real } = await aliceWith(CAP - 1);
    await t.redis.configResetStat();
    const res = await request(t.app)
      .get('/api/sessions')
      .set('Host', alice.host)
      .set('Cookie', real.cookie);
    expect(res.status).toBe(200);
    expect((res.body as { sessions: unknown[] }).sessions).toHaveLength(CAP);
    const used = await calls();
    expect(used.mget).toBe(1);
    expect(used.get).toBe(0);
    // GETEX (this session), ZREMRANGEBYSCORE, ZRANGE, MGET, and a SET of lastSeenAt at most.
    expect(used.all).toBeLessThanOrEqual(5);
  });

  it('when alice signs out everywhere with 50 sessions, then every one ends', async () => {
    const { real, earlier } = await aliceWith(CAP - 1);
    await t.redis.configResetStat();
    const res = await request(t.app)
      .post('/logout')
      .set('Host', alice.host)
      .set('Cookie', real.cookie)
      .type('form')
      .send({ everywhere: '1' });
    expect(res.status).toBe(303);
    expect(await t.redis.exists([real.sid, ...earlier].map(key))).toBe(0);
    expect(await t.redis.exists(index())).toBe(0);
  });
});

describe('isolation', () => {
  it('when bob lists his sessions at customer B, then none of alice’s many are among them', async () => {
    await aliceWith(5);
    const bob = await signInWith(t.app, DEMO.b, BROWSERS.chrome);
    expect(await sessionsOf(t.app, DEMO.b.host, bob.cookie)).toHaveLength(1);
  });
});
