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

/** No database read: the session is trusted (see SignedInUser). */
export const currentUser: RequestHandler = (req, _res, next) => {
  req.user = req.session.user;
  if (req.user) noteActivity(req);
  next();
};
