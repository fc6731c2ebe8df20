import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { tenantCache } from '../tenants/tenant-cache.ts';

/** How long a browser stays known after its last sign-in. */
export const DEVICE_COOKIE_MAX_AGE_SECONDS = 180 * 24 * 3600;

export interface DeviceCookieOptions {
  /** SESSION_SECRET's list (first signs, all verify); a tenant with its own secrets uses those. */
  secrets: readonly string[];
  /** SESSION_COOKIE_NAME: the device cookie is `<name>-device` (`__Host-<name>-device` over HTTPS). */
  cookieName: string;
  cacheSize: number;
}

/**
 * OWASP's device cookies against lockouts by online guessing: a browser that signed in as a user
 * is then counted per device, not per username and address, so nobody else's failures can lock
 * it out. The cookie signs nobody in, and survives logout (that is its point).
 */
export function deviceCookies({ secrets, cookieName, cacheSize }: DeviceCookieOptions) {
  // Per tenant, derived from the secrets: a cookie signed for one tenant never verifies at another.
  const keysOf = tenantCache(cacheSize, (tenant) =>
    (tenant.ownSecrets ?? secrets).map((secret) =>
      Buffer.from(
        hkdfSync('sha256', secret, 'tenantry/device-cookie/v1', `tenant:${tenant.id}`, 32),
      ),
    ),
  );
  const nameFor = (req: Request) =>
    req.secure ? `__Host-${cookieName}-device` : `${cookieName}-device`;
  const mac = (key: Buffer, body: string) => createHmac('sha256', key).update(body).digest();

  return {
    /** The device id of a valid device cookie this browser holds for `username`, if any. */
    deviceIdFor(req: Request, username: string): string | undefined {
      const now = Math.floor(Date.now() / 1000);
      for (const value of cookieValues(req.headers.cookie, nameFor(req))) {
        const parts = value.split('.');
        if (parts.length !== 6) continue;
        const [version, tenantId, user, deviceId, issued, signature] = parts as [
          string,
          string,
          string,
          string,
          string,
          string,
        ];
        const age = now - Number(issued);
        if (version !== 'v1' || tenantId !== req.tenant.id || !/^[\w-]{22}$/.test(deviceId))
          continue;
        if (Buffer.from(user, 'base64url').toString() !== username) continue;
        if (!/^\d{1,12}$/.test(issued) || age < -60 || age > DEVICE_COOKIE_MAX_AGE_SECONDS)
          continue;
        const given = Buffer.from(signature, 'base64url');
        const body = parts.slice(0, 5).join('.');
        const valid = keysOf(req.tenant).some((key) => {
          const expected = mac(key, body);
          return given.length === expected.length && timingSafeEqual(given, expected);
        });
        if (valid) return deviceId;
      }
      return undefined;
    },

    issue(req: Request, res: Response, username: string): void {
      const body = [
        'v1',
        req.tenant.id,
        Buffer.from(username).toString('base64url'),
        randomBytes(16).toString('base64url'),
        Math.floor(Date.now() / 1000),
      ].join('.');
      const signature = mac(keysOf(req.tenant)[0]!, body).toString('base64url');
      res.cookie(nameFor(req), `${body}.${signature}`, {
        httpOnly: true, // never readable by page scripts
        sameSite: 'lax',
        path: '/',
        secure: req.secure, // `__Host-` requires it; plain HTTP (local development) cannot set it
        maxAge: DEVICE_COOKIE_MAX_AGE_SECONDS * 1000,
        // No `domain`: host-only, so sibling subdomains (other tenants) never receive it.
      });
    },
  };
}

export type DeviceCookies = ReturnType<typeof deviceCookies>;

/** Every value of cookie `name` in a Cookie header (a sibling host may have added another). */
function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  return header
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair.startsWith(`${name}=`))
    .map((pair) => pair.slice(name.length + 1));
}
