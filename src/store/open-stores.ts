import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { createMemoryStore } from './memory-store.ts';
import { createRedisStore } from './redis-store.ts';
import { singleStore, type Stores } from './stores.ts';

/**
 * The stores the configuration names, not yet connected (connecting is never awaited: the app
 * starts while Redis is down and answers 503 until it is back). Used by the server and the CLI.
 */
export function openStores(config: Config, logger: Logger): Stores {
  if (config.redisUrl) {
    return singleStore(
      createRedisStore({ url: config.redisUrl, timeoutMs: config.redisTimeoutMs, logger }),
    );
  }
  logger.warn(
    'REDIS_URL is unset: sessions are kept in this process only (lost on restart, not shared between replicas)',
  );
  return singleStore(createMemoryStore());
}
