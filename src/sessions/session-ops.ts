import type { Request } from 'express';

// On a store failure the request drops its session, so the error response sets no cookie and
// express-session does not retry the store as the response ends.
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
