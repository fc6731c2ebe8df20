import type { Request } from 'express';

/** express-session's callback methods as promises, so async routes can await them. */
const call = (req: Request, method: 'regenerate' | 'save' | 'destroy' | 'reload') =>
  new Promise<void>((resolve, reject) =>
    req.session[method]((err?: Error) => (err ? reject(err) : resolve())),
  );

export const regenerateSession = (req: Request) => call(req, 'regenerate');
export const saveSession = (req: Request) => call(req, 'save');
export const destroySession = (req: Request) => call(req, 'destroy');
