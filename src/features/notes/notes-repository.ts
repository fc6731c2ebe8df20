import type { Tenant } from '../../tenants/tenant.ts';

/** One note, as the page and the API show it. */
export interface Note {
  id: string;
  text: string;
  /** ISO 8601. */
  createdAt: string;
}

/**
 * Whose notes: every call names the tenant and the user, so no query can reach anyone else's.
 * `userId` is the user's id, never reused, so a username given to someone new inherits nothing.
 */
export interface NoteOwner {
  tenant: Tenant;
  userId: string;
}

/**
 * Where notes are kept. The routes know only this interface: pg-notes-repository.ts keeps them in
 * PostgreSQL, redis-notes-repository.ts in the app's Redis; src/features/index.ts chooses.
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
