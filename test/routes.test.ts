import { Router, type Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { singleStore } from '../src/store/stores.ts';
import { cookiesOf } from '../harness/cookies.ts';
import { DEMO } from '../harness/demo.ts';
import { signIn } from '../harness/sign-in.ts';
import { buildApp, createTestApp, type TestApp } from '../harness/test-app.ts';

let t: TestApp;
let kvCalls = 0;
let app: Express;

beforeAll(async () => {
  t = await createTestApp();
  // Count the store commands the app issues (the real Redis still answers every one).
  const counted = new Proxy(t.store.kv, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        kvCalls++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  const boom = Router()
    .get('/boom', () => {
      throw new Error('secret internals');
    })
    // Errors of other libraries that carry a client status, as the router's URIError does.
    .get('/conflict', () => {
      throw Object.assign(new Error('That name is taken.'), { status: 409 });
    })
    .get('/unprocessable', () => {
      throw Object.assign(new Error('That cannot be read.'), { statusCode: 422 });
    });
  app = buildApp({ ...t, stores: singleStore({ ...t.store, kv: counted }) }, { pages: [boom] });
});
afterAll(async () => {
  await t.close();
});

describe('probes', () => {
  it.each(['customer-a.localhost', 'unknown.example', '127.0.0.1:3000', 'localhost'])(
    'when /healthz and /readyz are asked on host %j, then both answer 200',
    async (host) => {
      for (const path of ['/healthz', '/readyz']) {
        const res = await request(app).get(path).set('Host', host);
        expect(res.status).toBe(200);
      }
    },
  );

  it.each(['', 'customer-a.localhost:99999', '[::1]:3000', 'customer-\u00aa.localhost'])(
    'when /healthz and /readyz are asked on host %j (not a host name), then both answer 400',
    async (host) => {
      for (const path of ['/healthz', '/readyz']) {
        const res = await request(app).get(path).set('Host', host);
        expect(res.status).toBe(400);
      }
    },
  );
});

describe('what /readyz tells whom', () => {
  it.each(['localhost', '127.0.0.1:3000', '127.0.0.1'])(
    'when /readyz is asked on a central or IP-literal host (%j), then it lists the stores',
    async (host) => {
      const res = await request(app).get('/readyz').set('Host', host);
      expect(res.body).toEqual({
        status: 'ready',
        stores: [
          { name: 'default', kind: 'redis', state: 'up' },
          { name: 'database', kind: 'postgres', state: 'up' },
        ],
      });
    },
  );

  it.each([DEMO.a.host, 'unknown.example'])(
    'when /readyz is asked on any other host (%j), then the status alone',
    async (host) => {
      const res = await request(app).get('/readyz').set('Host', host);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ready' });
    },
  );
});

describe('unknown hosts', () => {
  it('when the host is not a tenant, then 404 HTML, no cookie and no store command', async () => {
    kvCalls = 0;
    const res = await request(app)
      .get('/')
      .set('Host', 'customer-z.localhost')
      .set('Cookie', 'sid=s%3Aabc.def');
    expect(res.status).toBe(404);
    expect(res.type).toBe('text/html');
    expect(cookiesOf(res)).toEqual([]);
    const post = await request(app)
      .post('/login')
      .set('Host', 'evil.example')
      .type('form')
      .send({ username: 'alice', password: 'alice-password' });
    expect(post.status).toBe(404);
    expect(kvCalls).toBe(0);
  });

  it('when the client asks for JSON, then the 404 is JSON', async () => {
    const res = await request(app)
      .get('/api/me')
      .set('Host', 'nope.localhost')
      .set('Accept', 'application/json');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'No site is served at this address.' });
  });
});

describe('pages', () => {
  it.each(Object.values(DEMO))('when $host is opened, then the page names $name', async (who) => {
    const res = await request(app).get('/').set('Host', who.host);
    expect(res.status).toBe(200);
    expect(res.text).toContain(who.name);
    expect(res.text).toContain('not signed in');
  });

  it('when signed in, then the home page shows the user and is not cached', async () => {
    const cookie = await signIn(app, DEMO.a);
    const res = await request(app).get('/').set('Host', DEMO.a.host).set('Cookie', cookie);
    expect(res.text).toContain('Alice Anders');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('when /login is opened, then it is a form posting username and password to /login', async () => {
    const res = await request(app).get('/login').set('Host', DEMO.b.host);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/<form[^>]*method="post"[^>]*action="\/login"/);
    expect(res.text).toContain('name="username"');
    expect(res.text).toContain('name="password"');
  });

  it('when a page is served, then it has no inline script and a strict CSP', async () => {
    const res = await request(app).get('/login').set('Host', DEMO.c.host);
    expect(res.text).not.toContain('<script');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).toContain("script-src-attr 'none'");
  });

  it('when the JSON API answers, signed in or not, then it carries the API policy: nothing may load, frame or sniff it', async () => {
    const cookie = await signIn(app, DEMO.a);
    for (const res of [
      await request(app).get('/api/me').set('Host', DEMO.a.host).set('Cookie', cookie),
      await request(app).get('/api/me').set('Host', DEMO.a.host),
      await request(app).get('/API/nope').set('Host', DEMO.a.host),
    ]) {
      expect(res.type).toBe('application/json');
      expect(res.headers['content-security-policy']).toBe(
        "default-src 'none';frame-ancestors 'none'",
      );
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['strict-transport-security']).toContain('max-age=');
      expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      // Headers that act only on an HTML document are the pages' alone.
      expect(res.headers['cross-origin-opener-policy']).toBeUndefined();
      expect(res.headers['x-xss-protection']).toBeUndefined();
    }
  });

  it("when a page or a probe answers, then it carries the pages' policy, helmet's defaults", async () => {
    for (const path of ['/login', '/healthz', '/apiary']) {
      const res = await request(app).get(path).set('Host', DEMO.a.host);
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'self'");
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('when a route does not exist, then 404', async () => {
    const res = await request(app).get('/nope').set('Host', DEMO.a.host);
    expect(res.status).toBe(404);
  });

  it('when a route throws, then a generic 500 that does not leak the message', async () => {
    const res = await request(app)
      .get('/boom')
      .set('Host', DEMO.a.host)
      .set('Accept', 'application/json');
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.body)).not.toContain('secret internals');
  });

  it.each([
    ['/conflict', 409, 'That name is taken.'],
    ['/unprocessable', 422, 'That cannot be read.'],
  ])(
    'when a route throws an error carrying a client status (%s), then that status with its message',
    async (path, status, message) => {
      const res = await request(app)
        .get(path)
        .set('Host', DEMO.a.host)
        .set('Accept', 'application/json');
      expect(res.status).toBe(status);
      expect(res.body).toEqual({ error: message });
    },
  );
});

describe('login and /api/me', () => {
  it('when the credentials are right, then 303 to / and /api/me names tenant and user', async () => {
    const cookie = await signIn(app, DEMO.b);
    const me = await request(app).get('/api/me').set('Host', DEMO.b.host).set('Cookie', cookie);
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      tenant: { id: 'customer-b', name: 'Customer B' },
      user: { username: 'bob', displayName: 'Bob Brandt' },
    });
  });

  it('when not signed in, then /api/me is 401 JSON', async () => {
    const res = await request(app).get('/api/me').set('Host', DEMO.a.host);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'Not signed in' });
  });

  it.each([
    ['a wrong password', 'alice', 'wrong'],
    ['an unknown user', 'mallory', 'alice-password'],
    ["another tenant's user", 'bob', 'bob-password'],
  ])(
    'when the form has %s, then 401 with the form again and no cookie',
    async (_case, username, password) => {
      const res = await request(app)
        .post('/login')
        .set('Host', DEMO.a.host)
        .type('form')
        .send({ username, password });
      expect(res.status).toBe(401);
      expect(res.text).toContain('Wrong username or password.');
      expect(res.text).toContain('name="password"');
      expect(cookiesOf(res)).toEqual([]);
    },
  );

  it.each([
    ['repeated fields', 'username=alice&username=bob&password=x'],
    ['a missing password', 'username=alice'],
    ['nested fields', 'username[a]=alice&password=x'],
  ])('when the form has %s, then 400 with a message', async (_case, body) => {
    const res = await request(app)
      .post('/login')
      .set('Host', DEMO.a.host)
      .set('Accept', 'application/json')
      .type('form')
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'Send one username and one password as a form.' });
  });

  it('when a field is left empty, then 400 with the form again, that field marked and summarised', async () => {
    const res = await request(app)
      .post('/login')
      .set('Host', DEMO.a.host)
      .type('form')
      .send({ username: 'alice', password: '' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('<title>Error: Sign in · Customer A</title>');
    expect(res.text).toContain('<a href="#field-password">Enter your password.</a>');
    expect(res.text).toMatch(
      /<input id="field-password"[^>]* aria-describedby="field-password-error" aria-invalid="true"/,
    );
    expect(res.text).toContain('value="alice"'); // what was typed is kept
    expect(res.text).not.toMatch(/id="field-username"[^>]*aria-invalid/);
    expect(cookiesOf(res)).toEqual([]);
  });
});
