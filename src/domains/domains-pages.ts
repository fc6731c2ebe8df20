import { Router, type Request, type RequestHandler, type Response } from 'express';
import { isHttpError } from 'http-errors';
import { formBody, typedValue, type FormProblem } from '../web/forms.ts';
import { sendPage } from '../web/page.ts';
import { domainsPage } from './domains-page.ts';
import type { DomainsService } from './domains-service.ts';

interface Refusal {
  status: number;
  problems: FormProblem[];
  draft?: string | undefined;
}

/**
 * GET /admin/domains, POST /admin/domains (add), POST /admin/domains/:domain/verify and
 * /:domain/delete (forms cannot DELETE), for owners and admins. Each write answers 303 back to the
 * page, which shows what the last check found; a refusal shows the page again with its reason.
 */
export function domainsPages(
  domains: DomainsService,
  guard: RequestHandler,
  maxPerTenant: number,
): Router {
  // The guard before the parser: nobody who may not manage domains gets a body parsed.
  const router = Router().use(guard);
  const form = formBody({ fields: 2 });

  const show = async (req: Request, res: Response, refused?: Refusal) => {
    const list = await domains.list(req.tenant.id);
    const body = domainsPage(req.tenant, { domains: list, maxPerTenant, ...refused });
    sendPage(req, res, { title: 'Domains', body, status: refused?.status });
  };
  /** A 4xx shown on the page (about the domain field when `field`); anything else thrown on. */
  const refuse = (req: Request, res: Response, err: unknown, field?: string, draft?: string) => {
    if (!isHttpError(err) || err.status >= 500 || err.status === 404) throw err;
    const problem =
      field === undefined ? { message: err.message } : { field, message: err.message };
    return show(req, res, { status: err.status, problems: [problem], draft });
  };
  const back = (res: Response) => res.redirect(303, '/admin/domains');

  router.get('/', (req, res) => show(req, res));

  router.post('/', form, async (req, res) => {
    try {
      await domains.add(req.tenant.id, { domain: typedValue(req.body, 'domain') ?? '' });
    } catch (err) {
      return refuse(req, res, err, 'domain', typedValue(req.body, 'domain', 300));
    }
    back(res);
  });

  router.post('/:domain/verify', async (req, res) => {
    try {
      await domains.verify(req.tenant.id, req.params.domain);
    } catch (err) {
      return refuse(req, res, err);
    }
    back(res);
  });

  router.post('/:domain/delete', async (req, res) => {
    await domains.remove(req.tenant.id, req.params.domain);
    back(res);
  });

  return router;
}
