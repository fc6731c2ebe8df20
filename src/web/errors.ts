import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import createError, { isHttpError } from 'http-errors';
import { StoreUnavailableError } from '../store/store-unavailable.ts';
import { isApiPath } from './api-path.ts';
import { html } from './html.ts';
import { sendPage } from './page.ts';

/** JSON under /api and for clients that prefer it (Accept); HTML for browsers. */
export function wantsJson(req: Request): boolean {
  return isApiPath(req.originalUrl) || req.accepts(['html', 'json']) === 'json';
}

export function sendError(req: Request, res: Response, status: number, message: string): void {
  if (wantsJson(req)) {
    res.status(status).json({ error: message });
  } else {
    const body = html`<h1>${status}</h1>
      <p>${message}</p>`;
    sendPage(req, res, { title: String(status), body, status });
  }
}

export const notFound: RequestHandler = (_req, _res, next) => next(createError(404, 'Not found'));

/** The client status (4xx) an error carries, http-errors' or another library's, if any. */
function clientStatus(err: unknown): number | undefined {
  const { status, statusCode } = (err ?? {}) as { status?: unknown; statusCode?: unknown };
  const code = status ?? statusCode;
  return Number.isInteger(code) && (code as number) >= 400 && (code as number) < 500
    ? (code as number)
    : undefined;
}

/**
 * The one place errors become responses. Only a 4xx or a store's 503 shows its message; anything
 * else is logged and answered with a generic 500. A 4xx is the client's doing: no stack is logged.
 */
export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, next) => {
  if (err instanceof StoreUnavailableError) {
    // Expected while Redis is away: the store logs the outage once, so no line per request here.
    if (res.headersSent) return next(err);
    res.setHeader('Retry-After', String(err.retryAfterSeconds));
    return sendError(req, res, err.status, err.message);
  }
  const httpError = isHttpError(err) ? err : undefined;
  const client = clientStatus(err);
  const status = client ?? (httpError && httpError.status >= 400 ? httpError.status : 500);
  if (status >= 500 && !httpError?.expose) req.log.error({ err }, 'request failed');
  if (res.headersSent) return next(err);
  for (const [name, value] of Object.entries(httpError?.headers ?? {})) res.setHeader(name, value);
  // A 4xx shows its message unless http-errors was told not to; a 5xx only when told to.
  const shown = client !== undefined ? httpError?.expose !== false : httpError?.expose === true;
  const message = shown && err instanceof Error && err.message ? err.message : fallback(status);
  sendError(req, res, status, message);
};

const fallback = (status: number) =>
  status >= 500 ? 'Something went wrong on our side.' : (STATUS_CODES[status] ?? 'Bad request');
