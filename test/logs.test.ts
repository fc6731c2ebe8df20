import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { hasScriptCommand } from '../harness/command.ts';
import { startServer, type ServerProcess } from '../harness/server-process.ts';
import { cookiesOf, sessionIdOf } from '../harness/cookies.ts';
import { DEMO } from '../harness/demo.ts';
import { freePort } from '../harness/free-port.ts';
import { plainRequest, timedRequest } from '../harness/http-client.ts';
import { eventually } from '../harness/polling.ts';
import { ROOT } from '../harness/root.ts';

/**
 * A whole sign-in flow against the real server, logging everything (trace), then its entire
 * output searched for each secret the flow carried: the password (right and wrong), the cookie
 * value, the session id inside it, and an Authorization header's value.
 */
async function signInFlow(port: number) {
  const who = DEMO.c;
  const wrong = `wrong-${randomBytes(6).toString('hex')}`;
  const bearer = `Bearer tok-${randomBytes(12).toString('hex')}`;
  const host = who.host;
  await timedRequest({ port: port, host, path: '/login' });
  const refused = await timedRequest({
    port: port,
    method: 'POST',
    host,
    path: '/login',
    form: { username: who.username, password: wrong },
  });
  expect(refused.status).toBe(401);
  const login = await timedRequest({
    port: port,
    method: 'POST',
    host,
    path: '/login?next=%2F',
    form: { username: who.username, password: who.password },
  });
  expect(login.status).toBe(303);
  const [cookie] = cookiesOf(login);
  const me = await timedRequest({
    port: port,
    host,
    path: '/api/me',
    cookie: cookie!,
    accept: 'application/json',
  });
  expect(me.status).toBe(200);
  const withAuth = await plainRequest({
    port,
    host,
    path: '/',
    headers: { Cookie: cookie!, Authorization: bearer },
  });
  expect(withAuth.status).toBe(200);
  const logout = await timedRequest({
    port: port,
    method: 'POST',
    host,
    path: '/logout',
    cookie: cookie!,
  });
  expect(logout.status).toBe(303);

  const value = cookie!.slice(cookie!.indexOf('=') + 1);
  return {
    secrets: {
      password: who.password,
      'wrong password': wrong,
      'cookie value': value,
      'cookie value, decoded': decodeURIComponent(value),
      'session id': sessionIdOf(cookie!),
      'Authorization value': bearer.slice('Bearer '.length),
    },
  };
}

const leaks = (output: string, secrets: Record<string, string>) =>
  Object.entries(secrets)
    .filter(([, secret]) => output.includes(secret))
    .map(([what]) => what);

let server: ServerProcess | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe('what the logs never hold', () => {
  it('when a full sign-in flow is logged as JSON at trace level, then no password, cookie, session id or Authorization value is in the output', async () => {
    server = await startServer({ redisUrl: inject('redisUrl'), env: { LOG_LEVEL: 'trace' } });
    const { secrets } = await signInFlow(server.port);
    await eventually(
      async () => {
        const completed = server!.logs().filter((l) => l.msg === 'request completed');
        expect(completed.length).toBeGreaterThanOrEqual(6);
      },
      { timeoutMs: 5000, intervalMs: 50 },
    );
    const output = server.output();
    expect(server.logs().every((line) => line.level !== undefined)).toBe(true);
    expect(leaks(output, secrets)).toEqual([]);
  });

  it('when the same flow is logged in the pretty format, then none of them is there either', async () => {
    server = await startServer({
      redisUrl: inject('redisUrl'),
      env: { LOG_LEVEL: 'trace', LOG_FORMAT: 'pretty' },
    });
    const { secrets } = await signInFlow(server.port);
    await eventually(
      async () => {
        expect(server!.output()).toMatch(
          /request completed POST customer-c\.localhost\/logout -> 303/,
        );
      },
      { timeoutMs: 5000, intervalMs: 50 },
    );
    const output = server.output();
    expect(server.logs().filter((line) => line.level !== undefined)).toEqual([]);
    expect(leaks(output, secrets)).toEqual([]);
  });
});

describe('the log format', () => {
  it('when NODE_ENV is development and stdout is not a terminal, then the lines are JSON', async () => {
    server = await startServer({
      redisUrl: inject('redisUrl'),
      env: { NODE_ENV: 'development', LOG_LEVEL: 'info' },
    });
    await eventually(async () => expect(server!.output()).toContain('listening on'), {
      timeoutMs: 5000,
      intervalMs: 50,
    });
    const lines = server.logs();
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((line) => line.level !== undefined)).toBe(true);
  });

  it.runIf(hasScriptCommand())(
    'when the server runs in development on a terminal, then it prints pretty lines, the landing page and each tenant’s URL; Ctrl-C stops it',
    async () => {
      const port = await freePort();
      const child = spawn('script', ['-qec', 'exec node --import tsx src/server.ts', '/dev/null'], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          NODE_ENV: 'development',
          PORT: String(port),
          INTERNAL_PORT: '0',
          HOST: '127.0.0.1',
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let screen = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (screen += c));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      try {
        await eventually(async () => expect(screen).toContain('customer-c.localhost'), {
          timeoutMs: 20_000,
          intervalMs: 50,
        });
        const res = await timedRequest({ port: port, host: DEMO.a.host, path: '/' });
        await eventually(async () => expect(screen).toContain(`GET ${DEMO.a.host}/ -> 200`), {
          timeoutMs: 5000,
          intervalMs: 50,
        });
        expect(screen).toContain(`listening on http://localhost:${port}`);
        for (const who of Object.values(DEMO)) {
          expect(screen).toContain(`${who.tenant}: http://${who.host}:${port}`);
        }
        // The request's line starts with its id, as the response gave it.
        expect(screen).toContain(`${res.headers['x-request-id'] as string} request completed`);
        expect(screen).not.toMatch(/\{"level":/);
      } finally {
        child.stdin.write('\x03'); // Ctrl-C on the terminal: SIGINT to the server
        setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
      }
      expect(await exited, screen).toBe(0);
    },
  );
});
