import { sql } from 'kysely';
import type { Db } from '../db/tables.ts';
import { withSystemScope, withTenant } from '../db/tenant-scope.ts';
import type { TxtCheck } from './txt-lookup.ts';

export interface DueDomain {
  tenantId: string;
  domain: string;
}

const secondsAgo = (seconds: number) => sql<Date>`now() - make_interval(secs => ${seconds})`;

/**
 * The re-checks' queries. Finding what is due reads across tenants (the system scope, read only);
 * each claim and each result is written in that domain's own tenant transaction.
 */
export function rechecksRepository(db: Db, { recheckSeconds, graceSeconds }: RecheckTimes) {
  return {
    /** Verified domains last checked (or verified) at least `recheckSeconds` ago, oldest first. */
    due: (limit: number): Promise<DueDomain[]> =>
      withSystemScope(db, async (trx) => {
        const rows = await trx
          .selectFrom('domains')
          .select(['tenant_id', 'domain'])
          .where('status', '=', 'verified')
          .where(sql<Date>`coalesce(checked_at, verified_at)`, '<=', secondsAgo(recheckSeconds))
          .orderBy(sql`coalesce(checked_at, verified_at)`)
          .limit(limit)
          .execute();
        return rows.map((r) => ({ tenantId: r.tenant_id, domain: r.domain }));
      }),

    /**
     * Takes one due domain for this replica: the update matches only while it is still due, so
     * of several replicas racing for it (each waits for the other's row lock, then reads the row
     * again) one gets its token and the others nothing.
     */
    claim: ({ tenantId, domain }: DueDomain): Promise<string | undefined> =>
      withTenant(db, tenantId, async (trx) => {
        const row = await trx
          .updateTable('domains')
          .set({ checked_at: sql<Date>`now()` })
          .where('domain', '=', domain)
          .where('status', '=', 'verified')
          .where(sql<Date>`coalesce(checked_at, verified_at)`, '<=', secondsAgo(recheckSeconds))
          .returning('token')
          .executeTakeFirst();
        return row?.token;
      }),

    /**
     * A claimed re-check's result, stamped with the time it came in: found clears the grace
     * period; an answer without the token starts it (or, once `graceSeconds` have passed since it
     * started, suspends the domain); a failed lookup changes neither. Returns the domain's status
     * afterwards.
     */
    record: ({ tenantId, domain }: DueDomain, token: string, check: TxtCheck) =>
      withTenant(db, tenantId, async (trx) => {
        const missing = (reason: string) => ({
          check_problem: reason,
          missing_since: sql<Date>`coalesce(missing_since, now())`,
          status: sql<
            'verified' | 'suspended'
          >`case when coalesce(missing_since, now()) <= ${secondsAgo(graceSeconds)} then 'suspended' else status end`,
        });
        const row = await trx
          .updateTable('domains')
          .set({
            // The time the result came in, the one the grace period is measured against.
            checked_at: sql<Date>`now()`,
            ...(check.found
              ? { check_problem: null, missing_since: null }
              : check.definite
                ? missing(check.reason)
                : { check_problem: check.reason }),
          })
          .where('domain', '=', domain)
          .where('token', '=', token)
          .where('status', '=', 'verified')
          .returning('status')
          .executeTakeFirst();
        return row?.status;
      }),
  };
}

export interface RecheckTimes {
  recheckSeconds: number;
  graceSeconds: number;
}
