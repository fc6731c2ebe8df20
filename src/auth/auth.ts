import type { ErrorRequestHandler, RequestHandler, Router } from 'express';
import type { Config } from '../config.ts';
import type { Feature } from '../features/feature.ts';
import { sessionHandles } from '../sessions/session-handle.ts';
import { secureCookieName, tenantSessions } from '../sessions/tenant-sessions.ts';
import { policyDefaults } from '../sessions/session-policy.ts';
import { userSessionsOf } from '../sessions/user-sessions.ts';
import type { Stores } from '../store/stores.ts';
import { accountSessions } from './account-sessions.ts';
import { currentUser } from './current-user.ts';
import { deviceCookies } from './device-cookie.ts';
import type { HashQueue } from './hash-queue.ts';
import { loginLimiterOf } from './login-limiter.ts';
import type { LoginRouteOptions } from './login-route.ts';
import { authRoutes } from './routes.ts';
import { sessionsFeature } from './sessions-routes.ts';
import { logoutDuringOutage } from './sign-out.ts';
import { sessionStarter } from './start-session.ts';
import type { UserDirectory } from './user-directory.ts';

export interface AuthOptions {
  config: Config;
  stores: Stores;
  users: UserDirectory;
  /** The one password-hashing queue of the process: sign-in shares it with the account pages. */
  hashing: HashQueue;
  onLoginAttempt?: LoginRouteOptions['onAttempt'];
}

/** The signed-in part of the app, in the order createApp mounts it. */
export interface Auth {
  /** The tenant's session, then `req.user`. */
  session: RequestHandler[];
  /** GET/POST /login, POST /logout. */
  routes: Router;
  /** The account features: "Your sessions" (/account/sessions, /api/sessions). */
  features: Feature[];
  /** A logout that met a store outage still signs out in the browser. */
  outage: ErrorRequestHandler;
}

export function createAuth(options: AuthOptions): Auth {
  const { config, stores, users, hashing, onLoginAttempt } = options;
  const defaults = policyDefaults(config);
  const sessions = userSessionsOf(config, stores);
  const cookieNames = {
    http: config.sessionCookieName,
    https: secureCookieName(config.sessionCookieName),
  };
  const accounts = accountSessions({
    sessions,
    handleOf: sessionHandles(config.sessionSecrets[0]!),
  });
  return {
    session: [
      tenantSessions({
        stores,
        appName: config.appName,
        cookieName: config.sessionCookieName,
        secrets: config.sessionSecrets,
        defaults,
        cacheSize: config.tenantCacheSize,
      }),
      currentUser,
      noStoreWhenSignedIn,
    ],
    routes: authRoutes({
      users,
      sessions,
      cookieNames,
      startSession: sessionStarter({ sessions, stores, users }),
      limiter: loginLimiterOf(config, stores),
      hashing,
      devices: deviceCookies({
        secrets: config.sessionSecrets,
        cookieName: config.sessionCookieName,
        cacheSize: config.tenantCacheSize,
      }),
      onAttempt: onLoginAttempt,
    }),
    features: [sessionsFeature(accounts)],
    outage: logoutDuringOutage({ cookieNames, ttlSeconds: config.sessionTtlSeconds }),
  };
}

/** Pages for a signed-in user are personal: no shared or browser cache may keep them. */
const noStoreWhenSignedIn: RequestHandler = (req, res, next) => {
  if (req.user) res.setHeader('Cache-Control', 'no-store');
  next();
};
