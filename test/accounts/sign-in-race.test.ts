import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usersRepository } from '../../src/accounts/users-repository.ts';
import { databaseUsers, type UserDirectory } from '../../src/auth/user-directory.ts';
import { hashPassword } from '../../src/auth/password.ts';
import { DEMO } from '../../harness/demo.ts';
import { buildApp, createTestApp, type TestApp } from '../../harness/test-app.ts';
import { addUser, CHEAP_HASH } from '../../harness/users.ts';
import { indexKey } from '../../harness/user-sessions.ts';

/**
 * A change that ends a user's sessions while that user's sign-in is hashing: the change's endAll
 * runs before the sign-in's session exists, so the sign-in itself must notice. The directory
 * here makes the change land exactly in that gap, right after the sign-in has read the user.
 */
let t: TestApp;
const A = DEMO.a.host;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** The database's directory, which runs `change` once, just after the first lookup of `username`. */
function changingDirectory(username: string, change: () => Promise<unknown>): UserDirectory {
  const users = databaseUsers(usersRepository(t.database.db));
  let done = false;
  return {
    async findUser(tenant, name) {
      const found = await users.findUser(tenant, name);
      if (name === username && !done) {
        done = true;
        await change();
      }
      return found;
    },
  };
}

const repo = () => usersRepository(t.database.db);

describe('a sign-in racing a change to its user', () => {
  it.each([
    ['disabled', (id: string) => repo().setDisabled('customer-a', id, true)],
    ['removed', (id: string) => repo().remove('customer-a', id)],
    [
      'given a new password',
      async (id: string) =>
        repo().setPasswordHash(
          'customer-a',
          id,
          await hashPassword('another-password', CHEAP_HASH),
        ),
    ],
  ])(
    'when the user is %s while the sign-in hashes, then 401 and no session is left',
    async (what, change) => {
      const username = `race-${what.split(' ')[0]}`;
      const user = await addUser(t.database, 'customer-a', { username, password: 'race-password' });
      const app = buildApp({ ...t, users: changingDirectory(username, () => change(user.id)) });
      const res = await request(app)
        .post('/login')
        .set('Host', A)
        .type('form')
        .send({ username, password: 'race-password' });
      expect(res.status).toBe(401);
      expect(res.headers['set-cookie'] ?? []).not.toContainEqual(
        expect.stringMatching(/^sid=s%3A/),
      );
      const sessions = (await t.keys()).filter((k) => k.startsWith('sessions:customer-a:'));
      expect(sessions).toEqual([]);
      expect(await t.redis.zCard(indexKey(t.config.appName, 'customer-a', username))).toBe(0);
    },
  );

  it('when nothing changes meanwhile, then the sign-in goes through (the control)', async () => {
    await addUser(t.database, 'customer-a', { username: 'calm', password: 'calm-password' });
    const app = buildApp({ ...t, users: changingDirectory('calm', async () => {}) });
    const res = await request(app)
      .post('/login')
      .set('Host', A)
      .type('form')
      .send({ username: 'calm', password: 'calm-password' });
    expect(res.status).toBe(303);
  });
});
