import { sql, type Kysely } from 'kysely';

/** The server's database role could read past row-level security; the message names why. */
export class RuntimeRoleError extends Error {
  readonly problems: string[];
  constructor(role: string, problems: string[]) {
    super(
      `The server's database role "${role}" (DATABASE_URL) must not bypass row-level security:\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        '\nRun the server as a role that is no superuser, has NOBYPASSRLS and owns nothing; ' +
        'let DATABASE_MIGRATION_URL name the owner (docs/configuration.md).',
    );
    this.name = 'RuntimeRoleError';
    this.problems = problems;
  }
}

interface RoleFacts {
  role: string;
  superuser: boolean;
  bypassrls: boolean;
  /** Roles it is or may become (SET ROLE) that are superusers or have BYPASSRLS. */
  powerful: string[] | null;
  /** Tables of the current schema that it owns, or may act as the owner of. */
  owned: string[] | null;
}

/**
 * Refuses a role for which RLS is no barrier: a superuser or BYPASSRLS role skips every policy, a
 * table's owner may switch RLS off, and a role that can SET ROLE to one of those can do the same.
 */
export async function checkRuntimeRole<DB>(db: Kysely<DB>): Promise<void> {
  const { rows } = await sql<RoleFacts>`
    select r.rolname as role, r.rolsuper as superuser, r.rolbypassrls as bypassrls,
      (select array_agg(p.rolname::text order by p.rolname) from pg_roles p
        where p.oid <> r.oid and (p.rolsuper or p.rolbypassrls)
          and pg_has_role(r.oid, p.oid, 'MEMBER')) as powerful,
      (select array_agg(c.relname::text order by c.relname) from pg_class c
        where c.relnamespace = current_schema()::regnamespace and c.relkind in ('r', 'p')
          and pg_has_role(r.oid, c.relowner, 'MEMBER')) as owned
    from pg_roles r where r.rolname = current_user`.execute(db);
  const facts = rows[0]!;
  const problems: string[] = [];
  if (facts.superuser)
    problems.push('it is a superuser (SUPERUSER): superusers bypass row-level security');
  if (facts.bypassrls) problems.push("it has BYPASSRLS: it reads every tenant's rows");
  if (facts.powerful?.length) {
    problems.push(
      `it may SET ROLE to ${facts.powerful.join(', ')}, which bypass row-level security`,
    );
  }
  if (facts.owned?.length) {
    problems.push(
      `it owns (or may act as the owner of) ${facts.owned.join(', ')}: an owner can switch row-level security off`,
    );
  }
  if (problems.length > 0) throw new RuntimeRoleError(facts.role, problems);
}
