import { invitationsRepository } from '../../src/accounts/invitations-repository.ts';
import { passwordResetsRepository } from '../../src/accounts/password-resets-repository.ts';
import { usersRepository } from '../../src/accounts/users-repository.ts';
import type { Db } from '../../src/db/tables.ts';
import { domainsRepository } from '../../src/domains/domains-repository.ts';
import { pgNotesRepository } from '../../src/features/notes/pg-notes-repository.ts';
import type { Tenant } from '../../src/tenants/tenant.ts';

/** The tables the fixture below fills; the catalog test checks no table is missing from it. */
export const FILLED_TABLES = ['domains', 'invitations', 'notes', 'password_resets', 'users'];

/** A Tenant for the repositories that take one (notes): only the id matters to the database. */
export const tenantOf = (id: string) => ({ id }) as Tenant;

/**
 * One row or more in every table for `tenantId`, written through the repositories as the app
 * writes them; returns the user it made.
 */
export async function fillTenant(db: Db, tenantId: string, username = 'dana') {
  const user = await usersRepository(db).create(tenantId, {
    username,
    displayName: `Dana of ${tenantId}`,
    role: 'member',
    passwordHash: 'scrypt$test',
  });
  await invitationsRepository(db).create(tenantId, {
    username: `${username}-invited`,
    displayName: 'Invited',
    role: 'member',
    createdBy: user.id,
  });
  await passwordResetsRepository(db).create(tenantId, user.id);
  await pgNotesRepository(db).add(
    { tenant: tenantOf(tenantId), userId: user.id },
    `a note of ${tenantId}`,
  );
  await domainsRepository(db).add(tenantId, `${username}.${tenantId}.example`, 10);
  return user;
}
