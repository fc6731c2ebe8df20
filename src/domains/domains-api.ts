import { Router, type RequestHandler } from 'express';
import { domainJson } from './domain.ts';
import type { DomainsService } from './domains-service.ts';

/**
 * GET /api/admin/domains, POST /api/admin/domains (`{"domain"}`, 201), POST
 * /api/admin/domains/:domain/verify (200, `reason` while pending) and DELETE
 * /api/admin/domains/:domain (204), for owners and admins of the request's tenant.
 */
export function domainsApi(domains: DomainsService, guard: RequestHandler): Router {
  const router = Router().use(guard);

  router.get('/', async (req, res) => {
    res.json({ domains: (await domains.list(req.tenant.id)).map(domainJson) });
  });

  router.post('/', async (req, res) => {
    res.status(201).json(domainJson(await domains.add(req.tenant.id, req.body)));
  });

  router.post('/:domain/verify', async (req, res) => {
    const { domain, reason } = await domains.verify(req.tenant.id, req.params.domain);
    res.json(reason === undefined ? domainJson(domain) : { ...domainJson(domain), reason });
  });

  router.delete('/:domain', async (req, res) => {
    await domains.remove(req.tenant.id, req.params.domain);
    res.status(204).end();
  });

  return router;
}
