import type { RequestHandler } from 'express';
import { wantsJson } from '../web/errors.ts';

/**
 * The guard for routes that need a signed-in user. A browser is sent to the login page and
 * brought back here afterwards; an API client (under /api/, or asking for JSON) gets 401.
 */
export const requireUser: RequestHandler = (req, res, next) => {
  if (req.user) return next();
  if (wantsJson(req)) {
    res.status(401).json({ error: 'Not signed in' });
    return;
  }
  // Back here after signing in only for a page one can GET; a form post would replay as a GET.
  const back = req.method === 'GET' ? `?next=${encodeURIComponent(req.originalUrl)}` : '';
  res.redirect(303, `/login${back}`);
};

const BASE = 'http://tenant.invalid';

/**
 * Where to go after signing in: a path on this same site, or "/". A full URL, a
 * protocol-relative `//host` or `/\host` would make the login form an open redirect.
 */
export function safeNextPath(raw: unknown): string {
  if (typeof raw !== 'string' || !raw.startsWith('/') || raw.length > 2048) return '/';
  try {
    const url = new URL(raw, BASE);
    return url.origin === BASE ? url.pathname + url.search : '/';
  } catch {
    return '/';
  }
}
