import type { Logger } from 'pino';
import { accountsFeatures } from '../accounts/accounts-features.ts';
import type { HashQueue } from '../auth/hash-queue.ts';
import type { Config } from '../config.ts';
import type { AppDatabase } from '../db/open-database.ts';
import { domainsFeature } from '../domains/domains-feature.ts';
import type { Stores } from '../store/stores.ts';
import type { TenantRegistry } from '../tenants/registry.ts';
import type { Feature } from './feature.ts';
import { homeFeature } from './home/home-routes.ts';
import { notesFeature } from './notes/notes-routes.ts';
import { pgNotesRepository } from './notes/pg-notes-repository.ts';

/** What a feature may be built from: the app's parts (src/parts.ts). */
export interface FeatureDeps {
  config: Config;
  stores: Stores;
  database: AppDatabase;
  tenants: TenantRegistry;
  logger: Logger;
  /** The process's one password-hashing queue. */
  hashing: HashQueue;
}

/**
 * The app's own features, in navigation order. src/parts.ts builds them for the server and the
 * tests alike. Add a folder beside home/ and notes/ (the worked example, docs/extending.md) and
 * list it here.
 */
export function appFeatures(deps: FeatureDeps): Feature[] {
  return [
    homeFeature(),
    notesFeature(pgNotesRepository(deps.database.db)),
    // Accounts: your account, the users' administration, invitations, password resets.
    ...accountsFeatures(deps),
    domainsFeature(deps),
  ];
}
