import type { Tenant } from '../../tenants/tenant.ts';

/** One note, as the page and the API show it. */
export interface Note {
  id: string;
  text: string;
  /** ISO 8601. */
  createdAt: string;
}

/** Whose notes: every call names the tenant and the user, so no query can reach anyone else's. */
export interface NoteOwner {
  tenant: Tenant;
  username: string;
}

/**
 * Where notes are kept. The routes know only this interface: the shipped implementation keeps
 * notes in the app's Redis (redis-notes-repository.ts); a database is one more implementation,
 * chosen in src/features/index.ts (docs/extending.md has a Postgres sketch).
 */
export interface NotesRepository {
  /** The owner's notes, newest first. */
  list(owner: NoteOwner): Promise<Note[]>;
  /** Adds a note; throws NotesFullError when the owner already keeps the most allowed. */
  add(owner: NoteOwner, text: string): Promise<Note>;
  /** Removes the owner's note with this id; false when the owner has no note by that id. */
  remove(owner: NoteOwner, id: string): Promise<boolean>;
}

/** How many notes one user may keep, so nobody can fill the store. */
export const MAX_NOTES_PER_USER = 100;

/** Note ids are random UUIDs; anything else is no note's id and never reaches a query. */
export const NOTE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class NotesFullError extends Error {
  readonly max: number;
  constructor(max: number) {
    super(`You keep ${max} notes, the most allowed: delete one first.`);
    this.name = 'NotesFullError';
    this.max = max;
  }
}
