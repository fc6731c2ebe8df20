import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passwordResetsRepository } from '../../src/accounts/password-resets-repository.ts';
import { AMY, client, idOf } from '../../harness/accounts.ts';
import { DEMO } from '../../harness/demo.ts';
import { signIn } from '../../harness/sign-in.ts';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';

/**
 * The cross-site rules on every state-changing account route: a POST, PATCH or DELETE sent by a
 * page of another site, or of another tenant, is refused with 403 and changes nothing.
 */
let t: TestApp;
let alice: ReturnType<typeof client>;
let routes: [method: 'post' | 'patch' | 'delete', path: string, body: object, form: boolean][];
const A = DEMO.a.host;

beforeAll(async () => {
  t = await createTestApp();
  alice = client(t.app, A, await signIn(t.app, DEMO.a));
  const amyId = await idOf(alice, 'amy');
  const { url } = (await alice.invite({ username: 'otto' }).expect(201)).body as { url: string };
  const invitationId = (await alice.invitations()).body.invitations[0].id as string;
  const reset = await passwordResetsRepository(t.database.db).create('customer-a', amyId);
  const invitePath = new URL(url).pathname;
  const password = { password: 'a-long-enough-password' };
  routes = [
    [
      'post',
      '/api/account/password',
      { currentPassword: DEMO.a.password, newPassword: 'x'.repeat(12) },
      false,
    ],
    [
      'post',
      '/account/password',
      { currentPassword: DEMO.a.password, newPassword: 'x'.repeat(12) },
      true,
    ],
    ['post', '/api/admin/invitations', { username: 'mallory' }, false],
    ['delete', `/api/admin/invitations/${invitationId}`, {}, false],
    ['patch', `/api/admin/users/${amyId}`, { disabled: true }, false],
    ['delete', `/api/admin/users/${amyId}`, {}, false],
    ['post', '/admin/users/invitations', { username: 'mallory' }, true],
    ['post', `/admin/users/invitations/${invitationId}/withdraw`, {}, true],
    ['post', `/admin/users/${amyId}/role`, { role: 'admin' }, true],
    ['post', `/admin/users/${amyId}/disable`, {}, true],
    ['post', `/admin/users/${amyId}/remove`, {}, true],
    ['post', invitePath, password, true],
    ['post', '/password-reset', { username: 'amy' }, true],
    ['post', `/password-reset/${reset!.token}`, password, true],
  ];
});
afterAll(async () => {
  await t?.close();
});

const FOREIGN = [
  { 'Sec-Fetch-Site': 'cross-site' },
  { 'Sec-Fetch-Site': 'same-site' },
  { Origin: 'http://customer-b.localhost' },
  { Origin: 'https://evil.example' },
];

describe('cross-site requests to the account routes', () => {
  it('when another site or tenant sends any of them, then 403 each time, and nothing changed', async () => {
    for (const [method, path, body, form] of routes) {
      for (const headers of FOREIGN) {
        const req = request(t.app)
          [method](path)
          .set('Host', A)
          .set('Cookie', alice.cookie)
          .set(headers);
        const res = await (form
          ? req.type('form').send(body as Record<string, string>)
          : req.send(body));
        expect(res.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(403);
        expect(res.text).toContain('Cross-origin request refused');
      }
    }
    // Nothing changed: amy is a member, enabled and signs in with her password; alice's too.
    const users = (await alice.users().expect(200)).body.users as {
      username: string;
      role: string;
      disabled: boolean;
    }[];
    expect(users.find((u) => u.username === 'amy')).toMatchObject({
      role: 'member',
      disabled: false,
    });
    expect(users.map((u) => u.username)).not.toContain('mallory');
    expect((await alice.invitations()).body.invitations).toHaveLength(1);
    await signIn(t.app, AMY);
    await signIn(t.app, DEMO.a);
  });

  it('when the same requests come from this site, then they pass the check (the control)', async () => {
    const res = await alice.invite({ username: 'mallory' }).set('Sec-Fetch-Site', 'same-origin');
    expect(res.status).toBe(201);
  });
});
