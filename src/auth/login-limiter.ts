import { createHmac, hkdfSync } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import type { Config } from '../config.ts';
import {
  loginAddressKeyPrefix,
  loginDeviceKeyPrefix,
  loginFailureKeyPrefix,
  loginSuccessKeyPrefix,
} from '../sessions/keys.ts';
import type { Kv } from '../store/store.ts';
import type { Stores } from '../store/stores.ts';
import type { Tenant } from '../tenants/tenant.ts';

export interface LoginLimiterOptions {
  stores: Stores;
  appName: string;
  /** The signing secret (SESSION_SECRET's first); keys the hash, so Redis readers cannot test guesses. */
  secret: string;
  /** Per username and address, and per device cookie (LOGIN_MAX_FAILURES). */
  maxFailures: number;
  /** Per address across usernames (LOGIN_MAX_FAILURES_PER_ADDRESS). */
  maxFailuresPerAddress: number;
  /** Successful sign-ins per username and address (LOGIN_MAX_SUCCESSES). */
  maxSuccesses: number;
  windowSeconds: number;
}

export interface LoginAttempt {
  tenant: Tenant;
  username: string;
  clientIp: string;
  /** The id of a valid device cookie issued to this browser for this username, if it sent one. */
  deviceId?: string | undefined;
}

export interface Admission {
  /** Seconds to wait (429); 0: go ahead and check the password. */
  wait: number;
  /** What the wait is for: too many failures, or too many sign-ins that succeeded. */
  reason: 'failures' | 'successes';
  /** The password was never checked (queue full, client gone): the attempt does not count. */
  release(): Promise<void>;
  /** The password was right: no failure; the user's (or device's) count starts again. */
  succeeded(): Promise<void>;
}

/**
 * Failed sign-ins per tenant in Redis (every replica sees them), in a fixed window: per device
 * cookie when the browser has one for the username (nobody else can lock it out), else per
 * address across usernames, then per username and address. Each attempt is INCRed before any
 * hashing, so many guesses in flight cannot all pass; one that is right or never checked is taken
 * back. Successes are limited too, so one account cannot spend the hashing without end.
 */
export function createLoginLimiter(options: LoginLimiterOptions) {
  const { stores, appName, secret, maxFailures, maxFailuresPerAddress, maxSuccesses } = options;
  const { windowSeconds } = options;
  const hmacKey = Buffer.from(hkdfSync('sha256', secret, 'tenantry/login-limiter/v1', '', 32));
  const mac = (text: string) => createHmac('sha256', hmacKey).update(text).digest('base64url');

  return {
    async admit(attempt: LoginAttempt): Promise<Admission> {
      const { tenant, username, clientIp, deviceId } = attempt;
      const { kv } = stores.forTenant(tenant);
      const bucket = clientBucket(clientIp);
      const counted: string[] = [];
      const count = async (key: string, max: number) => {
        const { attempts, ttl } = await countInWindow(kv, key, windowSeconds);
        counted.push(key);
        return attempts <= max ? 0 : ttl;
      };
      const userKey =
        loginFailureKeyPrefix(tenant.id, appName) + mac(`${username.toLowerCase()}\n${bucket}`);
      const addressKey = loginAddressKeyPrefix(tenant.id, appName) + mac(`address\n${bucket}`);
      const deviceKey = loginDeviceKeyPrefix(tenant.id, appName) + mac(`device\n${deviceId}`);
      const successKey =
        loginSuccessKeyPrefix(tenant.id, appName) +
        mac(`success\n${username.toLowerCase()}\n${bucket}`);
      const none = async () => {};
      if (Number((await kv.get(successKey)) ?? 0) >= maxSuccesses) {
        const ttl = await kv.ttl(successKey);
        return { wait: ttl > 0 ? ttl : 1, reason: 'successes', release: none, succeeded: none };
      }
      let wait: number;
      if (deviceId !== undefined) {
        wait = await count(deviceKey, maxFailures);
      } else {
        wait = await count(addressKey, maxFailuresPerAddress);
        if (wait === 0) wait = await count(userKey, maxFailures);
      }
      return {
        wait,
        reason: 'failures',
        release: () => uncount(kv, counted),
        async succeeded() {
          await countInWindow(kv, successKey, windowSeconds);
          if (deviceId !== undefined) {
            await kv.del(deviceKey);
            return;
          }
          await kv.del(userKey);
          // The address count only loses this attempt: signing in to one's own account between
          // guesses at others must not start the count of those guesses again.
          await uncount(kv, [addressKey]);
        },
      };
    },
  };
}

export type LoginLimiter = ReturnType<typeof createLoginLimiter>;

/** The limiter with the environment's limits, as sign-in and the password change share it. */
export const loginLimiterOf = (config: Config, stores: Stores): LoginLimiter =>
  createLoginLimiter({
    stores,
    appName: config.appName,
    secret: config.sessionSecrets[0]!,
    maxFailures: config.loginMaxFailures,
    maxFailuresPerAddress: config.loginMaxFailuresPerAddress,
    maxSuccesses: config.loginMaxSuccesses,
    windowSeconds: config.loginWindowSeconds,
  });

/** Counts one attempt; returns the attempts in the window so far and the seconds it has left. */
export async function countInWindow(kv: Kv, key: string, windowSeconds: number) {
  // The window starts at the first attempt (NX) and later ones do not push it back.
  await kv.set(key, '0', { expiration: { type: 'EX', value: windowSeconds }, condition: 'NX' });
  const attempts = await kv.incr(key);
  const ttl = await kv.ttl(key);
  // Had the key expired between SET NX and INCR, INCR made it without a TTL: never a lasting lock.
  if (ttl < 0) await kv.expire(key, windowSeconds);
  return { attempts, ttl: ttl > 0 ? ttl : windowSeconds };
}

/**
 * Takes attempts back. A count back at zero is deleted, so a flood of fresh usernames whose clients
 * hang up leaves no key per name; nor does a key that expired meanwhile come back without a TTL.
 */
async function uncount(kv: Kv, keys: string[]): Promise<void> {
  for (const key of keys) {
    if ((await kv.decr(key)) <= 0) await kv.del(key);
  }
}

/**
 * An IPv6 client usually holds a whole /64 and could guess from a fresh address each time, so its
 * /64 is one client; an IPv4-mapped address counts as its IPv4.
 */
export function clientBucket(ip: string): string {
  const address = ip.split('%')[0]!; // no zone id
  if (!ipaddr.isValid(address)) return ip;
  const parsed = ipaddr.process(address); // IPv4-mapped IPv6 becomes IPv4
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const groups = (parsed as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `${groups.join(':')}::/64`;
}
