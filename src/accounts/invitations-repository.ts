import { sql } from 'kysely';
import type { Db } from '../db/tables.ts';
import { withTenant } from '../db/tenant-scope.ts';
import { isUuid } from '../db/uuid.ts';
import { hashToken, newToken } from './tokens.ts';
import {
  INVITATION_TTL_MS,
  invitationColumns,
  toInvitation,
  type Invitation,
  type NewInvitation,
} from './invitation.ts';
import { UsernameTakenError, type User } from './user.ts';
import { insertUser } from './users-repository.ts';

export interface InvitationsRepository {
  /**
   * Stores an invitation and returns its token, the only time it exists outside the link. Throws
   * UsernameTakenError when a user of the tenant has the name.
   */
  create(
    tenantId: string,
    invitation: NewInvitation,
  ): Promise<{ invitation: Invitation; token: string }>;
  /** The open (unused, unexpired) invitation of this token, for the sign-up form. */
  find(tenantId: string, token: string): Promise<Invitation | undefined>;
  /** Open invitations, newest first. */
  listOpen(tenantId: string): Promise<Invitation[]>;
  /**
   * Uses the token once, creating its user in the same transaction; undefined when the token is
   * unknown, used or expired. Throws UsernameTakenError (and the token stays unused) when the name
   * was taken meanwhile.
   */
  consume(
    tenantId: string,
    token: string,
    account: { passwordHash: string; displayName?: string | undefined },
  ): Promise<User | undefined>;
  /** Withdraws an invitation; false when none by that id. */
  remove(tenantId: string, id: string): Promise<boolean>;
}

export function invitationsRepository(db: Db, ttlMs = INVITATION_TTL_MS): InvitationsRepository {
  const open = sql<boolean>`used_at is null and expires_at > now()`;
  return {
    create: (tenantId, invitation) =>
      withTenant(db, tenantId, async (trx) => {
        const taken = await trx
          .selectFrom('users')
          .select('id')
          .where(sql`lower(username)`, '=', invitation.username.toLowerCase())
          .executeTakeFirst();
        if (taken) throw new UsernameTakenError(invitation.username);
        const { token, hash } = newToken();
        const row = await trx
          .insertInto('invitations')
          .values({
            tenant_id: tenantId,
            token_hash: hash,
            username: invitation.username,
            display_name: invitation.displayName,
            role: invitation.role,
            email: invitation.email ?? null,
            created_by: invitation.createdBy ?? null,
            expires_at: new Date(Date.now() + ttlMs),
          })
          .returning(invitationColumns)
          .executeTakeFirstOrThrow();
        return { invitation: toInvitation(row), token };
      }),

    find: (tenantId, token) =>
      withTenant(db, tenantId, async (trx) => {
        const row = await trx
          .selectFrom('invitations')
          .select(invitationColumns)
          .where('token_hash', '=', hashToken(token))
          .where(open)
          .executeTakeFirst();
        return row && toInvitation(row);
      }),

    listOpen: (tenantId) =>
      withTenant(db, tenantId, async (trx) => {
        const rows = await trx
          .selectFrom('invitations')
          .select(invitationColumns)
          .where(open)
          .orderBy('created_at', 'desc')
          .execute();
        return rows.map(toInvitation);
      }),

    consume: (tenantId, token, account) =>
      withTenant(db, tenantId, async (trx) => {
        // One UPDATE decides: of two uses at once, only one finds the row still open.
        const used = await trx
          .updateTable('invitations')
          .set({ used_at: sql<Date>`now()` })
          .where('token_hash', '=', hashToken(token))
          .where(open)
          .returning(['username', 'display_name', 'role'])
          .executeTakeFirst();
        if (!used) return undefined;
        return insertUser(trx, tenantId, {
          username: used.username,
          displayName: account.displayName ?? used.display_name,
          role: used.role,
          passwordHash: account.passwordHash,
        });
      }),

    remove: async (tenantId, id) =>
      isUuid(id) &&
      withTenant(db, tenantId, async (trx) => {
        const result = await trx.deleteFrom('invitations').where('id', '=', id).executeTakeFirst();
        return result.numDeletedRows > 0n;
      }),
  };
}
