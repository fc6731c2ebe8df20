import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/tables.ts';
import { withSystemScope, withTenant } from '../db/tenant-scope.ts';
import { DOMAIN_COLUMNS, toDomain, type Domain } from './domain.ts';
import type { TxtCheck } from './txt-lookup.ts';

/** A domain another tenant has verified, one this tenant has already, or one past the limit. */
export class DomainConflictError extends Error {}

/**
 * A tenant's own domains in the `domains` table (migration 0005). Every method but
 * `verifiedElsewhere` runs in withTenant: row-level security keeps it to that tenant's rows.
 */
export function domainsRepository(db: Db) {
  return {
    list: (tenantId: string): Promise<Domain[]> =>
      withTenant(db, tenantId, async (trx) => {
        const rows = await trx
          .selectFrom('domains')
          .select(DOMAIN_COLUMNS)
          .orderBy('created_at')
          .orderBy('domain')
          .execute();
        return rows.map(toDomain);
      }),

    find: (tenantId: string, domain: string): Promise<Domain | undefined> =>
      withTenant(db, tenantId, async (trx) => {
        const row = await trx
          .selectFrom('domains')
          .select(DOMAIN_COLUMNS)
          .where('domain', '=', domain)
          .executeTakeFirst();
        return row && toDomain(row);
      }),

    /** Adds a pending domain with a new token; DomainConflictError when it cannot be added. */
    add: (tenantId: string, domain: string, maxPerTenant: number): Promise<Domain> =>
      withTenant(db, tenantId, async (trx) => {
        // One add at a time per tenant, so two racing adds cannot both pass the count.
        await sql`select pg_advisory_xact_lock(hashtext(${`tenantry.domains:${tenantId}`}))`.execute(
          trx,
        );
        const mine = await trx.selectFrom('domains').select('domain').execute();
        if (mine.some((row) => row.domain === domain)) {
          throw new DomainConflictError(`${domain} is already one of this site’s domains.`);
        }
        if (mine.length >= maxPerTenant) {
          throw new DomainConflictError(
            `This site has ${mine.length} domains, the most allowed: remove one first.`,
          );
        }
        const row = await trx
          .insertInto('domains')
          .values({ tenant_id: tenantId, domain, token: randomBytes(24).toString('base64url') })
          .returning(DOMAIN_COLUMNS)
          .executeTakeFirstOrThrow();
        return toDomain(row);
      }),

    /** Whether a tenant other than `tenantId` has `domain` verified: the system scope's read. */
    verifiedElsewhere: (tenantId: string, domain: string): Promise<boolean> =>
      withSystemScope(db, async (trx) => {
        const row = await trx
          .selectFrom('domains')
          .select('tenant_id')
          .where('domain', '=', domain)
          .where('status', '=', 'verified')
          .where('tenant_id', '<>', tenantId)
          .executeTakeFirst();
        return row !== undefined;
      }),

    /**
     * Records a verify's lookup for the domain still holding `token` (undefined when it was
     * removed meanwhile): found makes it verified; otherwise its status stays and the reason is
     * kept. DomainConflictError when another tenant verified it first.
     */
    recordVerify: (tenantId: string, domain: string, token: string, check: TxtCheck) =>
      withTenant(db, tenantId, async (trx) => {
        const found = {
          status: 'verified' as const,
          verified_at: sql<Date>`now()`,
          check_problem: null,
          missing_since: null,
        };
        const update = trx
          .updateTable('domains')
          .set({ checked_at: sql<Date>`now()` })
          .set(check.found ? found : { check_problem: check.reason })
          .where('domain', '=', domain)
          .where('token', '=', token)
          .returning(DOMAIN_COLUMNS);
        const row = await update.executeTakeFirst().catch((err: unknown) => {
          // pg reports the index by name; PGlite's errors carry the same fields.
          const { code, constraint } = (err ?? {}) as { code?: unknown; constraint?: unknown };
          if (code === '23505' && constraint === 'domains_verified_domain_key') {
            throw new DomainConflictError(`${domain} has been verified by another site.`);
          }
          throw err;
        });
        return row && toDomain(row);
      }),

    remove: (tenantId: string, domain: string): Promise<boolean> =>
      withTenant(db, tenantId, async (trx) => {
        const result = await trx
          .deleteFrom('domains')
          .where('domain', '=', domain)
          .executeTakeFirst();
        return result.numDeletedRows > 0n;
      }),
  };
}

export type DomainsRepository = ReturnType<typeof domainsRepository>;
