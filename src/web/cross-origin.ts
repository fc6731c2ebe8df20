import type { RequestHandler } from 'express';
import createError from 'http-errors';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses state-changing requests from other origins (login CSRF, forced logout), the way Go's
 * http.CrossOriginProtection does. Another tenant is another origin, so it is refused too.
 * Sec-Fetch-Site, when a browser sends it, decides alone: a same-origin form post from a page
 * with `Referrer-Policy: no-referrer` carries `Origin: null`, so Origin cannot be the first test.
 * Requests with neither header are not from a browser (curl, other services) and pass.
 */
export const crossOriginProtection: RequestHandler = (req, _res, next) => {
  if (SAFE_METHODS.has(req.method)) return next();
  const site = req.get('sec-fetch-site');
  if (site !== undefined) {
    return next(site === 'same-origin' || site === 'none' ? undefined : refused());
  }
  const origin = req.get('origin');
  if (origin === undefined) return next();
  // req.host is the Host (or a trusted X-Forwarded-Host) with its port, as the Origin has it.
  next(originHost(origin) === req.host.toLowerCase() ? undefined : refused());
};

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined; // "null" and other opaque origins never match
  }
}

const refused = () =>
  createError(403, 'Cross-origin request refused: this form can only be sent from this site.');
