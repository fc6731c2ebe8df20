import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passwordResetsRepository } from '../../src/accounts/password-resets-repository.ts';
import { AMY, client, idOf, usersSeenBy } from '../../harness/accounts.ts';
import { DEMO } from '../../harness/demo.ts';
import { signIn } from '../../harness/sign-in.ts';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';

/**
 * Isolation of accounts: another tenant's owner and a member of the same tenant see nothing of,
 * and change nothing of, customer A's users, invitations and reset links.
 */
let t: TestApp;
let alice: ReturnType<typeof client>;
let bob: ReturnType<typeof client>;
let amy: ReturnType<typeof client>;
let amyId: string;
let invitation: { path: string; id: string };
let resetPath: string;
const [A, B] = [DEMO.a.host, DEMO.b.host];

beforeAll(async () => {
  t = await createTestApp();
  alice = client(t.app, A, await signIn(t.app, DEMO.a));
  bob = client(t.app, B, await signIn(t.app, DEMO.b));
  amy = client(t.app, A, await signIn(t.app, AMY));
  amyId = await idOf(alice, 'amy');
  const { url } = (await alice.invite({ username: 'nell' }).expect(201)).body as { url: string };
  const listed = (await alice.invitations()).body.invitations as { id: string; username: string }[];
  invitation = { path: new URL(url).pathname, id: listed.find((i) => i.username === 'nell')!.id };
  const reset = await passwordResetsRepository(t.database.db).create('customer-a', amyId);
  resetPath = `/password-reset/${reset!.token}`;
});
afterAll(async () => {
  await t?.close();
});

describe("another tenant's owner", () => {
  it('when bob lists users and invitations at customer B, then none of customer A', async () => {
    const users = (await bob.users().expect(200)).body.users as { username: string }[];
    expect(users.map((u) => u.username)).toEqual(['bob']);
    expect((await bob.invitations().expect(200)).body.invitations).toEqual([]);
  });

  it("when bob names customer A's ids at customer B, then 404 and nothing changes", async () => {
    expect((await bob.change(amyId, { disabled: true })).status).toBe(404);
    expect((await bob.change(amyId, { role: 'owner' })).status).toBe(404);
    expect((await bob.remove(amyId)).status).toBe(404);
    const withdraw = await request(t.app)
      .delete(`/api/admin/invitations/${invitation.id}`)
      .set('Host', B)
      .set('Cookie', bob.cookie);
    expect(withdraw.status).toBe(404);
    expect((await bob.form(`/admin/users/${amyId}/disable`)).status).toBe(404);
    expect((await bob.get(`/admin/users/${amyId}/remove`)).status).toBe(404);
    expect((await amy.me()).status).toBe(200);
    const amyRow = (await usersSeenBy(alice)).find((u) => u.id === amyId);
    expect(amyRow).toMatchObject({ role: 'member', disabled: false });
    expect((await alice.invitations()).body.invitations).toHaveLength(1);
  });

  it("when bob's cookie is sent to customer A, then it is no one there", async () => {
    const res = await request(t.app)
      .get('/api/admin/users')
      .set('Host', A)
      .set('Cookie', bob.cookie);
    expect(res.status).toBe(401);
  });

  it("when customer A's invitation and reset links are opened at customer B, then 410, and they still work at A", async () => {
    for (const path of [invitation.path, resetPath]) {
      expect((await request(t.app).get(path).set('Host', B)).status, path).toBe(410);
      const post = await request(t.app)
        .post(path)
        .set('Host', B)
        .type('form')
        .send({ password: 'taken-over-password' });
      expect(post.status, path).toBe(410);
      expect((await request(t.app).get(path).set('Host', A)).status, path).toBe(200);
    }
  });
});

describe('a member of the same tenant', () => {
  it('when amy tries the admin API and pages, then 403 for each, and nothing changes', async () => {
    const aliceId = await idOf(alice, 'alice');
    for (const res of [
      await amy.users(),
      await amy.invitations(),
      await amy.invite({ username: 'mallory' }),
      await amy.change(aliceId, { disabled: true }),
      await amy.change(amyId, { role: 'owner' }),
      await amy.remove(aliceId),
      await amy.get('/admin/users'),
      await amy.form('/admin/users/invitations', { username: 'mallory' }),
      await amy.form(`/admin/users/${aliceId}/disable`),
      await amy.form(`/admin/users/${amyId}/role`, { role: 'owner' }),
      await amy.form(`/admin/users/invitations/${invitation.id}/withdraw`),
    ]) {
      expect(res.status, res.text).toBe(403);
    }
    const users = (await alice.users()).body.users as { username: string; role: string }[];
    expect(users.find((u) => u.username === 'amy')?.role).toBe('member');
    expect(users.map((u) => u.username)).not.toContain('mallory');
    expect((await alice.me()).status).toBe(200);
  });

  it('when amy opens a page, then the navigation offers "Account" but not "Users"; alice gets both', async () => {
    const page = (await amy.get('/account').expect(200)).text;
    expect(page).toContain('href="/account"');
    expect(page).not.toContain('href="/admin/users"');
    expect((await alice.get('/account')).text).toContain('href="/admin/users"');
  });
});
