import createError from 'http-errors';
import type { Logger } from 'pino';
import type { UserSessions } from '../sessions/user-sessions.ts';
import type { Tenant } from '../tenants/tenant.ts';
import type { z } from 'zod';
import type { newInvitation, userChange } from './account-schemas.ts';
import { invitationEmail } from './emails.ts';
import type { InvitationsRepository } from './invitations-repository.ts';
import { sendInBackground, type Mailer } from './mailer.ts';
import { LastOwnerError, UsernameTakenError, type Role, type User } from './user.ts';
import type { UsersRepository } from './users-repository.ts';
import { invitationView, userView } from './views.ts';

export interface UserAdminOptions {
  users: UsersRepository;
  invitations: InvitationsRepository;
  sessions: UserSessions;
  mailer: Mailer;
  logger: Logger;
}

/** Who acts, where, and the origin links are made on. */
export interface AdminContext {
  tenant: Tenant;
  /** The acting owner or admin, as requireRole read them from the database. */
  actor: User;
  origin: string;
}

const onlyOwners = (what: string) => createError(403, `Only an owner may ${what}.`);

/**
 * What owners and admins do to the users of their tenant, for the page and the API alike; refusals
 * are http-errors (404 unknown or another tenant's id, 403 an admin and an owner, 409 the last
 * owner or a taken name). Whatever ends a user's right to their sessions deletes them through the
 * index after the database has changed, so a sign-in in flight finds the change or is ended.
 */
export function userAdmin({ users, invitations, sessions, mailer, logger }: UserAdminOptions) {
  /** The user `id` of this tenant, if the actor may change them. */
  async function target({ tenant, actor }: AdminContext, id: string): Promise<User> {
    const user = await users.findById(tenant.id, id);
    if (!user) throw createError(404, 'No such user.');
    if (user.role === 'owner' && actor.role !== 'owner') throw onlyOwners('change an owner');
    return user;
  }
  const mayGrant = (actor: User, role: Role | undefined) => {
    if (role === 'owner' && actor.role !== 'owner') throw onlyOwners('make someone an owner');
  };
  const lastOwner = (err: unknown) =>
    err instanceof LastOwnerError ? createError(409, err.message) : err;

  return {
    async overview(tenant: Tenant) {
      const [all, open] = await Promise.all([
        users.list(tenant.id),
        invitations.listOpen(tenant.id),
      ]);
      return { users: all.map(userView), invitations: open.map(invitationView) };
    },

    /** A single-use link valid 7 days, emailed when an address is given. */
    async invite(context: AdminContext, input: z.output<typeof newInvitation>) {
      const { tenant, actor, origin } = context;
      mayGrant(actor, input.role);
      const created = await invitations
        .create(tenant.id, {
          ...input,
          displayName: input.displayName ?? input.username,
          createdBy: actor.id,
        })
        .catch((err: unknown) => {
          throw err instanceof UsernameTakenError ? createError(409, err.message) : err;
        });
      const url = `${origin}/invite/${created.token}`;
      const { expiresAt } = created.invitation;
      if (input.email) {
        const inviter = actor.displayName;
        sendInBackground(
          mailer,
          logger,
          invitationEmail(tenant, input.email, { url, expiresAt, inviter }),
        );
      }
      return { url, expiresAt, invitation: invitationView(created.invitation) };
    },

    /** Disabling ends every session of the user; enabling brings none back. */
    async change(context: AdminContext, id: string, change: z.output<typeof userChange>) {
      const user = await target(context, id);
      mayGrant(context.actor, change.role);
      const changed = await users
        .update(context.tenant.id, user.id, change)
        .catch((err: unknown) => {
          throw lastOwner(err);
        });
      if (!changed) throw createError(404, 'No such user.');
      if (changed.disabled) await sessions.endAll(context.tenant, changed.username);
      return userView(changed);
    },

    /** Deletes the user, their notes by cascade, and their sessions. */
    async remove(context: AdminContext, id: string) {
      const user = await target(context, id);
      const removed = await users.remove(context.tenant.id, user.id).catch((err: unknown) => {
        throw lastOwner(err);
      });
      if (!removed) throw createError(404, 'No such user.');
      await sessions.endAll(context.tenant, user.username);
    },

    async withdraw(tenant: Tenant, id: string) {
      if (!(await invitations.remove(tenant.id, id))) throw createError(404, 'No such invitation.');
    },

    /** The user, for the removal's confirmation. */
    find: target,
  };
}

export type UserAdmin = ReturnType<typeof userAdmin>;
