import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { openParts } from '../src/parts.ts';
import { freshDatabase } from './postgres-databases.ts';
import type { KindServers } from './store-kinds.ts';
import { eventually } from './polling.ts';

/**
 * The app exactly as server.ts builds it (openParts: the default store the environment names, and
 * each tenant's own), on the servers of one kind of store, with its own APP_NAME so its keys never
 * meet another test's, and its own database. The same shape as createTestApp's, with `redis` an
 * operator's view of every store of the kind. `close()` deletes every key it made, closes its
 * clients and drops its database.
 */
export async function createKindApp(
  servers: KindServers,
  options: { env?: Record<string, string> } = {},
) {
  const logger = pino({ level: 'silent' });
  const db = await freshDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    TENANTS_DIR: servers.tenantsDir,
    APP_NAME: `k-${randomBytes(4).toString('hex')}`,
    REDIS_TIMEOUT_MS: '500',
    DATABASE_URL: db.url,
    ...servers.env,
    ...options.env,
  });
  const parts = await openParts({ config, env: servers.tenantEnv, logger });
  const { stores } = parts;
  await eventually(() => Promise.all(stores.all().map((store) => store.ping())), {
    timeoutMs: 15_000,
    intervalMs: 50,
  });
  const app = createApp(parts);
  const redis = await servers.raw();

  /** Every key this app made, in any prefix, on every store of the kind. */
  const keys = () => redis.keys(`*:${config.appName}:*`);
  return {
    ...parts,
    app,
    db,
    store: stores.default,
    redis,
    keys,
    async close() {
      await redis.del(await keys());
      await redis.close();
      await parts.close();
      await db.drop();
    },
  };
}

export type KindApp = Awaited<ReturnType<typeof createKindApp>>;
