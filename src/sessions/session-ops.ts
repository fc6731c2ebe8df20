import type { Request } from 'express';

/**
 * express-session's callback methods as promises, so async routes can await them. When the store
 * fails, the request lets go of its session (express-session's `unset: 'keep'`): the error
 * response then sets no cookie for a session that was never written, and express-session does not
 * try the store again as the response ends.
 */
const call = (req: Request, method: 'regenerate' | 'save' | 'destroy' | 'reload') =>
  new Promise<void>((resolve, reject) =>
    req.session[method]((err?: Error) => {
      if (!err) return resolve();
      (req as { session?: unknown }).session = null;
      reject(err);
    }),
  );

export const regenerateSession = (req: Request) => call(req, 'regenerate');
export const saveSession = (req: Request) => call(req, 'save');
export const destroySession = (req: Request) => call(req, 'destroy');
