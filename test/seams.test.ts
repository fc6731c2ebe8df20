import { gzipSync } from 'node:zlib';
import express, { Router, type Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hashPassword } from '../src/auth/password.ts';
import { requireUser } from '../src/auth/require-user.ts';
import type { DirectoryUser, UserDirectory } from '../src/auth/user-directory.ts';
import { loadConfig } from '../src/config.ts';
import { createRedisStore } from '../src/store/redis-store.ts';
import { singleStore } from '../src/store/stores.ts';
import { countingStores } from '../harness/counting-store.ts';
import { startRedisServer } from '../harness/redis-server.ts';
import { buildApp, createTestApp, type TestApp } from '../harness/test-app.ts';
import { cookiesOf } from '../harness/cookies.ts';
import { DEMO, DEMO_TENANTS_DIR } from '../harness/demo.ts';
import { eventually } from '../harness/polling.ts';
import { signIn } from '../harness/sign-in.ts';

/**
 * A team's own routers, added through the public seams (buildApp's places are createApp's), each
 * served with the behaviour of its place: before the session (no cookie, no store), tenant pages
 * (req.user, cross-origin check) and the JSON API (guard, parser, JSON errors, cross-origin check).
 */
const ownRoutes = {
  beforeSession: [
    Router()
      .get('/hooks/ping', (req, res) => {
        res.json({ tenant: req.tenant.id, session: req.session !== undefined, user: req.user });
      })
      // A webhook reads its own body and authenticates it by its own means (a signature).
      .post('/hooks/event', express.json({ limit: '1kb' }), (req, res) => {
        res.json({ received: req.body as unknown });
      }),
  ],
  pages: [
    Router()
      .get('/whoami', (req, res) => {
        res.json({ tenant: req.tenant.id, user: req.user ?? null });
      })
      .post('/whoami', (_req, res) => {
        res.json({ posted: true });
      }),
  ],
  api: [
    Router()
      .post('/echo', requireUser, (req, res) => {
        res.json({ user: req.user!.username, body: req.body as unknown });
      })
      .delete('/things/:id', requireUser, (_req, res) => {
        res.status(204).end();
      }),
  ],
};

let t: TestApp;
let counted: ReturnType<typeof countingStores>;
let app: Express;
let alice: string;

beforeAll(async () => {
  t = await createTestApp();
  counted = countingStores(t.store);
  app = buildApp({ ...t, stores: counted.stores }, ownRoutes);
  alice = await signIn(app, DEMO.a);
});
afterAll(async () => {
  await t.close();
});

const A = DEMO.a.host;

describe('routes before the session', () => {
  it('when a signed-in browser calls one, then it has the tenant but no session, sets no cookie and sends no store command', async () => {
    counted.reset();
    const res = await request(app).get('/hooks/ping').set('Host', A).set('Cookie', alice);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ tenant: 'customer-a', session: false });
    expect(cookiesOf(res)).toEqual([]);
    expect(counted.commands()).toBe(0);
  });

  it('when the host is no tenant, then the route is never reached: 404', async () => {
    const res = await request(app).get('/hooks/ping').set('Host', 'nobody.localhost');
    expect(res.status).toBe(404);
  });

  it('when another site posts to one, then no cross-origin check refuses it (there is no cookie to forge) and no store is touched', async () => {
    counted.reset();
    const res = await request(app)
      .post('/hooks/event')
      .set('Host', A)
      .set('Origin', 'https://partner.example')
      .set('Sec-Fetch-Site', 'cross-site')
      .send({ kind: 'paid' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: { kind: 'paid' } });
    expect(counted.commands()).toBe(0);
  });
});

describe('tenant pages', () => {
  it('when signed in, then a page sees req.user; signed out, none', async () => {
    const signedIn = await request(app).get('/whoami').set('Host', A).set('Cookie', alice);
    expect(signedIn.body).toEqual({
      tenant: 'customer-a',
      user: {
        id: expect.any(String),
        username: 'alice',
        displayName: 'Alice Anders',
        role: 'owner',
      },
    });
    const anonymous = await request(app).get('/whoami').set('Host', A);
    expect(anonymous.body).toEqual({ tenant: 'customer-a', user: null });
  });

  it.each([
    ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
    ["another tenant's Origin", { Origin: `http://${DEMO.b.host}` }],
  ])('when a page is posted to with %s, then 403', async (_case, headers) => {
    const res = await request(app).post('/whoami').set('Host', A).set('Cookie', alice).set(headers);
    expect(res.status).toBe(403);
    const same = await request(app)
      .post('/whoami')
      .set('Host', A)
      .set('Cookie', alice)
      .set('Sec-Fetch-Site', 'same-origin');
    expect(same.body).toEqual({ posted: true });
  });
});

describe('the JSON API', () => {
  const echo = () => request(app).post('/api/echo').set('Host', A).set('Cookie', alice);

  it('when signed in and the body is JSON, then the route gets it parsed', async () => {
    const res = await echo().send({ hello: ['world'] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: 'alice', body: { hello: ['world'] } });
  });

  it('when signed out, then 401 JSON, body or not', async () => {
    const res = await request(app).post('/api/echo').set('Host', A).send({ hello: 'world' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'Not signed in' });
  });

  it('when the body is over 16 KB, then 413 JSON', async () => {
    const res = await echo().send({ big: 'x'.repeat(17 * 1024) });
    expect(res.status).toBe(413);
    expect(res.type).toBe('application/json');
    expect(res.body).toEqual({ error: 'The body is larger than 16kb.' });
  });

  it.each([
    ['malformed JSON', '{"hello": '],
    ['a bare string (objects and arrays only)', '"hello"'],
  ])('when the body is %s, then 400 JSON with a message', async (_case, body) => {
    const res = await echo().type('json').send(body);
    expect(res.status).toBe(400);
    expect(res.type).toBe('application/json');
    expect(res.body).toEqual({
      error: 'The body is not valid JSON: send an object or an array.',
    });
  });

  it.each([
    ['a form', 'form', 'hello=world'],
    ['plain text', 'text/plain', '{"hello":"world"}'],
  ])('when the body is %s, then 415 JSON naming the type to send', async (_case, type, body) => {
    const res = await echo().type(type).send(body);
    expect(res.status).toBe(415);
    expect(res.body).toEqual({
      error: 'Send the body as JSON (Content-Type: application/json).',
    });
  });

  it('when the body is compressed, then 415 JSON: nothing is inflated', async () => {
    const res = await echo()
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .send(gzipSync('{"hello":"world"}'));
    expect(res.status).toBe(415);
    expect(res.body.error).toMatch(/content encoding/i);
  });

  it('when a DELETE carries no body (Content-Length: 0), then no parser refuses it', async () => {
    const res = await request(app)
      .delete('/api/things/1')
      .set('Host', A)
      .set('Cookie', alice)
      .set('Content-Length', '0');
    expect(res.status).toBe(204);
  });

  it.each([
    ['POST', 'cross-site'],
    ['POST', 'same-site'],
    ['DELETE', 'cross-site'],
  ])('when a %s comes with Sec-Fetch-Site: %s, then 403 JSON', async (method, site) => {
    const path = method === 'POST' ? '/api/echo' : '/api/things/1';
    const res = await request(app)
      [method === 'POST' ? 'post' : 'delete'](path)
      .set('Host', A)
      .set('Cookie', alice)
      .set('Sec-Fetch-Site', site)
      .send({ hello: 'world' });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatch(/cross-origin/i);
  });

  it("when a DELETE comes from another tenant's Origin, then 403 JSON", async () => {
    const res = await request(app)
      .delete('/api/things/1')
      .set('Host', A)
      .set('Cookie', alice)
      .set('Origin', `http://${DEMO.b.host}`);
    expect(res.status).toBe(403);
    expect(res.type).toBe('application/json');
  });

  it.each(['/api/nope', '/api', '/API/nope', '/api?x=1'])(
    'when %s does not exist, then 404 JSON (never HTML)',
    async (path) => {
      const res = await request(app).get(path).set('Host', A).set('Accept', 'text/html');
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: 'Not found' });
    },
  );
});

describe('a user directory of your own', () => {
  it('when createApp gets another UserDirectory as `users`, then sign-in asks it and nothing else', async () => {
    const dana: DirectoryUser = {
      id: '6d1d0c43-0e4b-4f6e-9a43-d4f2d2a2a9b1',
      tenantId: 'customer-a',
      role: 'member',
      disabled: false,
      email: null,
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
      username: 'dana',
      displayName: 'Dana from the database',
      passwordHash: await hashPassword('dana-password', { logN: 10, r: 8, p: 1 }),
    };
    const asked: string[] = [];
    // What a database implementation looks like from the app: one lookup by tenant and username.
    const directory: UserDirectory = {
      findUser: async (tenant, username) => {
        asked.push(`${tenant.id}/${username}`);
        return tenant.id === 'customer-a' && username === 'dana' ? dana : undefined;
      },
    };
    const own = buildApp({ ...t, users: directory });

    const cookie = await signIn(own, { host: A, username: 'Dana', password: 'dana-password' });
    const me = await request(own).get('/api/me').set('Host', A).set('Cookie', cookie);
    expect(me.body.user).toEqual({ username: 'dana', displayName: 'Dana from the database' });

    const fileUser = await request(own)
      .post('/login')
      .set('Host', A)
      .type('form')
      .send({ username: 'alice', password: DEMO.a.password });
    expect(fileUser.status).toBe(401);
    const elsewhere = await request(own)
      .post('/login')
      .set('Host', DEMO.b.host)
      .type('form')
      .send({ username: 'dana', password: 'dana-password' });
    expect(elsewhere.status).toBe(401);
    // Sign-in asks (dana's twice: again once her session is saved, src/auth/start-session.ts); a
    // signed-in request asks nothing (what ends a user's right ends the session).
    expect(asked).toEqual([
      'customer-a/dana',
      'customer-a/dana',
      'customer-a/alice',
      'customer-b/dana',
    ]);
  });
});

describe.runIf(inject('redisServerAvailable'))('while Redis is unreachable', () => {
  it('when Redis is killed, then routes before the session still answer and a signed-in page is 503', async () => {
    // A Redis of this test's own, to kill; nothing to clean up in it afterwards.
    const redis = await startRedisServer();
    const config = loadConfig({
      NODE_ENV: 'test',
      TENANTS_DIR: DEMO_TENANTS_DIR,
      REDIS_URL: redis.url,
      REDIS_TIMEOUT_MS: '300',
    });
    const store = createRedisStore({ url: redis.url, timeoutMs: 300, logger: t.logger });
    try {
      await eventually(() => store.ping(), { timeoutMs: 5000, intervalMs: 50 });
      const app = buildApp({ ...t, config, stores: singleStore(store) }, ownRoutes);
      const cookie = await signIn(app, DEMO.b);
      await redis.kill();
      const B = DEMO.b.host;

      const hook = await request(app).get('/hooks/ping').set('Host', B).set('Cookie', cookie);
      expect(hook.status).toBe(200);
      expect(cookiesOf(hook)).toEqual([]);
      const page = await request(app).get('/whoami').set('Host', B).set('Cookie', cookie);
      expect(page.status).toBe(503);
      expect(page.headers['retry-after']).toBeDefined();
      const api = await request(app)
        .post('/api/echo')
        .set('Host', B)
        .set('Cookie', cookie)
        .send({});
      expect(api.status).toBe(503);
      expect(api.type).toBe('application/json');
    } finally {
      await store.close();
      await redis.stop();
    }
  });
});
