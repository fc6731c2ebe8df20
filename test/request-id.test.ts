import { Router } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../src/logger.ts';
import { REQUEST_ID_PATTERN } from '../src/web/request-id.ts';
import { rawRequest } from './security/helpers.ts';
import { startServer, type ServerProcess } from '../harness/server-process.ts';
import { buildApp, createTestApp } from '../harness/test-app.ts';
import { DEMO } from '../harness/demo.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The app as the server builds it (with its request logging on), logging JSON into `lines`. */
async function appWith(env: Record<string, string>) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', {
    destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
  });
  const t = await createTestApp({ env: { NODE_ENV: 'development', REDIS_URL: '', ...env } });
  // A route that fails, and one that logs, to see the id on those lines too.
  const extra = Router()
    .get('/boom', () => {
      throw new Error('a bug');
    })
    .get('/note', (req, res) => {
      req.log.info('a line of our own');
      res.json({ ok: true });
    });
  const app = buildApp({ ...t, logger }, { beforeSession: [extra] });
  return { app, lines, close: () => t.close() };
}

type TestAppWithLogs = Awaited<ReturnType<typeof appWith>>;
let untrusting: TestAppWithLogs;
let loopback: TestAppWithLogs;
let elsewhere: TestAppWithLogs;
let oneHop: TestAppWithLogs;

beforeAll(async () => {
  untrusting = await appWith({});
  loopback = await appWith({ TRUST_PROXY: 'loopback' });
  elsewhere = await appWith({ TRUST_PROXY: '10.0.0.0/8' });
  oneHop = await appWith({ TRUST_PROXY: '1' });
});
afterAll(async () => {
  await Promise.all([untrusting, loopback, elsewhere, oneHop].map((t) => t.close()));
});

describe('X-Request-Id', () => {
  it.each([
    ['the landing page', 'GET', '/', 'localhost', 200],
    ['a tenant page', 'GET', '/', DEMO.a.host, 200],
    ['an unknown host', 'GET', '/', 'nobody.example', 404],
    ['a central host’s other path', 'GET', '/login', 'localhost', 404],
    ['liveness', 'GET', '/healthz', 'nobody.example', 200],
    ['readiness', 'GET', '/readyz', 'nobody.example', 200],
    ['an asset', 'GET', '/assets/site.css', DEMO.a.host, 200],
    ['the API, signed out', 'GET', '/api/me', DEMO.a.host, 401],
    ['a form without fields', 'POST', '/login', DEMO.a.host, 400],
    ['a failing route', 'GET', '/boom', DEMO.a.host, 500],
  ] as const)(
    'when %s answers, then the response carries a fresh id',
    async (_what, method, path, host, status) => {
      const send = () =>
        method === 'GET'
          ? request(untrusting.app).get(path).set('Host', host)
          : request(untrusting.app).post(path).set('Host', host).type('form').send('');
      const [first, second] = [await send(), await send()];
      expect(first.status).toBe(status);
      expect(first.headers['x-request-id']).toMatch(UUID);
      expect(second.headers['x-request-id']).toMatch(UUID);
      expect(first.headers['x-request-id']).not.toBe(second.headers['x-request-id']);
    },
  );

  it('when a cross-origin POST is refused, then the 403 carries an id too', async () => {
    const res = await request(untrusting.app)
      .post('/logout')
      .set('Host', DEMO.a.host)
      .set('Origin', 'http://evil.example');
    expect(res.status).toBe(403);
    expect(res.headers['x-request-id']).toMatch(UUID);
  });

  it('when a client that TRUST_PROXY does not trust sends a well-formed id, then it is replaced', async () => {
    for (const t of [untrusting, elsewhere]) {
      const res = await request(t.app)
        .get('/')
        .set('Host', DEMO.a.host)
        .set('X-Request-Id', 'client-chosen-id');
      expect(res.headers['x-request-id']).toMatch(UUID);
    }
  });

  it.each(['proxy-1234', 'a', 'A.b_c-9', 'x'.repeat(64), '0123456789abcdef0123456789abcdef'])(
    'when a trusted proxy sends the well-formed id %j, then it is kept',
    async (id) => {
      for (const t of [loopback, oneHop]) {
        const res = await request(t.app).get('/').set('Host', DEMO.a.host).set('X-Request-Id', id);
        expect(res.headers['x-request-id']).toBe(id);
      }
    },
  );

  it.each([
    ['too long', 'x'.repeat(65)],
    ['a space', 'two words'],
    ['a slash', 'a/b'],
    ['markup', '<script>'],
    ['a quote', 'a"b'],
    ['a log-line forgery', 'id","level":60,"x":"'],
    ['empty', ''],
    ['two ids', 'one, two'],
  ])(
    'when a trusted proxy sends a malformed id (%s), then a fresh one replaces it',
    async (_, id) => {
      const res = await request(loopback.app)
        .get('/')
        .set('Host', DEMO.a.host)
        .set('X-Request-Id', id);
      expect(res.status).toBe(200);
      expect(res.headers['x-request-id']).toMatch(UUID);
      expect(REQUEST_ID_PATTERN.test(res.headers['x-request-id'] as string)).toBe(true);
    },
  );

  it('when a request is logged, then every line about it carries its id as reqId', async () => {
    const { app, lines } = loopback;
    lines.length = 0;
    const noted = await request(app)
      .get('/note')
      .set('Host', DEMO.b.host)
      .set('X-Request-Id', 'follow-me-1');
    const failed = await request(app).get('/boom').set('Host', DEMO.b.host);
    expect(noted.headers['x-request-id']).toBe('follow-me-1');
    const failedId = failed.headers['x-request-id'] as string;

    const about = (id: string) => lines.filter((line) => line.reqId === id);
    expect(about('follow-me-1').map((l) => l.msg)).toEqual([
      'a line of our own',
      'request completed',
    ]);
    expect(about(failedId).map((l) => l.msg)).toEqual(['request failed', 'request errored']);
    // Nothing about these requests was logged without the id.
    expect(lines.filter((line) => line.reqId === undefined)).toEqual([]);
  });
});

describe('X-Request-Id from the real server', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer({ redisUrl: inject('redisUrl'), env: { LOG_LEVEL: 'debug' } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('when Node itself refuses a malformed request, then its 400 carries an id, logged with the refusal', async () => {
    const res = await rawRequest(
      server.port,
      'GET / HTTP/1.1\r\nHost: customer-a.localhost\r\nBad Header: x\r\nConnection: close\r\n\r\n',
    );
    expect(res.status).toBe(400);
    const [id] = res.headers['x-request-id'] ?? [];
    expect(id).toMatch(UUID);
    await expect
      .poll(() => server.logs().filter((line) => line.raw.includes(`"reqId":"${id}"`)).length)
      .toBe(1);
  });

  it('when the headers are too large, then Node’s 431 carries an id too', async () => {
    const res = await rawRequest(
      server.port,
      `GET / HTTP/1.1\r\nHost: customer-a.localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`,
    );
    expect(res.status).toBe(431);
    expect(res.headers['x-request-id']?.[0]).toMatch(UUID);
  });
});
