import { Router } from 'express';
import { destroySession } from '../sessions/session-ops.ts';
import type { UserSessions } from '../sessions/user-sessions.ts';
import { formBody } from '../web/forms.ts';
import { sendPage } from '../web/page.ts';
import { loginPage } from './login-page.ts';
import { loginRoute, type LoginRouteOptions } from './login-route.ts';
import { safeNextPath } from './require-user.ts';
import { isEverywhere, signOutInBrowser, type SessionCookieNames } from './sign-out.ts';

export interface AuthRoutesOptions extends LoginRouteOptions {
  sessions: UserSessions;
  cookieNames: SessionCookieNames;
}

/** A logout that meets a store outage is finished by logoutDuringOutage (sign-out.ts). */
export function authRoutes({ cookieNames, sessions, ...login }: AuthRoutesOptions): Router {
  const router = Router();
  const form = formBody();

  router.get('/login', (req, res) => {
    const next = safeNextPath(req.query.next);
    if (req.user) res.redirect(303, next);
    else sendPage(req, res, { title: 'Sign in', body: loginPage(req.tenant, { next }) });
  });

  router.post('/login', form, loginRoute(login));

  router.post('/logout', form, async (req, res) => {
    const signedIn = req.user;
    const sid = req.sessionID;
    // everywhere=1: every session of this user on this tenant ends, through the index, before
    // this one does (should that fail, the user is still signed in here and can try again).
    if (signedIn && isEverywhere(req)) await sessions.endAll(req.tenant, signedIn.username);
    if (req.session.user || req.session.tenantId) await destroySession(req);
    if (signedIn) await sessions.forget(req.tenant, signedIn.username, [sid]);
    signOutInBrowser(req, res, cookieNames);
    res.redirect(303, '/');
  });

  return router;
}
