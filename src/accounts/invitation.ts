import type { Selectable } from 'kysely';
import type { InvitationsTable, Role } from '../db/tables.ts';

/** How long an invitation link works. */
export const INVITATION_TTL_MS = 7 * 86_400_000;

export interface Invitation {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  email: string | null;
  createdBy: string | null;
  /** ISO 8601. */
  expiresAt: string;
  createdAt: string;
}

export interface NewInvitation {
  username: string;
  displayName: string;
  role: Role;
  email?: string | undefined;
  /** The inviting user's id. */
  createdBy?: string | undefined;
}

export const invitationColumns = [
  'id',
  'username',
  'display_name',
  'role',
  'email',
  'created_by',
  'expires_at',
  'created_at',
] as const;

export function toInvitation(
  row: Pick<Selectable<InvitationsTable>, (typeof invitationColumns)[number]>,
): Invitation {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    email: row.email,
    createdBy: row.created_by,
    expiresAt: row.expires_at.toISOString(),
    createdAt: row.created_at.toISOString(),
  };
}
