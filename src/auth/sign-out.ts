import type { ErrorRequestHandler, Request, Response } from 'express';
import { StoreUnavailableError } from '../store/store-unavailable.ts';
import { isCrossOrigin } from '../web/cross-origin.ts';
import { wantsJson } from '../web/errors.ts';
import { html } from '../web/html.ts';
import { sendPage } from '../web/page.ts';

export interface SessionCookieNames {
  http: string;
  https: string;
}

/**
 * Never `Clear-Site-Data: "cookies"`: browsers apply it to the whole registrable domain, so it
 * would sign the user out of sibling tenants and erase the device cookie (SECURITY.md).
 */
export function signOutInBrowser(req: Request, res: Response, names: SessionCookieNames): void {
  const cookie = { path: '/', httpOnly: true, sameSite: 'lax' } as const;
  res.clearCookie(names.http, cookie);
  if (req.secure) res.clearCookie(names.https, { ...cookie, secure: true });
  res.setHeader('Clear-Site-Data', '"cache", "storage"');
  res.setHeader('Cache-Control', 'no-store');
}

/** The logout form's `everywhere=1`: end every session of this user on this tenant. */
export const isEverywhere = (req: Request) =>
  typeof req.body === 'object' &&
  req.body !== null &&
  (req.body as Record<string, unknown>).everywhere === '1';

export interface LogoutDuringOutageOptions {
  cookieNames: SessionCookieNames;
  /** SESSION_TTL_SECONDS: the longest an unused session outlives a logout the store missed. */
  ttlSeconds: number;
}

/**
 * A logout that meets a store outage still signs out in the browser, and says the session ends on
 * the server by itself. 200, not 503: a retry could do no more, as the cookie is gone.
 */
export function logoutDuringOutage(options: LogoutDuringOutageOptions): ErrorRequestHandler {
  const minutes = Math.ceil(options.ttlSeconds / 60);
  const message = `You are signed out on this device. The sign-in could not be ended on the server just now; it ends there by itself within ${minutes} minute${minutes === 1 ? '' : 's'}.`;
  return (err, req, res, next) => {
    const isLogout = req.method === 'POST' && req.path === '/logout';
    // A cross-origin logout is refused before the session is read; this never signs anyone out for another site.
    if (!(err instanceof StoreUnavailableError) || !isLogout || isCrossOrigin(req))
      return next(err);
    if (res.headersSent) return next(err);
    signOutInBrowser(req, res, options.cookieNames);
    const others = isEverywhere(req)
      ? ' Your sessions on other devices were not ended: sign out everywhere again once the service is back.'
      : '';
    req.log.warn(
      'logout during a store outage: signed out in the browser, the session expires by itself',
    );
    if (wantsJson(req)) {
      res.json({ signedOut: true, message: message + others });
      return;
    }
    const body = html`<h1>Signed out</h1>
      <p>${message + others}</p>
      <p><a href="/">Continue</a></p>`;
    sendPage(req, res, { title: 'Signed out', body });
  };
}
