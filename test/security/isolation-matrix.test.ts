import request from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cookiesOf, sessionIdOf } from '../../harness/cookies.ts';
import { DEMO } from '../../harness/demo.ts';
import { createKindApp, type KindApp } from '../../harness/kind-app.ts';
import { startKind, STORE_KINDS, type KindServers } from '../../harness/store-kinds.ts';
import { closeServer, listen } from '../../harness/listen.ts';
import { signIn } from '../../harness/sign-in.ts';
import { changedKeys, cookieFor, inTenantPrefix, rawRequest, snapshot } from './helpers.ts';

/**
 * Every ordered pair of tenants (the attacker holds something of `from`, the victim is `to`)
 * against every way the plain recipe lets one tenant's session reach another. A crossing is any
 * answer at `to` signed in as anyone but `to`'s own user, or any key of `from` changed by a
 * request sent to `to`. The matrix expects zero, on every kind of store: one Redis, a Redis
 * Cluster (sessions spread over its shards), Redis behind Sentinel, and customer-c on a Redis of
 * its own (per-tenant). Without redis-server (tests on a given REDIS_URL), on that Redis only.
 */
type Who = (typeof DEMO)[keyof typeof DEMO];
const tenants: Who[] = Object.values(DEMO);

const kinds = inject('redisServerAvailable') ? STORE_KINDS : (['single'] as const);

describe.each(kinds)('on %s', (kind) => {
  let plain: KindApp; // TRUST_PROXY unset, as the contract's default
  let proxied: KindApp; // behind a trusted proxy on loopback, so X-Forwarded-Proto: https is honoured
  /** Signed-in cookies: over HTTP from `plain`, over HTTPS (`__Host-sid`) from `proxied`. */
  const http = new Map<string, string>();
  const https = new Map<string, string>();

  let servers: KindServers;

  beforeAll(async () => {
    servers = await startKind(kind, inject('redisUrl'));
    [plain, proxied] = await Promise.all([
      createKindApp(servers),
      createKindApp(servers, { env: { TRUST_PROXY: 'loopback' } }),
    ]);
    for (const who of tenants) {
      http.set(who.tenant, await signIn(plain.app, who));
      const res = await request(proxied.app)
        .post('/login')
        .set('Host', who.host)
        .set('X-Forwarded-Proto', 'https')
        .type('form')
        .send({ username: who.username, password: who.password });
      expect(res.status).toBe(303);
      https.set(who.tenant, cookiesOf(res)[0]!);
    }
  }, 60_000);
  afterAll(async () => {
    await Promise.all([plain?.close(), proxied?.close()]);
    await servers?.stop();
  });

  /** Who /api/me says is signed in: undefined when nobody; otherwise `tenant/user`. */
  async function signedInAs(
    t: KindApp,
    host: string,
    cookie: string,
    headers: Record<string, string> = {},
  ): Promise<string | undefined> {
    const res = await request(t.app)
      .get('/api/me')
      .set('Host', host)
      .set('Cookie', cookie)
      .set(headers);
    expect(res.status).toBeLessThan(500);
    return res.status === 200 ? `${res.body.tenant.id}/${res.body.user.username}` : undefined;
  }

  /** Runs `attack` and returns the keys it changed that do not belong to `to` (must be none). */
  async function keysCrossedBy(to: Who, attack: () => Promise<void>): Promise<string[]> {
    const apps = [plain, proxied];
    const before = await Promise.all(apps.map(snapshot));
    await attack();
    const after = await Promise.all(apps.map(snapshot));
    return apps.flatMap((t, i) =>
      changedKeys(before[i]!, after[i]!).filter(
        (key) => !inTenantPrefix(key, to.tenant, t.config.appName),
      ),
    );
  }

  describe.each(tenants)('isolation matrix: from $tenant', (from) => {
    describe.each(tenants.filter((to) => to !== from))('to $tenant', (to) => {
      const self = `${to.tenant}/${to.username}`;

      it('when a cookie of the first is replayed at the second, then the visitor is anonymous there', async () => {
        const crossed = await keysCrossedBy(to, async () => {
          expect(await signedInAs(plain, to.host, http.get(from.tenant)!)).toBeUndefined();
          const page = await request(plain.app)
            .get('/')
            .set('Host', to.host)
            .set('Cookie', http.get(from.tenant)!);
          expect(page.text).toContain(to.name);
          expect(page.text).not.toContain(from.name);
          expect(cookiesOf(page)).toEqual([]);
        });
        expect(crossed).toEqual([]);
        expect(await signedInAs(plain, from.host, http.get(from.tenant)!)).toBe(
          `${from.tenant}/${from.username}`,
        );
      });

      it('when X-Forwarded-Host names the first but no proxy is trusted, then the Host decides and nothing crosses', async () => {
        const cookie = http.get(from.tenant)!;
        const crossed = await keysCrossedBy(to, async () => {
          const headers = { 'X-Forwarded-Host': from.host };
          expect(await signedInAs(plain, to.host, cookie, headers)).toBeUndefined();
          const page = await request(plain.app).get('/').set('Host', to.host).set(headers);
          expect(page.text).toContain(to.name);
          expect(page.text).not.toContain(from.name);
          // The victim's own cookie keeps working, whatever the header claims.
          expect(await signedInAs(plain, to.host, http.get(to.tenant)!, headers)).toBe(self);
        });
        expect(crossed).toEqual([]);
      });

      it('when the Host header is forged around both names, then it is the second or nobody, never the first', async () => {
        const forged = [
          `${from.host}.${to.host}`,
          `${to.host}.${from.host}`,
          `${to.host}@${from.host}`,
          `${from.host}@${to.host}`,
          `${to.host}/${from.host}`,
          `${to.host}, ${from.host}`,
          `${to.host}%2F${from.host}`,
          `${to.host}#${from.host}`,
          `${to.host.toUpperCase()}.:80`,
          `${to.host}:${from.host}`,
          `${to.host}:80@${from.host}`,
        ];
        const cookie = http.get(from.tenant)!;
        const crossed = await keysCrossedBy(to, async () => {
          for (const host of forged) {
            expect(await signedInAs(plain, host, cookie), host).toBeUndefined();
          }
          // A second Host header, which only a hand-made client sends: 400 (RFC 9112).
          const { server, port } = await listen(plain.app);
          try {
            const res = await rawRequest(
              port,
              `GET /api/me HTTP/1.1\r\nHost: ${to.host}\r\nHost: ${from.host}\r\n` +
                `Cookie: ${cookie}\r\nConnection: close\r\n\r\n`,
            );
            expect(res.status).toBe(400);
          } finally {
            await closeServer(server);
          }
        });
        expect(crossed).toEqual([]);
      });

      it('when a cookie of the first is tossed beside the second’s, then the second never sees the first’s session', async () => {
        const tossed = http.get(from.tenant)!; // `sid=…` from a sibling host
        const crossed = await keysCrossedBy(to, async () => {
          // Over HTTP the tossed cookie can shadow the real one (first wins), but never signs in.
          for (const cookie of [`${tossed}; ${http.get(to.tenant)}`, tossed]) {
            expect(await signedInAs(plain, to.host, cookie)).toBeUndefined();
          }
          expect(await signedInAs(plain, to.host, `${http.get(to.tenant)}; ${tossed}`)).toBe(self);
          // Over HTTPS only `__Host-sid` is read; a tossed `sid` is ignored, so it cannot even shadow.
          const secure = { 'X-Forwarded-Proto': 'https' };
          const own = https.get(to.tenant)!;
          expect(await signedInAs(proxied, to.host, `${tossed}; ${own}`, secure)).toBe(self);
          expect(await signedInAs(proxied, to.host, `${own}; ${tossed}`, secure)).toBe(self);
          expect(await signedInAs(proxied, to.host, tossed, secure)).toBeUndefined();
          // A `__Host-` cookie of the first (browsers would refuse to toss it) does not verify either.
          expect(
            await signedInAs(proxied, to.host, https.get(from.tenant)!, secure),
          ).toBeUndefined();
        });
        expect(crossed).toEqual([]);
      });

      it('when a session id of the first is planted and the victim signs in at the second, then the id is not kept', async () => {
        const planted = http.get(from.tenant)!;
        const fromKey = `sessions:${from.tenant}:${plain.config.appName}:${sessionIdOf(planted)}`;
        const fromValue = await plain.redis.get(fromKey);
        let fresh = '';
        const crossed = await keysCrossedBy(to, async () => {
          const res = await request(plain.app)
            .post('/login')
            .set('Host', to.host)
            .set('Cookie', planted)
            .type('form')
            .send({ username: to.username, password: to.password });
          expect(res.status).toBe(303);
          fresh = cookiesOf(res)[0]!;
        });
        expect(crossed).toEqual([]);
        expect(sessionIdOf(fresh)).not.toBe(sessionIdOf(planted));
        expect(await plain.redis.get(fromKey)).toBe(fromValue);
        // The attacker's cookie is still a stranger at the second; the victim's is a stranger at the first.
        expect(await signedInAs(plain, to.host, planted)).toBeUndefined();
        expect(await signedInAs(plain, from.host, fresh)).toBeUndefined();
        expect(await signedInAs(plain, to.host, fresh)).toBe(self);
      });

      it('when a valid session is copied into the second’s prefix and signed with its key, then the tenant check refuses it', async () => {
        const sid = sessionIdOf(http.get(from.tenant)!);
        const app = plain.config.appName;
        const value = await plain.redis.get(`sessions:${from.tenant}:${app}:${sid}`);
        expect(value).not.toBeNull();
        const copy = `sessions:${to.tenant}:${app}:${sid}`;
        await plain.redis.set(copy, value!, { expiration: { type: 'EX', value: 60 } });
        // The attacker holds the keys here (as if SESSION_SECRET leaked): only the binding is left.
        const forged = cookieFor(to.tenant, sid, plain.config.sessionSecrets);
        const crossed = await keysCrossedBy(to, async () => {
          expect(await signedInAs(plain, to.host, forged)).toBeUndefined();
        });
        expect(crossed).toEqual([]);
        expect(await plain.redis.exists(copy)).toBe(0);
        expect(await signedInAs(plain, from.host, http.get(from.tenant)!)).toBe(
          `${from.tenant}/${from.username}`,
        );
      });
    });
  });
});
