import { Router, type Request, type RequestHandler, type Response } from 'express';
import createError from 'http-errors';
import type { z } from 'zod';
import { problemsOf } from '../web/forms.ts';
import { newInvitation, userChange } from './account-schemas.ts';
import type { AdminContext, UserAdmin } from './user-admin.ts';
import { linkTo } from './views.ts';

/** The acting owner or admin, once the guard has let them through. */
export const adminContext = (req: Request, res: Response): AdminContext => ({
  tenant: req.tenant,
  actor: res.locals.actor!,
  origin: linkTo(req, ''),
});

export const idOf = (req: Request): string => String(req.params.id);

/** The body, or a 400 naming what is wrong with it. */
function parsed<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body);
  if (!result.success) throw createError(400, problemsOf(result.error));
  return result.data;
}

/**
 * The admin JSON API at /api/admin: GET /users, GET and POST /invitations, DELETE
 * /invitations/:id, PATCH and DELETE /users/:id. Each route carries the guard itself (not the
 * router), so the other admin features under /api/admin pass through untouched.
 */
export function adminUsersApi(admin: UserAdmin, guard: RequestHandler): Router {
  const router = Router();

  router.get('/users', guard, async (req, res) => {
    res.json({ users: (await admin.overview(req.tenant)).users });
  });

  router.get('/invitations', guard, async (req, res) => {
    res.json({ invitations: (await admin.overview(req.tenant)).invitations });
  });

  router.post('/invitations', guard, async (req, res) => {
    const input = parsed(newInvitation, req.body);
    const { url, expiresAt } = await admin.invite(adminContext(req, res), input);
    // The link holds the token: no cache may keep this answer.
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json({ url, expiresAt });
  });

  router.delete('/invitations/:id', guard, async (req, res) => {
    await admin.withdraw(req.tenant, idOf(req));
    res.status(204).end();
  });

  router.patch('/users/:id', guard, async (req, res) => {
    const change = parsed(userChange, req.body);
    res.json(await admin.change(adminContext(req, res), idOf(req), change));
  });

  router.delete('/users/:id', guard, async (req, res) => {
    await admin.remove(adminContext(req, res), idOf(req));
    res.status(204).end();
  });

  return router;
}
