import { watch, type FSWatcher } from 'node:fs';
import type { Logger } from 'pino';
import { normalizeHost } from './host.ts';
import { readTenantDir, tenantLoadError, type CheckedTenantDir } from './load-tenants.ts';
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
 * `reload()` swaps in a new index only when every file is valid, so a bad edit on a running server
 * is logged and the tenants keep working. An unchanged file keeps its Tenant object, and with it
 * whatever was built for it (its session middleware).
 */
export class TenantRegistry {
  #byHost: ReadonlyMap<string, Tenant>;
  #byId: ReadonlyMap<string, Tenant>;
  #tenants: readonly Tenant[];
  #files: CheckedTenantDir;
  #options: TenantRegistryOptions;
  #watcher: FSWatcher | undefined;
  #reloadTimer: NodeJS.Timeout | undefined;

  private constructor(options: TenantRegistryOptions, tenants: Tenant[], files: CheckedTenantDir) {
    this.#options = options;
    this.#tenants = tenants;
    this.#byHost = index(tenants);
    this.#byId = byId(tenants);
    this.#files = files;
  }

  /** Loads the directory; throws TenantLoadError naming every bad file, so start-up stops. */
  static async open(options: TenantRegistryOptions): Promise<TenantRegistry> {
    const { tenants, problems, files } = readTenantDir(options.dir, options);
    if (problems.length > 0) throw tenantLoadError(options.dir, problems);
    return new TenantRegistry(options, tenants, files);
  }

  /** The tenant serving this host, after normalisation; undefined for any other host. */
  resolve(host: string | undefined): Tenant | undefined {
    const normalized = normalizeHost(host);
    return normalized === undefined ? undefined : this.#byHost.get(normalized);
  }

  get(id: string): Tenant | undefined {
    return this.#byId.get(id);
  }

  list(): Tenant[] {
    return [...this.#tenants];
  }

  /**
   * Swaps in the directory's tenants if every file is valid. `everyFile` reads even the files that
   * look unchanged (SIGHUP: the operator's way round a file system whose times are too coarse).
   */
  async reload({ everyFile = false } = {}): Promise<boolean> {
    const { dir, logger } = this.#options;
    try {
      const previous = everyFile ? undefined : this.#files;
      const { tenants, problems, files } = readTenantDir(dir, this.#options, previous);
      // Kept even when refused: a file checked once is not parsed again until it changes.
      this.#files = files;
      if (problems.length > 0) throw tenantLoadError(dir, problems);
      const before = new Set(this.#tenants);
      const changed = tenants.filter((t) => !before.has(t)).map((t) => t.id);
      this.#tenants = tenants;
      this.#byHost = index(tenants);
      this.#byId = byId(tenants);
      logger.info({ tenants: tenants.length, changed }, 'tenants reloaded');
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

const byId = (tenants: Tenant[]): ReadonlyMap<string, Tenant> =>
  new Map(tenants.map((tenant) => [tenant.id, tenant]));
