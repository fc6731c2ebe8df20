import type { Role } from '../accounts/user.ts';

/**
 * Who a session is signed in as, written at sign-in. A signed-in request reads it and asks the
 * database nothing: whatever ends a user's right to it deletes the session (docs/sessions.md).
 */
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
    /**
     * Epoch ms at which a signed-in session ends for good: sign-in plus the absolute lifetime in
     * force then. A tenant that lowers its lifetime ends it sooner; one that raises it does not
     * lengthen it, so the user's index (whose TTL covers this) always outlives it.
     */
    endsAt: number;
    /** Epoch ms of the latest request, rewritten at most once a minute (LAST_SEEN_RESOLUTION_MS). */
    lastSeenAt: number;
    /** The User-Agent and client address (req.ip, after TRUST_PROXY) of that latest request. */
    userAgent: string;
    ip: string;
  }
}
