import createError from 'http-errors';
import { z } from 'zod';
import type { DomainsConfig } from '../config.ts';
import type { TenantRegistry } from '../tenants/registry.ts';
import { problemsOf } from '../web/forms.ts';
import type { Domain } from './domain.ts';
import { parseDomain, recordNameOf } from './domain-name.ts';
import { DomainConflictError, type DomainsRepository } from './domains-repository.ts';
import type { TxtLookup } from './txt-lookup.ts';

export interface DomainsServiceDeps {
  repo: DomainsRepository;
  lookup: TxtLookup;
  tenants: TenantRegistry;
  centralHosts: readonly string[];
  config: Pick<DomainsConfig, 'maxPerTenant'>;
}

/** A new domain, from the page's form or the API's JSON alike. */
export const newDomain = z
  .object(
    {
      domain: z
        .string({ error: 'The domain must be a string.' })
        .max(1000, 'That domain name is too long.'),
    },
    {
      error: (i) =>
        i.code === 'invalid_type' ? 'Send {"domain": "shop.example.com"}.' : undefined,
    },
  )
  .strict();

/**
 * What the page and the API do with a tenant's domains; every refusal an http-errors 4xx with a
 * message for people (400 for a name that can never be added, 404 for none of this tenant's, 409
 * for a conflict).
 */
export function domainsService({
  repo,
  lookup,
  tenants,
  centralHosts,
  config,
}: DomainsServiceDeps) {
  const central = new Set(centralHosts);
  /** The domain of a path, as stored; anything else is none of this tenant's. */
  const ofPath = (param: unknown): string => {
    const parsed = typeof param === 'string' ? parseDomain(param) : undefined;
    if (parsed?.domain === undefined) throw createError(404, 'No such domain.');
    return parsed.domain;
  };
  const conflict = (err: unknown) =>
    err instanceof DomainConflictError ? createError(409, err.message) : err;

  return {
    list: (tenantId: string) => repo.list(tenantId),

    async add(tenantId: string, body: unknown): Promise<Domain> {
      const input = newDomain.safeParse(body);
      if (!input.success) throw createError(400, problemsOf(input.error));
      const parsed = parseDomain(input.data.domain);
      if (parsed.problem !== undefined) throw createError(400, parsed.problem);
      const { domain } = parsed;
      if (central.has(domain)) {
        throw createError(400, `${domain} is this service’s own address, not a site’s.`);
      }
      if (tenants.resolve(domain) !== undefined) {
        throw createError(400, `${domain} is already served here as a site’s address.`);
      }
      if (await repo.verifiedElsewhere(tenantId, domain)) {
        throw createError(409, `${domain} has been verified by another site.`);
      }
      return repo.add(tenantId, domain, config.maxPerTenant).catch((err: unknown) => {
        throw conflict(err);
      });
    },

    /**
     * Looks the domain's TXT record up (unless it is verified already) and records what was
     * found: the domain, with the reason when the record was not there.
     */
    async verify(tenantId: string, param: unknown): Promise<{ domain: Domain; reason?: string }> {
      const name = ofPath(param);
      const found = await repo.find(tenantId, name);
      if (found === undefined) throw createError(404, 'No such domain.');
      if (found.status === 'verified') return { domain: found };
      if (await repo.verifiedElsewhere(tenantId, name)) {
        throw createError(409, `${name} has been verified by another site.`);
      }
      const check = await lookup(recordNameOf(name), found.token);
      const domain = await repo.recordVerify(tenantId, name, found.token, check).catch((err) => {
        throw conflict(err);
      });
      // Removed, or removed and added again with a new token, while the lookup ran.
      if (domain === undefined) throw createError(404, 'No such domain.');
      return check.found ? { domain } : { domain, reason: check.reason };
    },

    async remove(tenantId: string, param: unknown): Promise<void> {
      if (!(await repo.remove(tenantId, ofPath(param)))) throw createError(404, 'No such domain.');
    },
  };
}

export type DomainsService = ReturnType<typeof domainsService>;
