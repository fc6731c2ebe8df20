import type { Request, RequestHandler } from 'express';
import createError from 'http-errors';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * As Go's http.CrossOriginProtection decides (another tenant is another origin). Sec-Fetch-Site
 * decides alone when sent: a same-origin form under `no-referrer` carries `Origin: null`. With
 * neither header the request is no browser's (curl, services) and passes.
 */
export function isCrossOrigin(req: Request): boolean {
  if (SAFE_METHODS.has(req.method)) return false;
  const site = req.get('sec-fetch-site');
  if (site !== undefined) return site !== 'same-origin' && site !== 'none';
  const origin = req.get('origin');
  if (origin === undefined) return false;
  // The whole origin: scheme, host and port. req.protocol and req.host follow X-Forwarded-Proto
  // and -Host only from proxies named in TRUST_PROXY.
  const own = originOf(`${req.protocol}://${req.host}`);
  return own === undefined || originOf(origin) !== own;
}

/** Refuses cross-origin state-changing requests (login CSRF, forced logout) with a 403. */
export const crossOriginProtection: RequestHandler = (req, _res, next) => {
  next(isCrossOrigin(req) ? refused() : undefined);
};

function originOf(url: string): string | undefined {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? undefined : origin; // opaque origins (foo://x, data:) never match
  } catch {
    return undefined;
  }
}

const refused = () =>
  createError(403, 'Cross-origin request refused: this form can only be sent from this site.');
