import type { DomainStatus } from '../db/tables.ts';
import { recordNameOf } from './domain-name.ts';

export type { DomainStatus };

/** One of a tenant's own domains, as the routes and the page see it. */
export interface Domain {
  domain: string;
  status: DomainStatus;
  /** The value of the TXT record at `_tenantry.<domain>`: random, per domain and tenant. */
  token: string;
  createdAt: Date;
  verifiedAt: Date | null;
  checkedAt: Date | null;
  /** Why the latest check did not find the record; null when it did, or before any check. */
  checkProblem: string | null;
  /** The first re-check that missed the record, while it is missing. */
  missingSince: Date | null;
}

export interface DomainRow {
  domain: string;
  status: DomainStatus;
  token: string;
  created_at: Date;
  verified_at: Date | null;
  checked_at: Date | null;
  check_problem: string | null;
  missing_since: Date | null;
}

export const DOMAIN_COLUMNS = [
  'domain',
  'status',
  'token',
  'created_at',
  'verified_at',
  'checked_at',
  'check_problem',
  'missing_since',
] as const;

export const toDomain = (row: DomainRow): Domain => ({
  domain: row.domain,
  status: row.status,
  token: row.token,
  createdAt: row.created_at,
  verifiedAt: row.verified_at,
  checkedAt: row.checked_at,
  checkProblem: row.check_problem,
  missingSince: row.missing_since,
});

/** The JSON API's shape (the contract's), with the record to publish. */
export const domainJson = (d: Domain) => ({
  domain: d.domain,
  status: d.status,
  verification: { type: 'TXT', name: recordNameOf(d.domain), value: d.token },
  createdAt: d.createdAt.toISOString(),
  verifiedAt: d.verifiedAt?.toISOString() ?? null,
});
