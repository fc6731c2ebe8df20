import type { Request } from 'express';
import type { Invitation } from './invitation.ts';
import type { User } from './user.ts';

/** A user as the admin API shows them: never the password hash. */
export const userView = (u: User) => ({
  id: u.id,
  username: u.username,
  displayName: u.displayName,
  role: u.role,
  disabled: u.disabled,
  email: u.email,
  createdAt: u.createdAt,
});

export type UserView = ReturnType<typeof userView>;

/** An open invitation as the admin API shows it: never its token, which only the link holds. */
export const invitationView = (i: Invitation) => ({
  id: i.id,
  username: i.username,
  displayName: i.displayName,
  role: i.role,
  email: i.email,
  expiresAt: i.expiresAt,
  createdAt: i.createdAt,
});

/**
 * An absolute link on this request's origin (its scheme and Host, as seen after TRUST_PROXY), so a
 * link made at a tenant's own domain leads back there.
 */
export const linkTo = (req: Request, path: string): string =>
  `${req.protocol}://${req.host}${path}`;

/** Link tokens are 32 random bytes in base64url; anything else is no token and never reaches a query. */
export const LINK_TOKEN = /^[A-Za-z0-9_-]{43}$/;
