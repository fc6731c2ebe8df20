import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.ts';
import { openStores } from '../../src/store/open-stores.ts';
import { TenantRegistry } from '../../src/tenants/registry.ts';
import type { KindServers } from './store-kinds.ts';
import { eventually } from './polling.ts';
import { buildApp } from './test-app.ts';

/**
 * The app as server.ts builds it (openStores: the default store the environment names, and each
 * tenant's own), on the servers of one kind of store, with its own APP_NAME so its keys never meet
 * another test's. The same shape as createTestApp's, with `redis` an operator's view of every
 * store of the kind. `close()` deletes every key it made and closes its clients.
 */
export async function createKindApp(
  servers: KindServers,
  options: { env?: Record<string, string> } = {},
) {
  const logger = pino({ level: 'silent' });
  const config = loadConfig({
    NODE_ENV: 'test',
    TENANTS_DIR: servers.tenantsDir,
    APP_NAME: `k-${randomBytes(4).toString('hex')}`,
    REDIS_TIMEOUT_MS: '500',
    ...servers.env,
    ...options.env,
  });
  const tenants = await TenantRegistry.open({
    dir: config.tenantsDir,
    env: servers.tenantEnv,
    logger,
  });
  const stores = openStores(config, logger, () => tenants.list());
  await eventually(() => Promise.all(stores.all().map((store) => store.ping())), {
    timeoutMs: 15_000,
    intervalMs: 50,
  });
  const app = buildApp({ config, tenants, stores, logger });
  const redis = await servers.raw();

  /** Every key this app made, in any prefix, on every store of the kind. */
  const keys = () => redis.keys(`*:${config.appName}:*`);
  return {
    app,
    config,
    tenants,
    store: stores.default,
    stores,
    redis,
    logger,
    keys,
    async close() {
      await redis.del(await keys());
      await redis.close();
      await stores.close();
    },
  };
}

export type KindApp = Awaited<ReturnType<typeof createKindApp>>;
