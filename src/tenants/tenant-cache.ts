import { LRUCache } from 'lru-cache';
import type { Tenant } from './tenant.ts';

/**
 * Built on first use for the `max` most recent tenants, so memory follows the tenants served. A
 * reloaded file (a new Tenant object) is built again, so a changed policy or secret takes effect
 * on its next request.
 */
export function tenantCache<V extends object>(
  max: number,
  build: (tenant: Tenant) => V,
): (tenant: Tenant) => V {
  const cache = new LRUCache<string, { tenant: Tenant; value: V }>({ max });
  return (tenant) => {
    const entry = cache.get(tenant.id);
    if (entry?.tenant === tenant) return entry.value;
    const value = build(tenant);
    cache.set(tenant.id, { tenant, value });
    return value;
  };
}
