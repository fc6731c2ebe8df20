import type { RequestHandler } from 'express';
import createError from 'http-errors';
import { normalizeHost, requestHost } from '../tenants/host.ts';

/** What `OPTIONS *` answers: the methods the app's routes use. */
const ALLOW = 'GET, HEAD, POST, DELETE, OPTIONS';

/**
 * The first check of every request, probes included: anything but a path target and one strict
 * host name is a 400 before a tenant is picked or a session read.
 * - `*` and authority-form targets: express-session skips them, and later middleware needs one.
 * - Absolute-form targets are refused, though RFC 9112 allows them: their host and the Host header
 *   could disagree about the tenant.
 * - Two Host headers: Node keeps the first, a front end may read the last.
 */
export const strictRequest: RequestHandler = (req, res, next) => {
  if (hostHeaders(req.rawHeaders) > 1) {
    return next(createError(400, 'Send one Host header.'));
  }
  if (normalizeHost(req.headers.host) === undefined || requestHost(req) === undefined) {
    return next(createError(400, 'The Host header is not a host name.'));
  }
  if (req.originalUrl.startsWith('/')) {
    // Else the router's URIError on the routes with parameters, and a 404 on the rest.
    if (hasMalformedEscape(req.path)) {
      return next(createError(400, 'The path has a malformed percent-escape.'));
    }
    return next();
  }
  if (req.originalUrl === '*' && req.method === 'OPTIONS') {
    res.setHeader('Allow', ALLOW);
    res.status(204).end();
    return;
  }
  next(createError(400, 'The request target must be a path.'));
};

function hasMalformedEscape(path: string): boolean {
  if (!path.includes('%')) return false;
  try {
    decodeURIComponent(path);
    return false;
  } catch {
    return true;
  }
}

function hostHeaders(raw: string[]): number {
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === 4 && raw[i]!.toLowerCase() === 'host') count++;
  }
  return count;
}
