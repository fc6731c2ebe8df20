import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Stores } from '../../store/stores.ts';
import {
  MAX_NOTES_PER_USER,
  NOTE_ID,
  NotesFullError,
  type Note,
  type NoteOwner,
  type NotesRepository,
} from './notes-repository.ts';

/**
 * Every notes key of one tenant starts with this; it ends with ':', so no tenant's prefix is the
 * start of another's (`SCAN 0 MATCH notes:{customer-a:app:*` finds one tenant's notes).
 */
export const notesKeyPrefix = (tenantId: string, appName: string) =>
  `notes:{${tenantId}:${appName}:`;

/**
 * One hash per user, `notes:{<tenant>:<app>:<user id>}`, a field per note. The hash tag keeps all
 * of a user's notes in one cluster slot. The id is percent-encoded, so no character of it can
 * close the tag or match a SCAN.
 */
export const notesKey = (tenantId: string, appName: string, userId: string) =>
  `${notesKeyPrefix(tenantId, appName)}${encodeURIComponent(userId)}}`;

/** 30 days, counted again from every write: this Redis is a session store, not an archive. */
export const NOTES_TTL_SECONDS = 30 * 86_400;

const stored = z.object({ text: z.string(), createdAt: z.string() });

export interface RedisNotesOptions {
  stores: Stores;
  appName: string;
  maxNotes?: number;
  ttlSeconds?: number;
}

/** Notes in the Redis the app already has (or the in-process development store), per tenant. */
export function redisNotesRepository(options: RedisNotesOptions): NotesRepository {
  const {
    stores,
    appName,
    maxNotes = MAX_NOTES_PER_USER,
    ttlSeconds = NOTES_TTL_SECONDS,
  } = options;
  // The store that holds this tenant's data, and the one key of this user's notes in it.
  const at = ({ tenant, userId }: NoteOwner) => ({
    kv: stores.forTenant(tenant).kv,
    key: notesKey(tenant.id, appName, userId),
  });

  return {
    async list(owner) {
      const { kv, key } = at(owner);
      const notes: Note[] = [];
      for (const [id, raw] of Object.entries(await kv.hGetAll(key))) {
        const note = stored.safeParse(safeJson(raw));
        if (note.success) notes.push({ id, ...note.data });
      }
      return notes.sort(
        (a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id),
      );
    },

    async add(owner, text) {
      const { kv, key } = at(owner);
      const note: Note = { id: randomUUID(), text, createdAt: new Date().toISOString() };
      // One MULTI on one key (one slot): the hash never exists without its TTL.
      await kv
        .multi()
        .hSet(key, note.id, JSON.stringify({ text: note.text, createdAt: note.createdAt }))
        .expire(key, ttlSeconds)
        .exec();
      // Counted after writing: adds racing each other cannot all pass a count taken before, and
      // each one that finds the hash over the limit takes its own note back.
      if ((await kv.hLen(key)) > maxNotes) {
        await kv.hDel(key, note.id);
        throw new NotesFullError(maxNotes);
      }
      return note;
    },

    async remove(owner, id) {
      if (!NOTE_ID.test(id)) return false;
      const { kv, key } = at(owner);
      return (await kv.hDel(key, id)) === 1;
    },
  };
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
