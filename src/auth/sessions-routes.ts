import { Router, type Request } from 'express';
import createError from 'http-errors';
import type { AccountSessions } from './account-sessions.ts';
import { requireUser } from './require-user.ts';
import { sessionsPage } from './sessions-page.ts';

/** Handles are 22 base64url characters; anything else is not one (404 without a Redis read). */
const HANDLE = /^[A-Za-z0-9_-]{22}$/;

const noSuchSession = () => createError(404, 'No such session.');

async function endByHandle(accounts: AccountSessions, req: Request): Promise<void> {
  const handle = String(req.params.handle);
  if (!HANDLE.test(handle) || !(await accounts.end(req, handle))) throw noSuchSession();
}

/**
 * "Your sessions" for people: GET /account/sessions lists them; each is ended by a POST form
 * (HTML forms cannot send DELETE), which the cross-origin check guards like any POST.
 */
export function sessionPages(accounts: AccountSessions): Router {
  const router = Router();
  router.get('/account/sessions', requireUser, async (req, res) => {
    res.type('html').send(sessionsPage(req.tenant, req.user!, await accounts.list(req)));
  });
  router.post('/account/sessions/end-others', requireUser, async (req, res) => {
    await accounts.endOthers(req);
    res.redirect(303, '/account/sessions');
  });
  router.post('/account/sessions/:handle/end', requireUser, async (req, res) => {
    await endByHandle(accounts, req);
    res.redirect(303, '/account/sessions');
  });
  return router;
}

/** The same for scripts, mounted under /api: GET and DELETE /api/sessions[/<handle>]. */
export function sessionApi(accounts: AccountSessions): Router {
  const router = Router();
  router.get('/', requireUser, async (req, res) => {
    res.json({ sessions: await accounts.list(req) });
  });
  // "Sign out everywhere else": every session of this user here but the one asking.
  router.delete('/', requireUser, async (req, res) => {
    await accounts.endOthers(req);
    res.status(204).end();
  });
  router.delete('/:handle', requireUser, async (req, res) => {
    await endByHandle(accounts, req);
    res.status(204).end();
  });
  return router;
}
