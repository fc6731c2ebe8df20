import type { NextFunction, Request, RequestHandler } from 'express';
import { noteActivity } from '../sessions/session-activity.ts';
import type { SignedInUser } from '../sessions/session-data.ts';
import { regenerateSession } from '../sessions/session-ops.ts';
import type { UserSessions } from '../sessions/user-sessions.ts';
import type { CredentialFingerprints } from './credentials.ts';
import type { DirectoryUser, UserDirectory } from './user-directory.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The signed-in user of this tenant, or undefined; set after the session is read. */
      user?: SignedInUser | undefined;
    }
  }
}

export interface CurrentUserOptions {
  users: UserDirectory;
  credentials: CredentialFingerprints;
  sessions: UserSessions;
}

/**
 * Puts the session's user on `req.user`, the one place routes and guards look for it, once the
 * session is still good for that user as the tenant file stands now: the user exists, is not
 * disabled, and has the password hash the session was issued against. Otherwise the session ends
 * here, on whichever replica reads it first: its key is deleted, its index entry dropped, and the
 * request goes on anonymous with a fresh, empty session that is stored (and sent as a cookie)
 * only if a route puts something in it. This also ends the sessions of a tenant that was removed
 * and re-added under the same id with other users or other passwords. No Redis command is added
 * to a request whose session is good.
 */
export function currentUser({ users, credentials, sessions }: CurrentUserOptions): RequestHandler {
  /** Ends the session of a user the directory no longer signs in; the request goes on anonymous. */
  const end = async (req: Request, signedIn: SignedInUser, next: NextFunction) => {
    const sid = req.sessionID;
    await regenerateSession(req); // deletes the key: the old cookie is worthless from now on
    await sessions.forget(req.tenant, signedIn.username, [sid]);
    next();
  };
  /** The session's user as the directory has it now: on `req.user`, or the session ends. */
  const check = (
    req: Request,
    signedIn: SignedInUser,
    user: DirectoryUser | undefined,
    next: NextFunction,
  ): Promise<void> | undefined => {
    const issued =
      user && !user.disabled
        ? credentials.renewed(req.tenant, user, req.session.credential)
        : undefined;
    if (!user || issued === undefined) return end(req, signedIn, next);
    // Verified under an older SESSION_SECRET: re-keyed under the first, as the cookie is renewed,
    // so the session outlives the old secret's removal like its cookie does.
    if (req.session.credential !== issued) req.session.credential = issued;
    // From the directory, so a changed display name shows at once.
    req.user = { username: user.username, displayName: user.displayName };
    noteActivity(req);
    next();
    return undefined;
  };
  return async (req, _res, next) => {
    req.user = undefined;
    const signedIn = req.session.user;
    if (!signedIn) return next();
    const user = await users.findUser(req.tenant, signedIn.username);
    return check(req, signedIn, user, next);
  };
}
