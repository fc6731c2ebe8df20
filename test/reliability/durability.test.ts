import { afterEach, describe, expect, inject, it } from 'vitest';
import { DEMO } from '../../harness/demo.ts';
import { timedRequest } from '../../harness/http-client.ts';
import { eventually } from '../../harness/polling.ts';
import { startRedisServer, type RedisServer } from '../../harness/redis-server.ts';
import { restartServer, startServer, type ServerProcess } from '../../harness/server-process.ts';
import { signIn } from '../../harness/sign-in.ts';

let redis: RedisServer | undefined;
const servers: ServerProcess[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
  await redis?.stop();
  redis = undefined;
});

const me = (server: ServerProcess, cookie: string) =>
  timedRequest({
    port: server.port,
    path: '/api/me',
    host: DEMO.a.host,
    cookie,
    accept: 'application/json',
  });

/** Asks until the answer is not a 503 (Redis reconnecting), for at most `ms`; returns that answer. */
const meOnceBack = (server: ServerProcess, cookie: string, ms = 2000) =>
  eventually(
    async () => {
      const res = await me(server, cookie);
      if (res.status === 503) throw new Error(`still 503 after ${ms} ms`);
      return res;
    },
    { timeoutMs: ms, intervalMs: 50 },
  );

describe.runIf(inject('redisServerAvailable'))(
  'sessions outlive restarts',
  { timeout: 45_000 },
  () => {
    it('when the app restarts, then the same cookie is still signed in', async () => {
      redis = await startRedisServer();
      const first = await startServer({ redisUrl: redis.url });
      servers.push(first);
      const cookie = await signIn(first.port, DEMO.a);
      expect((await me(first, cookie)).status).toBe(200);

      expect((await first.stop()).code).toBe(0);
      const second = await restartServer(first);
      servers.push(second);
      const res = await me(second, cookie);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({ user: { username: DEMO.a.username } });
    });

    it('when Redis persists (appendonly) and restarts, then the same cookie is still signed in within 2 s', async () => {
      redis = await startRedisServer({ appendonly: true });
      const server = await startServer({ redisUrl: redis.url });
      servers.push(server);
      const cookie = await signIn(server.port, DEMO.a);

      await redis.restart();
      const res = await meOnceBack(server, cookie);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({ user: { username: DEMO.a.username } });
    });

    it('when Redis keeps nothing on disk and restarts, then the visitor is simply signed out (401, not an error)', async () => {
      redis = await startRedisServer({ appendonly: false });
      const server = await startServer({ redisUrl: redis.url });
      servers.push(server);
      const cookie = await signIn(server.port, DEMO.a);

      await redis.restart();
      expect((await meOnceBack(server, cookie)).status).toBe(401);
    });
  },
);
