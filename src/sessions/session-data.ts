import type { Tenant } from '../tenants/load-tenants.ts';

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

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by resolveTenant before any session work; routes below it can rely on it. */
      tenant: Tenant;
    }
  }
}
