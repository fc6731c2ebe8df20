import { createHmac, hkdfSync } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { loginFailureKeyPrefix } from '../sessions/keys.ts';
import type { Stores } from '../store/stores.ts';
import type { Tenant } from '../tenants/tenant.ts';

export interface LoginLimiterOptions {
  /** Counts live in the store that holds the tenant's sessions. */
  stores: Stores;
  appName: string;
  /** The signing secret (SESSION_SECRET's first); keys the hash, so Redis readers cannot test guesses. */
  secret: string;
  maxFailures: number;
  windowSeconds: number;
}

export interface LoginAttempt {
  tenant: Tenant;
  username: string;
  clientIp: string;
}

/**
 * Failed logins counted in Redis (so every replica sees them), per tenant and per username plus
 * client address, in a fixed window. One tenant's attack never counts against another tenant; the
 * key is an HMAC under a key derived from the secret, so it holds no user input and someone who
 * can read Redis cannot check which usernames or addresses failed.
 */
export function createLoginLimiter({
  stores,
  appName,
  secret,
  maxFailures,
  windowSeconds,
}: LoginLimiterOptions) {
  const hmacKey = Buffer.from(hkdfSync('sha256', secret, 'tenantry/login-limiter/v1', '', 32));
  const keyOf = ({ tenant, username, clientIp }: LoginAttempt) =>
    loginFailureKeyPrefix(tenant.id, appName) +
    createHmac('sha256', hmacKey)
      .update(`${username.toLowerCase()}\n${clientBucket(clientIp)}`)
      .digest('base64url');

  return {
    /**
     * Counts this attempt before the password is checked and returns the seconds to wait (0: go
     * ahead). Counting first, with one atomic INCR, is what holds the limit when many guesses
     * arrive at once: a check-then-record limiter lets every guess in flight through.
     */
    async admit(attempt: LoginAttempt): Promise<number> {
      const { kv } = stores.forTenant(attempt.tenant);
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
      await stores.forTenant(attempt.tenant).kv.del([keyOf(attempt)]);
    },
  };
}

export type LoginLimiter = ReturnType<typeof createLoginLimiter>;

/**
 * The address a failure counts against. An IPv6 client is usually given a whole /64, and could
 * take a fresh address from it for every guess, so its /64 is one client here; an IPv4-mapped
 * IPv6 address is the IPv4 address it carries.
 */
export function clientBucket(ip: string): string {
  const address = ip.split('%')[0]!; // no zone id
  if (!ipaddr.isValid(address)) return ip;
  const parsed = ipaddr.process(address); // IPv4-mapped IPv6 becomes IPv4
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const groups = (parsed as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `${groups.join(':')}::/64`;
}
