import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEMO } from '../../harness/demo.ts';
import { signIn } from '../../harness/sign-in.ts';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';

/**
 * The Redis ACL that SECURITY.md gives operators: the app's user may touch only its own three key
 * families and run only the commands the app uses. Proven here on a real Redis: the app works in
 * full under it, and the user cannot read another app's sessions.
 */
const appName = `acl-${randomBytes(3).toString('hex')}`;
const user = `tenantry-${appName}`;
const password = randomBytes(24).toString('base64url');
const admin = createClient({ url: inject('redisUrl') });
let t: TestApp;

/** The rule, exactly as SECURITY.md prints it (with APP_NAME filled in). */
const aclRule = [
  'on',
  `>${password}`,
  'resetkeys',
  `~sessions:*:${appName}:*`,
  `~login-failures:*:${appName}:*`,
  `~user-sessions:{*:${appName}:*`,
  'resetchannels',
  '-@all',
  '+get',
  '+getex',
  '+set',
  '+expire',
  '+del',
  '+incr',
  '+decr',
  '+ttl',
  '+mget',
  '+scan',
  '+ping',
  '+zadd',
  '+zrange',
  '+zrem',
  '+zremrangebyscore',
  '+multi',
  '+exec',
];

beforeAll(async () => {
  await admin.connect();
  await admin.sendCommand(['ACL', 'SETUSER', user, 'reset', ...aclRule]);
  const url = new URL(inject('redisUrl'));
  url.username = user;
  url.password = password;
  t = await createTestApp({ redisUrl: url.toString(), env: { APP_NAME: appName } });
});
afterAll(async () => {
  await t?.close();
  await admin.sendCommand(['ACL', 'DELUSER', user]);
  await admin.close();
});

describe('the least-privilege Redis user', () => {
  it('when the app runs as that user, then readiness, login, failures, reads, the session list and logout all work', async () => {
    expect((await request(t.app).get('/readyz')).status).toBe(200);
    const cookie = await signIn(t.app, DEMO.a);
    const wrong = await request(t.app)
      .post('/login')
      .set('Host', DEMO.b.host)
      .type('form')
      .send({ username: 'bob', password: 'wrong' });
    expect(wrong.status).toBe(401);
    const me = await request(t.app).get('/api/me').set('Host', DEMO.a.host).set('Cookie', cookie);
    expect(me.status).toBe(200);
    // The per-user index: list the sessions, end the others.
    const listed = await request(t.app)
      .get('/api/sessions')
      .set('Host', DEMO.a.host)
      .set('Cookie', cookie);
    expect(listed.status).toBe(200);
    expect(listed.body.sessions).toHaveLength(1);
    const others = await request(t.app)
      .delete('/api/sessions')
      .set('Host', DEMO.a.host)
      .set('Cookie', cookie);
    expect(others.status).toBe(204);
    const out = await request(t.app).post('/logout').set('Host', DEMO.a.host).set('Cookie', cookie);
    expect(out.status).toBe(303);
  });

  it('when that user reaches for another app’s keys or other commands, then Redis says NOPERM', async () => {
    await expect(t.redis.get(`sessions:customer-a:other-app:x`)).rejects.toThrow(/NOPERM/);
    await expect(t.redis.set('anything', '1')).rejects.toThrow(/NOPERM/);
    await expect(t.redis.flushAll()).rejects.toThrow(/NOPERM/);
    await expect(t.redis.sendCommand(['CONFIG', 'GET', '*'])).rejects.toThrow(/NOPERM/);
  });
});
