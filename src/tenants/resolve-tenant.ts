import type { RequestHandler } from 'express';
import createError from 'http-errors';
import { requestHost } from './host.ts';
import type { TenantRegistry } from './registry.ts';
import { tenantResolver, type DomainTenants } from './tenant-resolver.ts';

/**
 * Finds the tenant for the request's host (a tenant file's, or a verified domain), or stops it
 * with a 404 before any session or Redis work. req.hostname honours X-Forwarded-Host only from
 * proxies named in TRUST_PROXY, so a client cannot pick another tenant by sending that header.
 */
export function resolveTenant(registry: TenantRegistry, domains?: DomainTenants): RequestHandler {
  const resolve = tenantResolver(registry, domains);
  return (req, _res, next) => {
    const tenant = resolve(requestHost(req));
    if (!tenant) return next(createError(404, 'No site is served at this address.'));
    req.tenant = tenant;
    next();
  };
}
