import type { Tenant } from '../tenants/tenant.ts';

/** What sign-in and the session checks need to know of a user. */
export interface DirectoryUser {
  username: string;
  displayName: string;
  /** `scrypt$…`, as written by `npm run hash-password`. A change ends the user's sessions. */
  passwordHash: string;
  /** true: sign-in is refused and every session of the user ends at its next request. */
  disabled?: boolean | undefined;
}

/**
 * Where users come from. The template reads them from the tenant files; a database is one new
 * implementation of this interface, passed to createApp as `users` (see README, "Extending").
 */
export interface UserDirectory {
  /**
   * The user of this tenant with this username (already lower case), or undefined. Asked on every
   * signed-in request (a removed, disabled or re-passworded user's sessions end), so keep it cheap.
   */
  findUser(tenant: Tenant, username: string): Promise<DirectoryUser | undefined>;
}

/** Users listed in each tenant's file (`users`), reloaded with the file. */
export const tenantFileUsers: UserDirectory = {
  findUser: async (tenant, username) => tenant.users.get(username),
};
