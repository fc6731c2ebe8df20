import { sql } from 'kysely';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AMY, acceptInvitation, client, idOf, usersSeenBy } from '../../harness/accounts.ts';
import { DEMO } from '../../harness/demo.ts';
import { signIn } from '../../harness/sign-in.ts';
import { linkIn, startSmtpServer, type TestSmtpServer } from '../../harness/smtp-server.ts';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';
import { addUser } from '../../harness/users.ts';
import { withSuperuser } from '../../harness/postgres-admin.ts';
import { suitePostgres } from '../../harness/postgres-databases.ts';

/** The users' administration through its JSON API: who may do what, and what each change does. */
let t: TestApp;
let smtp: TestSmtpServer;
let alice: ReturnType<typeof client>;
const A = DEMO.a.host;

beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await createTestApp({ env: { SMTP_URL: smtp.url, MAIL_FROM: 'Customer A <a@example.com>' } });
  alice = client(t.app, A, await signIn(t.app, DEMO.a));
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const as = async (who: { host: string; username: string; password: string }) =>
  client(t.app, who.host, await signIn(t.app, who));

describe('GET /api/admin/users', () => {
  it('when an owner asks, then they get their tenant’s users only, without password hashes', async () => {
    const res = await alice.users().expect(200);
    const users = res.body.users as Record<string, unknown>[];
    expect(users.map((u) => u.username).sort()).toEqual(['alice', 'amy']);
    expect(users.find((u) => u.username === 'alice')).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      username: 'alice',
      displayName: 'Alice Anders',
      role: 'owner',
      disabled: false,
      email: 'alice@customer-a.example',
      createdAt: expect.any(String),
    });
    expect(res.text).not.toMatch(/scrypt|password/i);
  });

  it('when a member asks, then 403; signed out, then 401', async () => {
    const amy = await as(AMY);
    expect((await amy.users()).status).toBe(403);
    expect((await amy.invite({ username: 'x1' })).status).toBe(403);
    expect((await request(t.app).get('/api/admin/users').set('Host', A)).status).toBe(401);
  });
});

describe('POST /api/admin/invitations', () => {
  it('when an owner invites, then 201 with a single-use link on this origin, valid 7 days', async () => {
    const res = await alice.invite({ username: 'Dora', displayName: 'Dora Dahl' }).expect(201);
    expect(res.body).toEqual({ url: expect.any(String), expiresAt: expect.any(String) });
    expect(res.body.url).toMatch(/^http:\/\/customer-a\.localhost\/invite\/[A-Za-z0-9_-]{43}$/);
    const days = (Date.parse(res.body.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThanOrEqual(7);
    const listed = (await alice.invitations().expect(200)).body.invitations;
    expect(listed).toContainEqual(expect.objectContaining({ username: 'dora', role: 'member' }));
    const url = res.body.url as string;
    expect(JSON.stringify(listed)).not.toContain(url.split('/').pop());

    const dora = client(
      t.app,
      A,
      await acceptInvitation(t.app, res.body.url, { password: 'dora-password' }),
    );
    expect((await dora.me().expect(200)).body.user).toEqual({
      username: 'dora',
      displayName: 'Dora Dahl',
    });
    const again = await request(t.app).get(new URL(res.body.url).pathname).set('Host', A);
    expect(again.status).toBe(410);
  });

  it('when the request came on another port, then the link keeps it', async () => {
    const res = await alice.invite({ username: 'porter' }).set('Host', `${A}:8443`).expect(201);
    expect(res.body.url).toMatch(/^http:\/\/customer-a\.localhost:8443\/invite\//);
  });

  it('when the username is taken at this tenant in any case, then 409', async () => {
    expect((await alice.invite({ username: 'AMY' })).status).toBe(409);
    expect((await alice.invite({ username: 'amy' })).body.error).toMatch(/taken/);
  });

  it('when the body is wrong, then 400 with a message, never a 500', async () => {
    for (const body of [
      {},
      { username: 'no spaces' },
      { username: 'ok', role: 'god' },
      { username: 'ok', email: 'not-an-address' },
      { username: 'ok', extra: 1 },
      { username: 'x'.repeat(65) },
      { username: 'ok', displayName: 'y'.repeat(101) },
      [],
    ]) {
      const res = await alice.invite(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toEqual(expect.any(String));
    }
  });

  it('when an email is given, then the link is emailed there over SMTP', async () => {
    const res = await alice
      .invite({ username: 'erin', email: 'erin@example.org', role: 'admin' })
      .expect(201);
    const email = await smtp.emailTo('erin@example.org', /invited to Customer A/);
    expect(email.from).toBe('a@example.com');
    expect(linkIn(email)).toBe(res.body.url);
    const erin = client(
      t.app,
      A,
      await acceptInvitation(t.app, res.body.url, { password: 'erin-password' }),
    );
    const row = (await usersSeenBy(alice)).find((u) => u.username === 'erin');
    expect(row).toMatchObject({ role: 'admin', email: 'erin@example.org' });
    // An admin may invite, but not an owner.
    expect((await erin.invite({ username: 'fred' })).status).toBe(201);
    const refused = await erin.invite({ username: 'olga', role: 'owner' });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('Only an owner may make someone an owner.');
  });
});

describe('PATCH and DELETE /api/admin/users/<id>', () => {
  it('when an owner changes a role, then 200 with the user, and the new role holds at once', async () => {
    await addUser(t.database, 'customer-a', { username: 'gus', password: 'gus-password' });
    const gus = await as({ host: A, username: 'gus', password: 'gus-password' });
    const id = await idOf(alice, 'gus');
    expect((await gus.users()).status).toBe(403);
    const res = await alice.change(id, { role: 'admin' }).expect(200);
    expect(res.body).toMatchObject({ id, username: 'gus', role: 'admin', disabled: false });
    // The session still says member: the guard reads the role from the database.
    expect((await gus.users()).status).toBe(200);
    // An admin cannot change an owner, nor make one.
    const aliceId = await idOf(alice, 'alice');
    expect((await gus.change(aliceId, { disabled: true })).status).toBe(403);
    expect((await gus.remove(aliceId)).status).toBe(403);
    expect((await gus.change(await idOf(alice, 'amy'), { role: 'owner' })).status).toBe(403);
    expect((await gus.change(await idOf(alice, 'amy'), { role: 'member' })).status).toBe(200);
  });

  it('when the last owner would be demoted, disabled or removed, then 409, and still an owner', async () => {
    const aliceId = await idOf(alice, 'alice');
    for (const res of [
      await alice.change(aliceId, { role: 'admin' }),
      await alice.change(aliceId, { disabled: true }),
      await alice.remove(aliceId),
    ]) {
      expect(res.status).toBe(409);
      expect(res.body.error).toMatch(/last owner/);
    }
    expect((await alice.users()).body.users).toContainEqual(
      expect.objectContaining({ username: 'alice', role: 'owner', disabled: false }),
    );
  });

  it('when the id is unknown, not a UUID or the body is wrong, then 404 or 400', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await alice.change(unknown, { disabled: true })).status).toBe(404);
    expect((await alice.remove(unknown)).status).toBe(404);
    expect((await alice.change('not-a-uuid', { disabled: true })).status).toBe(404);
    expect((await alice.remove("1' or '1'='1")).status).toBe(404);
    const amyId = await idOf(alice, 'amy');
    for (const body of [{}, { disabled: 'yes' }, { role: 'root' }, { disabled: true, x: 1 }]) {
      const res = await alice.change(amyId, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toEqual(expect.any(String));
    }
  });

  it('when a user is disabled, then they cannot sign in; enabled, they can again', async () => {
    await addUser(t.database, 'customer-a', { username: 'hal', password: 'hal-password' });
    const hal = { host: A, username: 'hal', password: 'hal-password' };
    const id = await idOf(alice, 'hal');
    expect((await alice.change(id, { disabled: true }).expect(200)).body.disabled).toBe(true);
    await expect(signIn(t.app, hal)).rejects.toThrow(/answered 401/);
    expect((await alice.change(id, { disabled: false }).expect(200)).body.disabled).toBe(false);
    await signIn(t.app, hal);
  });

  it('when a user is removed, then 204, their notes go, and the name invited again starts empty', async () => {
    await addUser(t.database, 'customer-a', { username: 'ida', password: 'ida-password' });
    const ida = await as({ host: A, username: 'ida', password: 'ida-password' });
    await ida.addNote('only for the first ida').expect(201);
    const id = await idOf(alice, 'ida');
    await alice.remove(id).expect(204);
    expect((await alice.remove(id)).status).toBe(404);
    expect(await notesOfUser(id)).toBe(0);

    const { url } = (await alice.invite({ username: 'ida' }).expect(201)).body as { url: string };
    const newIda = client(
      t.app,
      A,
      await acceptInvitation(t.app, url, { password: 'new-ida-password' }),
    );
    expect((await newIda.notes().expect(200)).body.notes).toEqual([]);
    expect(await idOf(alice, 'ida')).not.toBe(id);
  });
});

/** Notes rows of a user id, whoever's they are (as the superuser, behind RLS). */
const notesOfUser = (userId: string) =>
  withSuperuser(suitePostgres()!, t.db.name, (db) =>
    sql<{ n: number }>`select count(*)::int as n from notes where user_id = ${userId}`.execute(db),
  ).then((r) => r.rows[0]!.n);
