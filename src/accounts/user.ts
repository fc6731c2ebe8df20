import type { Role } from '../db/tables.ts';

export type { Role };
export const ROLES: readonly Role[] = ['owner', 'admin', 'member'];

/** A user of one tenant, as the accounts' repositories return it. */
export interface User {
  /** A UUID, never reused: data keyed by it never passes to a later user of the same name. */
  id: string;
  tenantId: string;
  /** Lower-case slug (src/tenants/username.ts), unique within the tenant in any letter case. */
  username: string;
  displayName: string;
  role: Role;
  disabled: boolean;
  passwordHash: string;
  /** ISO 8601. */
  createdAt: string;
  updatedAt: string;
}

export interface NewUser {
  username: string;
  displayName: string;
  role: Role;
  passwordHash: string;
}

/** The username is taken at this tenant (in any letter case). */
export class UsernameTakenError extends Error {
  constructor(username: string) {
    super(`The username "${username}" is taken.`);
    this.name = 'UsernameTakenError';
  }
}

/** The change would leave the tenant without an enabled owner. */
export class LastOwnerError extends Error {
  constructor() {
    super('The last owner must stay an enabled owner: make someone else an owner first.');
    this.name = 'LastOwnerError';
  }
}
