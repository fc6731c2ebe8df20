import type { Request } from 'express';
import type { UserSessions } from '../sessions/user-sessions.ts';
import { describeDevice } from './device.ts';

/** One session as the signed-in user sees it: an item of GET /api/sessions. */
export interface AccountSession {
  /** Opaque: never the session id, which is a bearer secret. */
  handle: string;
  current: boolean;
  /** ISO 8601: the sign-in. */
  createdAt: string;
  /** ISO 8601: the latest request, to the minute, or the sign-in if none since. */
  lastSeenAt: string;
  userAgent: string;
  device: string;
  /** The client address as the app saw it (after TRUST_PROXY); null if unknown. */
  ip: string | null;
}

export interface AccountSessionsOptions {
  sessions: UserSessions;
  handleOf: (tenantId: string, sid: string) => string;
}

/**
 * The user's sessions, seen and ended by handle. Only their own index is read, so another user's
 * or tenant's session is never found (404).
 */
export function accountSessions({ sessions, handleOf }: AccountSessionsOptions) {
  /** Live sessions, newest sign-in first. */
  async function live(req: Request) {
    const { tenant } = req;
    const found = await sessions.list(tenant, req.user!.username);
    return found.reverse().map(({ sid, signedInAt, data }) => {
      const current = sid === req.sessionID;
      // This request's own view of its session is newer than the stored one.
      const seen = current ? req.session : data;
      const createdAt = data.createdAt ?? signedInAt;
      const view: AccountSession = {
        handle: handleOf(tenant.id, sid),
        current,
        createdAt: new Date(createdAt).toISOString(),
        lastSeenAt: new Date(seen.lastSeenAt ?? createdAt).toISOString(),
        userAgent: seen.userAgent ?? '',
        device: describeDevice(seen.userAgent),
        ip: seen.ip || null,
      };
      return { sid, view };
    });
  }

  return {
    list: async (req: Request): Promise<AccountSession[]> => (await live(req)).map((s) => s.view),

    /** Ends the session with this handle if it is one of this user's here; false otherwise. */
    async end(req: Request, handle: string): Promise<boolean> {
      const target = (await live(req)).find((s) => s.view.handle === handle);
      if (!target) return false;
      await sessions.end(req.tenant, req.user!.username, [target.sid]);
      return true;
    },

    /** "Sign out everywhere else": every session of this user here but this one. */
    endOthers: (req: Request): Promise<number> =>
      sessions.endAll(req.tenant, req.user!.username, req.sessionID),
  };
}

export type AccountSessions = ReturnType<typeof accountSessions>;
