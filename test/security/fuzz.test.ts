import type { Server } from 'node:http';
import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHost } from '../../src/tenants/host.ts';
import { cookiesOf } from '../../harness/cookies.ts';
import { DEMO } from '../../harness/demo.ts';
import { closeServer, listen } from '../../harness/listen.ts';
import { signIn } from '../../harness/sign-in.ts';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';
import { changedKeys, inTenantPrefix, rawRequest, snapshot, type RawResponse } from './helpers.ts';

/**
 * Property-based tests over what a client controls: the Host header, cookies, paths and bodies,
 * sent as raw bytes (no client-side checks). For every request: never a 5xx, never a crash, and
 * every Redis key the request created, changed or removed lies in the prefix of the tenant the
 * request was for (none at all when it was for no tenant). FUZZ_SCALE=10 runs ten times as many.
 */
const scale = Number(process.env.FUZZ_SCALE ?? 1);
const runs = (n: number) => ({ numRuns: Math.max(1, Math.round(n * scale)) });

let t: TestApp;
let server: Server;
let port: number;
const cookies: string[] = [];

beforeAll(async () => {
  // One failure allowed: repeated usernames are then turned away before any password hashing.
  // Sign-ins that succeed are not what is fuzzed: as many as the properties make.
  t = await createTestApp({ env: { LOGIN_MAX_FAILURES: '1', LOGIN_MAX_SUCCESSES: '100000' } });
  ({ server, port } = await listen(t.app));
  for (const who of Object.values(DEMO)) cookies.push(await signIn(t.app, who));
});
afterAll(async () => {
  await closeServer(server);
  await t.close();
});

interface Sent {
  method: string;
  path: string;
  host: string;
  headers?: [string, string][];
  body?: Buffer;
}

/**
 * The tenant a Host header picks: Node trims the value; anything but an ASCII host name with a
 * port from 1 to 65535 picks none (400); the rest is an exact lookup.
 */
function tenantFor(host: string) {
  const value = host.replace(/^[ \t]+|[ \t]+$/g, '');
  const parsed = parseHost(value);
  return parsed ? t.tenants.resolve(parsed.name) : undefined;
}

/** Sends one request and checks the three properties; returns the response for more checks. */
async function send({ method, path, host, headers = [], body }: Sent): Promise<RawResponse> {
  // Header bytes go out as UTF-8; Node reads them as latin1, so that is the Host the app sees.
  const seenHost = Buffer.from(host, 'utf8').toString('latin1');
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${host}`, 'Connection: close'];
  for (const [name, value] of headers) lines.push(`${name}: ${value}`);
  if (body) lines.push(`Content-Length: ${body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');

  const before = await snapshot(t);
  const res = await rawRequest(port, body ? Buffer.concat([head, body]) : head);
  const after = await snapshot(t);

  const context = JSON.stringify({ method, path, host, headers, status: res.status });
  expect(res.status, context).toBeGreaterThanOrEqual(200);
  expect(res.status, context).toBeLessThan(500);
  const tenant = tenantFor(seenHost);
  // A Host that is not a host name is refused before any tenant is picked, on every path.
  if (!parseHost(seenHost.replace(/^[ \t]+|[ \t]+$/g, ''))) {
    expect(res.status, context).toBe(400);
  }
  const stray = changedKeys(before, after).filter(
    (key) => !tenant || !inTenantPrefix(key, tenant.id, t.config.appName),
  );
  expect(stray, context).toEqual([]);
  if (res.status === 200 && path === '/api/me' && method === 'GET') {
    const me = JSON.parse(res.body) as { tenant: { id: string }; user: { username: string } };
    expect(me.tenant.id, context).toBe(tenant?.id);
    // Each demo tenant's one signed-in user here is its own (alice, bob, carol).
    const own = Object.values(DEMO).find((who) => who.tenant === tenant?.id);
    expect(me.user.username, context).toBe(own?.username);
  }
  return res;
}

const hosts = Object.values(DEMO).map((who) => who.host);
const noLineBreaks = (s: string) => !/[\r\n\0]/.test(s);

const hostHeader = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(...hosts),
      fc.constantFrom('', '.', ':80', ':3000', '.:443', ':', ':x', ' ', '\t', '..', ':80:80'),
      fc.boolean(),
    )
    .map(([host, suffix, upper]) => (upper ? host.toUpperCase() : host) + suffix),
  fc
    .tuple(
      fc.constantFrom(...hosts),
      fc.constantFrom('@', '/', ',', ', ', ' ', ':', '.', '#', '?', '\\', '%2e', '\u00a0', '\t'),
      fc.constantFrom(...hosts),
    )
    .map(([a, sep, b]) => a + sep + b),
  fc.constantFrom('', 'localhost', '127.0.0.1', '[::1]:80', 'xn--bcher-kva.localhost', '*', '.'),
  // Ports that are no port: each was once dropped, so the tenant answered to these spellings too.
  fc
    .tuple(
      fc.constantFrom(...hosts),
      fc.constantFrom(
        ':abc',
        ':99999',
        ':65536',
        ':0',
        ':80:81',
        ':',
        ':-1',
        ':1e3',
        ': 80',
        ':８０',
      ),
    )
    .map(([host, port]) => host + port),
  // Non-ASCII look-alikes of a tenant's host (ª and º once reached customer-a), and Unicode names.
  fc
    .tuple(
      fc.constantFrom(...hosts),
      fc.nat(),
      fc.constantFrom('\u00aa', '\u00ba', '\u00e9', '\u0131', '\u017f', '\uff0e', '\u0441', 'ß'),
    )
    .map(([host, at, c]) => {
      const pos = at % host.length;
      return host.slice(0, pos) + c + host.slice(pos + 1);
    }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
);

// Drawn while the tests run, after beforeAll has signed in.
const realCookie = fc.constantFrom(0, 1, 2).map((i) => cookies[i]!);

const cookieHeader = fc.oneof(
  fc.constant(undefined),
  realCookie,
  fc.string({ unit: 'grapheme', maxLength: 120 }),
  fc
    .array(
      fc.oneof(
        realCookie,
        realCookie.map((c) => `__Host-${c}`),
        fc
          .tuple(fc.string({ maxLength: 40 }), fc.string({ maxLength: 50 }))
          .map(([sid, mac]) => `sid=s%3A${encodeURIComponent(sid)}.${encodeURIComponent(mac)}`),
        fc
          .tuple(
            realCookie,
            fc.nat(),
            fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
          )
          .map(([real, at, c]) => {
            // One character of a real cookie changed: the signature must not survive it, unless
            // the change only re-cased a percent-escape (see `decoded`).
            const pos = 4 + (at % (real.length - 4));
            return real.slice(0, pos) + c + real.slice(pos + 1);
          }),
      ),
      { maxLength: 4 },
    )
    .map((parts) => parts.join('; ')),
);

/** A `name=value` cookie as the server reads it (percent-decoded), or as it is if malformed. */
function decoded(cookie: string | undefined): string | undefined {
  try {
    return cookie === undefined ? undefined : decodeURIComponent(cookie.trim());
  } catch {
    return cookie;
  }
}

describe('fuzzing what a client controls', () => {
  it('when any Host header (and an ignored X-Forwarded-Host) comes with a real cookie, then no 5xx and no key outside that host’s tenant', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostHeader.filter(noLineBreaks),
        fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'),
        fc.constantFrom('/', '/login', '/api/me', '/nope', '/assets/site.css', '/healthz'),
        fc.constantFrom(0, 1, 2),
        fc.option(fc.constantFrom(...hosts), { nil: undefined }),
        async (host, method, path, who, forwarded) => {
          const headers: [string, string][] = [['Cookie', cookies[who]!]];
          if (forwarded) headers.push(['X-Forwarded-Host', forwarded]);
          await send({ method, path, host, headers });
        },
      ),
      runs(250),
    );
  });

  it('when the request target is not a path (*, an authority, an absolute URL), then 400 (204 for OPTIONS *), never a 5xx and no key touched', async () => {
    const target = fc.oneof(
      fc.constant('*'),
      fc.constantFrom(...hosts).map((h) => `${h}:80`),
      fc.constantFrom(...hosts, 'evil.example').map((h) => `http://${h}/api/me`),
      fc.constantFrom(...hosts).map((h) => `https://${h}/login`),
      fc
        .string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 30 })
        .filter((s) => !s.startsWith('/')),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'),
        target.map((s) => s.replace(/[\s]/g, '%20')),
        fc.constantFrom(...hosts),
        fc.constantFrom(0, 1, 2),
        async (method, path, host, who) => {
          const res = await send({ method, path, host, headers: [['Cookie', cookies[who]!]] });
          // Node refuses some targets itself (400); the app refuses the rest.
          const expected = method === 'OPTIONS' && path === '*' ? 204 : 400;
          expect(res.status, JSON.stringify({ method, path })).toBe(expected);
        },
      ),
      runs(150),
    );
  });

  it('when any Cookie header is sent to a tenant, then no 5xx, no other tenant’s user, and no session is created or lost', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...hosts),
        fc.constantFrom('/api/me', '/', '/login'),
        cookieHeader.filter((c) => c === undefined || noLineBreaks(c)),
        async (host, path, cookie) => {
          const before = await t.keys();
          const res = await send({
            method: 'GET',
            path,
            host,
            headers: cookie === undefined ? [] : [['Cookie', cookie]],
          });
          expect(await t.keys()).toEqual(before);
          // A cookie that is not exactly one of this tenant's signs nobody in. Exactly as the
          // server reads it: percent-decoded, so `%2f` for `%2F` is the same cookie.
          const own = cookies[hosts.indexOf(host)]!;
          const first = cookie?.split(';').find((part) => part.trim().startsWith('sid='));
          if (path === '/api/me' && decoded(first) !== decoded(own)) expect(res.status).toBe(401);
        },
      ),
      runs(250),
    );
  });

  it('when any path is requested, then no 5xx and no key is touched', async () => {
    const segment = fc.oneof(
      fc.constantFrom(
        '..',
        '.',
        '%2e%2e',
        '%2F',
        '%00',
        '%',
        '%E0%A4%A',
        '~',
        'assets',
        'api',
        'me',
      ),
      fc.string({ unit: 'grapheme-ascii', maxLength: 12 }),
      fc.string({ unit: 'binary', maxLength: 12 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...hosts),
        fc.constantFrom('GET', 'POST', 'HEAD'),
        fc.array(segment, { maxLength: 6 }).map((parts) => `/${parts.join('/')}`),
        fc.constantFrom(0, 1, 2),
        async (host, method, path, who) => {
          // Requests to the login form with no body are refused before any hashing.
          await send({
            method,
            path: path.replace(/\s/g, '%20'),
            host,
            headers: [['Cookie', cookies[who]!]],
          });
        },
      ),
      runs(250),
    );
  });

  it('when any body is posted to /login, then 4xx only and only this tenant’s login-failure keys', async () => {
    const field = fc.constantFrom(
      'username',
      'password',
      'username[]',
      'password[x]',
      '__proto__',
      'constructor[prototype]',
      'a',
    );
    const value = fc.oneof(
      fc.constantFrom('alice', 'bob', 'carol', 'mallory', 'ALICE ', '', 'wrong'),
      fc.string({ maxLength: 30 }),
    );
    const form = fc
      .array(fc.tuple(field, value), { maxLength: 8 })
      .map((pairs) =>
        pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'),
      );
    // Mostly a username and a password, so the limiter and the hashing run. Usernames come mostly
    // from a few names: with one failure allowed, each costs one hash per tenant, then 429s.
    const username = fc.oneof(
      { arbitrary: fc.constantFrom('alice', 'bob', 'mallory', 'ALICE '), weight: 12 },
      fc.string({ maxLength: 30 }),
    );
    const credentials = fc
      .tuple(username, value)
      .map(([u, p]) => `username=${encodeURIComponent(u)}&password=${encodeURIComponent(p)}`);
    const body = fc.oneof(
      { arbitrary: credentials, weight: 6 },
      form,
      fc.string({ maxLength: 200 }),
      fc.constantFrom(
        'username=a&password=b&'.repeat(300),
        'x'.repeat(5000),
        '{"username":"alice"}',
      ),
    );
    const form_ = 'application/x-www-form-urlencoded';
    // Mostly the form type, so most bodies reach the parser, the limiter and the hashing.
    const type = fc.oneof(
      { arbitrary: fc.constant(form_), weight: 8 },
      fc.constantFrom(
        undefined,
        `${form_}; charset=utf-16`,
        `${form_}; charset=latin1`,
        'application/json',
        'text/plain',
        'multipart/form-data; boundary=x',
        'nonsense',
      ),
    );
    // Rarely compressed (browsers never compress a form), so most bodies are read as sent.
    const encoding = fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 8 },
      fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'nope'),
    );
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...hosts),
        body,
        type,
        encoding,
        async (host, text, contentType, contentEncoding) => {
          const headers: [string, string][] = [];
          if (contentType) headers.push(['Content-Type', contentType]);
          if (contentEncoding) headers.push(['Content-Encoding', contentEncoding]);
          const res = await send({
            method: 'POST',
            path: '/login',
            host,
            headers,
            body: Buffer.from(text),
          });
          expect([400, 401, 413, 415, 429], text.slice(0, 200)).toContain(res.status);
          seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
        },
      ),
      runs(60),
    );
    // Not vacuous: many bodies went through the limiter (401: hashed and refused; 429: limited).
    expect((seen.get(401) ?? 0) + (seen.get(429) ?? 0)).toBeGreaterThan(runs(60).numRuns / 5);
  });

  it('when any body is posted elsewhere, then no 5xx and no key is touched', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...hosts),
        fc.constantFrom('/logout', '/api/me', '/', '/nope'),
        fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE'),
        fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 })),
        fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain'),
        async (host, path, method, text, contentType) => {
          // No session cookie: a logout of a real session would rightly delete a key.
          await send({
            method,
            path,
            host,
            headers: [['Content-Type', contentType]],
            body: Buffer.from(text),
          });
        },
      ),
      runs(100),
    );
  });

  it('when raw bytes break the header syntax, then no 5xx and the app lives on', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.constantFrom(...hosts),
        async (junk, host) => {
          const res = await rawRequest(
            port,
            Buffer.from(`GET / HTTP/1.1\r\nHost: ${host}\r\nX-Junk: a\r${junk}\n\r\n`, 'utf8'),
            { halfClose: true },
          );
          // 0: the server closed a request that never became whole, without an answer.
          if (res.status !== 0) expect(res.status).toBeGreaterThanOrEqual(200);
          expect(res.status).toBeLessThan(500);
        },
      ),
      runs(50),
    );
    const alive = await send({ method: 'GET', path: '/healthz', host: 'anything' });
    expect(alive.status).toBe(200);
  });
});

/**
 * A `next` made of the shapes that once led elsewhere: dot segments (plain and escaped) before a
 * doubled slash, backslashes (plain and escaped), tabs the URL parser drops, and whole URLs.
 */
const nextTarget = fc.oneof(
  fc
    .array(
      fc.tuple(
        fc.constantFrom('/', '\\', '%2F', '%5C', '%5c', '//', '\t/'),
        fc.constantFrom(
          '',
          '.',
          '..',
          '%2e',
          '%2E%2e',
          '.%2e',
          'evil.example',
          'a',
          '@evil.example',
        ),
      ),
      { minLength: 1, maxLength: 6 },
    )
    .map((parts) => `/${parts.map(([sep, segment]) => sep + segment).join('')}`),
  fc.constantFrom('//evil.example', 'https://evil.example/x', '/\\evil.example', '///evil.example'),
  fc.string({ unit: 'grapheme-ascii', maxLength: 30 }).map((s) => `/${s}`),
);

/** Whether a Location stays on `origin`, as a browser reads it and once percent-decoded. */
function staysOn(origin: string, location: string): boolean {
  const decoded = location.replace(/%2f/gi, '/').replace(/%5c/gi, '\\');
  return [location, decoded].every(
    (l) => l.startsWith('/') && !/^\/[/\\]/.test(l) && new URL(l, origin).origin === origin,
  );
}

describe('where a sign-in sends the browser', () => {
  const origin = `http://${DEMO.c.host}`;

  it('when a signed-in browser opens /login with any next, then the Location stays on this origin', async () => {
    await fc.assert(
      fc.asyncProperty(nextTarget, async (next) => {
        const res = await request(t.app)
          .get(`/login?next=${encodeURIComponent(next)}`)
          .set('Host', DEMO.c.host)
          .set('Cookie', cookies[2]!);
        expect(res.status, next).toBe(303);
        expect(staysOn(origin, res.headers.location!), `${next} -> ${res.headers.location}`).toBe(
          true,
        );
      }),
      runs(300),
    );
  });

  // Each run hashes a password: few runs, and room for a loaded machine.
  it(
    'when the login form posts any next, then the Location stays on this origin',
    { timeout: 120_000 },
    async () => {
      await fc.assert(
        fc.asyncProperty(nextTarget, async (next) => {
          const res = await request(t.app)
            .post('/login')
            .set('Host', DEMO.c.host)
            .type('form')
            .send({ username: DEMO.c.username, password: DEMO.c.password, next });
          expect(res.status, next).toBe(303);
          expect(staysOn(origin, res.headers.location!), `${next} -> ${res.headers.location}`).toBe(
            true,
          );
          // Each sign-in made a session: end it, so the user's others (and the limits) stay as they were.
          await request(t.app)
            .post('/logout')
            .set('Host', DEMO.c.host)
            .set('Cookie', cookiesOf(res)[0]!);
        }),
        runs(12),
      );
    },
  );
});
