import type { Request, RequestHandler } from 'express';
import createError from 'http-errors';
import { requestHost } from '../tenants/host.ts';
import type { Tenant } from '../tenants/tenant.ts';
import { landingPage, type TenantLink } from './landing-page.ts';
import { sendPage } from './page.ts';

export interface FrontDoorOptions {
  centralHosts: readonly string[];
  /** The tenants to link; undefined names none (production: the list would map every customer). */
  tenants: (() => Tenant[]) | undefined;
}

const DEFAULT_PORTS: Record<string, string> = { http: '80', https: '443' };

/** The landing page on a central host, 404 for any other path there; before tenant resolution. */
export function frontDoor({ centralHosts, tenants }: FrontDoorOptions): RequestHandler {
  const central = new Set(centralHosts);
  return (req, res, next) => {
    const host = requestHost(req);
    if (host === undefined || !central.has(host)) return next();
    if ((req.method !== 'GET' && req.method !== 'HEAD') || req.path !== '/') {
      return next(createError(404, 'Not found'));
    }
    sendPage(req, res, landingPage(tenants?.().map((t) => linkTo(t, req))));
  };
}

/** Scheme and port as this request came in (X-Forwarded-* only from TRUST_PROXY). */
function linkTo(tenant: Tenant, req: Request): TenantLink {
  const host = tenant.hosts[0]!;
  const port = /:(\d+)$/.exec(req.host)?.[1];
  const suffix = port === undefined || port === DEFAULT_PORTS[req.protocol] ? '' : `:${port}`;
  return {
    name: tenant.name,
    host,
    color: tenant.color,
    url: `${req.protocol}://${host}${suffix}`,
  };
}

/** What the server prints at start: the front door's address and each tenant's, on this port. */
export function startUrls(options: {
  port: number;
  centralHosts: readonly string[];
  tenants: readonly Tenant[];
}): { frontDoor: string; tenants: { id: string; url: string }[] } {
  const { port, centralHosts, tenants } = options;
  const url = (host: string) => `http://${host}${port === 80 ? '' : `:${port}`}`;
  return {
    frontDoor: url(centralHosts[0] ?? 'localhost'),
    tenants: tenants.map((t) => ({ id: t.id, url: url(t.hosts[0]!) })),
  };
}
