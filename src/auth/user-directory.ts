import type { User } from '../accounts/user.ts';
import type { UsersRepository } from '../accounts/users-repository.ts';
import type { Tenant } from '../tenants/tenant.ts';

/** What sign-in needs to know of a user: the row, password hash included. */
export type DirectoryUser = User;

/**
 * Asked once per sign-in, never on a signed-in request. Another source (LDAP, an identity
 * provider) is one more implementation passed to createApp as `users`.
 */
export interface UserDirectory {
  /** The user of this tenant with this username (already lower case), or undefined. */
  findUser(tenant: Tenant, username: string): Promise<DirectoryUser | undefined>;
}

/** The users table (src/accounts/users-repository.ts). */
export const databaseUsers = (users: UsersRepository): UserDirectory => ({
  findUser: (tenant, username) => users.findByUsername(tenant.id, username),
});
