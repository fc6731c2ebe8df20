import type { Migration, MigrationProvider } from 'kysely/migration';
import * as users from './0001-users.ts';
import * as invitations from './0002-invitations.ts';
import * as passwordResets from './0003-password-resets.ts';
import * as notes from './0004-notes.ts';
import * as domains from './0005-domains.ts';
import * as userEmail from './0006-user-email.ts';

/**
 * Every migration, in order, listed here rather than found on disk, so the built server (dist/)
 * runs the same ones. Forward only: a step once released is never edited; add the next one.
 */
export const migrations: Record<string, Migration> = {
  '0001-users': users,
  '0002-invitations': invitations,
  '0003-password-resets': passwordResets,
  '0004-notes': notes,
  '0005-domains': domains,
  '0006-user-email': userEmail,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
