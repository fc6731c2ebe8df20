import express, { Router } from 'express';
import { destroySession } from '../sessions/session-ops.ts';
import { loginPage } from './login-page.ts';
import { loginRoute, type LoginRouteOptions } from './login-route.ts';
import { safeNextPath } from './require-user.ts';
import { signOutInBrowser, type SessionCookieNames } from './sign-out.ts';

export interface AuthRoutesOptions extends LoginRouteOptions {
  /** Cookie names to clear on logout (plain and `__Host-`). */
  cookieNames: SessionCookieNames;
}

/**
 * GET/POST /login and POST /logout: the example of how to sign a user in to one tenant. A logout
 * that meets a store outage is finished by logoutDuringOutage (src/auth/sign-out.ts).
 */
export function authRoutes({ cookieNames, ...login }: AuthRoutesOptions): Router {
  const router = Router();
  // Forms are parsed only here: small, flat (extended: false), few fields, and never compressed
  // (inflate: false answers 415), so no zlib work is done for unauthenticated clients.
  const form = express.urlencoded({
    extended: false,
    limit: '4kb',
    parameterLimit: 10,
    inflate: false,
  });

  router.get('/login', (req, res) => {
    const next = safeNextPath(req.query.next);
    if (req.user) res.redirect(303, next);
    else res.type('html').send(loginPage(req.tenant, { next }));
  });

  router.post('/login', form, loginRoute(login));

  router.post('/logout', async (req, res) => {
    if (req.session.user || req.session.tenantId) await destroySession(req);
    signOutInBrowser(req, res, cookieNames);
    res.redirect(303, '/');
  });

  return router;
}
