import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  pendingLogin,
  sendAbandonedLogins,
  timedAsset,
  timedLogin,
} from '../../harness/login-flood.ts';
import { createClient } from 'redis';
import { alarmingLines, startServer, type ServerProcess } from '../../harness/server-process.ts';
import { DEMO } from '../../harness/demo.ts';
import { eventually, sleep } from '../../harness/polling.ts';

/**
 * Logins cannot take the service down. A password check costs about a third of a second of CPU
 * on a shared thread pool; unqueued, 80 abandoned logins at one tenant kept bob's login at another
 * tenant waiting 30 s (more on a loaded machine) and a static file as long (SECURITY.md,
 * "Availability"). Against the real server in production mode, as behaviour with wide margins:
 * what the flood costs bob is compared with bob's own sign-in on the same machine just before,
 * and with the order in which answers come back.
 *
 * The server hashes one password at a time (UV_THREADPOOL_SIZE=2), so these floods cost little
 * CPU and leave the rest of the suite alone; TRUST_PROXY lets a flood come from many addresses
 * (X-Forwarded-For), past the per-address limit, as a botnet's would.
 */
let server: ServerProcess;
/** Bob's sign-in, measured before any flood. */
let idleLogin: number;

beforeAll(async () => {
  server = await startServer({
    redisUrl: inject('redisUrl'),
    env: { UV_THREADPOOL_SIZE: '2', TRUST_PROXY: 'loopback' },
  });
  const login = await timedLogin(server.port, DEMO.b);
  expect(login.status).toBe(303);
  idleLogin = login.ms;
});
afterAll(async () => {
  await server.stop();
});

/**
 * Promptly: within five of bob's own sign-ins, and never less than 5 s. Unqueued, 80 hashes on a
 * pool of four threads are twenty sign-ins' worth, however fast the machine.
 */
const prompt = () => Math.max(5000, 5 * idleLogin);

describe('a login flood at one tenant', { timeout: 60_000 }, () => {
  it('when 80 logins with fresh usernames hit customer-a and hang up at once, then bob signs in at customer-b and a static file is served promptly', async () => {
    await sendAbandonedLogins(server.port, { host: DEMO.a.host, count: 80 });
    const [login, asset] = await Promise.all([
      timedLogin(server.port, DEMO.b),
      timedAsset(server.port, DEMO.b.host),
    ]);
    expect(login.status).toBe(303);
    expect(asset.status).toBe(200);
    expect(login.ms).toBeLessThan(prompt());
    expect(asset.ms).toBeLessThan(prompt());
    expect(alarmingLines(server)).toEqual([]);
  });

  it('when logins that wait for their answers flood customer-a from many addresses, then the overflow gets 503 with Retry-After at once, and bob at customer-b is answered before the flood', async () => {
    const flood = Array.from({ length: 40 }, (_, i) =>
      pendingLogin(server.port, {
        host: DEMO.a.host,
        username: `waiting-${i}`,
        password: 'guess',
        forwardedFor: `198.51.100.${i + 1}`,
      }),
    );
    try {
      // One hashing, 32 waiting: customer-a's queue is full, and the rest is turned away at once.
      const first = await Promise.race(flood.map((f) => f.answer));
      expect(first.status).toBe(503);
      expect(Number(first.retryAfter)).toBeGreaterThan(0);

      const login = await timedLogin(server.port, DEMO.b);
      const loginAt = performance.now();
      expect(login.status).toBe(303);
      // Bob's turn came next: unqueued, his hash would wait behind every one of theirs.
      const done = await Promise.all(
        flood.map((f) => Promise.race([f.answer, Promise.resolve(undefined)])),
      );
      const checkedBefore = done.filter((d) => d?.status === 401 && d.at < loginAt).length;
      expect(checkedBefore).toBeLessThan(5);
      const refused = done.filter((d) => d?.status === 503);
      expect(refused.length).toBeGreaterThanOrEqual(5);
      for (const r of refused) expect(Number(r!.retryAfter)).toBeGreaterThan(0);
    } finally {
      // Hanging up drops the hashes still waiting: nothing is left to run.
      for (const f of flood) f.abort();
    }
    expect(alarmingLines(server)).toEqual([]);
  });

  it('when 300 logins with fresh usernames hit customer-c from one address in waves and hang up, then the limiter keeps no more keys than its per-address limit allows', async () => {
    const redis = createClient({ url: inject('redisUrl') });
    await redis.connect();
    const MATCH = `login-failures:${DEMO.c.tenant}:${server.env.APP_NAME}:*`;
    const count = async () => {
      let n = 0;
      for await (const keys of redis.scanIterator({ MATCH, COUNT: 1000 })) n += keys.length;
      return n;
    };
    try {
      // In waves, as a flood that lasts comes: each wave's attempts are taken back as its
      // clients hang up, so the address limit lets the next wave through.
      for (let wave = 0; wave < 6; wave++) {
        await sendAbandonedLogins(server.port, {
          host: DEMO.c.host,
          count: 50,
          prefix: `distinct-${wave}`,
        });
        await sleep(300);
      }
      // Until the count stays put: every attempt of the flood admitted, hashed or taken back.
      const settled = await eventually(async () => {
        const before = await count();
        await sleep(1000);
        const after = await count();
        if (after !== before) throw new Error(`${before} -> ${after} keys`);
        return after;
      });
      // Each name that was hashed and failed keeps its count for the window, and so does the
      // address: LOGIN_MAX_FAILURES_PER_ADDRESS (50) + 1 at most. Every attempt taken back is gone.
      expect(settled).toBeLessThanOrEqual(51);
    } finally {
      await redis.close();
    }
  });
});
