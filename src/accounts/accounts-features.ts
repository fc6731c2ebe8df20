import type { Logger } from 'pino';
import type { HashQueue } from '../auth/hash-queue.ts';
import { loginLimiterOf } from '../auth/login-limiter.ts';
import { sessionStarter } from '../auth/start-session.ts';
import { databaseUsers } from '../auth/user-directory.ts';
import type { Config } from '../config.ts';
import type { AppDatabase } from '../db/open-database.ts';
import type { Feature } from '../features/feature.ts';
import { userSessionsOf } from '../sessions/user-sessions.ts';
import type { Stores } from '../store/stores.ts';
import { accountFeature } from './account-feature.ts';
import { adminUsersFeature } from './admin-users-feature.ts';
import { accountHashing } from './hashing.ts';
import { invitationFeature } from './invitation-feature.ts';
import { invitationsRepository } from './invitations-repository.ts';
import { mailerOf } from './mailer.ts';
import { passwordChanger } from './password-change.ts';
import { passwordResetFeature } from './password-reset-feature.ts';
import { resetRequests } from './password-reset-requests.ts';
import { passwordResetsRepository } from './password-resets-repository.ts';
import { createResetLimiter } from './reset-limiter.ts';
import { userAdmin } from './user-admin.ts';
import { usersRepository } from './users-repository.ts';

export interface AccountsDeps {
  config: Config;
  stores: Stores;
  database: AppDatabase;
  logger: Logger;
  hashing: HashQueue;
}

/** Reset emails per username, and requests per address, within LOGIN_WINDOW_SECONDS. */
export const RESET_LIMITS = { perUser: 3, perAddress: 20 };

/**
 * The account features: "Your account" (/account), the users' administration (/admin/users),
 * accepting an invitation (/invite) and resetting a password (/password-reset), built from the
 * app's parts. Sessions end through the same per-user index sign-in and "your sessions" use.
 */
export function accountsFeatures(deps: AccountsDeps): Feature[] {
  const { config, stores, database, logger, hashing: queue } = deps;
  const users = usersRepository(database.db);
  const invitations = invitationsRepository(database.db);
  const resets = passwordResetsRepository(database.db);
  const sessions = userSessionsOf(config, stores);
  const mailer = mailerOf(config, logger);
  const hashing = accountHashing(queue);
  const limiter = createResetLimiter({
    stores,
    appName: config.appName,
    secret: config.sessionSecrets[0]!,
    windowSeconds: config.loginWindowSeconds,
    ...RESET_LIMITS,
  });
  return [
    accountFeature(
      passwordChanger({ users, limiter: loginLimiterOf(config, stores), hashing, sessions }),
    ),
    adminUsersFeature(userAdmin({ users, invitations, sessions, mailer, logger }), users),
    invitationFeature({
      invitations,
      hashing,
      startSession: sessionStarter({ sessions, stores, users: databaseUsers(users) }),
    }),
    passwordResetFeature({
      requestReset: resetRequests({ users, resets, limiter, mailer, logger }),
      resets,
      hashing,
      sessions,
    }),
  ];
}
