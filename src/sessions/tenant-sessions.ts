import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import session from 'express-session';
import type { Tenant } from '../tenants/tenant.ts';
import { tenantCache } from '../tenants/tenant-cache.ts';
import type { Stores } from '../store/stores.ts';
import { sessionKeyPrefix } from './keys.ts';
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
  const forTenant = tenantCache(options.cacheSize, (tenant) => ({
    http: build(tenant, options, false),
    https: build(tenant, options, true),
  }));
  return (req, res, next) => {
    const pair = forTenant(req.tenant);
    // req.secure honours X-Forwarded-Proto only from proxies named in TRUST_PROXY.
    const handler = req.secure ? pair.https : pair.http;
    sessionCookieFirst(res, req.secure ? secureCookieName(options.cookieName) : options.cookieName);
    handler(req, res, next);
  };
}

function build(tenant: Tenant, options: TenantSessionOptions, https: boolean): RequestHandler {
  const { stores, appName, cookieName } = options;
  const { ttlSeconds, absoluteSeconds } = sessionPolicy(tenant, options.defaults);
  return session({
    name: https ? secureCookieName(cookieName) : cookieName,
    secret: tenantSigningKeys(tenant.ownSecrets ?? options.secrets, tenant.id),
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
    // Each signed-in response renews the cookie, so the idle lifetime slides in the browser too.
    rolling: true,
    cookie: {
      httpOnly: true, // not readable by page scripts
      sameSite: 'lax', // not sent on cross-site subresource requests or POSTs
      path: '/',
      secure: https, // `__Host-` requires it; plain HTTP (local development) cannot set it
      maxAge: ttlSeconds * 1000,
      // No `domain`: host-only cookies, so sibling subdomains (other tenants) never receive them.
    },
  });
}

/**
 * Puts the session cookie first among the response's Set-Cookie headers (a login also sets the
 * device cookie), so clients and scripts that read one cookie read the session. express-session
 * sets its cookie as the headers are written; this hook is installed before it, so it runs after.
 */
function sessionCookieFirst(res: ServerResponse, name: string): void {
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  res.writeHead = (...args: unknown[]) => {
    const cookies = res.getHeader('Set-Cookie');
    if (Array.isArray(cookies) && cookies.length > 1) {
      const mine = (cookie: string) => cookie.startsWith(`${name}=`);
      res.setHeader('Set-Cookie', [...cookies.filter(mine), ...cookies.filter((c) => !mine(c))]);
    }
    return writeHead(...args);
  };
}
