import { sql } from 'kysely';
import type { Db } from '../db/tables.ts';
import { withTenant } from '../db/tenant-scope.ts';
import { isUuid } from '../db/uuid.ts';
import { hashToken, newToken } from './tokens.ts';
import type { User } from './user.ts';
import { updateUser } from './users-repository.ts';

/** How long a reset link works. */
export const PASSWORD_RESET_TTL_MS = 30 * 60_000;

export interface PasswordResetsRepository {
  /**
   * Stores a reset for the user and returns its token, the only time it exists outside the link;
   * undefined when the tenant has no user by that id.
   */
  create(
    tenantId: string,
    userId: string,
  ): Promise<{ token: string; expiresAt: string } | undefined>;
  /** Whether the token is open (unused, unexpired), for the form. */
  isOpen(tenantId: string, token: string): Promise<boolean>;
  /**
   * Uses the token once and sets the user's password hash in the same transaction; every other
   * open reset of that user is closed with it. Undefined when the token is unknown, used or
   * expired. The caller then ends the user's sessions.
   */
  consume(tenantId: string, token: string, passwordHash: string): Promise<User | undefined>;
}

export function passwordResetsRepository(
  db: Db,
  ttlMs = PASSWORD_RESET_TTL_MS,
): PasswordResetsRepository {
  const open = sql<boolean>`used_at is null and expires_at > now()`;
  return {
    create: async (tenantId, userId) => {
      if (!isUuid(userId)) return undefined;
      return withTenant(db, tenantId, async (trx) => {
        const user = await trx
          .selectFrom('users')
          .select('id')
          .where('id', '=', userId)
          .executeTakeFirst();
        if (!user) return undefined;
        const { token, hash } = newToken();
        const row = await trx
          .insertInto('password_resets')
          .values({
            tenant_id: tenantId,
            user_id: userId,
            token_hash: hash,
            expires_at: new Date(Date.now() + ttlMs),
          })
          .returning('expires_at')
          .executeTakeFirstOrThrow();
        return { token, expiresAt: row.expires_at.toISOString() };
      });
    },

    isOpen: (tenantId, token) =>
      withTenant(db, tenantId, async (trx) => {
        const row = await trx
          .selectFrom('password_resets')
          .select('id')
          .where('token_hash', '=', hashToken(token))
          .where(open)
          .executeTakeFirst();
        return row !== undefined;
      }),

    consume: (tenantId, token, passwordHash) =>
      withTenant(db, tenantId, async (trx) => {
        // One UPDATE decides: of two uses at once, only one finds the row still open.
        const used = await trx
          .updateTable('password_resets')
          .set({ used_at: sql<Date>`now()` })
          .where('token_hash', '=', hashToken(token))
          .where(open)
          .returning('user_id')
          .executeTakeFirst();
        if (!used) return undefined;
        await trx
          .updateTable('password_resets')
          .set({ used_at: sql<Date>`now()` })
          .where('user_id', '=', used.user_id)
          .where(open)
          .execute();
        return updateUser(trx, used.user_id, { password_hash: passwordHash });
      }),
  };
}
