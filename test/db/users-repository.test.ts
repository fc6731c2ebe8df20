import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LastOwnerError, UsernameTakenError, type NewUser } from '../../src/accounts/user.ts';
import { usersRepository, type UsersRepository } from '../../src/accounts/users-repository.ts';
import { verifyPassword } from '../../src/auth/password.ts';
import { pgNotesRepository } from '../../src/features/notes/pg-notes-repository.ts';
import { openTestDatabase, type OpenTestDatabase } from '../../harness/app-database.ts';
import { eventually } from '../../harness/polling.ts';
import { missingPostgres } from '../../harness/postgres-server.ts';
import { prerequisitesTest } from '../../harness/prerequisites.ts';
import { tenantOf } from './tenant-rows.ts';

const missing = missingPostgres();
prerequisitesTest('test/db/users-repository.test.ts', missing);

const member = (username: string): NewUser => ({
  username,
  displayName: username.toUpperCase(),
  role: 'member',
  passwordHash: 'scrypt$test',
});

describe.skipIf(missing.length > 0)('the users repository', () => {
  let database: OpenTestDatabase;
  let users: UsersRepository;
  beforeAll(async () => {
    database = await openTestDatabase();
    users = usersRepository(database.db);
  });
  afterAll(() => database?.close());

  it('when the demo accounts are seeded, then each signs in at its own tenant only, in any letter case', async () => {
    const alice = await users.findByUsername('customer-a', 'ALICE');
    expect(alice).toMatchObject({
      tenantId: 'customer-a',
      username: 'alice',
      role: 'owner',
      disabled: false,
    });
    expect(await verifyPassword('alice-password', alice!.passwordHash)).toBe(true);
    expect(await users.findByUsername('customer-a', 'amy')).toMatchObject({ role: 'member' });
    expect(await users.findByUsername('customer-b', 'alice')).toBeUndefined();
    expect((await users.list('customer-b')).map((u) => u.username)).toEqual(['bob']);
  });

  it('when a username is taken at the tenant in any letter case, then create throws UsernameTakenError; another tenant may use it', async () => {
    const first = await users.create('customer-a', member('erin'));
    expect(first.id).toMatch(/^[0-9a-f-]{36}$/);
    await expect(users.create('customer-a', member('erin'))).rejects.toThrow(UsernameTakenError);
    await expect(users.create('customer-b', member('erin'))).resolves.toMatchObject({
      tenantId: 'customer-b',
    });
  });

  it("when a tenant names another tenant's user id, or no id at all, then it finds and changes nothing", async () => {
    const bob = (await users.findByUsername('customer-b', 'bob'))!;
    expect(await users.findById('customer-a', bob.id)).toBeUndefined();
    expect(await users.setDisabled('customer-a', bob.id, true)).toBeUndefined();
    expect(await users.setRole('customer-a', bob.id, 'member')).toBeUndefined();
    expect(await users.setPasswordHash('customer-a', bob.id, 'scrypt$x')).toBeUndefined();
    expect(await users.remove('customer-a', bob.id)).toBe(false);
    expect(await users.findById('customer-b', bob.id)).toEqual(bob);
    expect(await users.findById('customer-a', 'not-a-uuid')).toBeUndefined();
    expect(await users.remove('customer-a', "'; drop table users; --")).toBe(false);
  });

  it('when a user is disabled, re-roled or given a new password hash, then the change is returned and kept', async () => {
    const frank = await users.create('customer-a', member('frank'));
    expect(await users.setDisabled('customer-a', frank.id, true)).toMatchObject({ disabled: true });
    expect(await users.setRole('customer-a', frank.id, 'admin')).toMatchObject({ role: 'admin' });
    const changed = await users.setPasswordHash('customer-a', frank.id, 'scrypt$new');
    expect(changed).toMatchObject({ passwordHash: 'scrypt$new', disabled: true, role: 'admin' });
    expect(Date.parse(changed!.updatedAt)).toBeGreaterThanOrEqual(Date.parse(frank.updatedAt));
  });

  it('when the change would leave no enabled owner, then it throws LastOwnerError and changes nothing', async () => {
    const carol = (await users.findByUsername('customer-c', 'carol'))!;
    await expect(users.setDisabled('customer-c', carol.id, true)).rejects.toThrow(LastOwnerError);
    await expect(users.setRole('customer-c', carol.id, 'admin')).rejects.toThrow(LastOwnerError);
    await expect(users.remove('customer-c', carol.id)).rejects.toThrow(LastOwnerError);
    expect(await users.findById('customer-c', carol.id)).toEqual(carol);
  });

  it('when two owners are demoted at once, then exactly one demotion passes', async () => {
    const carol = (await users.findByUsername('customer-c', 'carol'))!;
    const cleo = await users.create('customer-c', { ...member('cleo'), role: 'owner' });
    // Writes wait behind this lock (plain reads do not) until both demotions are under way.
    const gate = await database.owner().startTransaction().execute();
    await sql`lock table users in exclusive mode`.execute(gate);
    const demotions = Promise.allSettled([
      users.setRole('customer-c', carol.id, 'member'),
      users.setRole('customer-c', cleo.id, 'member'),
    ]);
    await eventually(async () => {
      const { rows } = await sql<{
        n: string;
      }>`select count(distinct pid) as n from pg_locks where not granted`.execute(database.owner());
      expect(Number(rows[0]!.n)).toBe(2);
    });
    await gate.commit().execute();
    const results = await demotions;
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const owners = (await users.list('customer-c')).filter((u) => u.role === 'owner');
    expect(owners).toHaveLength(1);
  });

  it('when a user is removed, then their notes go with them and a new user of the same name starts empty', async () => {
    const notes = pgNotesRepository(database.db);
    const gina = await users.create('customer-a', member('gina'));
    await notes.add({ tenant: tenantOf('customer-a'), userId: gina.id }, 'a secret');
    expect(await users.remove('customer-a', gina.id)).toBe(true);
    const again = await users.create('customer-a', member('gina'));
    expect(again.id).not.toBe(gina.id);
    expect(await notes.list({ tenant: tenantOf('customer-a'), userId: again.id })).toEqual([]);
    expect(await notes.list({ tenant: tenantOf('customer-a'), userId: gina.id })).toEqual([]);
  });
});
