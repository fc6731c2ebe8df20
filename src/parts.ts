import type { Logger } from 'pino';
import type { AppParts } from './app.ts';
import { usersRepository } from './accounts/users-repository.ts';
import { createHashQueue, HASH_QUEUE_DEFAULTS } from './auth/hash-queue.ts';
import { databaseUsers } from './auth/user-directory.ts';
import type { Config } from './config.ts';
import { startDatabase } from './db/start-database.ts';
import { openCustomDomains, type CustomDomains } from './domains/open-domains.ts';
import { appFeatures } from './features/index.ts';
import { createMetrics } from './observability/metrics.ts';
import { openStores } from './store/open-stores.ts';
import { TenantRegistry } from './tenants/registry.ts';

export interface Parts extends AppParts {
  domains: CustomDomains['verified'];
  /** Customers' domains' scheduled re-checks (runOnce() for tests and operators). */
  domainRechecks: CustomDomains['rechecks'];
  /** Lets go of everything opened here: the tenant watcher, the stores, the database (bounded). */
  close(): Promise<void>;
}

export interface OpenPartsOptions {
  config: Config;
  /** Where tenant files' `sessionSecretEnv` and `redis.urlEnv` names are looked up. */
  env: Record<string, string | undefined>;
  logger: Logger;
}

/**
 * The one wiring: everything the app is built from, opened from the configuration. The server
 * and the tests both call it, so the tests serve exactly what runs. Throws TenantLoadError when a
 * tenant file is invalid, and the database's start errors (src/db/start-database.ts): the server
 * never serves on an older schema, nor in production as a role that could bypass row-level
 * security. Stores connect in the background: the app starts while Redis is down.
 */
export async function openParts({ config, env, logger }: OpenPartsOptions): Promise<Parts> {
  const tenants = await TenantRegistry.open({
    dir: config.tenantsDir,
    env,
    logger,
    centralHosts: config.centralHosts,
  });
  if (config.usingDevSecret) {
    logger.warn('SESSION_SECRET is unset: signing with the public development secret');
  }
  const database = await startDatabase(config, logger);
  const stores = openStores(config, logger, () => tenants.list());
  // One queue for every password hash, so sign-ins and password changes share the machine's slots.
  const hashing = createHashQueue({
    concurrency: config.loginHashConcurrency,
    ...HASH_QUEUE_DEFAULTS,
  });
  const metrics = config.metrics
    ? createMetrics({
        stores,
        tenantLabels: config.metricsTenantLabels,
        databaseUp: async () => (await database.state()) === 'up',
      })
    : undefined;
  const domains = await openCustomDomains(database.db, config.domains, logger);
  return {
    config,
    logger,
    tenants,
    stores,
    database,
    users: databaseUsers(usersRepository(database.db)),
    hashing,
    features: appFeatures({ config, stores, database, tenants, logger, hashing }),
    metrics,
    domains: domains.verified,
    domainRechecks: domains.rechecks,
    async close() {
      tenants.close();
      await domains.close();
      await Promise.all([stores.close(), database.close()]);
    },
  };
}
