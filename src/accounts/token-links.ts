import { Router, type Request } from 'express';
import createError from 'http-errors';
import { LINK_TOKEN } from './views.ts';

/**
 * Before the session, at a feature whose paths end in a link's token: the request line logs
 * `<prefix>/[token]`, so a log reader never holds a live invitation or reset link.
 */
export function tokenPathsUnlogged(prefix: string): Router {
  return Router().use('/:token', (_req, res, next) => {
    res.locals.loggedUrl = `${prefix}/[token]`;
    next();
  });
}

/** The token of the path; a malformed one is the same 410 as a used one, without a query. */
export function tokenOf(req: Request, gone: string): string {
  const token = String(req.params.token);
  if (!LINK_TOKEN.test(token)) throw createError(410, gone);
  return token;
}
