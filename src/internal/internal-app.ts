import express, { type Express, type RequestHandler } from 'express';
import type { TenantRegistry } from '../tenants/registry.ts';
import type { DomainTenants } from '../tenants/tenant-resolver.ts';
import { tlsAsk } from './tls-ask.ts';

export interface InternalAppDeps {
  tenants: TenantRegistry;
  /** CENTRAL_HOSTS, normalised: they belong to no tenant, so no certificate is asked for them. */
  centralHosts: readonly string[];
  /** Customers' verified domains, in memory: `ask` says yes to them too. */
  domains?: DomainTenants;
}

/**
 * The app of the internal listener (INTERNAL_PORT): routes for the proxy and for operators, never
 * published and never served on the main port. Each answers from memory.
 */
export function createInternalApp({ tenants, centralHosts, domains }: InternalAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.get('/tls/ask', tlsAsk({ tenants, centralHosts, domains }));
  app.use(notFound);
  return app;
}

const notFound: RequestHandler = (_req, res) => {
  res.status(404).json({ error: 'Not found' });
};
