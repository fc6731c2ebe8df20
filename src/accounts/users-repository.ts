import { sql } from 'kysely';
import type { Db } from '../db/tables.ts';
import { withTenant, type Tx } from '../db/tenant-scope.ts';
import { isUuid } from '../db/uuid.ts';
import { toUser, userColumns, usernameTaken } from './user-rows.ts';
import { LastOwnerError, type NewUser, type Role, type User } from './user.ts';

export interface UsersRepository {
  /** For sign-in: the user with this username in any letter case, disabled or not. */
  findByUsername(tenantId: string, username: string): Promise<User | undefined>;
  findById(tenantId: string, id: string): Promise<User | undefined>;
  /** Every user of the tenant, oldest first. */
  list(tenantId: string): Promise<User[]>;
  /** Throws UsernameTakenError when the name is taken at this tenant in any letter case. */
  create(tenantId: string, user: NewUser): Promise<User>;
  /** These three and remove() throw LastOwnerError rather than leave no enabled owner. */
  setDisabled(tenantId: string, id: string, disabled: boolean): Promise<User | undefined>;
  setRole(tenantId: string, id: string, role: Role): Promise<User | undefined>;
  setPasswordHash(tenantId: string, id: string, passwordHash: string): Promise<User | undefined>;
  /** Deletes the user and, by cascade, their data (notes, reset tokens); false when none. */
  remove(tenantId: string, id: string): Promise<boolean>;
}

/** Users in PostgreSQL: every method runs in withTenant, so it reaches only that tenant's rows. */
export function usersRepository(db: Db): UsersRepository {
  const update = (tenantId: string, id: string, change: UserChange) =>
    isUuid(id) ? withTenant(db, tenantId, (trx) => updateUser(trx, id, change)) : none();

  return {
    findByUsername: (tenantId, username) =>
      withTenant(db, tenantId, async (trx) => {
        const row = await trx
          .selectFrom('users')
          .select(userColumns)
          .where(sql`lower(username)`, '=', username.toLowerCase())
          .executeTakeFirst();
        return row && toUser(row);
      }),

    findById: (tenantId, id) =>
      isUuid(id)
        ? withTenant(db, tenantId, async (trx) => {
            const row = await trx
              .selectFrom('users')
              .select(userColumns)
              .where('id', '=', id)
              .executeTakeFirst();
            return row && toUser(row);
          })
        : none(),

    list: (tenantId) =>
      withTenant(db, tenantId, async (trx) => {
        const rows = await trx
          .selectFrom('users')
          .select(userColumns)
          .orderBy('created_at')
          .orderBy('username')
          .execute();
        return rows.map(toUser);
      }),

    create: (tenantId, user) => withTenant(db, tenantId, (trx) => insertUser(trx, tenantId, user)),

    setDisabled: (tenantId, id, disabled) => update(tenantId, id, { disabled }),
    setRole: (tenantId, id, role) => update(tenantId, id, { role }),
    setPasswordHash: (tenantId, id, passwordHash) =>
      update(tenantId, id, { password_hash: passwordHash }),

    remove: (tenantId, id) =>
      isUuid(id)
        ? withTenant(db, tenantId, async (trx) => {
            await keepAnOwner(trx, id, { role: 'member' });
            const result = await trx.deleteFrom('users').where('id', '=', id).executeTakeFirst();
            return result.numDeletedRows > 0n;
          })
        : Promise.resolve(false),
  };
}

const none = () => Promise.resolve(undefined);

/** Inserts a user inside the caller's withTenant transaction (invitations use it too). */
export async function insertUser(trx: Tx, tenantId: string, user: NewUser): Promise<User> {
  try {
    const row = await trx
      .insertInto('users')
      .values({
        tenant_id: tenantId,
        username: user.username,
        display_name: user.displayName,
        role: user.role,
        password_hash: user.passwordHash,
      })
      .returning(userColumns)
      .executeTakeFirstOrThrow();
    return toUser(row);
  } catch (err) {
    throw usernameTaken(err, user.username);
  }
}

type UserChange = { disabled?: boolean; role?: Role; password_hash?: string };

/** Updates one user inside the caller's withTenant transaction, keeping an enabled owner. */
export async function updateUser(
  trx: Tx,
  id: string,
  change: UserChange,
): Promise<User | undefined> {
  if (change.disabled === true || (change.role !== undefined && change.role !== 'owner')) {
    await keepAnOwner(trx, id, change);
  }
  const row = await trx
    .updateTable('users')
    .set({ ...change, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returning(userColumns)
    .executeTakeFirst();
  return row && toUser(row);
}

/**
 * Throws LastOwnerError when `id` is the tenant's only enabled owner and the change ends that.
 * The enabled owners are locked first, so two such changes at once cannot both pass the count.
 */
async function keepAnOwner(trx: Tx, id: string, change: UserChange): Promise<void> {
  const owners = await trx
    .selectFrom('users')
    .select('id')
    .where('role', '=', 'owner')
    .where('disabled', '=', false)
    .forUpdate()
    .execute();
  const stillOwner = change.disabled !== true && (change.role ?? 'owner') === 'owner';
  if (!stillOwner && owners.length === 1 && owners[0]!.id === id) throw new LastOwnerError();
}
