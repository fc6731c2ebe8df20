import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInternalApp } from '../../src/internal/internal-app.ts';
import { cookiesOf } from '../../harness/cookies.ts';
import { DEMO } from '../../harness/demo.ts';
import { startDnsServer, type DnsServer } from '../../harness/dns-server.ts';
import { eventually } from '../../harness/polling.ts';
import { missingPostgres } from '../../harness/postgres-server.ts';
import { prerequisitesTest } from '../../harness/prerequisites.ts';
import { openReplica, type Replica } from '../../harness/replica-app.ts';
import { signIn } from '../../harness/sign-in.ts';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';

const missing = missingPostgres();
prerequisitesTest('test/domains/serving.test.ts', missing);

const DOMAIN = 'www.alices-shop.test';
/** The contract's bound from a verify (or a removal) to every replica serving it (or not). */
const WITHIN_MS = 2000;

/** Two replicas on one database, as a deployment runs them: what one verifies, both serve. */
describe.skipIf(missing.length > 0)('a verified domain on every replica', () => {
  let t: TestApp;
  let other: Replica;
  let dns: DnsServer;
  let alice: string;
  const replicas: { name: string; app: Express; internal: Express }[] = [];

  beforeAll(async () => {
    dns = await startDnsServer();
    t = await createTestApp({ env: { DNS_SERVERS: dns.address } });
    other = await openReplica(t);
    replicas.push(
      {
        name: 'first',
        app: t.app,
        internal: createInternalApp({
          tenants: t.tenants,
          centralHosts: t.config.centralHosts,
          domains: t.domains,
        }),
      },
      { name: 'second', app: other.app, internal: other.internal },
    );
    alice = await signIn(t.app, DEMO.a);
  });
  afterAll(async () => {
    await other?.close();
    await t?.close();
    await dns?.stop();
  });

  const api = (path: string) =>
    request(t.app).post(path).set('Host', DEMO.a.host).set('Cookie', alice);
  const ask = (internal: Express) => request(internal).get('/tls/ask').query({ domain: DOMAIN });
  const home = (app: Express) => request(app).get('/').set('Host', DOMAIN);

  it('when nobody has verified the domain, then no replica serves it or lets a certificate be asked for it', async () => {
    for (const { app, internal } of replicas) {
      const res = await home(app).expect(404);
      expect(res.headers['set-cookie']).toBeUndefined();
      await ask(internal).expect(404);
    }
  });

  it('when alice verifies it, then within 2 s every replica serves customer-a there and says yes to its certificate', async () => {
    const added = await api('/api/admin/domains').send({ domain: DOMAIN }).expect(201);
    dns.setTxt(`_tenantry.${DOMAIN}`, added.body.verification.value);
    // Pending is not served.
    for (const { app, internal } of replicas) {
      await home(app).expect(404);
      await ask(internal).expect(404);
    }
    await api(`/api/admin/domains/${DOMAIN}/verify`).expect(200);
    const verified = performance.now();
    await eventually(
      async () => {
        for (const { name, app, internal } of replicas) {
          const res = await home(app);
          expect(res.status, name).toBe(200);
          expect(res.text, name).toContain(DEMO.a.name);
          expect((await ask(internal)).status, name).toBe(200);
        }
      },
      { timeoutMs: WITHIN_MS, intervalMs: 50 },
    );
    expect(performance.now() - verified).toBeLessThan(WITHIN_MS);
  });

  it('when alice signs in at her domain on one replica, then the other knows her session there, under a host-only cookie of its own', async () => {
    const res = await request(other.app)
      .post('/login')
      .set('Host', DOMAIN)
      .type('form')
      .send({ username: DEMO.a.username, password: DEMO.a.password })
      .expect(303);
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).not.toMatch(/domain=/i);
    const [cookie] = cookiesOf(res);
    const me = await request(t.app).get('/api/me').set('Host', DOMAIN).set('Cookie', cookie!);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      tenant: { id: DEMO.a.tenant },
      user: { username: DEMO.a.username },
    });
  });

  it('when bob’s session is presented at alice’s domain, then he is not signed in there', async () => {
    const bob = await signIn(t.app, DEMO.b);
    await request(t.app).get('/api/me').set('Host', DOMAIN).set('Cookie', bob).expect(401);
  });

  it('when alice removes it, then within 2 s every replica answers the unknown-host 404 and no to its certificate', async () => {
    await request(t.app)
      .delete(`/api/admin/domains/${DOMAIN}`)
      .set('Host', DEMO.a.host)
      .set('Cookie', alice)
      .expect(204);
    const removed = performance.now();
    await eventually(
      async () => {
        for (const { name, app, internal } of replicas) {
          expect((await home(app)).status, name).toBe(404);
          expect((await ask(internal)).status, name).toBe(404);
        }
      },
      { timeoutMs: WITHIN_MS, intervalMs: 50 },
    );
    expect(performance.now() - removed).toBeLessThan(WITHIN_MS);
  });
});
