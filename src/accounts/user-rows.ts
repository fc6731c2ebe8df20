import type { Selectable } from 'kysely';
import type { UsersTable } from '../db/tables.ts';
import { UsernameTakenError, type User } from './user.ts';

export const userColumns = [
  'id',
  'tenant_id',
  'username',
  'display_name',
  'role',
  'disabled',
  'password_hash',
  'created_at',
  'updated_at',
] as const;

export function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    disabled: row.disabled,
    passwordHash: row.password_hash,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** A unique violation of the (tenant, lower(username)) index as UsernameTakenError; others as they are. */
export function usernameTaken(err: unknown, username: string): unknown {
  const code = (err as { code?: unknown } | undefined)?.code;
  const constraint = (err as { constraint?: unknown } | undefined)?.constraint;
  // pg reports the index by name; PGlite's errors carry the same fields.
  return code === '23505' && constraint === 'users_tenant_id_username_key'
    ? new UsernameTakenError(username)
    : err;
}
