import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { INDEX_GRACE_MS } from '../../src/sessions/user-sessions.ts';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';
import {
  BROWSERS,
  indexKey,
  sessionKey,
  sessionsOf,
  signInWith,
  signedIn,
} from '../../harness/user-sessions.ts';
import { DEMO } from '../../harness/demo.ts';

/**
 * The per-user index in Redis: `user-sessions:{<tenant>:<app>:<user>}`, a sorted set of session
 * ids scored by sign-in time. The session key is the truth; the index is a superset of the live
 * sessions, pruned as it is read, and never outlived by a session in it.
 */
const ABSOLUTE = 7200;
let t: TestApp;
const alice = DEMO.a;

beforeAll(async () => {
  t = await createTestApp({ env: { SESSION_ABSOLUTE_SECONDS: String(ABSOLUTE) } });
});
afterAll(async () => {
  await t.close();
});

const index = () => indexKey(t.config.appName, 'customer-a', 'alice');
const key = (sid: string) => sessionKey(t.config.appName, 'customer-a', sid);
const stored = async (sid: string) =>
  JSON.parse((await t.redis.get(key(sid)))!) as { createdAt: number; endsAt: number };

beforeEach(async () => {
  for (const sid of await t.redis.zRange(index(), 0, -1)) await t.redis.del(key(sid));
  await t.redis.del(index());
});

describe('the per-user index', () => {
  it('when alice signs in, then her index holds the new id scored by its sign-in, with a TTL past the session’s absolute end', async () => {
    const { sid } = await signInWith(t.app, alice, BROWSERS.firefox);
    const session = await stored(sid);
    expect(await t.redis.zRangeWithScores(index(), 0, -1)).toEqual([
      { value: sid, score: session.createdAt },
    ]);
    expect(session.endsAt).toBe(session.createdAt + ABSOLUTE * 1000);
    const ttl = await t.redis.ttl(index());
    expect(ttl).toBeGreaterThanOrEqual(ABSOLUTE);
    expect(ttl).toBeLessThanOrEqual(ABSOLUTE + 60);
    expect(await t.redis.ttl(key(sid))).toBeLessThanOrEqual(ttl);
  });

  it('when the index already has a longer TTL, then a sign-in keeps it; when shorter, it is lengthened', async () => {
    await signInWith(t.app, alice, BROWSERS.firefox);
    await t.redis.expire(index(), ABSOLUTE * 10);
    await signInWith(t.app, alice, BROWSERS.safari);
    expect(await t.redis.ttl(index())).toBeGreaterThan(ABSOLUTE * 9);
    await t.redis.expire(index(), 100);
    await signInWith(t.app, alice, BROWSERS.chrome);
    expect(await t.redis.ttl(index())).toBeGreaterThanOrEqual(ABSOLUTE);
    expect(await t.redis.zCard(index())).toBe(3);
  });

  it('when a session key is gone (expired by Redis), then its entry is pruned on the next read, once older than the grace period', async () => {
    const kept = await signInWith(t.app, alice, BROWSERS.firefox);
    const lost = await signInWith(t.app, alice, BROWSERS.safari);
    await t.redis.del(key(lost.sid)); // as if its TTL ran out
    expect(await sessionsOf(t.app, alice.host, kept.cookie)).toHaveLength(1);
    // Young: it could be a login that has added its entry and not yet written its session.
    expect(await t.redis.zScore(index(), lost.sid)).not.toBeNull();
    await t.redis.zAdd(index(), { value: lost.sid, score: Date.now() - INDEX_GRACE_MS - 1000 });
    expect(await sessionsOf(t.app, alice.host, kept.cookie)).toHaveLength(1);
    expect(await t.redis.zRange(index(), 0, -1)).toEqual([kept.sid]);
  });

  it('when an entry is older than the absolute lifetime, then it is pruned, even while its key lingers', async () => {
    const kept = await signInWith(t.app, alice, BROWSERS.firefox);
    const old = Date.now() - ABSOLUTE * 1000 - 1000;
    await t.redis.zAdd(index(), { value: 'ancient', score: old });
    await t.redis.set(key('ancient'), JSON.stringify({ tenantId: 'customer-a', createdAt: old }), {
      expiration: { type: 'EX', value: 60 },
    });
    expect(await sessionsOf(t.app, alice.host, kept.cookie)).toHaveLength(1);
    expect(await t.redis.zRange(index(), 0, -1)).toEqual([kept.sid]);
    // A sign-in prunes them too, so an index nobody lists stays bounded.
    await t.redis.zAdd(index(), { value: 'ancient', score: old });
    await signInWith(t.app, alice, BROWSERS.safari);
    expect(await t.redis.zScore(index(), 'ancient')).toBeNull();
  });

  it('when the index says a session is alice’s but the session names someone else, then it is not listed and not ended', async () => {
    const kept = await signInWith(t.app, alice, BROWSERS.firefox);
    const bobs = await signInWith(t.app, DEMO.b, BROWSERS.chrome);
    // bob's session copied under customer A's prefix, and alice's index pointed at it.
    await t.redis.set(
      key(bobs.sid),
      (await t.redis.get(sessionKey(t.config.appName, 'customer-b', bobs.sid)))!,
      {
        expiration: { type: 'EX', value: 60 },
      },
    );
    await t.redis.zAdd(index(), { value: bobs.sid, score: Date.now() });
    expect((await sessionsOf(t.app, alice.host, kept.cookie)).map((s) => s.current)).toEqual([
      true,
    ]);
    expect(await t.redis.exists(key(bobs.sid))).toBe(1);
    expect(await signedIn(t.app, DEMO.b.host, bobs.cookie)).toBe(true);
  });

  it('when a session’s entry is missing from the index, then the session still works until it ends (the session key is the truth)', async () => {
    const { sid, cookie } = await signInWith(t.app, alice, BROWSERS.firefox);
    await t.redis.zRem(index(), sid);
    expect(await signedIn(t.app, alice.host, cookie)).toBe(true);
    const me = await request(t.app).get('/api/me').set('Host', alice.host).set('Cookie', cookie);
    expect(me.body.user.username).toBe('alice');
  });
});

describe('the absolute end fixed at sign-in', () => {
  it('when the lifetime is raised after sign-in, then the session keeps its end, so its index outlives it', async () => {
    const { sid, cookie } = await signInWith(t.app, alice, BROWSERS.firefox);
    const raised = await createTestApp({
      env: {
        APP_NAME: t.config.appName,
        SESSION_ABSOLUTE_SECONDS: String(ABSOLUTE * 10),
      },
    });
    try {
      // The session is due to end in 60 s; a request under the raised lifetime keeps it so.
      const session = await stored(sid);
      session.endsAt = Date.now() + 60_000;
      await t.redis.set(key(sid), JSON.stringify(session), {
        expiration: { type: 'EX', value: 3600 },
      });
      expect(await signedIn(raised.app, alice.host, cookie)).toBe(true);
      expect(await t.redis.ttl(key(sid))).toBeLessThanOrEqual(60);
      // Past it, the session is over, whatever the lifetime now says.
      session.endsAt = Date.now() - 1;
      await t.redis.set(key(sid), JSON.stringify(session), {
        expiration: { type: 'EX', value: 3600 },
      });
      expect(await signedIn(raised.app, alice.host, cookie)).toBe(false);
      expect(await t.redis.exists(key(sid))).toBe(0);
    } finally {
      await raised.redis.close();
      await raised.stores.close();
    }
  });
});
