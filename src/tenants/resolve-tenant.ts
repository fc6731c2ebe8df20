import type { RequestHandler } from 'express';
import createError from 'http-errors';
import { requestHost } from './host.ts';
import type { TenantRegistry } from './registry.ts';
import { tenantResolver, type DomainTenants } from './tenant-resolver.ts';

/**
 * 404 before any session or Redis work. X-Forwarded-Host counts only from TRUST_PROXY, so a client
 * cannot pick another tenant by sending it.
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
