import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { createClient } from 'redis';
import { inject } from 'vitest';
import { createApp, type AppDeps } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { AppRoutes } from '../../src/features/feature.ts';
import { appFeatures } from '../../src/features/index.ts';
import { createRedisStore } from '../../src/store/redis-store.ts';
import { singleStore } from '../../src/store/stores.ts';
import { TenantRegistry } from '../../src/tenants/registry.ts';
import { DEMO_TENANTS_DIR } from './demo.ts';
import { eventually } from './polling.ts';

export interface TestAppOptions {
  /** Extra environment for loadConfig (APP_NAME defaults to a fresh one per app). */
  env?: Record<string, string>;
  /** Environment the tenant registry resolves `sessionSecretEnv` from. */
  tenantEnv?: Record<string, string>;
  /** Defaults to the suite's shared Redis. */
  redisUrl?: string;
}

/**
 * The app exactly as server.ts builds it, on a real Redis, with its own APP_NAME so its keys
 * never meet another test's. `close()` deletes every key it made and closes the client.
 */
export async function createTestApp(options: TestAppOptions = {}) {
  const logger = pino({ level: 'silent' });
  const redisUrl = options.redisUrl ?? inject('redisUrl');
  const config = loadConfig({
    NODE_ENV: 'test',
    TENANTS_DIR: DEMO_TENANTS_DIR,
    APP_NAME: `t-${randomBytes(4).toString('hex')}`,
    REDIS_URL: redisUrl,
    REDIS_TIMEOUT_MS: '500',
    ...options.env,
  });
  const tenants = await TenantRegistry.open({
    dir: config.tenantsDir,
    env: options.tenantEnv ?? {},
    logger,
    centralHosts: config.centralHosts,
  });
  const store = createRedisStore({
    url: redisUrl,
    timeoutMs: config.redisTimeoutMs,
    logger,
  });
  await eventually(() => store.ping(), { timeoutMs: 5000, intervalMs: 50 });
  const stores = singleStore(store);
  const app = buildApp({ config, tenants, stores, logger });
  const redis = createClient({ url: redisUrl });
  await redis.connect();

  /** Every key this app made, in any prefix. */
  const keys = async () => {
    const found: string[] = [];
    for await (const batch of redis.scanIterator({ MATCH: `*:${config.appName}:*`, COUNT: 1000 })) {
      found.push(...batch);
    }
    return found.sort();
  };
  return {
    app,
    config,
    redisUrl,
    tenants,
    store,
    stores,
    redis,
    logger,
    keys,
    async close() {
      const mine = await keys();
      if (mine.length > 0) await redis.del(mine);
      await redis.close();
      await stores.close();
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;

/**
 * The app as src/server.ts builds it (createApp with the app's own features), plus any routers a
 * test adds in the same places, after the features' own.
 */
export function buildApp(deps: Omit<AppDeps, 'routes'>, extra: AppRoutes = {}) {
  const own = appFeatures({ config: deps.config, stores: deps.stores });
  return createApp({
    ...deps,
    routes: {
      beforeSession: [...(own.beforeSession ?? []), ...(extra.beforeSession ?? [])],
      pages: [...(own.pages ?? []), ...(extra.pages ?? [])],
      api: [...(own.api ?? []), ...(extra.api ?? [])],
    },
  });
}
