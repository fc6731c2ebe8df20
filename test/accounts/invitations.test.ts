import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invitationsRepository } from '../../src/accounts/invitations-repository.ts';
import { acceptInvitation, client } from '../../harness/accounts.ts';
import { DEMO } from '../../harness/demo.ts';
import { signIn } from '../../harness/sign-in.ts';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';

/** Accepting an invitation: GET and POST /invite/<token>. */
let t: TestApp;
let alice: ReturnType<typeof client>;
const A = DEMO.a.host;

beforeAll(async () => {
  t = await createTestApp();
  alice = client(t.app, A, await signIn(t.app, DEMO.a));
});
afterAll(async () => {
  await t?.close();
});

const invite = async (username: string, extra: object = {}) =>
  new URL(((await alice.invite({ username, ...extra }).expect(201)).body as { url: string }).url)
    .pathname;
const open = (path: string, host = A) => request(t.app).get(path).set('Host', host);
const post = (path: string, fields: Record<string, string>, host = A) =>
  request(t.app).post(path).set('Host', host).type('form').send(fields);

describe('/invite/<token>', () => {
  it('when the link is opened, then a form with the name filled in and a password field', async () => {
    const path = await invite('uma', { displayName: 'Uma Ueda' });
    const res = await open(path).expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('<code>uma</code>');
    expect(res.text).toMatch(/name="displayName"[^>]*value="Uma Ueda"/);
    expect(res.text).toMatch(/name="password"[^>]*type="password"/);
    expect(res.text).toContain(`action="${path}"`);
  });

  it('when the form is sent, then the user exists, is signed in, and lands on / with the chosen name', async () => {
    const path = await invite('vic');
    const cookie = await acceptInvitation(t.app, `http://${A}${path}`, {
      password: 'vic-password',
      displayName: 'Victoria',
    });
    const me = await client(t.app, A, cookie).me().expect(200);
    expect(me.body.user).toEqual({ username: 'vic', displayName: 'Victoria' });
    await signIn(t.app, { host: A, username: 'vic', password: 'vic-password' });
  });

  it('when the password is too short or the name too long, then the form again with 400, and the link still works', async () => {
    const path = await invite('wes');
    const short = await post(path, { password: 'short', displayName: 'Wes' });
    expect(short.status).toBe(400);
    expect(short.text).toContain('A password needs at least 10 characters.');
    expect(short.text).toMatch(/name="displayName"[^>]*value="Wes"/);
    const long = await post(path, { password: 'x'.repeat(201) });
    expect(long.status).toBe(400);
    const name = await post(path, { password: 'wes-password', displayName: 'n'.repeat(101) });
    expect(name.status).toBe(400);
    const extra = await post(path, { password: 'wes-password', role: 'owner' });
    expect(extra.status).toBe(400);
    await acceptInvitation(t.app, `http://${A}${path}`, { password: 'wes-password' });
  });

  it('when the link is used, unknown, malformed or expired, then 410 for GET and POST', async () => {
    const used = await invite('xia');
    await acceptInvitation(t.app, `http://${A}${used}`, { password: 'xia-password' });
    const expired = await invitationsRepository(t.database.db, -1000).create('customer-a', {
      username: 'yan',
      displayName: 'Yan',
      role: 'member',
    });
    const paths = [
      used,
      `/invite/${'A'.repeat(43)}`,
      '/invite/short',
      `/invite/${expired.token}`,
      `/invite/${'%27'.repeat(20)}`,
    ];
    for (const path of paths) {
      const get = await open(path);
      expect(get.status, path).toBe(410);
      expect(get.text).toContain('This invitation link is unknown, used or expired');
      expect((await post(path, { password: 'any-long-password' })).status, path).toBe(410);
    }
  });

  it('when the name was taken after the invitation, then 409 and the link stays unused', async () => {
    const first = await invite('zed');
    const second = await invite('zed');
    await acceptInvitation(t.app, `http://${A}${first}`, { password: 'zed-password' });
    const taken = await post(second, { password: 'other-zed-password' });
    expect(taken.status).toBe(409);
    expect(taken.text).toContain('is taken');
    expect((await open(second)).status).toBe(200);
  });
});
