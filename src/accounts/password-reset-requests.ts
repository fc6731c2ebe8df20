import type { Request } from 'express';
import createError from 'http-errors';
import type { Logger } from 'pino';
import { passwordResetEmail } from './emails.ts';
import { sendInBackground, type Mailer } from './mailer.ts';
import type { PasswordResetsRepository } from './password-resets-repository.ts';
import type { ResetLimiter } from './reset-limiter.ts';
import type { UsersRepository } from './users-repository.ts';
import { linkTo } from './views.ts';

export interface ResetRequestsOptions {
  users: UsersRepository;
  resets: PasswordResetsRepository;
  limiter: ResetLimiter;
  mailer: Mailer;
  logger: Logger;
}

/**
 * "Email me a link": counted per address (429 past the limit) and per username (past it, no
 * email); a user who exists, is enabled and has an address gets a single-use link valid 30
 * minutes. Anyone else gets the same answer, and the email leaves in the background, so neither
 * the answer nor its timing says which it was.
 */
export function resetRequests({ users, resets, limiter, mailer, logger }: ResetRequestsOptions) {
  return async (req: Request, username: string): Promise<void> => {
    const { tenant } = req;
    const verdict = await limiter.count(tenant, username, req.ip ?? 'unknown');
    if (verdict.kind === 'address-limited') {
      throw createError(429, 'Too many reset requests from here. Try again later.', {
        headers: { 'Retry-After': String(verdict.wait) },
      });
    }
    if (verdict.kind === 'user-limited') {
      req.log.info({ tenant: tenant.id }, 'password reset not emailed: too many for this username');
      return;
    }
    const user = await users.findByUsername(tenant.id, username);
    if (!user || user.disabled || !user.email) return;
    const reset = await resets.create(tenant.id, user.id);
    if (!reset) return;
    const url = linkTo(req, `/password-reset/${reset.token}`);
    const email = passwordResetEmail(tenant, user.email, {
      url,
      expiresAt: reset.expiresAt,
      username: user.username,
    });
    sendInBackground(mailer, logger, email);
  };
}

export type ResetRequests = ReturnType<typeof resetRequests>;
