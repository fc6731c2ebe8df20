import { hashPassword } from '../auth/password.ts';
import { UsernameTakenError, type NewUser } from '../accounts/user.ts';
import { usersRepository } from '../accounts/users-repository.ts';
import type { Db } from './tables.ts';

type DemoAccount = Omit<NewUser, 'passwordHash'> & { tenantId: string; password: string };

/** The demo tenants' accounts (tenants/), as the README and the contract name them. */
export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  {
    tenantId: 'customer-a',
    username: 'alice',
    displayName: 'Alice Anders',
    role: 'owner',
    password: 'alice-password',
  },
  {
    tenantId: 'customer-a',
    username: 'amy',
    displayName: 'Amy Albers',
    role: 'member',
    password: 'amy-password',
  },
  {
    tenantId: 'customer-b',
    username: 'bob',
    displayName: 'Bob Brandt',
    role: 'owner',
    password: 'bob-password',
  },
  {
    tenantId: 'customer-c',
    username: 'carol',
    displayName: 'Carol Chen',
    role: 'owner',
    password: 'carol-password',
  },
];

/**
 * `npm run db:seed`: creates each demo account that does not exist yet, as the owner role; one
 * that exists is left as it is (its password too). Returns the accounts it created.
 */
export async function seedDemoAccounts(owner: Db, accounts = DEMO_ACCOUNTS): Promise<string[]> {
  const users = usersRepository(owner);
  const created: string[] = [];
  for (const { tenantId, password, ...user } of accounts) {
    if (await users.findByUsername(tenantId, user.username)) continue;
    try {
      await users.create(tenantId, { ...user, passwordHash: await hashPassword(password) });
      created.push(`${user.username}@${tenantId}`);
    } catch (err) {
      // Another seed created it meanwhile: the same end state.
      if (!(err instanceof UsernameTakenError)) throw err;
    }
  }
  return created;
}
