import { Router } from 'express';
import { requireUser } from '../../auth/require-user.ts';
import { sendPage } from '../../web/page.ts';
import type { Feature } from '../feature.ts';
import { homePage } from './home-page.ts';

/**
 * The tenant's home page (what a visitor sees first; replace it with your own) and GET /api/me:
 * who is signed in here, for scripts and front ends.
 */
export function homeFeature(): Feature {
  return {
    prefix: '/',
    pages: Router().get('/', (req, res) => {
      sendPage(req, res, { title: 'Home', body: homePage(req.tenant, req.user) });
    }),
    api: Router().get('/me', requireUser, (req, res) => {
      const user = req.user!;
      res.json({
        tenant: { id: req.tenant.id, name: req.tenant.name },
        user: { username: user.username, displayName: user.displayName },
      });
    }),
  };
}
