import type { Logger } from 'pino';
import type { Db } from '../db/tables.ts';
import { withSystemScope } from '../db/tenant-scope.ts';
import type { DomainTenants } from '../tenants/tenant-resolver.ts';

/** How often each replica reads the verified domains again: what it serves lags by at most this. */
export const REFRESH_MS = 1000;

/**
 * Every tenant's verified domains, in memory: tenant resolution and `/tls/ask` look hosts up here,
 * with no database call per request or handshake. Each replica reads the whole list again every
 * REFRESH_MS through the system scope. Polling rather than LISTEN/NOTIFY: it needs no connection
 * held outside the bounded pool, works through a transaction-mode pooler (PgBouncer has no
 * LISTEN there), and after an outage the next read is simply right, with no missed notice to make
 * up for. While the database is away the last list read stays in service.
 */
export class VerifiedDomains implements DomainTenants {
  #tenantOf: ReadonlyMap<string, string> = new Map();
  readonly #db: Db;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | undefined;
  #reading: Promise<void> | undefined;
  #failing = false;
  #closed = false;

  constructor(db: Db, logger: Logger) {
    this.#db = db;
    this.#logger = logger;
  }

  /** Reads the list once, then keeps it fresh until close(). Starts even when the read fails. */
  static async open(db: Db, logger: Logger, intervalMs = REFRESH_MS): Promise<VerifiedDomains> {
    const domains = new VerifiedDomains(db, logger);
    await domains.refresh();
    domains.#schedule(intervalMs);
    return domains;
  }

  /** The id of the tenant that verified this (normalised) host, if one did. */
  tenantIdOf(host: string): string | undefined {
    return this.#tenantOf.get(host);
  }

  get size(): number {
    return this.#tenantOf.size;
  }

  /** Reads the list now; a failure keeps the last one (logged once per outage). */
  refresh(): Promise<void> {
    this.#reading ??= this.#read().finally(() => (this.#reading = undefined));
    return this.#reading;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#reading;
  }

  #schedule(intervalMs: number): void {
    if (this.#closed) return;
    // The next read is timed from the end of this one: a slow database never stacks them up.
    this.#timer = setTimeout(() => {
      void this.refresh().then(() => this.#schedule(intervalMs));
    }, intervalMs).unref();
  }

  async #read(): Promise<void> {
    try {
      const rows = await withSystemScope(this.#db, (trx) =>
        trx
          .selectFrom('domains')
          .select(['domain', 'tenant_id'])
          .where('status', '=', 'verified')
          .execute(),
      );
      this.#tenantOf = new Map(rows.map((row) => [row.domain, row.tenant_id]));
      if (this.#failing) this.#logger.info({ domains: rows.length }, 'verified domains read again');
      this.#failing = false;
    } catch (err) {
      if (!this.#failing) {
        this.#logger.warn({ err }, 'cannot read the verified domains; serving the last ones read');
      }
      this.#failing = true;
    }
  }
}
