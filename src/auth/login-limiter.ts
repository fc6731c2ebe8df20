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
    /**
     * Counts this attempt before the password is checked and returns the seconds to wait (0: go
     * ahead). Counting first, with one atomic INCR, is what holds the limit when many guesses
     * arrive at once: a check-then-record limiter lets every guess in flight through.
     */
    async admit(attempt: LoginAttempt): Promise<number> {
      const key = keyOf(attempt);
      // The window starts at the first attempt (NX) and later ones do not push it back.
      await kv.set(key, '0', { expiration: { type: 'EX', value: windowSeconds }, condition: 'NX' });
      const attempts = await kv.incr(key);
      const ttl = await kv.ttl(key);
      // Had the key expired between SET NX and INCR, INCR made it without a TTL: never a lasting lock.
      if (ttl < 0) await kv.expire(key, windowSeconds);
      if (attempts <= maxFailures) return 0;
      return ttl > 0 ? ttl : windowSeconds;
    },
    /** A successful sign-in clears the count, so only failures add up. */
    async reset(attempt: LoginAttempt): Promise<void> {
      await kv.del([keyOf(attempt)]);
    },
  };
}

export type LoginLimiter = ReturnType<typeof createLoginLimiter>;
