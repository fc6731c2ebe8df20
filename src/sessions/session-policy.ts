import type { Config } from '../config.ts';
import type { Tenant } from '../tenants/tenant.ts';

export interface SessionPolicy {
  /** Idle lifetime: each request renews it. */
  ttlSeconds: number;
  /** From sign-in, whatever the activity. */
  absoluteSeconds: number;
  /** 1-1000. Signing in past it ends the user's sessions with the earliest sign-in. */
  maxPerUser: number;
}

export function sessionPolicy(tenant: Tenant, defaults: SessionPolicy): SessionPolicy {
  return {
    ttlSeconds: tenant.session.ttlSeconds ?? defaults.ttlSeconds,
    absoluteSeconds: tenant.session.absoluteSeconds ?? defaults.absoluteSeconds,
    maxPerUser: tenant.session.maxPerUser ?? defaults.maxPerUser,
  };
}

export const policyDefaults = (config: Config): SessionPolicy => ({
  ttlSeconds: config.sessionTtlSeconds,
  absoluteSeconds: config.sessionAbsoluteSeconds,
  maxPerUser: config.sessionMaxPerUser,
});
