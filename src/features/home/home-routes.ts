import { Router } from 'express';
import { requireUser } from '../../auth/require-user.ts';
import { homePage } from './home-page.ts';

/** The tenant's home page: what a visitor sees first. Replace it with your own. */
export function homePages(): Router {
  return Router().get('/', (req, res) => {
    res.type('html').send(homePage(req.tenant, req.user));
  });
}

/** GET /api/me: who is signed in here, for scripts and front ends (mounted under /api). */
export function homeApi(): Router {
  return Router().get('/me', requireUser, (req, res) => {
    const user = req.user!;
    res.json({
      tenant: { id: req.tenant.id, name: req.tenant.name },
      user: { username: user.username, displayName: user.displayName },
    });
  });
}
