import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Tenant } from '../tenants/tenant.ts';
import { createClusterStore } from './cluster-store.ts';
import { createMemoryStore } from './memory-store.ts';
import { createRedisStore } from './redis-store.ts';
import { createSentinelStore } from './sentinel-store.ts';
import type { Store } from './store.ts';
import { tenantStores, type Stores } from './stores.ts';

/**
 * Not yet connected: connecting is never awaited, so the app starts while Redis is down and
 * answers 503 until it is back.
 */
export function openStores(config: Config, logger: Logger, tenants?: () => Tenant[]): Stores {
  const timeoutMs = config.redisTimeoutMs;
  return tenantStores(openDefault(config, logger), {
    tenants,
    create: (url, name) => createRedisStore({ url, name, timeoutMs, logger }),
  });
}

function openDefault(config: Config, logger: Logger): Store {
  const timeoutMs = config.redisTimeoutMs;
  const { store } = config;
  if (store.kind === 'cluster')
    return createClusterStore({ nodes: store.nodes, timeoutMs, logger });
  if (store.kind === 'sentinel') {
    const { sentinels, master } = store;
    return createSentinelStore({ sentinels, master, timeoutMs, logger });
  }
  if (store.kind === 'redis') return createRedisStore({ url: store.url, timeoutMs, logger });
  logger.warn(
    'REDIS_URL is unset (nor REDIS_CLUSTER_NODES or REDIS_SENTINELS): sessions are kept in this process only (lost on restart, not shared between replicas)',
  );
  return createMemoryStore();
}
