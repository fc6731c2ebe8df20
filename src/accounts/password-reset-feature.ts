import { Router, type Request, type Response } from 'express';
import createError, { isHttpError } from 'http-errors';
import { hashPassword } from '../auth/password.ts';
import type { Feature } from '../features/feature.ts';
import type { UserSessions } from '../sessions/user-sessions.ts';
import { formBody, formProblems, typedValue } from '../web/forms.ts';
import { sendPage } from '../web/page.ts';
import { newPasswordForm, resetRequest } from './account-schemas.ts';
import type { AccountHashing } from './hashing.ts';
import { newPasswordPage, resetRequestPage } from './password-reset-pages.ts';
import type { PasswordResetsRepository } from './password-resets-repository.ts';
import type { ResetRequests } from './password-reset-requests.ts';
import { tokenOf, tokenPathsUnlogged } from './token-links.ts';

export interface PasswordResetFeatureOptions {
  requestReset: ResetRequests;
  resets: PasswordResetsRepository;
  hashing: AccountHashing;
  sessions: UserSessions;
}

const GONE = 'This reset link is unknown, used or expired: ask for a new one.';
const TITLE = 'Reset your password';

/**
 * Password reset by email: GET and POST /password-reset (ask for a link), GET and POST
 * /password-reset/<token> (set a new password: every session of the user ends, then 303 to
 * /login). A token unknown, used or expired, or another tenant's, is 410.
 */
export function passwordResetFeature(options: PasswordResetFeatureOptions): Feature {
  const { requestReset, resets, hashing, sessions } = options;
  const pages = Router();
  const form = formBody({ fields: 2 });
  const page = (
    req: Request,
    res: Response,
    body: ReturnType<typeof newPasswordPage>,
    status = 200,
  ) => {
    res.setHeader('Cache-Control', 'no-store');
    sendPage(req, res, { title: TITLE, body, status });
  };
  const openToken = async (req: Request) => {
    const token = tokenOf(req, GONE);
    if (!(await resets.isOpen(req.tenant.id, token))) throw createError(410, GONE);
    return token;
  };

  pages.get('/', (req, res) => page(req, res, resetRequestPage()));
  pages.post('/', form, async (req, res) => {
    const input = resetRequest.safeParse(req.body);
    const username = typedValue(req.body, 'username', 64);
    if (!input.success)
      return page(
        req,
        res,
        resetRequestPage({ problems: formProblems(input.error), username }),
        400,
      );
    try {
      await requestReset(req, input.data.username);
    } catch (err) {
      if (!isHttpError(err) || err.status !== 429) throw err;
      res.setHeader('Retry-After', String(err.headers?.['Retry-After'] ?? 60));
      return page(
        req,
        res,
        resetRequestPage({ problems: [{ message: err.message }], username }),
        429,
      );
    }
    return page(req, res, resetRequestPage({ sent: true, username: input.data.username }));
  });

  pages.get('/:token', async (req, res) => {
    await openToken(req);
    page(req, res, newPasswordPage(req.originalUrl));
  });
  pages.post('/:token', form, async (req, res) => {
    const token = await openToken(req);
    const input = newPasswordForm.safeParse(req.body);
    if (!input.success)
      return page(req, res, newPasswordPage(req.originalUrl, formProblems(input.error)), 400);
    const passwordHash = await hashing(req, res, () => hashPassword(input.data.password));
    const user = await resets.consume(req.tenant.id, token, passwordHash);
    if (!user) throw createError(410, GONE);
    await sessions.endAll(req.tenant, user.username);
    res.redirect(303, '/login');
  });

  return { prefix: '/password-reset', beforeSession: tokenPathsUnlogged('/password-reset'), pages };
}
