export interface SignedInUser {
  username: string;
  displayName: string;
}

declare module 'express-session' {
  interface SessionData {
    /** The tenant that created the session, stamped on first write; checked whenever it is read. */
    tenantId: string;
    user: SignedInUser;
    /** Epoch ms of the first write (the login), for the absolute lifetime. */
    createdAt: number;
  }
}
