import type { Tenant } from '../tenants/tenant.ts';
import type { Store } from './store.ts';

/**
 * Code asks `forTenant(req.tenant)` and holds no client of its own, so a tenant can move to its own
 * Redis without a code change.
 */
export interface Stores {
  readonly default: Store;
  forTenant(tenant: Tenant): Store;
  /** Every store in use now, the default first (for /readyz). */
  all(): Store[];
  close(): Promise<void>;
}

/** One store for every tenant: the shape of a single Redis (or the development store). */
export function singleStore(store: Store): Stores {
  return {
    default: store,
    forTenant: () => store,
    all: () => [store],
    close: () => store.close(),
  };
}

export interface TenantStoresOptions {
  /** A store for a tenant's own Redis at `url`, named by the variable that holds it. */
  create: (url: string, name: string) => Store;
  /** The tenants now (the registry's list), so /readyz names every tenant store, used yet or not. */
  tenants?: () => Tenant[];
}

/**
 * The default store, plus one client per distinct tenant `redis.url`, made when first needed. A
 * tenant store that is down fails only the requests of its tenants.
 */
export function tenantStores(fallback: Store, { create, tenants }: TenantStoresOptions): Stores {
  const own = new Map<string, Store>();
  const forTenant = (tenant: Tenant): Store => {
    if (!tenant.redis) return fallback;
    const { url, urlEnv } = tenant.redis;
    let store = own.get(url);
    if (!store) {
      store = create(url, urlEnv);
      own.set(url, store);
    }
    return store;
  };
  return {
    default: fallback,
    forTenant,
    all: () => {
      const named = (tenants?.() ?? []).filter((t) => t.redis).map(forTenant);
      return [fallback, ...new Set([...named, ...own.values()])];
    },
    close: async () => {
      await Promise.all([fallback, ...own.values()].map((store) => store.close()));
    },
  };
}
