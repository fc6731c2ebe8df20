import { fileURLToPath } from 'node:url';
import express, { type Express, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { createAuth } from './auth/auth.ts';
import type { HashQueue } from './auth/hash-queue.ts';
import type { UserDirectory } from './auth/user-directory.ts';
import type { Config } from './config.ts';
import type { AppDatabase } from './db/open-database.ts';
import type { Feature } from './features/feature.ts';
import type { Metrics } from './observability/metrics.ts';
import type { Stores } from './store/stores.ts';
import type { TenantRegistry } from './tenants/registry.ts';
import type { DomainTenants } from './tenants/tenant-resolver.ts';
import { resolveTenant } from './tenants/resolve-tenant.ts';
import { crossOriginProtection } from './web/cross-origin.ts';
import { errorHandler, notFound } from './web/errors.ts';
import { frontDoor } from './web/front-door.ts';
import { jsonBody } from './web/json-body.ts';
import { probes } from './web/probes.ts';
import { untrustedProxyWarning } from './web/proxy-warning.ts';
import type { TrustFn } from './web/request-id.ts';
import { requestLogger } from './web/fast-paths.ts';
import { securityHeaders } from './web/security-headers.ts';
import { strictRequest } from './web/strict-request.ts';

/** What the app is built from: src/parts.ts opens them, for the server and the tests alike. */
export interface AppParts {
  config: Config;
  tenants: TenantRegistry;
  stores: Stores;
  /** Accounts and the features' data (PostgreSQL, or PGlite in development). */
  database: AppDatabase;
  logger: Logger;
  users: UserDirectory;
  /** Every password hash of the process waits its turn here (sign-in and the account pages). */
  hashing: HashQueue;
  /** The app's own features, in navigation order (src/features/index.ts). */
  features: Feature[];
  /** Prometheus metrics (served on the internal listener); none with METRICS=off. */
  metrics?: Metrics | undefined;
  /** Customers' verified domains (src/domains/): hosts served beside the tenant files' own. */
  domains?: DomainTenants;
}

const publicDir = fileURLToPath(new URL('../public', import.meta.url));

/**
 * Never listens and holds no globals, so tests build exactly what the server runs. A request flows
 * top to bottom (README.md, "How a request flows").
 */
export function createApp(parts: AppParts): Express {
  const { config, tenants, stores, logger, users, metrics } = parts;
  const app = express();
  // Only proxies named in TRUST_PROXY may set X-Forwarded-Host/-Proto/-For; never `true` by default.
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  // No ETag on dynamic answers: hashing each body costs every request, and personal pages are
  // no-store anyway. Static assets keep theirs (express.static makes its own).
  app.set('etag', false);
  const auth = createAuth({
    config,
    stores,
    users,
    hashing: parts.hashing,
    onLoginAttempt: metrics?.loginAttempt,
  });
  const features = [...parts.features, ...auth.features];
  app.locals.nav = features.flatMap((feature) => feature.nav ?? []);

  if (metrics) app.use(metrics.requests(app));
  app.use(
    requestLogger(app, {
      logger,
      trust: app.get('trust proxy fn') as TrustFn,
      autoLogging: config.env !== 'test',
    }),
  );
  app.use(securityHeaders());
  // Before anything reads the Host or the path, probes included.
  app.use(strictRequest);
  if (config.trustProxy === false) app.use(untrustedProxyWarning(logger));
  if (config.replicaName) app.use(servedBy(config.replicaName));
  // Routes of the app itself, not a router of their own: any other path pays one path match each.
  const probe = probes({ stores, database: parts.database, centralHosts: config.centralHosts });
  app.get('/healthz', probe.healthz);
  app.get('/readyz', probe.readyz);
  app.use('/assets', express.static(`${publicDir}/assets`, { index: false, maxAge: '1h' }));
  app.use(
    frontDoor({
      centralHosts: config.centralHosts,
      // Production's front door names no tenant: the list would map every customer.
      tenants: config.env === 'production' ? undefined : () => tenants.list(),
    }),
  );
  app.use(resolveTenant(tenants, parts.domains));
  for (const { prefix, beforeSession } of features)
    if (beforeSession) app.use(prefix, beforeSession);
  // Before the session is read: a refused cross-site request costs no store call, and a logout
  // that finds the store down (auth.outage) has already passed this check.
  app.use(crossOriginProtection, ...auth.session);

  app.use('/api', jsonBody('16kb'));
  for (const feature of features) if (feature.api) app.use(apiPath(feature), feature.api);
  app.use(auth.routes);
  for (const { prefix, pages } of features) if (pages) app.use(prefix, pages);

  app.use(notFound);
  app.use(auth.outage);
  app.use(errorHandler);
  return app;
}

const apiPath = ({ apiPrefix, prefix }: Feature) =>
  `/api${(apiPrefix ?? prefix).replace(/\/$/, '')}`;

/** Names the replica in each response, so the demo and tests can see the load being shared. */
const servedBy =
  (name: string): RequestHandler =>
  (_req, res, next) => {
    res.setHeader('X-Served-By', name);
    next();
  };
