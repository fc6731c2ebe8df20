import type { Logger } from 'pino';
import type { DomainsConfig } from '../config.ts';
import type { Db } from '../db/tables.ts';
import { DomainRechecks } from './domain-rechecks.ts';
import { txtLookup } from './txt-lookup.ts';
import { VerifiedDomains } from './verified-domains.ts';

export interface CustomDomains {
  /** Every tenant's verified domains, in memory, refreshed every second. */
  verified: VerifiedDomains;
  /** The scheduled re-checks, with suspension after the grace period. */
  rechecks: DomainRechecks;
  close(): Promise<void>;
}

/** What serves and re-checks customers' domains on this replica, started. */
export async function openCustomDomains(
  db: Db,
  config: DomainsConfig,
  logger: Logger,
): Promise<CustomDomains> {
  const verified = await VerifiedDomains.open(db, logger);
  const rechecks = new DomainRechecks({
    db,
    lookup: txtLookup(config.dnsServers),
    recheckSeconds: config.recheckSeconds,
    graceSeconds: config.graceSeconds,
    logger,
  });
  rechecks.start();
  return {
    verified,
    rechecks,
    close: async () => {
      await Promise.all([verified.close(), rechecks.close()]);
    },
  };
}
