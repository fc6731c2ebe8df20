import { fileURLToPath } from 'node:url';
import express, { type Express, type RequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { createLoginLimiter } from './auth/login-limiter.ts';
import { authRoutes } from './auth/routes.ts';
import type { Config } from './config.ts';
import type { SessionBackend } from './sessions/kv.ts';
import { secureCookieName, tenantSessions } from './sessions/tenant-sessions.ts';
import type { TenantRegistry } from './tenants/registry.ts';
import { resolveTenant } from './tenants/resolve-tenant.ts';
import { crossOriginProtection } from './web/cross-origin.ts';
import { errorHandler, notFound } from './web/errors.ts';
import { healthRoutes } from './web/health-routes.ts';
import { securityHeaders } from './web/security-headers.ts';
import { siteRoutes } from './web/site-routes.ts';

export interface AppDeps {
  config: Config;
  tenants: TenantRegistry;
  backend: SessionBackend;
  logger: Logger;
  /** Extra tenant routes, mounted after the built-in ones (each request has req.tenant and req.session). */
  routes?: Router[];
}

const publicDir = fileURLToPath(new URL('../public', import.meta.url));

/**
 * Builds the app; never listens and holds no globals, so tests build exactly what the server runs.
 * A request flows: security headers -> probes -> static assets -> tenant (404 stops here) ->
 * that tenant's session -> cross-origin check -> routes -> 404 -> error handler.
 */
export function createApp({ config, tenants, backend, logger, routes = [] }: AppDeps): Express {
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
  app.use(healthRoutes(backend));
  app.use('/assets', express.static(`${publicDir}/assets`, { index: false, maxAge: '1h' }));

  app.use(resolveTenant(tenants));
  app.use(
    tenantSessions({
      kv: backend.kv,
      appName: config.appName,
      cookieName: config.sessionCookieName,
      secrets: config.sessionSecrets,
      ttlSeconds: config.sessionTtlSeconds,
      absoluteSeconds: config.sessionAbsoluteSeconds,
    }),
  );
  app.use(noStoreWhenSignedIn);
  app.use(crossOriginProtection);

  app.use(siteRoutes());
  app.use(
    authRoutes({
      limiter: createLoginLimiter({
        kv: backend.kv,
        appName: config.appName,
        secret: config.sessionSecrets[0]!,
        maxFailures: config.loginMaxFailures,
        windowSeconds: config.loginWindowSeconds,
      }),
      cookieNames: {
        http: config.sessionCookieName,
        https: secureCookieName(config.sessionCookieName),
      },
    }),
  );
  for (const router of routes) app.use(router);

  app.use(notFound);
  app.use(errorHandler);
  return app;
}

/** Pages for a signed-in user are personal: no shared or browser cache may keep them. */
const noStoreWhenSignedIn: RequestHandler = (req, res, next) => {
  if (req.session.user) res.setHeader('Cache-Control', 'no-store');
  next();
};

/** Names the replica in each response, so the demo and tests can see the load being shared. */
const servedBy =
  (name: string): RequestHandler =>
  (_req, res, next) => {
    res.setHeader('X-Served-By', name);
    next();
  };
