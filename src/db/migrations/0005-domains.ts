import { sql, type Kysely } from 'kysely';
import { tenantIdCheck, tenantPolicies } from './tenant-policies.ts';

/**
 * Customers' own domains: each proved by a DNS TXT record holding the row's token. Every replica
 * reads the verified ones of all tenants through the system scope (a SELECT-only policy).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('domains')
    .addColumn('tenant_id', 'text', (c) => c.notNull().check(tenantIdCheck))
    // Lower-case ASCII (punycode), no trailing dot: src/domains/domain-name.ts.
    .addColumn('domain', 'text', (c) =>
      c.notNull().check(sql`domain ~ '^[a-z0-9-]+(\\.[a-z0-9-]+)+$' and length(domain) <= 253`),
    )
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`status in ('pending', 'verified', 'suspended')`),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('verified_at', 'timestamptz')
    .addColumn('checked_at', 'timestamptz')
    // Why the latest check did not find the token; null once found.
    .addColumn('check_problem', 'text')
    // The first re-check that missed the record: the grace period runs from here.
    .addColumn('missing_since', 'timestamptz')
    .addPrimaryKeyConstraint('domains_pkey', ['tenant_id', 'domain'])
    .execute();
  // One tenant per verified domain, whatever tenant is asking: an index sees past row-level security.
  await db.schema
    .createIndex('domains_verified_domain_key')
    .on('domains')
    .unique()
    .column('domain')
    .where(sql.ref('status'), '=', 'verified')
    .execute();
  await tenantPolicies(db, 'domains', { systemRead: true });
}
