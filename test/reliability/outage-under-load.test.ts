import { afterEach, describe, expect, inject, it } from 'vitest';
import { DEMO } from '../../harness/demo.ts';
import { timedRequest } from '../../harness/http-client.ts';
import { runLoad } from '../../harness/load.ts';
import { sleep } from '../../harness/polling.ts';
import { startRedisServer, type RedisServer } from '../../harness/redis-server.ts';
import { startServer, type ServerProcess } from '../../harness/server-process.ts';
import { signIn } from '../../harness/sign-in.ts';
import { BOUND_MS, expectGracefulOutage } from './outage-assertions.ts';

// Six clients over the three demo tenants, each signed in once (scrypt is slow by design).
const PEOPLE = [DEMO.a, DEMO.b, DEMO.c, DEMO.a, DEMO.b, DEMO.c];
const LOAD_MS = 10_000;

let redis: RedisServer | undefined;
let server: ServerProcess | undefined;
afterEach(async () => {
  await server?.stop();
  await redis?.stop();
  server = redis = undefined;
});

async function signedInClients(port: number) {
  return Promise.all(
    PEOPLE.map(async (who) => ({ host: who.host, cookie: await signIn(port, who) })),
  );
}

describe.runIf(inject('redisServerAvailable'))(
  'when Redis goes away under load',
  { timeout: 60_000 },
  () => {
    it('when redis-server is killed and restarted 2.5 s later, then every answer comes within 2 s, failures are 503 with Retry-After, and service is back within 2 s', async () => {
      redis = await startRedisServer({ appendonly: true });
      server = await startServer({ redisUrl: redis.url });
      const { port } = server;
      const clients = await signedInClients(port);

      const load = runLoad({ port, clients, durationMs: LOAD_MS });
      await sleep(3000);
      const downAt = performance.now();
      await redis.kill();
      await sleep(1000);

      // Mid-outage, as a person in a browser sees it.
      const [anonymousHome, signedInHome, login, healthz, readyz] = await Promise.all([
        timedRequest({ port, path: '/', host: DEMO.a.host, accept: 'text/html' }),
        timedRequest({
          port,
          path: '/',
          host: DEMO.a.host,
          cookie: clients[0]!.cookie,
          accept: 'text/html',
        }),
        timedRequest({
          port,
          method: 'POST',
          path: '/login',
          host: DEMO.b.host,
          form: { username: DEMO.b.username, password: DEMO.b.password },
          accept: 'text/html',
        }),
        timedRequest({ port, path: '/healthz', host: 'localhost' }),
        timedRequest({ port, path: '/readyz', host: 'localhost' }),
      ]);
      expect(anonymousHome.status).toBe(200);
      expect(anonymousHome.body).toContain(DEMO.a.name);
      expect(signedInHome).toMatchObject({ status: 503, headers: { 'retry-after': '2' } });
      expect(signedInHome.headers['content-type']).toMatch(/^text\/html/);
      expect(signedInHome.headers['set-cookie']).toBeUndefined();
      expect(login).toMatchObject({ status: 503, headers: { 'retry-after': '2' } });
      expect(login.headers['set-cookie']).toBeUndefined();
      expect(healthz.status).toBe(200);
      expect(readyz.status).toBe(503);
      for (const answer of [anonymousHome, signedInHome, login, healthz, readyz]) {
        expect(answer.ms).toBeLessThan(BOUND_MS);
      }

      await sleep(1500);
      await redis.restart(); // same port and AOF: the sessions are still there
      const backAt = performance.now();
      const samples = await load;

      expectGracefulOutage('kill -9 and restart', server, samples, { downAt, backAt });
      const exit = await server.stop();
      expect(exit.code).toBe(0);
    });

    it('when redis-server is paused (SIGSTOP) and resumed 2.5 s later, then every answer comes within 2 s, failures are 503 with Retry-After, and service is back within 2 s', async () => {
      redis = await startRedisServer();
      server = await startServer({ redisUrl: redis.url });
      const { port } = server;
      const clients = await signedInClients(port);

      const load = runLoad({ port, clients, durationMs: LOAD_MS });
      await sleep(3000);
      const downAt = performance.now();
      redis.pause();
      await sleep(1000);

      const [anonymousHome, readyz] = await Promise.all([
        timedRequest({ port, path: '/', host: DEMO.c.host, accept: 'text/html' }),
        timedRequest({ port, path: '/readyz', host: 'localhost' }),
      ]);
      expect(anonymousHome.status).toBe(200);
      expect(readyz.status).toBe(503);
      expect(readyz.ms).toBeLessThan(BOUND_MS);

      await sleep(1500);
      redis.resume();
      const backAt = performance.now();
      const samples = await load;

      expectGracefulOutage('SIGSTOP and SIGCONT', server, samples, { downAt, backAt });
      const exit = await server.stop();
      expect(exit.code).toBe(0);
    });
  },
);
