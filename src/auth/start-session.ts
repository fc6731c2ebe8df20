import type { Request } from 'express';
import createError from 'http-errors';
import { stampSignIn } from '../sessions/session-activity.ts';
import { destroySession, regenerateSession, saveSession } from '../sessions/session-ops.ts';
import type { UserSessions } from '../sessions/user-sessions.ts';
import type { Stores } from '../store/stores.ts';
import type { DirectoryUser, UserDirectory } from './user-directory.ts';

export interface StartSessionOptions {
  sessions: UserSessions;
  /** Where each tenant's sessions live (for Sentinel's wait for a replica). */
  stores: Stores;
  /** Asked again once the session is saved: see `stillTheSame`. */
  users?: UserDirectory;
}

/**
 * The one way a session gets a user: another way of signing in (SSO, a magic link) calls this too,
 * since a session without its index entry would escape "sign out everywhere" and a password change.
 */
export function sessionStarter({ sessions, stores, users }: StartSessionOptions) {
  return async (req: Request, user: DirectoryUser): Promise<void> => {
    // A new session id at login, so an id planted before sign-in (fixation) is worthless.
    await regenerateSession(req);
    // The store stamps the new session with this tenant (src/sessions/tenant-store.ts).
    const { id, username, displayName, role } = user;
    req.session.user = { id, username, displayName, role };
    const now = Date.now();
    stampSignIn(req, now, sessions.policy(req.tenant).absoluteSeconds);
    // Into the index before the session's first write (UserSessions.add).
    const sid = req.sessionID;
    await sessions.add(req.tenant, user.username, sid, now);
    // Saved before answering: a 303 is only sent once the session really exists in the store.
    await saveSession(req);
    // With Sentinel, also on a replica (WAIT 1): a failover right after this answer keeps the login.
    await stores.forTenant(req.tenant).replicate?.();
    // The user as the database has them now: disabled, removed or given a new password while this
    // sign-in hashed, the change's endAll may have run before the session existed. Read after the
    // save, either the change is seen here or its endAll (after its commit) finds this session.
    if (users && !stillTheSame(user, await users.findUser(req.tenant, user.username))) {
      await destroySession(req);
      await sessions.forget(req.tenant, user.username, [sid]);
      throw createError(401, 'Your account changed while you were signing in: sign in again.');
    }
    await sessions.enforceLimit(req.tenant, user.username, req.sessionID);
  };
}

export type StartSession = ReturnType<typeof sessionStarter>;

const stillTheSame = (before: DirectoryUser, now: DirectoryUser | undefined) =>
  now !== undefined &&
  now.id === before.id &&
  !now.disabled &&
  now.passwordHash === before.passwordHash;
