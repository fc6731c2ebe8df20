import { Router } from 'express';
import { homePage } from './pages.ts';

/** The tenant's pages and API. Add your own routes here or in a router beside this one. */
export function siteRoutes(): Router {
  const router = Router();

  router.get('/', (req, res) => {
    res.type('html').send(homePage(req.tenant, req.session.user));
  });

  router.get('/api/me', (req, res) => {
    const { user } = req.session;
    if (!user) {
      res.status(401).json({ error: 'Not signed in' });
      return;
    }
    res.json({
      tenant: { id: req.tenant.id, name: req.tenant.name },
      user: { username: user.username, displayName: user.displayName },
    });
  });

  return router;
}
