import type { RequestHandler } from 'express';
import session, { type SessionData } from 'express-session';
import type { Tenant } from '../tenants/load-tenants.ts';
import type { Kv } from './kv.ts';
import { GuardedTenantStore } from './guarded-store.ts';
import { sessionKeyPrefix } from './keys.ts';
import { regenerateSession } from './session-ops.ts';
import { tenantSigningKeys } from './signing-keys.ts';
import './session-data.ts';

export interface TenantSessionOptions {
  kv: Kv;
  appName: string;
  cookieName: string;
  /** SESSION_SECRET's list; a tenant with its own secrets uses those instead. */
  secrets: readonly string[];
  ttlSeconds: number;
  absoluteSeconds: number;
}

/** The cookie name used over HTTPS: `__Host-` makes browsers refuse it with a Domain or without Secure. */
export const secureCookieName = (name: string) => `__Host-${name}`;

/**
 * The session layer: for each tenant, express-session middlewares with that tenant's own store
 * (prefix `sessions:<tenant>:<app>:`) and signing keys, built on first use and cached per tenant
 * object, so a reloaded tenant file gets fresh ones. Needs `req.tenant` (resolveTenant runs first).
 */
export function tenantSessions(options: TenantSessionOptions): RequestHandler {
  const cache = new WeakMap<Tenant, { http: RequestHandler; https: RequestHandler }>();
  const forTenant = (tenant: Tenant) => {
    let pair = cache.get(tenant);
    if (!pair) {
      pair = { http: build(tenant, options, false), https: build(tenant, options, true) };
      cache.set(tenant, pair);
    }
    return pair;
  };
  return (req, res, next) => {
    const pair = forTenant(req.tenant);
    // req.secure honours X-Forwarded-Proto only from proxies named in TRUST_PROXY.
    const handler = req.secure ? pair.https : pair.http;
    handler(req, res, (err?: unknown) => {
      if (err) return next(err);
      enforceBinding(req, options.absoluteSeconds).then(() => next(), next);
    });
  };
}

function build(tenant: Tenant, options: TenantSessionOptions, https: boolean): RequestHandler {
  const { kv, appName, cookieName, ttlSeconds, absoluteSeconds } = options;
  return session({
    name: https ? secureCookieName(cookieName) : cookieName,
    secret: tenantSigningKeys(tenant.ownSecrets ?? options.secrets, tenant.id),
    // One store per middleware: express-session rewrites store.generate, so a shared store breaks.
    // Its writes never bring back a session that a logout deleted while a request was running.
    store: new GuardedTenantStore({
      kv,
      prefix: sessionKeyPrefix(tenant.id, appName),
      ttl: (sess: SessionData) => remainingSeconds(sess, ttlSeconds, absoluteSeconds),
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

/** Redis TTL: the idle lifetime, but never past the absolute end of the session. */
function remainingSeconds(sess: SessionData, ttl: number, absolute: number): number {
  if (sess.createdAt === undefined) return ttl;
  const left = Math.floor((sess.createdAt + absolute * 1000 - Date.now()) / 1000);
  return Math.min(ttl, left);
}

/**
 * Defence in depth behind the key prefix: a session is honoured only on the tenant that created
 * it and only within its absolute lifetime. Anything else is dropped and the visitor is anonymous.
 */
async function enforceBinding(
  req: Parameters<RequestHandler>[0],
  absoluteSeconds: number,
): Promise<void> {
  const { session: s } = req;
  if (s.user === undefined && s.tenantId === undefined) return;
  const expired = (s.createdAt ?? 0) + absoluteSeconds * 1000 <= Date.now();
  if (s.tenantId !== req.tenant.id || s.user === undefined || expired) {
    await regenerateSession(req);
  }
}
