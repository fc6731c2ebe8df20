import { fileURLToPath } from 'node:url';
import express, { type Express, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { currentUser } from './auth/current-user.ts';
import { createLoginLimiter } from './auth/login-limiter.ts';
import { authRoutes } from './auth/routes.ts';
import { tenantFileUsers, type UserDirectory } from './auth/user-directory.ts';
import type { Config } from './config.ts';
import type { AppRoutes } from './features/feature.ts';
import { secureCookieName, tenantSessions } from './sessions/tenant-sessions.ts';
import type { Stores } from './store/stores.ts';
import type { TenantRegistry } from './tenants/registry.ts';
import { resolveTenant } from './tenants/resolve-tenant.ts';
import { crossOriginProtection } from './web/cross-origin.ts';
import { errorHandler, notFound } from './web/errors.ts';
import { jsonBody } from './web/json-body.ts';
import { probeRoutes } from './web/probes.ts';
import { securityHeaders } from './web/security-headers.ts';

export interface AppDeps {
  config: Config;
  tenants: TenantRegistry;
  stores: Stores;
  logger: Logger;
  /** Where users are found; default: the tenant files. */
  users?: UserDirectory;
  /** The app's own features (src/features/index.ts assembles them). */
  routes?: AppRoutes;
}

const publicDir = fileURLToPath(new URL('../public', import.meta.url));

/**
 * Builds the app; never listens and holds no globals, so tests build exactly what the server runs.
 * A request flows: security headers -> probes -> static assets -> tenant (404 stops here) ->
 * routes before the session -> that tenant's session -> current user -> cross-origin check ->
 * sign-in routes and pages -> the JSON API -> 404 -> error handler.
 */
export function createApp(deps: AppDeps): Express {
  const { config, tenants, stores, logger, users = tenantFileUsers, routes = {} } = deps;
  const app = express();
  // Only proxies named in TRUST_PROXY may set X-Forwarded-Host/-Proto/-For; never `true` by default.
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');

  app.use(
    pinoHttp({
      logger,
      quietReqLogger: true,
      autoLogging: config.env !== 'test',
      // A 503 while Redis is away is an expected answer, not a bug: warn, not error.
      customLogLevel: (_req, res, err) =>
        res.statusCode === 503 ? 'warn' : res.statusCode >= 500 || err ? 'error' : 'info',
      serializers: {
        req: (req: { method: string; url: string; headers: Record<string, unknown> }) => ({
          method: req.method,
          url: req.url,
          host: req.headers.host,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(securityHeaders());
  if (config.replicaName) app.use(servedBy(config.replicaName));
  app.use(probeRoutes(stores));
  app.use('/assets', express.static(`${publicDir}/assets`, { index: false, maxAge: '1h' }));

  app.use(resolveTenant(tenants));
  for (const router of routes.beforeSession ?? []) app.use(router);

  app.use(
    tenantSessions({
      stores,
      appName: config.appName,
      cookieName: config.sessionCookieName,
      secrets: config.sessionSecrets,
      ttlSeconds: config.sessionTtlSeconds,
      absoluteSeconds: config.sessionAbsoluteSeconds,
    }),
  );
  app.use(currentUser);
  app.use(noStoreWhenSignedIn);
  app.use(crossOriginProtection);

  app.use(
    authRoutes({
      users,
      limiter: createLoginLimiter({
        stores,
        appName: config.appName,
        secret: config.sessionSecrets[0]!,
        maxFailures: config.loginMaxFailures,
        windowSeconds: config.loginWindowSeconds,
      }),
      cookieNames: {
        http: config.sessionCookieName,
        https: secureCookieName(config.sessionCookieName),
      },
      stores,
    }),
  );
  for (const router of routes.pages ?? []) app.use(router);

  // JSON only (415 otherwise: a form post never reaches an API route), objects and arrays, 16 KB,
  // never compressed; every refusal a 4xx answered as JSON.
  app.use('/api', jsonBody('16kb'));
  for (const router of routes.api ?? []) app.use('/api', router);

  app.use(notFound);
  app.use(errorHandler);
  return app;
}

/** Pages for a signed-in user are personal: no shared or browser cache may keep them. */
const noStoreWhenSignedIn: RequestHandler = (req, res, next) => {
  if (req.user) res.setHeader('Cache-Control', 'no-store');
  next();
};

/** Names the replica in each response, so the demo and tests can see the load being shared. */
const servedBy =
  (name: string): RequestHandler =>
  (_req, res, next) => {
    res.setHeader('X-Served-By', name);
    next();
  };
