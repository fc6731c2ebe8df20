import { Router, type Request, type RequestHandler, type Response } from 'express';
import createError, { isHttpError } from 'http-errors';
import { formBody, formProblems, typedValue, type FormProblem } from '../web/forms.ts';
import { sendPage } from '../web/page.ts';
import { newInvitation, role } from './account-schemas.ts';
import { adminContext, idOf } from './admin-users-api.ts';
import { adminUsersPage, removeUserPage, type AdminUsersPageOptions } from './admin-users-page.ts';
import type { UserAdmin } from './user-admin.ts';
import { userView } from './views.ts';

type Shown = Pick<AdminUsersPageOptions, 'problems' | 'draft' | 'invited'> & { status?: number };

/**
 * /admin/users for owners and admins: the list, and a POST form for each action (HTML forms
 * cannot PATCH or DELETE), each answering 303 back to the list; a refusal shows the list again
 * with its reason and status.
 */
export function adminUsersPages(admin: UserAdmin, guard: RequestHandler): Router {
  const router = Router().use(guard);
  const form = formBody({ fields: 5 });

  const show = async (req: Request, res: Response, { status, ...shown }: Shown = {}) => {
    const { users, invitations } = await admin.overview(req.tenant);
    const body = adminUsersPage(req.tenant, {
      actor: res.locals.actor!,
      users,
      invitations,
      ...shown,
    });
    sendPage(req, res, { title: 'Users', body, status });
  };
  /** Runs an action, then back to the list; a 4xx refusal is shown on the list. */
  const act =
    (action: (req: Request, res: Response) => Promise<unknown>): RequestHandler =>
    async (req, res) => {
      try {
        await action(req, res);
      } catch (err) {
        if (!isHttpError(err) || err.status >= 500) throw err;
        return show(req, res, { status: err.status, problems: [{ message: err.message }] });
      }
      res.redirect(303, '/admin/users');
    };

  router.get('/', (req, res) => show(req, res));

  router.post('/invitations', form, async (req, res) => {
    const draft = Object.fromEntries(
      ['username', 'displayName', 'role', 'email'].map((name) => [
        name,
        typedValue(req.body, name, 300),
      ]),
    );
    const refused = (status: number, problems: FormProblem[]) =>
      show(req, res, { status, problems, draft });
    const input = newInvitation.safeParse(req.body);
    if (!input.success) return refused(400, formProblems(input.error));
    try {
      const { url, expiresAt } = await admin.invite(adminContext(req, res), input.data);
      res.setHeader('Cache-Control', 'no-store');
      const invited = {
        username: input.data.username,
        url,
        expiresAt,
        emailed: !!input.data.email,
      };
      return await show(req, res, { invited });
    } catch (err) {
      if (!isHttpError(err) || err.status >= 500) throw err;
      return refused(err.status, [
        { field: err.status === 409 ? 'username' : 'role', message: err.message },
      ]);
    }
  });

  router.post(
    '/invitations/:id/withdraw',
    act((req) => admin.withdraw(req.tenant, idOf(req))),
  );

  router.post(
    '/:id/role',
    form,
    act(async (req, res) => {
      const chosen = role.safeParse(typedValue(req.body, 'role'));
      if (!chosen.success) throw createError(400, 'A role is owner, admin or member.');
      return admin.change(adminContext(req, res), idOf(req), { role: chosen.data });
    }),
  );
  router.post(
    '/:id/disable',
    act((req, res) => admin.change(adminContext(req, res), idOf(req), { disabled: true })),
  );
  router.post(
    '/:id/enable',
    act((req, res) => admin.change(adminContext(req, res), idOf(req), { disabled: false })),
  );

  router.get('/:id/remove', async (req, res) => {
    const user = await admin.find(adminContext(req, res), idOf(req));
    sendPage(req, res, { title: 'Remove a user', body: removeUserPage(userView(user)) });
  });
  router.post(
    '/:id/remove',
    act((req, res) => admin.remove(adminContext(req, res), idOf(req))),
  );

  return router;
}
