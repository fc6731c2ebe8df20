import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { DEMO } from '../../harness/demo.ts';
import { freePort } from '../../harness/free-port.ts';
import { timedRequest } from '../../harness/http-client.ts';
import { eventually, sleep } from '../../harness/polling.ts';
import { startRedisServer, type RedisServer } from '../../harness/redis-server.ts';
import { alarmingLines, startServer, type ServerProcess } from '../../harness/server-process.ts';
import { signIn } from '../../harness/sign-in.ts';

let redis: RedisServer | undefined;
let server: ServerProcess | undefined;
let silent: Server | undefined;
afterEach(async () => {
  await server?.stop();
  await redis?.stop();
  await new Promise((resolve) => (silent ? silent.close(resolve) : resolve(undefined)));
  server = redis = silent = undefined;
});

/** Polls until `ok` or the time is up; returns the milliseconds it took, or Infinity. */
async function msUntil(ok: () => Promise<boolean>, ms: number): Promise<number> {
  const start = performance.now();
  const check = async () => {
    if (!(await ok())) throw new Error('not yet');
  };
  return eventually(check, { timeoutMs: ms, intervalMs: 50 }).then(
    () => performance.now() - start,
    () => Infinity,
  );
}

describe.runIf(inject('redisServerAvailable'))(
  'when the app starts before Redis',
  { timeout: 45_000 },
  () => {
    it('when nothing listens at REDIS_URL, then pages without a session work, the rest is 503, and all comes good within 2 s of Redis starting', async () => {
      redis = await startRedisServer();
      await redis.kill(); // a known port with nothing behind it
      server = await startServer({ redisUrl: redis.url });
      const { port } = server;

      const healthz = await timedRequest({ port, path: '/healthz', host: 'localhost' });
      const home = await timedRequest({ port, path: '/', host: DEMO.b.host, accept: 'text/html' });
      const loginForm = await timedRequest({ port, path: '/login', host: DEMO.b.host });
      const readyz = await timedRequest({ port, path: '/readyz', host: 'localhost' });
      const login = await timedRequest({
        port,
        method: 'POST',
        path: '/login',
        host: DEMO.b.host,
        form: { username: DEMO.b.username, password: DEMO.b.password },
        accept: 'application/json',
      });
      expect(healthz.status).toBe(200);
      expect(home.status).toBe(200);
      expect(home.body).toContain(DEMO.b.name);
      expect(loginForm.status).toBe(200);
      expect(readyz.status).toBe(503);
      expect(login).toMatchObject({ status: 503, headers: { 'retry-after': '2' } });
      expect(JSON.parse(login.body)).toEqual({ error: expect.stringContaining('session store') });
      for (const res of [healthz, home, loginForm, readyz, login])
        expect(res.ms).toBeLessThan(2000);

      await sleep(2000); // long enough for the reconnect backoff to reach its cap
      await redis.restart();
      const ready = await msUntil(
        async () =>
          (await timedRequest({ port, path: '/readyz', host: 'localhost' })).status === 200,
        5000,
      );
      console.log(`started without Redis: ready ${ready.toFixed(0)} ms after Redis started`);
      expect(ready).toBeLessThan(2000);
      const cookie = await signIn(port, DEMO.b);
      const me = await timedRequest({ port, path: '/api/me', host: DEMO.b.host, cookie });
      expect(me.status).toBe(200);
      expect(server.exit()).toBeUndefined();
      expect(alarmingLines(server)).toEqual([]);
    });

    it('when REDIS_URL accepts connections but never answers, then requests still get 503 within 2 s and the client keeps trying afresh', async () => {
      const connections: Socket[] = [];
      silent = createServer((socket) => void connections.push(socket)); // reads, never writes
      const port = await freePort();
      await new Promise<void>((resolve) => silent!.listen(port, '127.0.0.1', resolve));
      server = await startServer({ redisUrl: `redis://127.0.0.1:${port}` });

      for (let i = 0; i < 3; i++) {
        const [readyz, login] = await Promise.all([
          timedRequest({ port: server.port, path: '/readyz', host: 'localhost' }),
          timedRequest({
            port: server.port,
            method: 'POST',
            path: '/login',
            host: DEMO.c.host,
            form: { username: DEMO.c.username, password: DEMO.c.password },
          }),
        ]);
        expect(readyz).toMatchObject({ status: 503 });
        expect(login).toMatchObject({ status: 503, headers: { 'retry-after': '2' } });
        expect(readyz.ms).toBeLessThan(2000);
        expect(login.ms).toBeLessThan(2000);
        await sleep(500);
      }
      // The handshake is bounded too: a connection that never answers is replaced, not waited on.
      expect(connections.length).toBeGreaterThan(1);
      for (const socket of connections) socket.destroy();
      expect(server.exit()).toBeUndefined();
      expect(alarmingLines(server)).toEqual([]);
    });
  },
);
