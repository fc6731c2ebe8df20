import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invitationsRepository } from '../../src/accounts/invitations-repository.ts';
import { passwordResetsRepository } from '../../src/accounts/password-resets-repository.ts';
import { hashToken } from '../../src/accounts/tokens.ts';
import { UsernameTakenError } from '../../src/accounts/user.ts';
import { usersRepository } from '../../src/accounts/users-repository.ts';
import { withTenant } from '../../src/db/tenant-scope.ts';
import { openTestDatabase, type OpenTestDatabase } from '../../harness/app-database.ts';
import { missingPostgres } from '../../harness/postgres-server.ts';
import { prerequisitesTest } from '../../harness/prerequisites.ts';

const missing = missingPostgres();
prerequisitesTest('test/db/tokens-repositories.test.ts', missing);

const invite = (username: string) => ({ username, displayName: username, role: 'member' as const });

describe.skipIf(missing.length > 0)('invitations and password resets', () => {
  let database: OpenTestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database?.close());
  const users = () => usersRepository(database.db);
  const invitations = (ttlMs?: number) => invitationsRepository(database.db, ttlMs);
  const resets = (ttlMs?: number) => passwordResetsRepository(database.db, ttlMs);

  it('when an invitation is made, then only the sha-256 of its token is stored, valid for 7 days', async () => {
    const alice = (await users().findByUsername('customer-a', 'alice'))!;
    const before = Date.now();
    const { invitation, token } = await invitations().create('customer-a', {
      ...invite('hank'),
      email: 'hank@example.com',
      createdBy: alice.id,
    });
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(invitation.expiresAt) - before).toBeGreaterThanOrEqual(7 * 86_400_000 - 5000);
    const { rows } = await withTenant(database.owner(), 'customer-a', (trx) =>
      sql<{
        token_hash: string;
      }>`select token_hash from invitations where id = ${invitation.id}`.execute(trx),
    );
    expect(rows).toEqual([{ token_hash: hashToken(token) }]);
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(await invitations().find('customer-a', token)).toEqual(invitation);
    expect((await invitations().listOpen('customer-a')).map((i) => i.username)).toContain('hank');
  });

  it('when a token is used at another tenant, then it is unknown there and stays open at its own', async () => {
    const { token } = await invitations().create('customer-a', invite('iris'));
    expect(await invitations().find('customer-b', token)).toBeUndefined();
    expect(
      await invitations().consume('customer-b', token, { passwordHash: 'scrypt$x' }),
    ).toBeUndefined();
    expect(await users().findByUsername('customer-b', 'iris')).toBeUndefined();
    expect(await invitations().find('customer-a', token)).toBeDefined();
    expect((await invitations().listOpen('customer-b')).map((i) => i.username)).not.toContain(
      'iris',
    );
  });

  it('when one token is used twice at once, then exactly one user is created and the other use finds it spent', async () => {
    const { token } = await invitations().create('customer-a', {
      ...invite('jack'),
      role: 'admin',
    });
    const uses = await Promise.all([
      invitations().consume('customer-a', token, { passwordHash: 'scrypt$1', displayName: 'Jack' }),
      invitations().consume('customer-a', token, { passwordHash: 'scrypt$2' }),
    ]);
    expect(uses.filter(Boolean)).toEqual([
      expect.objectContaining({ username: 'jack', role: 'admin' }),
    ]);
    expect(await invitations().find('customer-a', token)).toBeUndefined();
  });

  it('when a username is taken, then inviting it throws UsernameTakenError; taken meanwhile, using the token does and the token stays open', async () => {
    await expect(invitations().create('customer-a', invite('amy'))).rejects.toThrow(
      UsernameTakenError,
    );
    const { token } = await invitations().create('customer-a', invite('kate'));
    await users().create('customer-a', { ...invite('kate'), passwordHash: 'scrypt$x' });
    await expect(
      invitations().consume('customer-a', token, { passwordHash: 'scrypt$y' }),
    ).rejects.toThrow(UsernameTakenError);
    expect(await invitations().find('customer-a', token)).toBeDefined();
  });

  it('when an invitation has expired, then it can be neither found nor used', async () => {
    const { token } = await invitations(-1000).create('customer-a', invite('liam'));
    expect(await invitations().find('customer-a', token)).toBeUndefined();
    expect(
      await invitations().consume('customer-a', token, { passwordHash: 'scrypt$x' }),
    ).toBeUndefined();
  });

  it('when the inviter is removed, then the invitation stays with no inviter; withdrawn, it is gone (at its own tenant only)', async () => {
    const inviter = await users().create('customer-a', {
      ...invite('mona'),
      passwordHash: 'scrypt$x',
    });
    const { invitation, token } = await invitations().create('customer-a', {
      ...invite('nina'),
      createdBy: inviter.id,
    });
    await users().remove('customer-a', inviter.id);
    expect(await invitations().find('customer-a', token)).toMatchObject({ createdBy: null });
    expect(await invitations().remove('customer-b', invitation.id)).toBe(false);
    expect(await invitations().remove('customer-a', 'no-uuid')).toBe(false);
    expect(await invitations().remove('customer-a', invitation.id)).toBe(true);
    expect(await invitations().find('customer-a', token)).toBeUndefined();
  });

  it('when a reset token is used, then the password hash changes, every open reset of the user closes, and the token is spent', async () => {
    const amy = (await users().findByUsername('customer-a', 'amy'))!;
    const first = (await resets().create('customer-a', amy.id))!;
    const second = (await resets().create('customer-a', amy.id))!;
    expect(await resets().isOpen('customer-a', first.token)).toBe(true);
    expect(await resets().consume('customer-b', first.token, 'scrypt$b')).toBeUndefined();
    const changed = await resets().consume('customer-a', first.token, 'scrypt$new');
    expect(changed).toMatchObject({ id: amy.id, passwordHash: 'scrypt$new' });
    expect(await resets().consume('customer-a', first.token, 'scrypt$again')).toBeUndefined();
    expect(await resets().isOpen('customer-a', second.token)).toBe(false);
  });

  it("when a reset is asked for another tenant's user, or has expired, then there is none to use", async () => {
    const bob = (await users().findByUsername('customer-b', 'bob'))!;
    expect(await resets().create('customer-a', bob.id)).toBeUndefined();
    expect(await resets().create('customer-a', 'nobody')).toBeUndefined();
    const expired = (await resets(-1000).create('customer-b', bob.id))!;
    expect(await resets().isOpen('customer-b', expired.token)).toBe(false);
    expect(await resets().consume('customer-b', expired.token, 'scrypt$x')).toBeUndefined();
  });
});
