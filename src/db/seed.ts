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
    email: 'alice@customer-a.example',
    displayName: 'Alice Anders',
    role: 'owner',
    password: 'alice-password',
  },
  {
    tenantId: 'customer-a',
    username: 'amy',
    email: 'amy@customer-a.example',
    displayName: 'Amy Albers',
    role: 'member',
    password: 'amy-password',
  },
  {
    tenantId: 'customer-b',
    username: 'bob',
    email: 'bob@customer-b.example',
    displayName: 'Bob Brandt',
    role: 'owner',
    password: 'bob-password',
  },
  {
    tenantId: 'customer-c',
    username: 'carol',
    email: 'carol@customer-c.example',
    displayName: 'Carol Chen',
    role: 'owner',
    password: 'carol-password',
  },
];

/** An account that exists is left as it is, its password too. Returns the accounts created. */
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
