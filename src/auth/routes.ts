import express, { Router } from 'express';
import createError from 'http-errors';
import { z } from 'zod';
import { destroySession, regenerateSession, saveSession } from '../sessions/session-ops.ts';
import type { Stores } from '../store/stores.ts';
import { loginPage } from './login-page.ts';
import type { LoginLimiter } from './login-limiter.ts';
import { UNKNOWN_USER_HASH, verifyPassword } from './password.ts';
import { safeNextPath } from './require-user.ts';
import type { UserDirectory } from './user-directory.ts';

const credentials = z.object({
  username: z.string().trim().toLowerCase().min(1).max(64),
  password: z.string().min(1).max(1024),
  next: z.string().max(2048).optional(),
});

export interface AuthRoutesOptions {
  users: UserDirectory;
  limiter: LoginLimiter;
  /** Cookie names to clear on logout (plain and `__Host-`). */
  cookieNames: { http: string; https: string };
  /** Where each tenant's sessions live (for Sentinel's wait for a replica). */
  stores: Stores;
}

/** GET/POST /login and POST /logout: the example of how to sign a user in to one tenant. */
export function authRoutes({ users, limiter, cookieNames, stores }: AuthRoutesOptions): Router {
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
    const parsed = credentials.safeParse(req.body);
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
    if (!user || !ok) {
      res.status(401).type('html');
      res.send(loginPage(req.tenant, { error: 'Wrong username or password.', username, next }));
      return;
    }

    await limiter.reset(attempt);
    // A new session id at login, so an id planted before sign-in (fixation) is worthless.
    await regenerateSession(req);
    // The store stamps the new session with this tenant and its start (src/sessions/tenant-store.ts).
    req.session.user = { username: user.username, displayName: user.displayName };
    // Saved before answering: a 303 is only sent once the session really exists in the store.
    await saveSession(req);
    // With Sentinel, also on a replica (WAIT 1): a failover right after this answer keeps the login.
    await stores.forTenant(req.tenant).replicate?.();
    res.redirect(303, next);
  });

  router.post('/logout', async (req, res) => {
    if (req.session.user || req.session.tenantId) await destroySession(req);
    const cookie = { path: '/', httpOnly: true, sameSite: 'lax' } as const;
    res.clearCookie(cookieNames.http, cookie);
    if (req.secure) res.clearCookie(cookieNames.https, { ...cookie, secure: true });
    // Ask the browser to drop what this origin stored too.
    res.setHeader('Clear-Site-Data', '"cookies", "storage"');
    res.redirect(303, '/');
  });

  return router;
}
