import type { TenantSessionSettings } from './tenant-file.ts';

/** One customer, as loaded and validated from its file in TENANTS_DIR. */
export interface Tenant {
  id: string;
  name: string;
  /** Normalised host names. */
  hosts: string[];
  color: string;
  /** The file's session policy; unset fields fall back to the environment (sessions/session-policy.ts). */
  session: TenantSessionSettings;
  /** The tenant's own secrets from `sessionSecretEnv`; undefined means derive from SESSION_SECRET. */
  ownSecrets: string[] | undefined;
  /** Its own Redis: `urlEnv` names the store in /readyz and logs; undefined: the default store. */
  redis?: { urlEnv: string; url: string };
  file: string;
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
