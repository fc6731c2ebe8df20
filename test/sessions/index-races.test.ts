import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kv, KvMulti, Store } from '../../src/store/store.ts';
import type { Stores } from '../../src/store/stores.ts';
import { buildApp, createTestApp, type TestApp } from '../../harness/test-app.ts';
import {
  BROWSERS,
  indexKey,
  signInWith,
  signOutEverywhere,
  signedIn,
} from '../../harness/user-sessions.ts';
import { DEMO } from '../../harness/demo.ts';

/**
 * A login writes two keys in two slots: alice's index entry, then her session. Whatever runs in
 * between (here: "sign out everywhere" from another browser), and wherever the login stops, no
 * session of alice's may exist that her index does not know: that is what lets "sign out
 * everywhere" and `revoke-user` end every session without scanning.
 */
let t: TestApp;
const alice = DEMO.a;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

/** Every session key of alice's that exists now, read straight from Redis. */
async function aliceSessions(): Promise<string[]> {
  const prefix = `sessions:customer-a:${t.config.appName}:`;
  const found: string[] = [];
  for await (const keys of t.redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
    for (const key of keys) {
      const value = await t.redis.get(key);
      if (
        value &&
        (JSON.parse(value) as { user?: { username: string } }).user?.username === 'alice'
      ) {
        found.push(key.slice(prefix.length));
      }
    }
  }
  return found.sort();
}
const indexed = async () =>
  (await t.redis.zRange(indexKey(t.config.appName, 'customer-a', 'alice'), 0, -1)).sort();

/** The invariant: the index knows every session of alice's that exists. */
async function expectIndexKnowsEverySession() {
  const sessions = await aliceSessions();
  const index = await indexed();
  expect(sessions.filter((sid) => !index.includes(sid))).toEqual([]);
}

/**
 * The app on stores that stop the next login right after its FIRST write (the index MULTI or the
 * new session's SET, whichever the code sends first) until the test releases it.
 */
function appHoldingNextLogin(): { app: Express; held: Promise<string>; release: () => void } {
  let armed = true;
  let release = () => {};
  let reached = (_write: string) => {};
  const held = new Promise<string>((resolve) => (reached = resolve));
  const gate = new Promise<void>((resolve) => (release = resolve));
  const pause = async (write: string) => {
    if (!armed) return;
    armed = false;
    reached(write);
    await gate;
  };
  const inner = t.store.kv;
  const kv: Kv = {
    ...inner,
    async set(key, value, options) {
      const reply = await inner.set(key, value, options);
      // A new session's first write (a session read back is written with XX).
      if (key.startsWith('sessions:') && options?.condition === undefined) await pause('session');
      return reply;
    },
    multi() {
      const queued = inner.multi();
      const chain: KvMulti = {
        zAdd: (...args) => (queued.zAdd(...args), chain),
        zRemRangeByScore: (...args) => (queued.zRemRangeByScore(...args), chain),
        expire: (...args) => (queued.expire(...args), chain),
        async exec() {
          const replies = await queued.exec();
          await pause('index');
          return replies;
        },
      };
      return chain;
    },
  };
  const store: Store = { ...t.store, kv };
  const stores: Stores = {
    ...t.stores,
    default: store,
    forTenant: () => store,
    all: () => [store],
  };
  return { app: buildApp({ ...t, stores }), held, release };
}

describe('a login racing "sign out everywhere"', () => {
  it('when a login stops between its two writes and alice signs out everywhere meanwhile, then no session of hers is ever unknown to her index', async () => {
    const elsewhere = await signInWith(t.app, alice, BROWSERS.firefox);
    const { app, held, release } = appHoldingNextLogin();
    const login = signInWith(app, alice, BROWSERS.safari);
    expect(await held).toBe('index'); // the index first, then the session
    await expectIndexKnowsEverySession(); // had the login crashed here, this would be all

    const everywhere = await signOutEverywhere(t.app, alice.host, elsewhere.cookie);
    expect(everywhere.status).toBe(303);
    expect(await signedIn(t.app, alice.host, elsewhere.cookie)).toBe(false);
    await expectIndexKnowsEverySession();

    release();
    const late = await login; // it began before the sign-out everywhere, and ends after it
    await expectIndexKnowsEverySession();
    expect(await aliceSessions()).toEqual([late.sid]);
    // So the next "sign out everywhere" still finds and ends it.
    const res = await signOutEverywhere(t.app, alice.host, late.cookie);
    expect(res.status).toBe(303);
    expect(await aliceSessions()).toEqual([]);
  });

  it('when logins and sign-outs everywhere run at once, round after round, then the index knows every session left', async () => {
    for (let round = 0; round < 4; round++) {
      const first = await signInWith(t.app, alice, BROWSERS.firefox);
      await Promise.all([
        signInWith(t.app, alice, BROWSERS.safari),
        signInWith(t.app, alice, BROWSERS.chrome),
        request(t.app)
          .delete('/api/sessions')
          .set('Host', alice.host)
          .set('Cookie', first.cookie)
          .expect(204),
      ]);
      await expectIndexKnowsEverySession();
    }
  });
});
