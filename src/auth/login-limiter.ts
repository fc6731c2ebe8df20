import { createHash } from 'node:crypto';
import type { Kv } from '../sessions/kv.ts';
import { loginFailureKeyPrefix } from '../sessions/keys.ts';

export interface LoginLimiterOptions {
  kv: Kv;
  appName: string;
  maxFailures: number;
  windowSeconds: number;
}

export interface LoginAttempt {
  tenantId: string;
  username: string;
  clientIp: string;
}

/**
 * Failed logins counted in Redis (so every replica sees them), per tenant and per username plus
 * client address, in a fixed window. One tenant's attack never counts against another tenant; the
 * key is a hash, so it reveals nothing and holds no user input.
 */
export function createLoginLimiter({
  kv,
  appName,
  maxFailures,
  windowSeconds,
}: LoginLimiterOptions) {
  const keyOf = ({ tenantId, username, clientIp }: LoginAttempt) =>
    loginFailureKeyPrefix(tenantId, appName) +
    createHash('sha256').update(`${username.toLowerCase()}\n${clientIp}`).digest('base64url');

  return {
    /** Seconds to wait when this attempt is over the limit; 0 when it may go ahead. */
    async retryAfter(attempt: LoginAttempt): Promise<number> {
      const key = keyOf(attempt);
      const failures = Number((await kv.get(key)) ?? 0);
      if (failures < maxFailures) return 0;
      const ttl = await kv.ttl(key);
      return ttl > 0 ? ttl : windowSeconds;
    },
    async recordFailure(attempt: LoginAttempt): Promise<void> {
      const key = keyOf(attempt);
      // The window starts at the first failure (NX), later failures do not push it back, and the
      // key has its TTL before it is ever counted, so a crash between the two never leaves a lock.
      await kv.set(key, '0', { expiration: { type: 'EX', value: windowSeconds }, condition: 'NX' });
      await kv.incr(key);
    },
    async reset(attempt: LoginAttempt): Promise<void> {
      await kv.del([keyOf(attempt)]);
    },
  };
}

export type LoginLimiter = ReturnType<typeof createLoginLimiter>;
