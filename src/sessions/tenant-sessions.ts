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
  /** Each tenant's sessions live in `stores.forTenant(tenant)`. */
  stores: Stores;
  appName: string;
  cookieName: string;
  /** SESSION_SECRET's list; a tenant with its own secrets uses those instead. */
  secrets: readonly string[];
  /** The environment's policy; a tenant file's `session` settings override it per tenant. */
  defaults: SessionPolicy;
  /** TENANT_CACHE_SIZE: how many tenants' middlewares stay built (the most recently served). */
  cacheSize: number;
}

/** The cookie name used over HTTPS: `__Host-` makes browsers refuse it with a Domain or without Secure. */
export const secureCookieName = (name: string) => `__Host-${name}`;

/**
 * The session layer: for each tenant, express-session middlewares with that tenant's own store
 * (prefix `sessions:<tenant>:<app>:`), signing keys and lifetimes, built on first use and kept for
 * the TENANT_CACHE_SIZE most recently served tenants; a reloaded tenant file (a new policy, say)
 * gets fresh ones at once. Sessions live in the store, so an evicted tenant's rebuilt middleware
 * reads the same signed-in cookies. Needs `req.tenant` (resolveTenant runs first).
 */
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

/** One tenant's session middlewares (plain HTTP and HTTPS) and what its cookies need. */
interface TenantSession {
  /** The middleware for HTTPS requests or for plain HTTP ones, each built on first use. */
  middleware(https: boolean): RequestHandler;
  /** How long a cookie lasts, ms (see cookieLifetimeMs). */
  cookieMs: number;
  /** Its signing keys, the one that signs first. */
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
 * The cookie is not re-signed and re-sent on every answer (express-session's `rolling`: an HMAC
 * and a Set-Cookie on every signed-in read): it is sent whenever the session is saved, which is at
 * sign-in, on any change, and when its last-seen time is recorded, at most LAST_SEEN_RESOLUTION_MS
 * apart while it is used. So it lasts the idle lifetime plus that resolution, and never ends before
 * the session does on the server, where GETEX slides the idle lifetime on every read.
 */
export const cookieLifetimeMs = (ttlSeconds: number) => ttlSeconds * 1000 + LAST_SEEN_RESOLUTION_MS;

/**
 * After the session is read: the next cookie sent follows the tenant's policy as it is now, and a
 * cookie signed with an older key of a rotation is renewed at once, under the first key, so it
 * outlives the old key's removal.
 */
function renewCookieWhenDue(req: Request, name: string, tenant: TenantSession): void {
  const { session: sess, sessionID } = req;
  if (!sess) return;
  sess.cookie.originalMaxAge = tenant.cookieMs;
  if (tenant.keys.length > 1 && sess.user && !signedWith(req, name, sessionID, tenant.keys[0]!)) {
    renewCookie(req);
  }
}

/** Whether the request's session cookie is signed with `key` (express-session's format). */
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
    // It reads back only this tenant's sessions within their absolute lifetime (the tenant id is
    // checked behind the key prefix), and never writes back a session a logout deleted meanwhile.
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
    // The cookie is sent when the session is saved, not re-signed on every answer (cookieLifetimeMs).
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
 * Puts the session cookie first among a response's Set-Cookie headers (a login also sets the
 * device cookie), so clients and scripts that read one cookie read the session. express-session
 * sets its cookie as the headers are written; a hook added before its own runs after it.
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
