import type { User } from '../src/accounts/user.ts';
import { usersRepository } from '../src/accounts/users-repository.ts';
import { hashPassword } from '../src/auth/password.ts';
import type { AppDatabase } from '../src/db/open-database.ts';

/** A cheap scrypt cost: the hash carries its cost, and the server verifies it as any other. */
export const CHEAP_HASH = { logN: 10, r: 8, p: 1 };

export interface NewTestUser {
  username: string;
  password: string;
  displayName?: string;
  role?: User['role'];
}

/** Creates a user of `tenantId` in the app's database, as `npm run user:add` would. */
export async function addUser(
  database: Pick<AppDatabase, 'db'>,
  tenantId: string,
  { username, password, displayName = username, role = 'member' }: NewTestUser,
): Promise<User> {
  return usersRepository(database.db).create(tenantId, {
    username,
    displayName,
    role,
    passwordHash: await hashPassword(password, CHEAP_HASH),
  });
}
