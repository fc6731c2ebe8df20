import type { ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import { sign } from 'cookie-signature';
import session from 'express-session';
import type { Tenant } from '../tenants/tenant.ts';
import { tenantCache } from '../tenants/tenant-cache.ts';
import onHeaders from 'on-headers';
import type { Stores } from '../store/stores.ts';
import { sessionKeyPrefix } from './keys.ts';
import { LAST_SEEN_RESOLUTION_MS, renewCookie } from './session-activity.ts';
import { sessionPolicy, type SessionPolicy } from './session-policy.ts';
import { tenantSigningKeys } from './signing-keys.ts';
import { TenantStore } from './tenant-store.ts';
import './session-data.ts';

export interface TenantSessionOptions {
  stores: Stores;
  appName: string;
  cookieName: string;
  /** SESSION_SECRET's list; a tenant with its own secrets uses those instead. */
  secrets: readonly string[];
  defaults: SessionPolicy;
  cacheSize: number;
}

/** The cookie name used over HTTPS: `__Host-` makes browsers refuse it with a Domain or without Secure. */
export const secureCookieName = (name: string) => `__Host-${name}`;

/** Each tenant's express-session (its store, keys and lifetimes), cached; needs `req.tenant`. */
export function tenantSessions(options: TenantSessionOptions): RequestHandler {
  const forTenant = tenantCache(options.cacheSize, (tenant) => tenantSession(tenant, options));
  const cookieFirst = sessionCookieFirst([
    options.cookieName,
    secureCookieName(options.cookieName),
  ]);
  return (req, res, next) => {
    const tenant = forTenant(req.tenant);
    // Only a POST sets a second cookie (sign-in's device cookie).
    if (req.method === 'POST') onHeaders(res, cookieFirst);
    // req.secure honours X-Forwarded-Proto only from proxies named in TRUST_PROXY.
    const name = req.secure ? secureCookieName(options.cookieName) : options.cookieName;
    tenant.middleware(req.secure)(req, res, (err?: unknown) => {
      if (err === undefined) renewCookieWhenDue(req, name, tenant);
      next(err);
    });
  };
}

interface TenantSession {
  middleware(https: boolean): RequestHandler;
  cookieMs: number;
  /** The one that signs first. */
  keys: string[];
}

function tenantSession(tenant: Tenant, options: TenantSessionOptions): TenantSession {
  const keys = tenantSigningKeys(tenant.ownSecrets ?? options.secrets, tenant.id);
  const policy = sessionPolicy(tenant, options.defaults);
  // A deployment serves a tenant over one of the two (HTTPS behind the proxy, HTTP in development),
  // so the other is never built: each holds an express-session and its store.
  let http: RequestHandler | undefined;
  let https: RequestHandler | undefined;
  return {
    middleware: (secure) =>
      secure
        ? (https ??= build(tenant, options, { keys, policy, https: true }))
        : (http ??= build(tenant, options, { keys, policy, https: false })),
    cookieMs: cookieLifetimeMs(policy.ttlSeconds),
    keys,
  };
}

/**
 * Not `rolling`: the cookie is re-sent only when the session is saved, at least every
 * LAST_SEEN_RESOLUTION_MS while in use, so this lifetime never ends before the server's session.
 */
export const cookieLifetimeMs = (ttlSeconds: number) => ttlSeconds * 1000 + LAST_SEEN_RESOLUTION_MS;

// The next cookie follows the tenant's policy as it is now, and one signed with an older key is
// renewed at once under the first, so it outlives the old key's removal.
function renewCookieWhenDue(req: Request, name: string, tenant: TenantSession): void {
  const { session: sess, sessionID } = req;
  if (!sess) return;
  sess.cookie.originalMaxAge = tenant.cookieMs;
  if (tenant.keys.length > 1 && sess.user && !signedWith(req, name, sessionID, tenant.keys[0]!)) {
    renewCookie(req);
  }
}

function signedWith(req: Request, name: string, sid: string, key: string): boolean {
  const value = encodeURIComponent(`s:${sign(sid, key)}`);
  return (req.headers.cookie ?? '').split(/; */).includes(`${name}=${value}`);
}

function build(
  tenant: Tenant,
  options: TenantSessionOptions,
  { keys, policy, https }: { keys: string[]; policy: SessionPolicy; https: boolean },
): RequestHandler {
  const { stores, appName, cookieName } = options;
  const { ttlSeconds, absoluteSeconds } = policy;
  return session({
    name: https ? secureCookieName(cookieName) : cookieName,
    secret: keys,
    // One store per middleware: express-session rewrites store.generate, so a shared store breaks.
    store: new TenantStore({
      kv: stores.forTenant(tenant).kv,
      prefix: sessionKeyPrefix(tenant.id, appName),
      tenantId: tenant.id,
      ttlSeconds,
      absoluteSeconds,
    }),
    // No write on every request and no key or cookie for anonymous visitors.
    resave: false,
    saveUninitialized: false,
    // Not re-signed on every answer: see cookieLifetimeMs.
    rolling: false,
    cookie: {
      httpOnly: true, // not readable by page scripts
      sameSite: 'lax', // not sent on cross-site subresource requests or POSTs
      path: '/',
      secure: https, // `__Host-` requires it; plain HTTP (local development) cannot set it
      maxAge: cookieLifetimeMs(ttlSeconds),
      // No `domain`: host-only cookies, so sibling subdomains (other tenants) never receive them.
    },
  });
}

/**
 * Puts the session cookie first among Set-Cookie headers, so clients that read one cookie read the
 * session. A hook added before express-session's own runs after it.
 */
export function sessionCookieFirst(names: readonly string[]): (this: ServerResponse) => void {
  const prefixes = names.map((name) => `${name}=`);
  const mine = (cookie: string) => prefixes.some((prefix) => cookie.startsWith(prefix));
  return function (this: ServerResponse) {
    const cookies = this.getHeader('Set-Cookie');
    if (Array.isArray(cookies) && cookies.length > 1) {
      this.setHeader('Set-Cookie', [...cookies.filter(mine), ...cookies.filter((c) => !mine(c))]);
    }
  };
}
