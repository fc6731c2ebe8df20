import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client } from '../../harness/accounts.ts';
import { DEMO } from '../../harness/demo.ts';
import { signIn } from '../../harness/sign-in.ts';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';
import { signedIn } from '../../harness/user-sessions.ts';
import { addUser } from '../../harness/users.ts';

/** "Your account": the page, and changing one's password by form and by JSON. */
let t: TestApp;
const A = DEMO.a.host;

beforeAll(async () => {
  // Two failures per username and address, so the limit is reached in a few requests.
  t = await createTestApp({
    env: { LOGIN_MAX_FAILURES: '2', LOGIN_MAX_FAILURES_PER_ADDRESS: '50' },
  });
});
afterAll(async () => {
  await t?.close();
});

/** A user of customer A of their own (each test changes a password), signed in. */
async function newUser(username: string) {
  const password = `${username}-password`;
  await addUser(t.database, 'customer-a', { username, password, displayName: `${username} Doe` });
  const who = { host: A, username, password };
  return { who, api: client(t.app, A, await signIn(t.app, who)) };
}

describe('GET /account', () => {
  it('when signed in, then the page names the user and has the form; signed out, then to sign-in', async () => {
    const { api } = await newUser('nia');
    const res = await api.get('/account').expect(200);
    expect(res.text).toContain('nia Doe');
    expect(res.text).toMatch(/<form class="form" method="post" action="\/account\/password">/);
    expect(res.text).toMatch(/name="currentPassword"[^>]*type="password"/);
    expect(res.text).toMatch(/name="newPassword"[^>]*type="password"/);
    const out = await request(t.app).get('/account').set('Host', A).expect(303);
    expect(out.headers.location).toBe('/login?next=%2Faccount');
  });
});

describe('POST /api/account/password', () => {
  it('when the current password is right, then 204: the new one signs in, the old one not, other sessions end', async () => {
    const { who, api } = await newUser('oli');
    const other = await signIn(t.app, who);
    await api
      .changePassword({ currentPassword: who.password, newPassword: 'oli-new-password' })
      .expect(204);
    expect(await signedIn(t.app, A, other)).toBe(false);
    expect(await signedIn(t.app, A, api.cookie)).toBe(true);
    await expect(signIn(t.app, who)).rejects.toThrow(/answered 401/);
    await signIn(t.app, { ...who, password: 'oli-new-password' });
  });

  it('when the current password is wrong, then 403, counted as a failed sign-in until 429', async () => {
    const { who, api } = await newUser('pat');
    const wrong = { currentPassword: 'not-the-password', newPassword: 'pat-new-password' };
    const first = await api.changePassword(wrong);
    expect(first.status).toBe(403);
    expect(first.body).toEqual({ error: 'Your current password is wrong.' });
    expect((await api.changePassword(wrong)).status).toBe(403);
    // LOGIN_MAX_FAILURES=2: the third guess, and a sign-in from the same address, wait.
    const limited = await api.changePassword(wrong);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const login = await request(t.app)
      .post('/login')
      .set('Host', A)
      .type('form')
      .send({ username: who.username, password: who.password });
    expect(login.status).toBe(429);
    // The right password is refused too while the limit holds: no oracle for guesses.
    expect((await api.changePassword({ ...wrong, currentPassword: who.password })).status).toBe(
      429,
    );
  });

  it('when the new password is too short or too long, then 400 and nothing changes', async () => {
    const { who, api } = await newUser('quinn');
    for (const newPassword of ['123456789', 'x'.repeat(201)]) {
      const res = await api.changePassword({ currentPassword: who.password, newPassword });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/at (least 10|most 200) characters/);
    }
    await signIn(t.app, who);
  });

  it('when the body is not the object asked for, then 400 with a message', async () => {
    const { api } = await newUser('rae');
    for (const body of [
      {},
      [],
      { currentPassword: 1, newPassword: 2 },
      { newPassword: 'x'.repeat(12) },
    ]) {
      const res = await api.changePassword(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toEqual(expect.any(String));
    }
    const text = await request(t.app)
      .post('/api/account/password')
      .set('Host', A)
      .set('Cookie', api.cookie)
      .type('form')
      .send({ currentPassword: 'a', newPassword: 'b' });
    expect(text.status).toBe(415);
  });

  it('when signed out, then 401', async () => {
    const res = await request(t.app)
      .post('/api/account/password')
      .set('Host', A)
      .send({ currentPassword: 'a', newPassword: 'b'.repeat(10) });
    expect(res.status).toBe(401);
  });
});

describe('POST /account/password (the page’s form)', () => {
  it('when it is right, then 303 back to the page, which says so; when wrong, the form again with 403', async () => {
    const { who, api } = await newUser('sam');
    const wrong = await api.form('/account/password', {
      currentPassword: 'nope-nope-nope',
      newPassword: 'sam-new-password',
    });
    expect(wrong.status).toBe(403);
    expect(wrong.text).toContain('Your current password is wrong.');
    expect(wrong.text).toMatch(/id="field-currentPassword"[^>]*aria-invalid="true"/);
    const short = await api.form('/account/password', {
      currentPassword: who.password,
      newPassword: 'short',
    });
    expect(short.status).toBe(400);
    expect(short.text).toContain('A password needs at least 10 characters.');
    const done = await api.form('/account/password', {
      currentPassword: who.password,
      newPassword: 'sam-new-password',
    });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/account?password=changed');
    expect((await api.get('/account?password=changed')).text).toContain('Password changed');
  });
});
