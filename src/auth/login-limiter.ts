import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
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
    createHash('sha256')
      .update(`${username.toLowerCase()}\n${clientBucket(clientIp)}`)
      .digest('base64url');

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

/**
 * The address a failure counts against. An IPv6 client is usually given a whole /64, and could
 * take a fresh address from it for every guess, so its /64 is one client here; an IPv4-mapped
 * IPv6 address is the IPv4 address it carries.
 */
export function clientBucket(ip: string): string {
  const address = ip.split('%')[0]!.toLowerCase(); // no zone id
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return ip;
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const [head = '', tail] = address.split('::');
  const known = groups(head);
  const rest = tail === undefined ? [] : groups(tail);
  // An embedded IPv4 address ("::1.2.3.4") fills the last two groups, never the first four.
  const width = rest.reduce((n, group) => n + (group.includes('.') ? 2 : 1), 0);
  const full = [
    ...known,
    ...Array<string>(Math.max(0, 8 - known.length - width)).fill('0'),
    ...rest,
  ];
  return `${full
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}
