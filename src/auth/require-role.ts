import type { RequestHandler } from 'express';
import createError from 'http-errors';
import type { Role, User } from '../accounts/user.ts';
import type { UsersRepository } from '../accounts/users-repository.ts';
import { requireUser } from './require-user.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      /** The signed-in user as the database has them now, once requireRole let them through. */
      actor?: User;
    }
  }
}

/**
 * Signed in, and one of `roles` as the database has it now (else 403): read here, not from the
 * session, so a demotion takes effect at the next request. Leaves the row on `res.locals.actor`.
 */
export function requireRole(users: UsersRepository, ...roles: Role[]): RequestHandler {
  const allowed = new Set(roles);
  const withRole: RequestHandler = async (req, res, next) => {
    const actor = await users.findById(req.tenant.id, req.user!.id);
    if (!actor || actor.disabled || !allowed.has(actor.role)) {
      throw createError(403, 'Only an owner or an admin of this site may do this.');
    }
    res.locals.actor = actor;
    next();
  };
  return (req, res, next) =>
    requireUser(req, res, () => void Promise.resolve(withRole(req, res, next)).catch(next));
}
