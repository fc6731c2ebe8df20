import { normalizeHost } from './host.ts';
import type { TenantRegistry } from './registry.ts';
import type { Tenant } from './tenant.ts';

/** Hosts served beyond the tenant files' own: customers' verified domains (src/domains/). */
export interface DomainTenants {
  /** The id of the tenant a normalised host belongs to, from memory. */
  tenantIdOf(host: string): string | undefined;
}

/** The tenant serving a host (raw or normalised), or undefined. */
export type ResolveTenant = (host: string | undefined) => Tenant | undefined;

/**
 * A tenant file's host first, then a verified domain of a tenant whose file is still served: a
 * tenant removed from the files takes its domains with it, and no domain can shadow a file's host.
 */
export function tenantResolver(registry: TenantRegistry, domains?: DomainTenants): ResolveTenant {
  if (domains === undefined) return (host) => registry.resolve(host);
  return (host) => {
    const tenant = registry.resolve(host);
    if (tenant !== undefined) return tenant;
    const normalized = normalizeHost(host);
    const id = normalized === undefined ? undefined : domains.tenantIdOf(normalized);
    return id === undefined ? undefined : registry.get(id);
  };
}
