import type { RequestHandler } from 'express';
import createError from 'http-errors';
import { z } from 'zod';
import type { Tenant } from '../tenants/tenant.ts';
import type { DeviceCookies } from './device-cookie.ts';
import { ClientGoneError, HashQueueBusyError, type HashQueue } from './hash-queue.ts';
import type { LoginLimiter } from './login-limiter.ts';
import { formProblems } from '../web/forms.ts';
import { sendPage } from '../web/page.ts';
import { loginPage, type LoginPageOptions } from './login-page.ts';
import { UNKNOWN_USER_HASH, verifyPassword } from './password.ts';
import { safeNextPath } from './require-user.ts';
import type { StartSession } from './start-session.ts';
import type { UserDirectory } from './user-directory.ts';

/** A sign-in form: one of each field (a repeated or nested one is no form a page sent). */
const loginForm = z.object({
  username: z.string(),
  password: z.string(),
  next: z.string().max(2048).optional(),
});

/** `locked`: refused by the limiter (429); `busy`: no turn to hash (503). */
export type LoginOutcome = 'success' | 'failure' | 'locked' | 'busy';

const credentials = z.object({
  username: z
    .string()
    .trim()
    .toLowerCase()
    .min(1, 'Enter your username.')
    .max(64, 'A username is at most 64 characters.'),
  password: z
    .string()
    .min(1, 'Enter your password.')
    .max(1024, 'A password is at most 1024 characters.'),
});

export interface LoginRouteOptions {
  users: UserDirectory;
  limiter: LoginLimiter;
  /** Every password check goes through it, the unknown user's included. */
  hashing: HashQueue;
  devices: DeviceCookies;
  startSession: StartSession;
  /** Told how each attempt ended (the metrics count them). */
  onAttempt?: (tenant: Tenant, outcome: LoginOutcome) => void;
}

/**
 * POST /login, in this order: count the attempt (429 before any hashing), wait for a turn to hash
 * (503), check the password, then start a new session and issue the device cookie.
 */
export function loginRoute({
  users,
  limiter,
  hashing,
  devices,
  startSession,
  onAttempt,
}: LoginRouteOptions): RequestHandler {
  return async (req, res) => {
    // Every answer here starts a session or echoes a username: no cache may keep it.
    res.setHeader('Cache-Control', 'no-store');
    const form = loginForm.safeParse(req.body);
    if (!form.success) throw createError(400, 'Send one username and one password as a form.');
    const next = safeNextPath(form.data.next);
    const page = (status: number, options: LoginPageOptions) =>
      sendPage(req, res, { title: 'Sign in', body: loginPage(req.tenant, options), status });
    const parsed = credentials.safeParse(form.data);
    if (!parsed.success) {
      const problems = formProblems(parsed.error);
      return page(400, { problems, username: form.data.username.slice(0, 64), next });
    }
    const { username, password } = parsed.data;
    const answer = (status: number, error: string, retryAfter?: number) => {
      if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
      page(status, { error, username, next });
    };
    // Fires when the client hangs up before the answer: a hash still waiting is then dropped.
    const clientGone = new AbortController();
    res.once('close', () => clientGone.abort());

    const admission = await limiter.admit({
      tenant: req.tenant,
      username,
      clientIp: req.ip ?? 'unknown',
      deviceId: devices.deviceIdFor(req, username),
    });
    if (admission.wait > 0) {
      onAttempt?.(req.tenant, 'locked');
      const what = admission.reason === 'successes' ? 'sign-ins' : 'failed sign-ins';
      return answer(429, `Too many ${what}. Try again later.`, admission.wait);
    }

    const user = await users.findUser(req.tenant, username);
    let ok: boolean;
    try {
      // The same work for an unknown user as for a wrong password: the answer reveals nothing.
      const hash = user?.passwordHash ?? UNKNOWN_USER_HASH;
      ok = await hashing.run(req.tenant.id, clientGone.signal, () =>
        verifyPassword(password, hash),
      );
    } catch (err) {
      if (!(err instanceof HashQueueBusyError || err instanceof ClientGoneError)) throw err;
      // Nothing was checked, so the attempt is no failure (a user retrying a busy server must not
      // lock themselves out).
      await admission.release();
      if (err instanceof HashQueueBusyError) {
        onAttempt?.(req.tenant, 'busy');
        answer(503, err.message, err.retryAfterSeconds);
      }
      return undefined;
    }
    // A disabled user gets the same answer after the same work, so it reveals nothing either.
    if (!user || !ok || user.disabled) {
      onAttempt?.(req.tenant, 'failure');
      return answer(401, 'Wrong username or password.');
    }

    await admission.succeeded();
    await startSession(req, user);
    devices.issue(req, res, user.username);
    onAttempt?.(req.tenant, 'success');
    res.redirect(303, next);
    return undefined;
  };
}
