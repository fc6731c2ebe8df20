import type { RequestHandler } from 'express';
import createError from 'http-errors';
import { normalizeHost, requestHost } from '../tenants/host.ts';

/** What `OPTIONS *` answers: the methods the app's routes use. */
const ALLOW = 'GET, HEAD, POST, DELETE, OPTIONS';

/**
 * The first check of every request, probes included: the request target is a path, and the Host
 * (and a trusted proxy's X-Forwarded-Host, which then names the tenant) is an ASCII host name with
 * an optional port from 1 to 65535 (src/tenants/host.ts). Anything else is a 400 before a tenant
 * is picked or a session is read.
 * - `*` and authority-form targets are no path: express-session skips them, so no later middleware
 *   may assume a session. `OPTIONS *` (a server-wide capability question) is answered 204.
 * - Absolute-form targets (`GET http://host/ HTTP/1.1`) are refused too, though RFC 9112 asks
 *   servers to accept them: only proxies send them, and the app would then have two hosts (the
 *   target's and the Host header) that could disagree about the tenant.
 * - A path with a malformed percent-escape (`%ZZ`, `%E0`) is a 400 on every route, matched or not.
 * - Two Host headers are a 400 (RFC 9112): Node keeps the first, a front end may read the last.
 * - A host that a converter would map onto a tenant (UTF-8 look-alikes, `:abc` or `:99999` ports
 *   dropped) would let one tenant answer to many spellings and dodge per-host rules at the edge.
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
