import { timedRequest } from '../../harness/http-client.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startServer, type ServerProcess } from '../../harness/server-process.ts';
import { rawRequest } from './helpers.ts';
import { DEMO } from '../../harness/demo.ts';
import { eventually } from '../../harness/polling.ts';
import { signIn } from '../../harness/sign-in.ts';

/**
 * Strict request lines and Hosts, against the real server in production mode (its own log shows
 * what went wrong on the server side): a target that is not a path, and a Host that is not an
 * ASCII host name with a port from 1 to 65535, get 400 before a tenant is picked, probes included.
 */
let server: ServerProcess;

beforeAll(async () => {
  server = await startServer({ redisUrl: inject('redisUrl'), env: { LOG_LEVEL: 'info' } });
});
afterAll(async () => {
  await server.stop();
});

/** One request as raw bytes: a request line, a Host (bytes as given) and Connection: close. */
const send = (target: string, host: Buffer | string, method = 'GET') =>
  rawRequest(
    server.port,
    Buffer.concat([
      Buffer.from(`${method} ${target} HTTP/1.1\r\nHost: `),
      Buffer.from(host as string, typeof host === 'string' ? 'latin1' : undefined),
      Buffer.from('\r\nConnection: close\r\n\r\n'),
    ]),
  );

/** Log lines at error level or above, or with a stack trace. */
const troubles = () =>
  server
    .logs()
    .filter((line) => (line.level ?? 0) >= 50 || /"stack"|\n\s+at /.test(line.raw))
    .map((line) => line.raw);

describe('request targets', () => {
  it.each([
    ['GET', '*'],
    ['POST', '*'],
    ['HEAD', '*'],
    ['GET', 'customer-a.localhost:80'],
    ['GET', 'http://customer-a.localhost/'],
    ['POST', 'http://customer-b.localhost/login'],
  ])(
    'when the target of a %s is %j, then 400, no tenant page and nothing in the log',
    async (method, target) => {
      const res = await send(target, DEMO.a.host, method);
      expect(res.status).toBe(400);
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.body).not.toContain(DEMO.a.name);
      expect(troubles()).toEqual([]);
    },
  );

  it('when OPTIONS * is asked, then 204 with Allow', async () => {
    const res = await send('*', DEMO.a.host, 'OPTIONS');
    expect(res.status).toBe(204);
    expect(res.headers.allow).toEqual(['GET, HEAD, POST, DELETE, OPTIONS']);
    expect(troubles()).toEqual([]);
  });
});

describe('malformed percent-escapes', () => {
  const targets = [
    ['DELETE', '/api/sessions/%ZZ'],
    ['GET', '/api/notes/%'],
    ['POST', '/notes/%E0/delete'],
    ['POST', '/account/sessions/%E0%A4%A/end'],
  ] as const;

  it.each(targets)(
    'when %s %s comes, signed out and signed in, then 400 with a message, logged at info without a stack',
    async (method, path) => {
      const cookie = await signIn(server.port, DEMO.a);
      for (const who of [undefined, cookie]) {
        const res = await timedRequest({
          port: server.port,
          method,
          path,
          host: DEMO.a.host,
          ...(who ? { cookie: who } : {}),
        });
        expect(res.status, `${method} ${path} ${who ? 'signed in' : 'signed out'}`).toBe(400);
        expect(res.body).toMatch(/percent-escape/);
      }
      // Each answer's request line, at info; nothing at error level or with a stack.
      const lines = await eventually(async () => {
        const found = server.logs().filter((line) => line.raw.includes(path));
        if (found.length < 2) throw new Error(`${found.length} request lines so far`);
        return found;
      });
      for (const line of lines) expect(line.level).toBe(30);
      expect(troubles()).toEqual([]);
    },
  );
});

describe('hosts', () => {
  it.each([
    ['a feminine ordinal (ª, byte 0xAA)', 'customer-\xaa.localhost'],
    ['a masculine ordinal (º, byte 0xBA)', 'cust\xbamer-a.localhost'],
    ['UTF-8 bytes', Buffer.from('cüstomer-a.localhost', 'utf8')],
    ['a port that is not a number', 'customer-a.localhost:abc'],
    ['a port past 65535', 'customer-a.localhost:99999'],
    ['port 0', 'customer-a.localhost:0'],
    ['two ports', 'customer-a.localhost:80:81'],
    ['a colon and no port', 'customer-a.localhost:'],
    ['a bare colon', ':'],
    ['an underscore', 'customer_a.localhost'],
    ['a bracketed IPv6 literal', '[::1]:3000'],
    ['nothing at all', ''],
  ])('when the Host has %s, then 400 on the tenant page and on the probes', async (_case, host) => {
    for (const path of ['/', '/login', '/healthz', '/readyz']) {
      const res = await send(path, host);
      expect(res.status, path).toBe(400);
      expect(res.body).not.toContain(DEMO.a.name);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
  });

  it.each(['customer-a.localhost', 'CUSTOMER-A.localhost.:8080', 'customer-a.localhost:65535'])(
    'when the Host is %j, then it is customer-a',
    async (host) => {
      const res = await send('/', host);
      expect(res.status).toBe(200);
      expect(res.body).toContain(DEMO.a.name);
    },
  );

  it('when the probes are asked at 127.0.0.1:<port> (a container healthcheck), then 200', async () => {
    const res = await send('/healthz', `127.0.0.1:${server.port}`);
    expect(res.status).toBe(200);
  });

  it.each([
    ['the same host twice', [DEMO.a.host, DEMO.a.host]],
    ['two tenants', [DEMO.a.host, DEMO.b.host]],
    ['a tenant, then a central host', [DEMO.a.host, 'localhost']],
  ])('when two Host headers come (%s), then 400 on pages and probes', async (_case, hosts) => {
    for (const path of ['/', '/login', '/healthz', '/readyz']) {
      const [first, second] = hosts;
      const res = await rawRequest(
        server.port,
        `GET ${path} HTTP/1.1\r\nHost: ${first}\r\nhost: ${second}\r\nConnection: close\r\n\r\n`,
      );
      expect(res.status, path).toBe(400);
      expect(res.body).not.toContain(DEMO.a.name);
    }
  });

  it('when HTTP/1.0 comes without a Host, then 400', async () => {
    const res = await rawRequest(server.port, 'GET /healthz HTTP/1.0\r\n\r\n');
    expect(res.status).toBe(400);
  });
});

describe('X-Forwarded-For while TRUST_PROXY is unset', () => {
  const warnings = (s: ServerProcess) =>
    s.logs().filter((line) => line.level === 40 && line.msg?.includes('TRUST_PROXY'));

  it('when requests carry X-Forwarded-For, then one warning naming TRUST_PROXY is logged, once', async () => {
    expect(warnings(server)).toEqual([]);
    for (let i = 0; i < 3; i++) {
      const res = await timedRequest({ port: server.port, path: '/', host: DEMO.b.host });
      expect(res.status).toBe(200);
    }
    expect(warnings(server)).toEqual([]);
    for (let i = 0; i < 3; i++) {
      await rawRequest(
        server.port,
        `GET / HTTP/1.1\r\nHost: ${DEMO.b.host}\r\nX-Forwarded-For: 203.0.113.${i}\r\nConnection: close\r\n\r\n`,
      );
    }
    expect(warnings(server)).toHaveLength(1);
  });

  it('when TRUST_PROXY names the proxy, then X-Forwarded-For is no cause for a warning', async () => {
    const trusting = await startServer({
      redisUrl: inject('redisUrl'),
      env: { TRUST_PROXY: 'loopback' },
    });
    try {
      await rawRequest(
        trusting.port,
        `GET / HTTP/1.1\r\nHost: ${DEMO.b.host}\r\nX-Forwarded-For: 203.0.113.9\r\nConnection: close\r\n\r\n`,
      );
      expect(warnings(trusting)).toEqual([]);
    } finally {
      await trusting.stop();
    }
  });
});
