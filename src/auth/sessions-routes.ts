import { Router, type Request } from 'express';
import createError from 'http-errors';
import type { Feature } from '../features/feature.ts';
import { sendPage } from '../web/page.ts';
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

/** "Your sessions": the page at /account/sessions and the JSON at /api/sessions. */
export function sessionsFeature(accounts: AccountSessions): Feature {
  return {
    prefix: '/account/sessions',
    pages: sessionPages(accounts),
    apiPrefix: '/sessions',
    api: sessionApi(accounts),
    nav: [{ label: 'Your sessions', path: '/account/sessions' }],
  };
}

/** Each session is ended by a POST form (HTML forms cannot send DELETE). */
function sessionPages(accounts: AccountSessions): Router {
  const router = Router().use(requireUser);
  router.get('/', async (req, res) => {
    const body = sessionsPage(req.tenant, req.user!, await accounts.list(req));
    sendPage(req, res, { title: 'Your sessions', body });
  });
  router.post('/end-others', async (req, res) => {
    await accounts.endOthers(req);
    res.redirect(303, '/account/sessions');
  });
  router.post('/:handle/end', async (req, res) => {
    await endByHandle(accounts, req);
    res.redirect(303, '/account/sessions');
  });
  return router;
}

function sessionApi(accounts: AccountSessions): Router {
  const router = Router().use(requireUser);
  router.get('/', async (req, res) => {
    res.json({ sessions: await accounts.list(req) });
  });
  // "Sign out everywhere else": every session of this user here but the one asking.
  router.delete('/', async (req, res) => {
    await accounts.endOthers(req);
    res.status(204).end();
  });
  router.delete('/:handle', async (req, res) => {
    await endByHandle(accounts, req);
    res.status(204).end();
  });
  return router;
}
