import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import createError, { isHttpError } from 'http-errors';
import { errorPage } from './pages.ts';

/** HTML for browsers, JSON for API clients, decided by Accept. */
export function sendError(req: Request, res: Response, status: number, message: string): void {
  res.status(status);
  if (req.accepts(['html', 'json']) === 'json') {
    res.json({ error: message });
  } else {
    res.type('html').send(errorPage(status, message, req.tenant));
  }
}

export const notFound: RequestHandler = (_req, _res, next) => next(createError(404, 'Not found'));

/**
 * The one place errors become responses. Only errors meant for the client (4xx, and the 503s we
 * raise on purpose) show their message; anything else is logged and answered with a generic 500.
 */
export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, next) => {
  const httpError = isHttpError(err) ? err : undefined;
  const status = httpError && httpError.status >= 400 ? httpError.status : 500;
  // Deliberate 5xx (a 503 while the store is down) are expected: the backend logs the outage once.
  if (status >= 500 && !httpError?.expose) req.log.error({ err }, 'request failed');
  if (res.headersSent) return next(err);
  for (const [name, value] of Object.entries(httpError?.headers ?? {})) res.setHeader(name, value);
  const message = httpError?.expose ? httpError.message : 'Something went wrong on our side.';
  sendError(req, res, status, message);
};
