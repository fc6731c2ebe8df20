import http from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { DEMO } from '../../harness/demo.ts';
import { timedRequest } from '../../harness/http-client.ts';
import { runLoad } from '../../harness/load.ts';
import { sleep } from '../../harness/polling.ts';
import { alarmingLines, startServer, type ServerProcess } from '../../harness/server-process.ts';
import { signIn, type Who } from '../../harness/sign-in.ts';

let server: ServerProcess | undefined;
afterEach(async () => {
  await server?.stop('SIGKILL');
  server = undefined;
});

/** A request that stays in flight: a form whose body never finishes arriving. */
async function hangingRequest(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.on('error', () => undefined);
  socket.write(
    `POST /login HTTP/1.1\r\nHost: ${DEMO.a.host}\r\n` +
      'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nusername=al',
  );
  return socket;
}

/** POST /login with the body held back until finish(): a request the server has surely started. */
async function slowLogin(port: number, who: Who) {
  const body = new URLSearchParams({ username: who.username, password: who.password }).toString();
  const req = http.request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/login',
    headers: {
      Host: who.host,
      'Content-Type': 'application/x-www-form-urlencoded',
      'Content-Length': Buffer.byteLength(body),
    },
  });
  const answer = new Promise<http.IncomingMessage>((resolve, reject) => {
    req.once('response', (res) => {
      res.resume();
      resolve(res);
    });
    req.once('error', reject);
  });
  req.write(body.slice(0, 5));
  req.flushHeaders();
  await sleep(100); // time for the server to read the headers
  return {
    async finish() {
      req.end(body.slice(5));
      const res = await answer;
      return { status: res.statusCode, headers: res.headers };
    },
  };
}

describe.runIf(inject('redisServerAvailable'))('graceful shutdown', { timeout: 45_000 }, () => {
  it('when SIGTERM arrives under load, then requests in flight complete, keep-alive connections close, and it exits 0 within 10 s', async () => {
    server = await startServer({ redisUrl: inject('redisUrl'), env: { LOG_LEVEL: 'info' } });
    const { port } = server;
    const people = [DEMO.a, DEMO.b, DEMO.c, DEMO.a, DEMO.b, DEMO.c];
    const clients = await Promise.all(
      people.map(async (who) => ({ host: who.host, cookie: await signIn(port, who) })),
    );

    // An idle keep-alive connection, as a browser or a proxy keeps one.
    const idleAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const first = await timedRequest({
      port,
      path: '/healthz',
      host: 'localhost',
      agent: idleAgent,
    });
    expect(first.status).toBe(200);
    const idleSocket = Object.values(idleAgent.freeSockets).flat()[0]!;
    const idleClosed = new Promise<number>((resolve) =>
      idleSocket.once('close', () => resolve(performance.now())),
    );

    // Load on keep-alive connections, and three logins surely in flight: headers read, body not yet.
    const load = runLoad({ port, clients, durationMs: 3000 });
    await sleep(1000);
    const logins = await Promise.all(people.slice(0, 3).map((who) => slowLogin(port, who)));
    const termAt = performance.now();
    server.child.kill('SIGTERM');
    await sleep(100);
    const refused = await timedRequest({ port, path: '/healthz', host: 'localhost' });
    const loginAnswers = await Promise.all(logins.map((login) => login.finish()));
    const samples = await load;
    const exit = await server.exited;
    const exitMs = exit.at - termAt;
    console.log(
      `SIGTERM under load: ${samples.filter((s) => s.startedAt < termAt).length} requests before it, ` +
        `${samples.filter((s) => s.startedAt >= termAt && s.status === 200).length} answered after it, ` +
        `exit ${exit.code} after ${exitMs.toFixed(0)} ms`,
    );

    // Everything asked before the signal was answered, and answered well.
    const before = samples.filter((s) => s.startedAt < termAt);
    expect(before.length).toBeGreaterThan(50);
    expect(before.filter((s) => s.status !== 200)).toEqual([]);
    // After it: answers (with Connection: close) or a refused connection, never an HTTP error.
    for (const s of samples.filter((s) => s.startedAt >= termAt)) {
      if (s.status !== 200)
        expect(s).toMatchObject({ status: 0, error: expect.stringMatching(/ECONN/) });
    }
    for (const answer of loginAnswers) {
      expect(answer.status).toBe(303);
      expect(answer.headers['set-cookie']).toBeDefined();
      expect(answer.headers.connection).toBe('close');
    }
    expect(refused).toMatchObject({ status: 0, error: expect.stringMatching(/ECONNREFUSED/) });
    expect(await idleClosed).toBeLessThan(exit.at);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exitMs).toBeLessThan(10_000);
    expect(server.logs().some((line) => line.msg === 'stopped')).toBe(true);
    expect(alarmingLines(server)).toEqual([]);
    idleAgent.destroy();
  });

  it('when a request is still running at SHUTDOWN_TIMEOUT_MS, then its connection is closed and the exit is still 0', async () => {
    server = await startServer({
      redisUrl: inject('redisUrl'),
      env: { SHUTDOWN_TIMEOUT_MS: '1000' },
    });
    const hanging = await hangingRequest(server.port);
    const hangingClosed = new Promise((resolve) => hanging.once('close', resolve));
    const termAt = performance.now();
    server.child.kill('SIGTERM');
    const exit = await server.exited;
    await hangingClosed;
    expect(exit.code).toBe(0);
    expect(exit.at - termAt).toBeGreaterThanOrEqual(900);
    expect(exit.at - termAt).toBeLessThan(5000);
  });

  it('when a second signal arrives during the shutdown, then the process exits at once, non-zero', async () => {
    server = await startServer({ redisUrl: inject('redisUrl') });
    const hanging = await hangingRequest(server.port);
    server.child.kill('SIGTERM');
    await sleep(500);
    expect(server.exit()).toBeUndefined(); // still waiting for the request in flight
    const secondAt = performance.now();
    server.child.kill('SIGINT');
    const exit = await server.exited;
    hanging.destroy();
    expect(exit.code).toBe(1);
    expect(exit.at - secondAt).toBeLessThan(2000);
  });
});
