import type { Db } from '../../db/tables.ts';
import { withTenant } from '../../db/tenant-scope.ts';
import { isUuid } from '../../db/uuid.ts';
import {
  MAX_NOTES_PER_USER,
  NOTE_ID,
  NotesFullError,
  type Note,
  type NotesRepository,
} from './notes-repository.ts';

/**
 * Notes in PostgreSQL's `notes` table (src/db/migrations/0004-notes.ts). Each method runs in
 * withTenant: row-level security keeps it to the owner's tenant, and `user_id` to the owner.
 */
export function pgNotesRepository(db: Db, maxNotes = MAX_NOTES_PER_USER): NotesRepository {
  return {
    list: ({ tenant, userId }) =>
      checkUserId(userId) ??
      withTenant(db, tenant.id, async (trx) => {
        const rows = await trx
          .selectFrom('notes')
          .select(['id', 'text', 'created_at'])
          .where('user_id', '=', userId)
          .orderBy('created_at', 'desc')
          .orderBy('id')
          .execute();
        return rows.map(toNote);
      }),

    add: ({ tenant, userId }, text) =>
      checkUserId(userId) ??
      withTenant(db, tenant.id, async (trx) => {
        // Locking the owner's row makes the count and the insert one step: adds racing each
        // other queue here, so none passes a count taken before another's insert.
        await trx.selectFrom('users').select('id').where('id', '=', userId).forUpdate().execute();
        const { count } = await trx
          .selectFrom('notes')
          .select((eb) => eb.fn.countAll<number | string | bigint>().as('count'))
          .where('user_id', '=', userId)
          .executeTakeFirstOrThrow();
        if (Number(count) >= maxNotes) throw new NotesFullError(maxNotes);
        const row = await trx
          .insertInto('notes')
          .values({ tenant_id: tenant.id, user_id: userId, text })
          .returning(['id', 'text', 'created_at'])
          .executeTakeFirstOrThrow();
        return toNote(row);
      }),

    remove: async ({ tenant, userId }, id) => {
      if (!NOTE_ID.test(id)) return false;
      return (
        checkUserId(userId) ??
        withTenant(db, tenant.id, async (trx) => {
          const result = await trx
            .deleteFrom('notes')
            .where('id', '=', id)
            .where('user_id', '=', userId)
            .executeTakeFirst();
          return result.numDeletedRows > 0n;
        })
      );
    },
  };
}

/** An owner without a user id is a wiring mistake: fail loudly, before any query. */
function checkUserId(userId: string): Promise<never> | undefined {
  return isUuid(userId)
    ? undefined
    : Promise.reject(
        new TypeError(
          `NoteOwner.userId must be a user's id (a UUID), not ${JSON.stringify(userId)}`,
        ),
      );
}

const toNote = (row: { id: string; text: string; created_at: Date }): Note => ({
  id: row.id,
  text: row.text,
  createdAt: row.created_at.toISOString(),
});
