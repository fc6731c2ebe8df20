import type { RequestHandler } from 'express';
import { wantsJson } from '../web/errors.ts';

/** A browser is sent to the login page and brought back; an API client gets 401. */
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
/** A path a browser reads as another host (`//host`, `/\host`), also once percent-decoded. */
const OTHER_HOST = /^\/(?:[/\\]|%2f|%5c)/i;

/**
 * A path on this site, or "/": anything else would make the login form an open redirect. Checked
 * after parsing, since dot segments (`/.//host`) and `\` can make a `//host` the raw string hid.
 */
export function safeNextPath(raw: unknown): string {
  if (typeof raw !== 'string' || !raw.startsWith('/') || raw.length > 2048) return '/';
  try {
    const url = new URL(raw, BASE);
    const path = url.pathname + url.search;
    return url.origin === BASE && !OTHER_HOST.test(path) ? path : '/';
  } catch {
    return '/';
  }
}
