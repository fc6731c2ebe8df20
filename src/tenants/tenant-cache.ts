import { LRUCache } from 'lru-cache';
import type { Tenant } from './tenant.ts';

/**
 * Something built for a tenant on first use and kept for at most `max` tenants, the most recently
 * used (TENANT_CACHE_SIZE), so memory follows the tenants being served, not every tenant file.
 * Keyed by tenant id, each entry remembers the Tenant object it was built from: a reloaded tenant
 * file (a new object) is built again at once, so a changed policy or secret takes effect on its
 * next request, while an unchanged tenant keeps its entry across reloads.
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
