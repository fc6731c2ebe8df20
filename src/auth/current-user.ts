import type { RequestHandler } from 'express';
import { noteActivity } from '../sessions/session-activity.ts';
import type { SignedInUser } from '../sessions/session-data.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The signed-in user of this tenant, or undefined; set after the session is read. */
      user?: SignedInUser | undefined;
    }
  }
}

/**
 * Puts the session's user on `req.user`, the one place routes and guards look for it. Nothing is
 * asked of the database: a session exists only while its user may hold it, since disabling,
 * removing and a password change delete the user's sessions at once (src/accounts/).
 */
export const currentUser: RequestHandler = (req, _res, next) => {
  req.user = req.session.user;
  if (req.user) noteActivity(req);
  next();
};
