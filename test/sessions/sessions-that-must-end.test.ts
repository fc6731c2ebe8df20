import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { hashPassword } from '../../src/auth/password.ts';
import { sessionIdOf } from '../support/cookies.ts';
import { timedRequest } from '../support/http-client.ts';
import { startServer, type ServerProcess } from '../support/server-process.ts';
import { tenantFilesCopy, type TenantFiles, type TenantFileJson } from '../support/tenant-files.ts';
import { indexKey, sessionKey } from '../support/user-sessions.ts';
import { DEMO } from '../support/demo.ts';
import { eventually } from '../support/polling.ts';
import { signIn, type Who } from '../support/sign-in.ts';

/**
 * Two replicas of the real server (src/server.ts, configured as in production) share one Redis
 * and one TENANTS_DIR, which the test edits on disk. A password change, a disabled user, a removed
 * user and a removed-then-re-added tenant each end the affected sessions at their next request,
 * on whichever replica that request reaches, and nobody else's.
 */
const alice = DEMO.a;
const bob = DEMO.b;
const APP_NAME = `must-end-${randomBytes(3).toString('hex')}`;
const redis = createClient({ url: inject('redisUrl') });
let files: TenantFiles;
let original: TenantFileJson;
let replicas: ServerProcess[];

beforeAll(async () => {
  files = await tenantFilesCopy();
  original = await files.read('customer-a');
  await redis.connect();
  const env = {
    TENANTS_DIR: files.dir,
    APP_NAME,
    SESSION_SECRET: randomBytes(32).toString('base64url'),
  };
  replicas = await Promise.all([
    startServer({ redisUrl: inject('redisUrl'), env }),
    startServer({ redisUrl: inject('redisUrl'), env }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all((replicas ?? []).map((r) => r.stop()));
  for await (const keys of redis.scanIterator({ MATCH: `*:${APP_NAME}:*`, COUNT: 1000 })) {
    if (keys.length > 0) await redis.del(keys);
  }
  await redis.close();
  await files.remove();
});

/** Puts customer A's file back and waits until both replicas serve it again. */
afterEach(async () => {
  await files.write('customer-a', original);
  await eventually(
    async () => {
      for (const r of replicas) await signIn(r.port, alice);
    },
    { timeoutMs: 10_000, intervalMs: 200 },
  );
});

const me = (r: ServerProcess, host: string, cookie: string) =>
  timedRequest({ port: r.port, path: '/api/me', host, cookie, accept: 'application/json' });
const loginStatus = async (r: ServerProcess, who: Who, password = who.password) =>
  (
    await timedRequest({
      port: r.port,
      method: 'POST',
      path: '/login',
      host: who.host,
      form: { username: who.username, password },
    })
  ).status;

/** Polls until every (replica, cookie) pair is anonymous there: what "ends at its next request" looks like. */
async function untilAnonymous(pairs: [ServerProcess, string][]) {
  await eventually(
    async () => {
      for (const [r, cookie] of pairs) {
        const res = await me(r, alice.host, cookie);
        if (res.status !== 401) throw new Error(`still ${res.status} on port ${r.port}`);
      }
    },
    // The contract says 2 s; the margin is for a loaded test machine.
    { timeoutMs: 10_000, intervalMs: 100 },
  );
}

/** alice signed in once at each replica, bob once: the sessions each case works on. */
async function signInEverywhere() {
  const [r1, r2] = replicas as [ServerProcess, ServerProcess];
  return {
    r1,
    r2,
    atR1: await signIn(r1.port, alice),
    atR2: await signIn(r2.port, alice),
    bobs: await signIn(r1.port, bob),
  };
}

/** Their keys are gone and alice's index no longer lists them. */
async function expectEnded(...cookies: string[]) {
  const index = await redis.zRange(indexKey(APP_NAME, 'customer-a', 'alice'), 0, -1);
  for (const cookie of cookies) {
    expect(await redis.exists(sessionKey(APP_NAME, 'customer-a', sessionIdOf(cookie)))).toBe(0);
    expect(index).not.toContain(sessionIdOf(cookie));
  }
}

describe('sessions that must end, on every replica, when the tenant file changes', () => {
  it('when alice’s password hash changes, then her older sessions end at their next request on each replica, and a new sign-in stays', async () => {
    const { r1, r2, atR1, atR2, bobs } = await signInEverywhere();
    const hash = await hashPassword('alice-new-password', { logN: 12, r: 8, p: 1 });
    await files.editUser('customer-a', 'alice', (user) => (user.passwordHash = hash));

    await untilAnonymous([
      [r1, atR1],
      [r2, atR2],
    ]);
    await expectEnded(atR1, atR2);
    for (const r of [r1, r2]) {
      expect(await loginStatus(r, alice)).toBe(401);
      expect(await loginStatus(r, alice, 'alice-new-password')).toBe(303);
    }
    const fresh = await signIn(r1.port, { ...alice, password: 'alice-new-password' });
    for (const r of [r1, r2]) expect((await me(r, alice.host, fresh)).status).toBe(200);
    expect((await me(r2, bob.host, bobs)).status).toBe(200);
  });

  it('when alice is marked disabled, then she cannot sign in (the same 401 as a wrong password) and her sessions end on each replica', async () => {
    const { r1, r2, atR1, atR2, bobs } = await signInEverywhere();
    await files.editUser('customer-a', 'alice', (user) => (user.disabled = true));

    await untilAnonymous([
      [r1, atR1],
      [r2, atR2],
    ]);
    await expectEnded(atR1, atR2);
    const login = (password: string) =>
      timedRequest({
        port: r2.port,
        method: 'POST',
        path: '/login',
        host: alice.host,
        form: { username: 'alice', password },
      });
    const [right, wrong] = [await login(alice.password), await login('not-her-password')];
    expect(right.status).toBe(401);
    expect(right.body).toBe(wrong.body);
    expect((await me(r1, bob.host, bobs)).status).toBe(200);

    // Enabled again: she can sign in anew; the ended sessions stay ended.
    await files.editUser('customer-a', 'alice', (user) => delete user.disabled);
    await eventually(() => signIn(r1.port, alice), { timeoutMs: 10_000, intervalMs: 200 });
    expect((await me(r1, alice.host, atR1)).status).toBe(401);
  });

  it('when alice is removed from the file, then her sessions end on each replica', async () => {
    const { r1, r2, atR1, atR2, bobs } = await signInEverywhere();
    await files.edit('customer-a', (file) => (file.users = []));

    await untilAnonymous([
      [r1, atR1],
      [r2, atR2],
    ]);
    await expectEnded(atR1, atR2);
    for (const r of [r1, r2]) expect(await loginStatus(r, alice)).toBe(401);
    expect((await me(r2, bob.host, bobs)).status).toBe(200);
  });

  it('when customer A is removed and a new tenant reuses its id without alice, then her old cookie signs nobody in there', async () => {
    const { r1, r2, atR1, atR2, bobs } = await signInEverywhere();
    await files.delete('customer-a');
    await eventually(
      async () => {
        for (const r of [r1, r2]) {
          const res = await timedRequest({ port: r.port, path: '/', host: alice.host });
          if (res.status !== 404) throw new Error(`still ${res.status}`);
        }
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    await files.write('customer-a', {
      ...original,
      name: 'Another Customer A',
      users: [{ ...original.users[0]!, username: 'zed', displayName: 'Zed' }],
    });
    await eventually(
      async () => {
        for (const r of [r1, r2]) {
          const res = await timedRequest({ port: r.port, path: '/', host: alice.host });
          if (!res.body.includes('Another Customer A')) throw new Error(`still ${res.status}`);
        }
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );

    expect((await me(r1, alice.host, atR1)).status).toBe(401);
    expect((await me(r2, alice.host, atR2)).status).toBe(401);
    await expectEnded(atR1, atR2);
    expect((await me(r1, bob.host, bobs)).status).toBe(200);
  });
});
