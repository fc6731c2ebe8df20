import { randomBytes } from 'node:crypto';
import type { Router } from 'express';
import { pino } from 'pino';
import { createClient } from 'redis';
import { inject } from 'vitest';
import { createApp, type AppParts } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { Feature } from '../src/features/feature.ts';
import { appFeatures } from '../src/features/index.ts';
import { usersRepository } from '../src/accounts/users-repository.ts';
import { databaseUsers } from '../src/auth/user-directory.ts';
import { openParts } from '../src/parts.ts';
import { DEMO_TENANTS_DIR } from './demo.ts';
import { freshDatabase } from './postgres-databases.ts';
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
 * The app exactly as server.ts builds it (openParts, then createApp), on a real Redis and a real
 * PostgreSQL: its own APP_NAME, so its keys never meet another test's, and its own database, a
 * copy of the migrated template with the demo accounts. `close()` deletes every key it made,
 * closes what it opened and drops its database.
 */
export async function createTestApp(options: TestAppOptions = {}) {
  const logger = pino({ level: 'silent' });
  const redisUrl = options.redisUrl ?? inject('redisUrl');
  const db = await freshDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    TENANTS_DIR: DEMO_TENANTS_DIR,
    APP_NAME: `t-${randomBytes(4).toString('hex')}`,
    REDIS_URL: redisUrl,
    REDIS_TIMEOUT_MS: '500',
    DATABASE_URL: db.url,
    ...options.env,
  });
  const parts = await openParts({ config, env: options.tenantEnv ?? {}, logger });
  const store = parts.stores.default;
  await eventually(() => store.ping(), { timeoutMs: 5000, intervalMs: 50 });
  const app = createApp(parts);
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
    ...parts,
    app,
    redisUrl,
    db,
    store,
    redis,
    keys,
    async close() {
      const mine = await keys();
      if (mine.length > 0) await redis.del(mine);
      await redis.close();
      await parts.close();
      await db.drop();
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;

/** A test's own routers, in the places a feature has, all at `/` (the API at `/api`). */
export interface ExtraRoutes {
  beforeSession?: Router[];
  pages?: Router[];
  api?: Router[];
}

/**
 * The app as the server builds it from these parts (the app's own features built from them,
 * so a test may swap the stores or the user directory), plus a test's own routers after them.
 */
export function buildApp(
  parts: Omit<AppParts, 'features' | 'users'> & Partial<Pick<AppParts, 'users'>>,
  extra: ExtraRoutes = {},
) {
  const own: Feature[] = [
    ...(extra.beforeSession ?? []).map((beforeSession) => ({ prefix: '/', beforeSession })),
    ...(extra.pages ?? []).map((pages) => ({ prefix: '/', pages })),
    ...(extra.api ?? []).map((api) => ({ prefix: '/', api })),
  ];
  return createApp({
    users: databaseUsers(usersRepository(parts.database.db)),
    ...parts,
    features: [...appFeatures(parts), ...own],
  });
}
