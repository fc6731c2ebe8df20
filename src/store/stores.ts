import type { Tenant } from '../tenants/tenant.ts';
import type { Store } from './store.ts';

/**
 * Every store the app uses, and which one holds a tenant's data (sessions, the per-user index,
 * login limits, feature data). Routes and middlewares ask `forTenant(req.tenant)`, never hold a
 * client of their own, so a tenant can move to its own Redis without a code change.
 */
export interface Stores {
  /** The store named by REDIS_URL (or the in-process one in development). */
  readonly default: Store;
  forTenant(tenant: Tenant): Store;
  /** Every store in use now, the default first (for /readyz and shutdown). */
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
