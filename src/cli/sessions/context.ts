import { setTimeout as delay } from 'node:timers/promises';
import { pino } from 'pino';
import { ConfigError, loadConfig, type Config } from '../../config.ts';
import { sessionHandles } from '../../sessions/session-handle.ts';
import { createUserSessions } from '../../sessions/user-sessions.ts';
import type { HostPort, Store } from '../../store/store.ts';
import { openStores } from '../../store/open-stores.ts';
import { redactUrl } from '../../store/state-log.ts';
import { TenantLoadError } from '../../tenants/load-tenants.ts';
import { TenantRegistry } from '../../tenants/registry.ts';
import type { Tenant } from '../../tenants/tenant.ts';
import { CliError } from './cli-error.ts';

/**
 * What the commands work on, read exactly as the server reads it: the environment (.env loaded
 * by the entry point), TENANTS_DIR, and the stores the configuration names.
 */
export async function openContext(env: Record<string, string | undefined>) {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
  if (config.store.kind === 'memory') {
    throw new CliError(
      'REDIS_URL is unset (nor REDIS_CLUSTER_NODES or REDIS_SENTINELS): the server then keeps sessions inside its own process, out of reach of this command. Set it to the Redis the server uses.',
    );
  }
  const logger = pino({ level: 'silent' });
  let tenants: TenantRegistry;
  try {
    tenants = await TenantRegistry.open({ dir: config.tenantsDir, env, logger });
  } catch (err) {
    if (err instanceof TenantLoadError) throw new CliError(err.message);
    throw err;
  }
  const stores = openStores(config, logger, () => tenants.list());
  const defaults = {
    ttlSeconds: config.sessionTtlSeconds,
    absoluteSeconds: config.sessionAbsoluteSeconds,
    maxPerUser: config.sessionMaxPerUser,
  };
  const ready = new Map<Store, Promise<void>>();
  return {
    config,
    tenants,
    userSessions: createUserSessions({ stores, appName: config.appName, defaults }),
    handleOf: sessionHandles(config.sessionSecrets[0]!),
    /** The tenant with this id, or a CliError naming it and TENANTS_DIR. */
    tenant(id: string): Tenant {
      const tenant = tenants.list().find((t) => t.id === id);
      if (!tenant)
        throw new CliError(
          `unknown tenant "${id}": no tenant file in ${config.tenantsDir} has that id`,
        );
      return tenant;
    },
    /** The tenant's store, once it answers; "Redis unreachable" within about REDIS_TIMEOUT_MS. */
    async storeOf(tenant: Tenant) {
      const store = stores.forTenant(tenant);
      if (!ready.has(store)) {
        ready.set(store, waitUntilReady(store, describe(config, store), config.redisTimeoutMs));
      }
      await ready.get(store);
      return store.kv;
    },
    close: () => stores.close(),
  };
}

export type CliContext = Awaited<ReturnType<typeof openContext>>;

/** Where a store is, for messages (passwords masked). */
function describe(config: Config, store: Store): string {
  if (store.name !== 'default') return `the Redis named by ${store.name}`;
  const list = (nodes: HostPort[]) => nodes.map((n) => `${n.host}:${n.port}`).join(',');
  const { store: chosen } = config;
  if (chosen.kind === 'cluster') return `the cluster at ${list(chosen.nodes)}`;
  if (chosen.kind === 'sentinel') return `the sentinels at ${list(chosen.sentinels)}`;
  return chosen.kind === 'redis' ? redactUrl(chosen.url) : 'this process';
}

/** The client connects in the background and refuses commands until then: wait, boundedly. */
async function waitUntilReady(store: Store, url: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs + 500;
  do {
    try {
      await store.ping();
      return;
    } catch {
      await delay(50);
    }
  } while (performance.now() < deadline);
  throw new CliError(`Redis unreachable at ${url}: no answer within ${timeoutMs + 500} ms`);
}
