import { usersRepository } from '../accounts/users-repository.ts';
import { requireRole } from '../auth/require-role.ts';
import type { Config } from '../config.ts';
import type { AppDatabase } from '../db/open-database.ts';
import type { Feature } from '../features/feature.ts';
import type { SignedInUser } from '../sessions/session-data.ts';
import type { TenantRegistry } from '../tenants/registry.ts';
import { domainsApi } from './domains-api.ts';
import { domainsPages } from './domains-pages.ts';
import { domainsRepository } from './domains-repository.ts';
import { domainsService } from './domains-service.ts';
import { txtLookup } from './txt-lookup.ts';

export interface DomainsFeatureDeps {
  config: Config;
  database: AppDatabase;
  tenants: TenantRegistry;
}

/** In the navigation for the roles that may manage domains (the routes ask the database again). */
const managesDomains = (user: SignedInUser | undefined) =>
  user?.role === 'owner' || user?.role === 'admin';

/**
 * Customers' own domains: the page at /admin/domains and the API at /api/admin/domains, for a
 * tenant's owners and admins. Serving them is src/domains/verified-domains.ts's, re-checking them
 * domain-rechecks.ts's; src/parts.ts opens both.
 */
export function domainsFeature({ config, database, tenants }: DomainsFeatureDeps): Feature {
  const service = domainsService({
    repo: domainsRepository(database.db),
    lookup: txtLookup(config.domains.dnsServers),
    tenants,
    centralHosts: config.centralHosts,
    config: config.domains,
  });
  const guard = requireRole(usersRepository(database.db), 'owner', 'admin');
  return {
    prefix: '/admin/domains',
    pages: domainsPages(service, guard, config.domains.maxPerTenant),
    api: domainsApi(service, guard),
    nav: [{ label: 'Domains', path: '/admin/domains', when: managesDomains }],
  };
}
