import { createHmac, hkdfSync } from 'node:crypto';
import { clientBucket, countInWindow } from '../auth/login-limiter.ts';
import { resetRequestKeyPrefix } from '../sessions/keys.ts';
import type { Stores } from '../store/stores.ts';
import type { Tenant } from '../tenants/tenant.ts';

export interface ResetLimiterOptions {
  /** Counts live beside the login limiter's, in the store of the tenant's sessions. */
  stores: Stores;
  appName: string;
  /** Keys the HMAC of the counted names and addresses (SESSION_SECRET's first). */
  secret: string;
  /** Reset emails per username within the window: past it, none is sent. */
  perUser: number;
  /** Reset requests per client address within the window: past it, 429. */
  perAddress: number;
  windowSeconds: number;
}

/** What a reset request may do: 429 for the address, or go on (with or without an email). */
export type ResetVerdict =
  { kind: 'address-limited'; wait: number } | { kind: 'user-limited' } | { kind: 'go' };

/**
 * Limits password-reset requests per tenant, as the login limiter does its failures (an INCR in a
 * fixed window, in Redis so every replica counts): per client address, so one client cannot mail
 * everyone, and per username, so nobody's inbox can be flooded. The username is counted whether
 * or not it exists, and its limit only stops the email, so no answer tells whether it does.
 */
export function createResetLimiter(options: ResetLimiterOptions) {
  const { stores, appName, secret, perUser, perAddress, windowSeconds } = options;
  const hmacKey = Buffer.from(hkdfSync('sha256', secret, 'tenantry/reset-limiter/v1', '', 32));
  const mac = (text: string) => createHmac('sha256', hmacKey).update(text).digest('base64url');

  return {
    async count(tenant: Tenant, username: string, clientIp: string): Promise<ResetVerdict> {
      const { kv } = stores.forTenant(tenant);
      const prefix = resetRequestKeyPrefix(tenant.id, appName);
      const address = await countInWindow(
        kv,
        prefix + mac(`address\n${clientBucket(clientIp)}`),
        windowSeconds,
      );
      if (address.attempts > perAddress) return { kind: 'address-limited', wait: address.ttl };
      const user = await countInWindow(kv, prefix + mac(`user\n${username}`), windowSeconds);
      return user.attempts > perUser ? { kind: 'user-limited' } : { kind: 'go' };
    },
  };
}

export type ResetLimiter = ReturnType<typeof createResetLimiter>;
