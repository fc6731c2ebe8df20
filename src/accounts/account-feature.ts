import { Router } from 'express';
import createError, { isHttpError } from 'http-errors';
import { requireUser } from '../auth/require-user.ts';
import type { Feature } from '../features/feature.ts';
import { formBody, formProblems, problemsOf } from '../web/forms.ts';
import { sendPage } from '../web/page.ts';
import { passwordChange } from './account-schemas.ts';
import { accountPage } from './account-page.ts';
import type { PasswordChanger } from './password-change.ts';

/** Where a refusal of the form points: the current password's field, or the whole form. */
const fieldOf = (status: number) => (status === 403 ? 'currentPassword' : undefined);

/**
 * "Your account" at /account (the page, whose form posts to /account/password) and
 * POST /api/account/password (JSON, 204).
 */
export function accountFeature(changePassword: PasswordChanger): Feature {
  const pages = Router();
  pages.get('/', requireUser, (req, res) => {
    const changed = req.query.password === 'changed';
    sendPage(req, res, {
      title: 'Your account',
      body: accountPage(req.tenant, req.user!, { changed }),
    });
  });
  pages.post('/password', requireUser, formBody({ fields: 3 }), async (req, res) => {
    const show = (status: number, message: string, field?: string) =>
      sendPage(req, res, {
        title: 'Your account',
        status,
        body: accountPage(req.tenant, req.user!, { problems: [{ field, message }] }),
      });
    const input = passwordChange.safeParse(req.body);
    if (!input.success) {
      const body = accountPage(req.tenant, req.user!, { problems: formProblems(input.error) });
      return sendPage(req, res, { title: 'Your account', status: 400, body });
    }
    try {
      await changePassword(req, res, input.data);
    } catch (err) {
      if (!isHttpError(err) || err.status >= 500 || err.status === 401) throw err;
      for (const [name, value] of Object.entries(err.headers ?? {})) res.setHeader(name, value);
      return show(err.status, err.message, fieldOf(err.status));
    }
    res.redirect(303, '/account?password=changed');
  });

  const api = Router();
  api.post('/password', requireUser, async (req, res) => {
    const input = passwordChange.safeParse(req.body);
    if (!input.success) throw createError(400, problemsOf(input.error));
    await changePassword(req, res, input.data);
    res.status(204).end();
  });

  return {
    prefix: '/account',
    pages,
    api,
    nav: [{ label: 'Account', path: '/account' }],
  };
}
