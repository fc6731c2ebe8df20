import type { Express, RequestHandler, Response } from 'express';
import type { Counter, Histogram } from 'prom-client';
import type { Tenant } from '../tenants/tenant.ts';
import { keepRouteBase, routePattern } from './route-pattern.ts';

export interface RequestSeries {
  requests: Counter<'tenant' | 'method' | 'route' | 'status'>;
  duration: Histogram<'route' | 'status'>;
  tenantLabel: (tenantId: string | undefined) => string;
}

const STARTED_AT = Symbol('metrics: request started at');
type Timed = Response & { [STARTED_AT]: number };

/** Install it first, so refusals before a tenant is known (400, unknown hosts' 404) count too. */
export function requestMetrics(
  app: Express,
  { requests, duration, tenantLabel }: RequestSeries,
): RequestHandler {
  keepRouteBase(app);
  // One listener shared by every response, not a closure per request.
  function finished(this: Response) {
    const { req, statusCode } = this;
    const route = routePattern(req);
    const status = String(statusCode);
    const tenant = tenantLabel((req.tenant as Tenant | undefined)?.id);
    requests.inc({ tenant, method: req.method, route, status });
    duration.observe({ route, status }, (performance.now() - (this as Timed)[STARTED_AT]) / 1000);
  }
  return (_req, res, next) => {
    (res as Timed)[STARTED_AT] = performance.now();
    res.on('finish', finished);
    next();
  };
}
