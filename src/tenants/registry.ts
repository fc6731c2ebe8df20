import { watch, type FSWatcher } from 'node:fs';
import type { Logger } from 'pino';
import { normalizeHost } from './host.ts';
import { loadTenants } from './load-tenants.ts';
import type { Tenant } from './tenant.ts';

export interface TenantRegistryOptions {
  dir: string;
  /** Where `sessionSecretEnv` names are looked up (server.ts passes process.env). */
  env: Record<string, string | undefined>;
  logger: Logger;
  /** CENTRAL_HOSTS: a file claiming one of these is refused, like any other invalid file. */
  centralHosts?: readonly string[];
}

/**
 * The tenants of one directory, indexed by host. `reload()` swaps in a new index only when every
 * file is valid, so a bad edit on a running server is logged and the tenants keep working.
 */
export class TenantRegistry {
  #byHost: ReadonlyMap<string, Tenant>;
  #options: TenantRegistryOptions;
  #watcher: FSWatcher | undefined;
  #reloadTimer: NodeJS.Timeout | undefined;

  private constructor(options: TenantRegistryOptions, tenants: Tenant[]) {
    this.#options = options;
    this.#byHost = index(tenants);
  }

  /** Loads the directory; throws TenantLoadError naming every bad file, so start-up stops. */
  static async open(options: TenantRegistryOptions): Promise<TenantRegistry> {
    const { dir, env, centralHosts } = options;
    return new TenantRegistry(options, await loadTenants(dir, env, { centralHosts }));
  }

  /** The tenant serving this host, after normalisation; undefined for any other host. */
  resolve(host: string | undefined): Tenant | undefined {
    const normalized = normalizeHost(host);
    return normalized === undefined ? undefined : this.#byHost.get(normalized);
  }

  list(): Tenant[] {
    return [...new Set(this.#byHost.values())];
  }

  async reload(): Promise<boolean> {
    const { dir, env, logger, centralHosts } = this.#options;
    try {
      const tenants = await loadTenants(dir, env, { centralHosts });
      this.#byHost = index(tenants);
      logger.info({ tenants: tenants.map((t) => t.id) }, 'tenants reloaded');
      return true;
    } catch (err) {
      logger.error({ err }, 'tenant reload refused; the previous tenants stay in service');
      return false;
    }
  }

  /** Reloads shortly after any change in the directory (editors write files in several steps). */
  watch(debounceMs = 200): void {
    this.#watcher ??= watch(this.#options.dir, () => {
      clearTimeout(this.#reloadTimer);
      this.#reloadTimer = setTimeout(() => void this.reload(), debounceMs);
    });
    this.#watcher.on('error', (err) => this.#options.logger.warn({ err }, 'tenant watch failed'));
  }

  close(): void {
    clearTimeout(this.#reloadTimer);
    this.#watcher?.close();
    this.#watcher = undefined;
  }
}

function index(tenants: Tenant[]): ReadonlyMap<string, Tenant> {
  return new Map(tenants.flatMap((tenant) => tenant.hosts.map((host) => [host, tenant] as const)));
}
