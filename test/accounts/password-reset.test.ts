import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESET_LIMITS } from '../../src/accounts/accounts-features.ts';
import { passwordResetsRepository } from '../../src/accounts/password-resets-repository.ts';
import { usersRepository } from '../../src/accounts/users-repository.ts';
import { withTenant } from '../../src/db/tenant-scope.ts';
import { client, idOf } from '../../harness/accounts.ts';
import { DEMO } from '../../harness/demo.ts';
import { sleep } from '../../harness/polling.ts';
import { signIn } from '../../harness/sign-in.ts';
import { linkIn, startSmtpServer, type TestSmtpServer } from '../../harness/smtp-server.ts';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';
import { addUser } from '../../harness/users.ts';

/** Password reset by email, through a real SMTP server. */
let t: TestApp;
let smtp: TestSmtpServer;
const A = DEMO.a.host;

beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await createTestApp({ env: { SMTP_URL: smtp.url, TRUST_PROXY: 'loopback' } });
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

/** A user of customer A with an email address. */
async function newUser(username: string) {
  const password = `${username}-password`;
  const user = await addUser(t.database, 'customer-a', { username, password });
  await setEmail(user.id, `${username}@example.org`);
  return { host: A, username, password, email: `${username}@example.org` };
}
/** Behind the API (only an invitation sets an address), as the server's role at customer A. */
const setEmail = (id: string, email: string) =>
  withTenant(t.database.db, 'customer-a', (trx) =>
    trx.updateTable('users').set({ email }).where('id', '=', id).execute(),
  );

/** Asks for a link from `address` (TRUST_PROXY=loopback: supertest plays the proxy). */
const ask = (username: string, address = '10.0.0.1') =>
  request(t.app)
    .post('/password-reset')
    .set('Host', A)
    .set('X-Forwarded-For', address)
    .type('form')
    .send({ username });
const linkFor = async (email: string) =>
  new URL(linkIn(await smtp.emailTo(email, /Reset your password at Customer A/))).pathname;

describe('/password-reset', () => {
  it('when the sign-in page is shown, then it links "Forgot your password?"', async () => {
    const res = await request(t.app).get('/login').set('Host', A).expect(200);
    expect(res.text).toContain('<a href="/password-reset">Forgot your password?</a>');
    expect((await request(t.app).get('/password-reset').set('Host', A)).text).toMatch(
      /<form class="form" method="post" action="\/password-reset">/,
    );
  });

  it('when a user with an address asks, then a single-use link valid 30 minutes arrives; using it ends every session and 303s to /login', async () => {
    const ann = await newUser('ann');
    const session = await signIn(t.app, ann);
    const res = await ask('ANN').expect(200);
    expect(res.text).toContain('Check your email');
    const path = await linkFor(ann.email);
    expect(path).toMatch(/^\/password-reset\/[A-Za-z0-9_-]{43}$/);
    const email = smtp.received.find((m) => m.to.includes(ann.email))!;
    const until = /until (\d{4}-\d\d-\d\d \d\d:\d\d) UTC/.exec(email.text)![1]!;
    const minutes = (Date.parse(`${until.replace(' ', 'T')}Z`) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(28);
    expect(minutes).toBeLessThanOrEqual(30);

    const form = await request(t.app).get(path).set('Host', A).expect(200);
    expect(form.text).toMatch(/name="password"[^>]*type="password"/);
    const short = await request(t.app)
      .post(path)
      .set('Host', A)
      .type('form')
      .send({ password: 'short' });
    expect(short.status).toBe(400);
    const done = await request(t.app)
      .post(path)
      .set('Host', A)
      .type('form')
      .send({ password: 'ann-new-password' });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/login');
    expect((await client(t.app, A, session).me()).status).toBe(401);
    await signIn(t.app, { ...ann, password: 'ann-new-password' });
    await expect(signIn(t.app, ann)).rejects.toThrow(/answered 401/);
    expect((await request(t.app).get(path).set('Host', A)).status).toBe(410);
    const again = await request(t.app)
      .post(path)
      .set('Host', A)
      .type('form')
      .send({ password: 'ann-third-password' });
    expect(again.status).toBe(410);
  });

  it('when the user is unknown, disabled or has no address, then the same answer and no email', async () => {
    const bea = await newUser('bea');
    const cy = await newUser('cy');
    const owner = client(t.app, A, await signIn(t.app, DEMO.a));
    await owner.change(await idOf(owner, 'cy'), { disabled: true }).expect(200);
    await addUser(t.database, 'customer-a', { username: 'dee', password: 'dee-password' });
    const known = (await ask('bea').expect(200)).text;
    const pages = await Promise.all(
      ['nobody', 'cy', 'dee'].map(async (name) => (await ask(name).expect(200)).text),
    );
    for (const [page, name] of pages.map((p, i) => [p, ['nobody', 'cy', 'dee'][i]!] as const)) {
      expect(page).toBe(known.replace('<code>bea</code>', `<code>${name}</code>`));
    }
    await linkFor(bea.email);
    // The other three were asked after bea and sent nothing; give a stray email time to arrive.
    await sleep(300);
    expect(smtp.received.filter((m) => m.to.includes(cy.email))).toEqual([]);
    expect(
      smtp.received
        .map((m) => m.to)
        .flat()
        .filter((to) => /nobody|dee/.test(to)),
    ).toEqual([]);
  });

  it('when a link is unknown, malformed or expired, then 410', async () => {
    const eve = await newUser('eve');
    const expired = await passwordResetsRepository(t.database.db, -1000).create(
      'customer-a',
      (await usersRepository(t.database.db).findByUsername('customer-a', eve.username))!.id,
    );
    for (const path of [
      `/password-reset/${expired!.token}`,
      `/password-reset/${'B'.repeat(43)}`,
      '/password-reset/x',
    ]) {
      expect((await request(t.app).get(path).set('Host', A)).status, path).toBe(410);
      const post = await request(t.app)
        .post(path)
        .set('Host', A)
        .type('form')
        .send({ password: 'eve-new-password' });
      expect(post.status, path).toBe(410);
    }
    await signIn(t.app, eve);
  });

  it(`when one username is asked for again and again, then at most ${RESET_LIMITS.perUser} emails go`, async () => {
    const fay = await newUser('fay');
    for (let i = 0; i < RESET_LIMITS.perUser + 2; i++) await ask('fay', `10.9.0.${i}`).expect(200);
    await smtp.emailTo(fay.email);
    await sleep(300);
    expect(smtp.received.filter((m) => m.to.includes(fay.email))).toHaveLength(
      RESET_LIMITS.perUser,
    );
  });

  it(`when one address asks more than ${RESET_LIMITS.perAddress} times, then 429 with Retry-After, and its keys are the tenant's`, async () => {
    const address = '10.7.7.7';
    for (let i = 0; i < RESET_LIMITS.perAddress; i++)
      await ask(`someone-${i}`, address).expect(200);
    const limited = await ask('someone-else', address);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.text).toContain('Too many reset requests');
    const keys = await t.keys();
    const resetKeys = keys.filter((k) => k.includes(':reset:'));
    expect(resetKeys.length).toBeGreaterThan(0);
    for (const key of resetKeys) {
      expect(key).toMatch(
        new RegExp(`^login-failures:customer-a:${t.config.appName}:reset:[\\w-]{43}$`),
      );
      expect(await t.redis.ttl(key)).toBeGreaterThan(0);
    }
  });

  it('when the form is empty or has unknown fields, then 400 with the form again', async () => {
    const empty = await ask('   ');
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('Enter your username.');
    const extra = await request(t.app)
      .post('/password-reset')
      .set('Host', A)
      .type('form')
      .send({ username: 'a', b: 'c' });
    expect(extra.status).toBe(400);
  });
});
