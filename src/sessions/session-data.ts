import type { Role } from '../accounts/user.ts';

/** Trusted without a database read: whatever ends a user's right to it deletes the session. */
export interface SignedInUser {
  /** The user's id (a UUID, never reused). */
  id: string;
  username: string;
  displayName: string;
  /** At sign-in. Routes that grant by role ask the database again (requireRole). */
  role: Role;
}

declare module 'express-session' {
  interface SessionData {
    /** The tenant that created the session, stamped on first write; checked whenever it is read. */
    tenantId: string;
    user: SignedInUser;
    /** Epoch ms of the first write (the login), for the absolute lifetime; the index's score. */
    createdAt: number;
    /** Epoch ms of the absolute end, fixed at sign-in so the user's index always outlives it. */
    endsAt: number;
    lastSeenAt: number;
    userAgent: string;
    ip: string;
  }
}
