import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';
import { addUser } from '../../harness/users.ts';
import {
  BROWSERS,
  indexKey,
  sessionKey,
  sessionsOf,
  signInWith,
  signOutEverywhere,
  signedIn,
} from '../../harness/user-sessions.ts';
import { DEMO } from '../../harness/demo.ts';

/**
 * The JSON API of "your sessions" (CONTRACT.md, "Sessions people can see and end"), on a real
 * Redis: alice signs in from several browsers, lists them, ends one, ends the others, signs out
 * everywhere; alfred (another user of customer A) and bob (customer B) are never touched.
 */
let t: TestApp;
const alice = DEMO.a;
const alfred = { ...DEMO.a, username: 'alfred' }; // same password, another user of customer A
const bob = DEMO.b;

beforeAll(async () => {
  t = await createTestApp();
  await addUser(t.database, 'customer-a', { ...alfred, displayName: 'Alfred Adler' });
});
afterAll(async () => {
  await t.close();
});

const del = (host: string, cookie: string, path: string) =>
  request(t.app).delete(path).set('Host', host).set('Cookie', cookie);
const key = (tenant: string, sid: string) => sessionKey(t.config.appName, tenant, sid);
const indexOf = (tenant: string, username: string) =>
  t.redis.zRange(indexKey(t.config.appName, tenant, username), 0, -1);

/** Ends every session of these users, so each test starts from none. */
async function signOutAll() {
  for (const [tenant, username] of [
    ['customer-a', 'alice'],
    ['customer-a', 'alfred'],
    ['customer-b', 'bob'],
  ] as const) {
    for (const sid of await indexOf(tenant, username)) await t.redis.del(key(tenant, sid));
    await t.redis.del(indexKey(t.config.appName, tenant, username));
  }
}

describe('GET /api/sessions', () => {
  it('when alice is signed in from two browsers, then each lists both, newest sign-in first, its own marked current, without the session ids', async () => {
    await signOutAll();
    const firefox = await signInWith(t.app, alice, BROWSERS.firefox);
    const safari = await signInWith(t.app, alice, BROWSERS.safari);
    const res = await request(t.app)
      .get('/api/sessions')
      .set('Host', alice.host)
      .set('Cookie', firefox.cookie);
    expect(res.status).toBe(200);
    const { sessions } = res.body as { sessions: Record<string, unknown>[] };
    expect(sessions).toHaveLength(2);
    expect(sessions.map((s) => [s.userAgent, s.device, s.current])).toEqual([
      [BROWSERS.safari, 'Safari on macOS', false],
      [BROWSERS.firefox, 'Firefox on Linux', true],
    ]);
    for (const s of sessions) {
      expect(Object.keys(s).sort()).toEqual(
        ['createdAt', 'current', 'device', 'handle', 'ip', 'lastSeenAt', 'userAgent'].sort(),
      );
      expect(s.handle).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(new Date(s.createdAt as string).toISOString()).toBe(s.createdAt);
      // No request since the sign-in but the sign-in itself.
      expect(Date.parse(s.lastSeenAt as string)).toBeGreaterThanOrEqual(
        Date.parse(s.createdAt as string),
      );
      expect(s.ip).toMatch(/127\.0\.0\.1$/);
    }
    expect(Date.parse(sessions[0]!.createdAt as string)).toBeGreaterThanOrEqual(
      Date.parse(sessions[1]!.createdAt as string),
    );
    // The id is a bearer secret: it appears nowhere in the answer.
    expect(res.text).not.toContain(firefox.sid);
    expect(res.text).not.toContain(safari.sid);
    // The other browser sees the same two, with the other one current.
    const fromSafari = await sessionsOf(t.app, alice.host, safari.cookie);
    expect(fromSafari.map((s) => [s.handle, s.current])).toEqual(
      sessions.map((s) => [s.handle, !s.current]),
    );
  });

  it('when signed out, then 401 JSON', async () => {
    const res = await request(t.app).get('/api/sessions').set('Host', alice.host);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'Not signed in' });
  });

  it('when bob lists his sessions at customer B, then alice’s are not among them', async () => {
    await signOutAll();
    await signInWith(t.app, alice, BROWSERS.firefox);
    const bobs = await signInWith(t.app, bob, BROWSERS.chrome);
    const listed = await sessionsOf(t.app, bob.host, bobs.cookie);
    expect(listed.map((s) => [s.device, s.current])).toEqual([['Chrome on Windows', true]]);
  });
});

describe('DELETE /api/sessions/<handle>', () => {
  it('when alice ends her other browser’s session by its handle, then 204, and that browser’s next request is anonymous', async () => {
    await signOutAll();
    const firefox = await signInWith(t.app, alice, BROWSERS.firefox);
    const safari = await signInWith(t.app, alice, BROWSERS.safari);
    const other = (await sessionsOf(t.app, alice.host, firefox.cookie)).find((s) => !s.current)!;
    const res = await del(alice.host, firefox.cookie, `/api/sessions/${other.handle}`);
    expect(res.status).toBe(204);
    expect(await t.redis.exists(key('customer-a', safari.sid))).toBe(0);
    expect(await indexOf('customer-a', 'alice')).toEqual([firefox.sid]);
    expect(await signedIn(t.app, alice.host, safari.cookie)).toBe(false);
    expect(await signedIn(t.app, alice.host, firefox.cookie)).toBe(true);
    // Ended once: the same handle is now unknown.
    expect((await del(alice.host, firefox.cookie, `/api/sessions/${other.handle}`)).status).toBe(
      404,
    );
  });

  it('when the handle is unknown, another user’s, or another tenant’s, then 404 and nothing ends', async () => {
    await signOutAll();
    const mine = await signInWith(t.app, alice, BROWSERS.firefox);
    const his = await signInWith(t.app, alfred, BROWSERS.chrome);
    const bobs = await signInWith(t.app, bob, BROWSERS.safari);
    const alfredsHandle = (await sessionsOf(t.app, alfred.host, his.cookie))[0]!.handle;
    const bobsHandle = (await sessionsOf(t.app, bob.host, bobs.cookie))[0]!.handle;
    for (const handle of ['A'.repeat(22), 'not-a-handle', alfredsHandle, bobsHandle, mine.sid]) {
      const res = await del(alice.host, mine.cookie, `/api/sessions/${handle}`);
      expect(res.status, handle).toBe(404);
      expect(res.body).toEqual({ error: 'No such session.' });
    }
    // bob's own handle, sent by alice to customer B: she is not signed in there.
    expect((await del(bob.host, mine.cookie, `/api/sessions/${bobsHandle}`)).status).toBe(401);
    for (const [host, cookie] of [
      [alice.host, mine.cookie],
      [alfred.host, his.cookie],
      [bob.host, bobs.cookie],
    ] as const) {
      expect(await signedIn(t.app, host, cookie)).toBe(true);
    }
  });

  it('when signed out, then 401', async () => {
    const res = await request(t.app)
      .delete(`/api/sessions/${'A'.repeat(22)}`)
      .set('Host', alice.host);
    expect(res.status).toBe(401);
  });

  it('when the DELETE comes from another site, then 403 and the session stays', async () => {
    await signOutAll();
    const firefox = await signInWith(t.app, alice, BROWSERS.firefox);
    const safari = await signInWith(t.app, alice, BROWSERS.safari);
    const other = (await sessionsOf(t.app, alice.host, firefox.cookie)).find((s) => !s.current)!;
    const res = await del(alice.host, firefox.cookie, `/api/sessions/${other.handle}`).set(
      'Sec-Fetch-Site',
      'cross-site',
    );
    expect(res.status).toBe(403);
    expect(await signedIn(t.app, alice.host, safari.cookie)).toBe(true);
  });
});

describe('signing out everywhere else, and everywhere', () => {
  it('when alice sends DELETE /api/sessions, then every other session of hers here ends, hers stays, and alfred’s and bob’s stay', async () => {
    await signOutAll();
    const here = await signInWith(t.app, alice, BROWSERS.firefox);
    const others = [
      await signInWith(t.app, alice, BROWSERS.safari),
      await signInWith(t.app, alice, BROWSERS.chrome),
    ];
    const his = await signInWith(t.app, alfred, BROWSERS.chrome);
    const bobs = await signInWith(t.app, bob, BROWSERS.chrome);
    const res = await del(alice.host, here.cookie, '/api/sessions');
    expect(res.status).toBe(204);
    for (const other of others) {
      expect(await signedIn(t.app, alice.host, other.cookie)).toBe(false);
    }
    expect(await indexOf('customer-a', 'alice')).toEqual([here.sid]);
    expect((await sessionsOf(t.app, alice.host, here.cookie)).map((s) => s.current)).toEqual([
      true,
    ]);
    expect(await signedIn(t.app, alfred.host, his.cookie)).toBe(true);
    expect(await signedIn(t.app, bob.host, bobs.cookie)).toBe(true);
  });

  it('when alice signs out with everywhere=1, then all her sessions here end, this one included, and her index is empty', async () => {
    await signOutAll();
    const here = await signInWith(t.app, alice, BROWSERS.firefox);
    const there = await signInWith(t.app, alice, BROWSERS.safari);
    const his = await signInWith(t.app, alfred, BROWSERS.chrome);
    const bobs = await signInWith(t.app, bob, BROWSERS.chrome);
    const res = await signOutEverywhere(t.app, alice.host, here.cookie);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
    expect(await signedIn(t.app, alice.host, here.cookie)).toBe(false);
    expect(await signedIn(t.app, alice.host, there.cookie)).toBe(false);
    expect(await t.redis.exists(indexKey(t.config.appName, 'customer-a', 'alice'))).toBe(0);
    expect(await signedIn(t.app, alfred.host, his.cookie)).toBe(true);
    expect(await signedIn(t.app, bob.host, bobs.cookie)).toBe(true);
  });

  it('when alice signs out plainly, then only this session ends and it leaves her index', async () => {
    await signOutAll();
    const here = await signInWith(t.app, alice, BROWSERS.firefox);
    const there = await signInWith(t.app, alice, BROWSERS.safari);
    const res = await request(t.app)
      .post('/logout')
      .set('Host', alice.host)
      .set('Cookie', here.cookie);
    expect(res.status).toBe(303);
    expect(await signedIn(t.app, alice.host, here.cookie)).toBe(false);
    expect(await signedIn(t.app, alice.host, there.cookie)).toBe(true);
    expect(await indexOf('customer-a', 'alice')).toEqual([there.sid]);
  });
});

describe('lastSeenAt', () => {
  it('when a request comes within a minute of the recorded one, then the stored session is not rewritten; a minute later it is, with the new time and browser', async () => {
    await signOutAll();
    const firefox = await signInWith(t.app, alice, BROWSERS.firefox);
    const stored = () => t.redis.get(key('customer-a', firefox.sid));
    const before = await stored();
    await request(t.app).get('/api/me').set('Host', alice.host).set('Cookie', firefox.cookie);
    expect(await stored()).toBe(before); // a TTL refresh only

    const aged = JSON.parse(before!) as { lastSeenAt: number };
    aged.lastSeenAt -= 61_000;
    await t.redis.set(key('customer-a', firefox.sid), JSON.stringify(aged), {
      expiration: { type: 'EX', value: 600 },
    });
    const sentAt = Date.now();
    await request(t.app)
      .get('/api/me')
      .set('Host', alice.host)
      .set('Cookie', firefox.cookie)
      .set('User-Agent', BROWSERS.chrome);
    const after = JSON.parse((await stored())!) as { lastSeenAt: number; userAgent: string };
    expect(after.lastSeenAt).toBeGreaterThanOrEqual(sentAt);
    expect(after.userAgent).toBe(BROWSERS.chrome);
    const listed = await sessionsOf(t.app, alice.host, firefox.cookie);
    expect(Date.parse(listed[0]!.lastSeenAt)).toBe(after.lastSeenAt);
  });
});
