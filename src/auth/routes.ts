import express, { Router } from 'express';
import createError from 'http-errors';
import { z } from 'zod';
import { destroySession } from '../sessions/session-ops.ts';
import type { UserSessions } from '../sessions/user-sessions.ts';
import { loginPage } from './login-page.ts';
import type { LoginLimiter } from './login-limiter.ts';
import { UNKNOWN_USER_HASH, verifyPassword } from './password.ts';
import { safeNextPath } from './require-user.ts';
import type { StartSession } from './start-session.ts';
import type { UserDirectory } from './user-directory.ts';

const loginForm = z.object({
  username: z.string().trim().toLowerCase().min(1).max(64),
  password: z.string().min(1).max(1024),
  next: z.string().max(2048).optional(),
});

export interface AuthRoutesOptions {
  users: UserDirectory;
  limiter: LoginLimiter;
  /** Signs the user in (src/auth/start-session.ts). */
  startSession: StartSession;
  /** Each user's index of sessions: a logout takes from it. */
  sessions: UserSessions;
  /** Cookie names to clear on logout (plain and `__Host-`). */
  cookieNames: { http: string; https: string };
}

/**
 * GET/POST /login and POST /logout (with `everywhere=1`: on every device): the example of how to
 * sign a user in to one tenant.
 */
export function authRoutes(options: AuthRoutesOptions): Router {
  const { users, limiter, startSession, sessions, cookieNames } = options;
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

  router.post('/login', form, async (req, res) => {
    // Every answer here starts a session or echoes a username: no cache may keep it.
    res.setHeader('Cache-Control', 'no-store');
    const parsed = loginForm.safeParse(req.body);
    if (!parsed.success) {
      throw createError(400, 'Send one username and one password as a form.');
    }
    const { username, password } = parsed.data;
    const next = safeNextPath(parsed.data.next);
    const attempt = { tenant: req.tenant, username, clientIp: req.ip ?? 'unknown' };

    const wait = await limiter.admit(attempt);
    if (wait > 0) {
      res.setHeader('Retry-After', String(wait));
      res.status(429).type('html');
      res.send(
        loginPage(req.tenant, {
          error: 'Too many failed sign-ins. Try again later.',
          username,
          next,
        }),
      );
      return;
    }

    const user = await users.findUser(req.tenant, username);
    // The same work for an unknown user as for a wrong password: the answer reveals nothing.
    const ok = await verifyPassword(password, user?.passwordHash ?? UNKNOWN_USER_HASH);
    // A disabled user gets the same answer after the same work, so it reveals nothing either.
    if (!user || !ok || user.disabled) {
      res.status(401).type('html');
      res.send(loginPage(req.tenant, { error: 'Wrong username or password.', username, next }));
      return;
    }

    await limiter.reset(attempt);
    await startSession(req, user);
    res.redirect(303, next);
  });

  router.post('/logout', form, async (req, res) => {
    const signedIn = req.user;
    const sid = req.sessionID;
    // everywhere=1: every session of this user on this tenant ends, through the index, before
    // this one does (should that fail, the user is still signed in here and can try again).
    if (signedIn && isEverywhere(req.body)) await sessions.endAll(req.tenant, signedIn.username);
    if (req.session.user || req.session.tenantId) await destroySession(req);
    if (signedIn) await sessions.forget(req.tenant, signedIn.username, [sid]);
    const cookie = { path: '/', httpOnly: true, sameSite: 'lax' } as const;
    res.clearCookie(cookieNames.http, cookie);
    if (req.secure) res.clearCookie(cookieNames.https, { ...cookie, secure: true });
    // Ask the browser to drop what this origin stored too.
    res.setHeader('Clear-Site-Data', '"cookies", "storage"');
    res.redirect(303, '/');
  });

  return router;
}

/** The logout form's `everywhere=1`. */
const isEverywhere = (body: unknown) =>
  typeof body === 'object' && body !== null && (body as Record<string, unknown>).everywhere === '1';
