import express, { type Express, type RequestHandler } from 'express';
import type { Metrics } from '../observability/metrics.ts';
import type { TenantRegistry } from '../tenants/registry.ts';
import type { DomainTenants } from '../tenants/tenant-resolver.ts';
import { metricsRoute } from './metrics-route.ts';
import { tlsAsk } from './tls-ask.ts';

export interface InternalAppDeps {
  tenants: TenantRegistry;
  /** CENTRAL_HOSTS, normalised: they belong to no tenant, so no certificate is asked for them. */
  centralHosts: readonly string[];
  /** GET /metrics serves them; without them (METRICS=off), 404. */
  metrics?: Metrics | undefined;
  /** Customers' verified domains, in memory: `ask` says yes to them too. */
  domains?: DomainTenants | undefined;
}

/** INTERNAL_PORT's app, for the proxy and operators: never published, never on the main port. */
export function createInternalApp(deps: InternalAppDeps): Express {
  const { tenants, centralHosts, metrics, domains } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.get('/tls/ask', tlsAsk({ tenants, centralHosts, domains }));
  if (metrics) app.get('/metrics', metricsRoute(metrics.registry));
  app.use(notFound);
  return app;
}

const notFound: RequestHandler = (_req, res) => {
  res.status(404).json({ error: 'Not found' });
};
