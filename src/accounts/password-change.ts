import type { Request, Response } from 'express';
import createError from 'http-errors';
import type { LoginLimiter } from '../auth/login-limiter.ts';
import { hashPassword, UNKNOWN_USER_HASH, verifyPassword } from '../auth/password.ts';
import type { UserSessions } from '../sessions/user-sessions.ts';
import type { AccountHashing } from './hashing.ts';
import type { UsersRepository } from './users-repository.ts';

export interface PasswordChangeOptions {
  users: UsersRepository;
  /** Sign-in's limiter: a wrong current password counts as a failed sign-in. */
  limiter: LoginLimiter;
  hashing: AccountHashing;
  sessions: UserSessions;
}

/**
 * Changes the signed-in user's password: the current one must be right (403 otherwise, counted
 * like a failed sign-in, so a stolen session cannot guess its way to the password; 429 past the
 * limit), then every other session of the user is deleted through the index.
 */
export function passwordChanger({ users, limiter, hashing, sessions }: PasswordChangeOptions) {
  return async (
    req: Request,
    res: Response,
    input: { currentPassword: string; newPassword: string },
  ) => {
    const { tenant } = req;
    const signedIn = req.user!;
    const admission = await limiter.admit({
      tenant,
      username: signedIn.username,
      clientIp: req.ip ?? 'unknown',
    });
    if (admission.wait > 0) {
      const why = admission.reason === 'successes' ? 'password checks' : 'wrong passwords';
      throw createError(429, `Too many ${why}. Try again later.`, {
        headers: { 'Retry-After': String(admission.wait) },
      });
    }
    const user = await users.findById(tenant.id, signedIn.id);
    let ok: boolean;
    try {
      ok = await hashing(req, res, () =>
        verifyPassword(input.currentPassword, user?.passwordHash ?? UNKNOWN_USER_HASH),
      );
    } catch (err) {
      await admission.release();
      throw err;
    }
    if (!ok || !user || user.disabled) throw createError(403, 'Your current password is wrong.');
    await admission.succeeded();
    const hash = await hashing(req, res, () => hashPassword(input.newPassword));
    await users.setPasswordHash(tenant.id, user.id, hash);
    await sessions.endAll(tenant, user.username, req.sessionID);
  };
}

export type PasswordChanger = ReturnType<typeof passwordChanger>;
