import type { Logger } from 'pino';
import type { Db } from '../db/tables.ts';
import { recordNameOf } from './domain-name.ts';
import { rechecksRepository, type DueDomain, type RecheckTimes } from './rechecks-repository.ts';
import type { TxtLookup } from './txt-lookup.ts';

export interface DomainRechecksOptions extends RecheckTimes {
  db: Db;
  lookup: TxtLookup;
  logger: Logger;
}

/** Due domains taken per round; a round goes on until none is left. */
const BATCH = 50;
/** Lookups at once: DNS answers are slow, the database is not. */
const CONCURRENCY = 4;

/**
 * Looks each verified domain's TXT record up again every `recheckSeconds`, on every replica
 * alike: each due domain is claimed first (rechecksRepository.claim), so one replica checks it.
 * A domain whose record stays missing for `graceSeconds` is suspended, and the replicas stop
 * serving it at their next refresh of the verified domains.
 */
export class DomainRechecks {
  readonly #repo: ReturnType<typeof rechecksRepository>;
  readonly #options: DomainRechecksOptions;
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<number> | undefined;
  #closed = false;

  constructor(options: DomainRechecksOptions) {
    this.#options = options;
    this.#repo = rechecksRepository(options.db, options);
  }

  /** How often a replica looks for due domains: a quarter of the interval, from 1 s to a minute. */
  get tickMs(): number {
    return Math.min(60, Math.max(1, this.#options.recheckSeconds / 4)) * 1000;
  }

  start(): void {
    if (this.#closed || this.#timer) return;
    this.#timer = setInterval(() => void this.runOnce(), this.tickMs).unref();
  }

  /** Re-checks every domain due now (a round already running is joined); resolves to how many. */
  runOnce(): Promise<number> {
    this.#round ??= this.#checkAllDue()
      .catch((err: unknown) => {
        this.#options.logger.warn({ err }, 'domain re-checks failed; retrying at the next tick');
        return 0;
      })
      .finally(() => (this.#round = undefined));
    return this.#round;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#round;
  }

  async #checkAllDue(): Promise<number> {
    let checked = 0;
    for (;;) {
      const due = this.#closed ? [] : await this.#repo.due(BATCH);
      if (due.length === 0) return checked;
      const queue = [...due];
      const worker = async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          if (!this.#closed && (await this.#recheck(next))) checked++;
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      // Each was claimed (or taken by another replica): none of them is due any more.
      if (due.length < BATCH) return checked;
    }
  }

  async #recheck(due: DueDomain): Promise<boolean> {
    const token = await this.#repo.claim(due);
    if (token === undefined) return false;
    const check = await this.#options.lookup(recordNameOf(due.domain), token);
    const status = await this.#repo.record(due, token, check);
    if (status === 'suspended') {
      this.#options.logger.warn(
        { tenant: due.tenantId, domain: due.domain },
        'domain suspended: its TXT record has been missing for the grace period',
      );
    }
    return true;
  }
}
