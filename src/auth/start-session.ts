import type { Request } from 'express';
import { stampSignIn } from '../sessions/session-activity.ts';
import { regenerateSession, saveSession } from '../sessions/session-ops.ts';
import type { UserSessions } from '../sessions/user-sessions.ts';
import type { Stores } from '../store/stores.ts';
import type { DirectoryUser } from './user-directory.ts';

export interface StartSessionOptions {
  sessions: UserSessions;
  /** Where each tenant's sessions live (for Sentinel's wait for a replica). */
  stores: Stores;
}

/**
 * Signs a user in to the request's tenant, once they have proved who they are: the one way a
 * session gets a user. Another way of signing in (SSO, a magic link) calls this too, since a
 * session without its index entry would escape "sign out everywhere" and a password change.
 */
export function sessionStarter({ sessions, stores }: StartSessionOptions) {
  return async (req: Request, user: DirectoryUser): Promise<void> => {
    // A new session id at login, so an id planted before sign-in (fixation) is worthless.
    await regenerateSession(req);
    // The store stamps the new session with this tenant (src/sessions/tenant-store.ts).
    const { id, username, displayName, role } = user;
    req.session.user = { id, username, displayName, role };
    const now = Date.now();
    stampSignIn(req, now, sessions.policy(req.tenant).absoluteSeconds);
    // Into the user's index first, then the session: a failure between leaves an entry without a
    // session (pruned later), never a session that "sign out everywhere" cannot find.
    await sessions.add(req.tenant, user.username, req.sessionID, now);
    // Saved before answering: a 303 is only sent once the session really exists in the store.
    await saveSession(req);
    // With Sentinel, also on a replica (WAIT 1): a failover right after this answer keeps the login.
    await stores.forTenant(req.tenant).replicate?.();
    // Past the tenant's maxPerUser, the sessions with the earliest sign-in end.
    await sessions.enforceLimit(req.tenant, user.username, req.sessionID);
  };
}

export type StartSession = ReturnType<typeof sessionStarter>;
