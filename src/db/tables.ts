import type { ColumnType, Generated, Kysely } from 'kysely';

/** Set by the database on insert, never updated by the app. */
type CreatedAt = ColumnType<Date, never, never>;
/** A time the app writes (expiry, use); read back as a Date. */
type Timestamp = ColumnType<Date, Date, Date>;

export type Role = 'owner' | 'admin' | 'member';

export interface UsersTable {
  id: Generated<string>;
  tenant_id: string;
  username: string;
  display_name: string;
  role: Role;
  disabled: Generated<boolean>;
  password_hash: string;
  /** Where password-reset links go; null: the user cannot reset by email. */
  email: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, never, Date>;
}

export interface InvitationsTable {
  id: Generated<string>;
  tenant_id: string;
  /** sha-256 of the token, hex; the token itself exists only in the link. */
  token_hash: string;
  username: string;
  display_name: string;
  role: Role;
  email: string | null;
  created_by: string | null;
  expires_at: Timestamp;
  used_at: ColumnType<Date | null, never, Date>;
  created_at: CreatedAt;
}

export interface PasswordResetsTable {
  id: Generated<string>;
  tenant_id: string;
  user_id: string;
  token_hash: string;
  expires_at: Timestamp;
  used_at: ColumnType<Date | null, never, Date>;
  created_at: CreatedAt;
}

export interface NotesTable {
  id: Generated<string>;
  tenant_id: string;
  user_id: string;
  text: string;
  created_at: CreatedAt;
}

export type DomainStatus = 'pending' | 'verified' | 'suspended';

export interface DomainsTable {
  tenant_id: string;
  domain: string;
  /** Published by the tenant at `_tenantry.<domain>`; public once published, so stored as it is. */
  token: string;
  status: ColumnType<DomainStatus, DomainStatus | undefined, DomainStatus>;
  created_at: CreatedAt;
  verified_at: ColumnType<Date | null, never, Date | null>;
  checked_at: ColumnType<Date | null, never, Date | null>;
  check_problem: ColumnType<string | null, never, string | null>;
  missing_since: ColumnType<Date | null, never, Date | null>;
}

/** Every table of the app, as Kysely sees them. Each has `tenant_id` and forced RLS. */
export interface Database {
  users: UsersTable;
  invitations: InvitationsTable;
  password_resets: PasswordResetsTable;
  notes: NotesTable;
  domains: DomainsTable;
}

export type Db = Kysely<Database>;
