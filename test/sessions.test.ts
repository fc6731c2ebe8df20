import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookiesOf, sessionIdOf } from '../harness/cookies.ts';
import { DEMO } from '../harness/demo.ts';
import { signIn } from '../harness/sign-in.ts';
import { createTestApp, type TestApp } from '../harness/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('sessions in Redis', () => {
  it('when alice signs in, then one key sessions:<tenant>:<app>:<sid> holds JSON with a TTL', async () => {
    const cookie = await signIn(t.app, DEMO.a);
    const sid = sessionIdOf(cookie);
    const key = `sessions:customer-a:${t.config.appName}:${sid}`;
    const stored = JSON.parse((await t.redis.get(key))!) as Record<string, unknown>;
    expect(stored).toMatchObject({
      tenantId: 'customer-a',
      user: { username: 'alice', displayName: 'Alice Anders' },
      cookie: { httpOnly: true, path: '/', sameSite: 'lax' },
    });
    const ttl = await t.redis.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(t.config.sessionTtlSeconds);
  });

  it('when a visitor only browses, then no cookie is set and no key is written', async () => {
    const before = await t.keys();
    for (const path of ['/', '/login', '/api/me']) {
      const res = await request(t.app).get(path).set('Host', DEMO.b.host);
      expect(cookiesOf(res)).toEqual([]);
    }
    expect(await t.keys()).toEqual(before);
  });

  it('when signed in, then the cookie is signed, HttpOnly, SameSite=Lax, Path=/ and host-only', async () => {
    const res = await request(t.app)
      .post('/login')
      .set('Host', DEMO.a.host)
      .type('form')
      .send({ username: 'alice', password: 'alice-password' });
    const header = (res.headers['set-cookie'] as unknown as string[])[0]!;
    expect(header).toMatch(/^sid=s%3A[\w-]+\.[\w%]+;/);
    expect(header).toContain('HttpOnly');
    expect(header).toContain('SameSite=Lax');
    expect(header).toContain('Path=/');
    expect(header).not.toMatch(/Domain=/i);
    expect(header).not.toMatch(/Secure/i);
  });

  it('when a sign-in sets the device cookie too, then the session cookie comes first', async () => {
    const res = await request(t.app)
      .post('/login')
      .set('Host', DEMO.a.host)
      .type('form')
      .send({ username: 'alice', password: 'alice-password' });
    const names = (res.headers['set-cookie'] as unknown as string[]).map((c) => c.split('=')[0]);
    expect(names).toEqual(['sid', 'sid-device']);
  });

  it('when a cookie from customer A is sent to customer B, then B treats the visitor as anonymous', async () => {
    const cookie = await signIn(t.app, DEMO.a);
    const atA = await request(t.app).get('/api/me').set('Host', DEMO.a.host).set('Cookie', cookie);
    expect(atA.status).toBe(200);
    const atB = await request(t.app).get('/api/me').set('Host', DEMO.b.host).set('Cookie', cookie);
    expect(atB.status).toBe(401);
  });

  it('when a session id is planted before login, then login issues a different one', async () => {
    const planted = await signIn(t.app, DEMO.c);
    const res = await request(t.app)
      .post('/login')
      .set('Host', DEMO.c.host)
      .set('Cookie', planted)
      .type('form')
      .send({ username: 'carol', password: 'carol-password' });
    const [fresh] = cookiesOf(res);
    expect(sessionIdOf(fresh!)).not.toBe(sessionIdOf(planted));
    const old = `sessions:customer-c:${t.config.appName}:${sessionIdOf(planted)}`;
    expect(await t.redis.exists(old)).toBe(0);
  });

  it('when an unsigned or unknown session id is sent, then it is never adopted', async () => {
    const res = await request(t.app)
      .post('/login')
      .set('Host', DEMO.a.host)
      .set('Cookie', 'sid=attacker-chosen-id')
      .type('form')
      .send({ username: 'alice', password: 'alice-password' });
    const [fresh] = cookiesOf(res);
    expect(sessionIdOf(fresh!)).not.toBe('attacker-chosen-id');
    expect(await t.keys()).not.toContain(
      `sessions:customer-a:${t.config.appName}:attacker-chosen-id`,
    );
  });

  it('when the user logs out, then the key is deleted and the cookie cleared', async () => {
    const cookie = await signIn(t.app, DEMO.b);
    const key = `sessions:customer-b:${t.config.appName}:${sessionIdOf(cookie)}`;
    expect(await t.redis.exists(key)).toBe(1);
    const res = await request(t.app).post('/logout').set('Host', DEMO.b.host).set('Cookie', cookie);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
    expect(cookiesOf(res)).toContain('sid=');
    expect(await t.redis.exists(key)).toBe(0);
    const me = await request(t.app).get('/api/me').set('Host', DEMO.b.host).set('Cookie', cookie);
    expect(me.status).toBe(401);
  });
});
