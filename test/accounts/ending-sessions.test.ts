import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptInvitation, client, idOf } from '../../harness/accounts.ts';
import { sessionIdOf } from '../../harness/cookies.ts';
import { DEMO } from '../../harness/demo.ts';
import { eventually } from '../../harness/polling.ts';
import { signIn } from '../../harness/sign-in.ts';
import { linkIn, startSmtpServer, type TestSmtpServer } from '../../harness/smtp-server.ts';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';
import { signedIn, sessionKey } from '../../harness/user-sessions.ts';

/**
 * Contract, "Ending sessions": disabling, removing, a password change and a reset delete the
 * user's sessions from the store at once, on every replica, and enabling brings none back. Two
 * app instances on one Redis and one database play two replicas; each user has a session signed
 * in on each, and the change goes through one of them.
 */
let one: TestApp;
let two: TestApp;
let smtp: TestSmtpServer;
let alice: ReturnType<typeof client>;
const A = DEMO.a.host;

beforeAll(async () => {
  smtp = await startSmtpServer();
  one = await createTestApp({ env: { SMTP_URL: smtp.url } });
  // The second replica: the same APP_NAME, Redis and database as the first.
  two = await createTestApp({
    env: { SMTP_URL: smtp.url, APP_NAME: one.config.appName, DATABASE_URL: one.db.url },
  });
  alice = client(one.app, A, await signIn(one.app, DEMO.a));
});
afterAll(async () => {
  await two?.close();
  await one?.close();
  await smtp?.close();
});

interface Person {
  username: string;
  password: string;
  /** A session signed in on each replica. */
  cookies: string[];
}

/** A user invited with an email address (so a reset can reach them), signed in on both replicas. */
async function person(username: string): Promise<Person> {
  const email = `${username}@example.org`;
  const { url } = (await alice.invite({ username, email }).expect(201)).body as { url: string };
  const password = `${username}-password`;
  const first = await acceptInvitation(one.app, url, { password });
  const second = await signIn(two.app, { host: A, username, password });
  return { username, password, cookies: [first, second] };
}

/** Every one of the cookies is signed out on both replicas within 2 s, its key gone from Redis. */
async function goneEverywhere(cookies: string[]) {
  await eventually(
    async () => {
      for (const app of [one.app, two.app] as Express[]) {
        for (const cookie of cookies) expect(await signedIn(app, A, cookie)).toBe(false);
      }
    },
    { timeoutMs: 2000, intervalMs: 50 },
  );
  for (const cookie of cookies) {
    expect(
      await one.redis.exists(sessionKey(one.config.appName, 'customer-a', sessionIdOf(cookie))),
    ).toBe(0);
  }
}

async function liveEverywhere(cookies: string[]) {
  for (const app of [one.app, two.app] as Express[]) {
    for (const cookie of cookies) expect(await signedIn(app, A, cookie)).toBe(true);
  }
}

describe('ending sessions at once, on every replica', () => {
  it('when a user is disabled through one replica, then their sessions on both are deleted, and enabling brings none back', async () => {
    const jo = await person('jo');
    await liveEverywhere(jo.cookies);
    const id = await idOf(alice, 'jo');
    await client(two.app, A, alice.cookie).change(id, { disabled: true }).expect(200);
    await goneEverywhere(jo.cookies);
    await alice.change(id, { disabled: false }).expect(200);
    for (const cookie of jo.cookies) expect(await signedIn(two.app, A, cookie)).toBe(false);
  });

  it('when a user is removed, then their sessions on both replicas are deleted', async () => {
    const kim = await person('kim');
    await liveEverywhere(kim.cookies);
    await alice.remove(await idOf(alice, 'kim')).expect(204);
    await goneEverywhere(kim.cookies);
  });

  it('when a user changes their password, then their other sessions on both replicas are deleted, not this one', async () => {
    const lou = await person('lou');
    const third = await signIn(one.app, { host: A, username: 'lou', password: lou.password });
    await client(two.app, A, lou.cookies[1]!)
      .changePassword({ currentPassword: lou.password, newPassword: 'lou-new-password' })
      .expect(204);
    await goneEverywhere([lou.cookies[0]!, third]);
    await liveEverywhere([lou.cookies[1]!]);
  });

  it('when a password is reset, then every session of the user on both replicas is deleted', async () => {
    const max = await person('max');
    await request(one.app)
      .post('/password-reset')
      .set('Host', A)
      .type('form')
      .send({ username: 'max' })
      .expect(200);
    const { pathname } = new URL(linkIn(await smtp.emailTo('max@example.org', /Reset/)));
    await request(two.app)
      .post(pathname)
      .set('Host', A)
      .type('form')
      .send({ password: 'max-new-password' })
      .expect(303)
      .expect('Location', '/login');
    await goneEverywhere(max.cookies);
    await signIn(one.app, { host: A, username: 'max', password: 'max-new-password' });
  });
});
