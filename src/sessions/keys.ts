/**
 * The Redis key layout. Parts are slugs checked at load and prefixes end with ':', so no tenant's
 * prefix starts another's and SCAN patterns stay literal (slots: docs/sessions.md).
 */
export const sessionKeyPrefix = (tenantId: string, appName: string) =>
  `sessions:${tenantId}:${appName}:`;

/** Failed sign-ins per username and client address: `<prefix><hmac>`. */
export const loginFailureKeyPrefix = (tenantId: string, appName: string) =>
  `login-failures:${tenantId}:${appName}:`;

export const loginAddressKeyPrefix = (tenantId: string, appName: string) =>
  `${loginFailureKeyPrefix(tenantId, appName)}address:`;

/** Successful sign-ins per username and address (under the limiter's prefix, as ACLs name it). */
export const loginSuccessKeyPrefix = (tenantId: string, appName: string) =>
  `${loginFailureKeyPrefix(tenantId, appName)}success:`;

export const loginDeviceKeyPrefix = (tenantId: string, appName: string) =>
  `${loginFailureKeyPrefix(tenantId, appName)}device:`;

/** Password-reset requests per address and per username (under the limiter's prefix, as ACLs name it). */
export const resetRequestKeyPrefix = (tenantId: string, appName: string) =>
  `${loginFailureKeyPrefix(tenantId, appName)}reset:`;

/** Hash-tagged, so one user's index is one Cluster slot; the CLI's purge scans this prefix. */
export const userSessionsKeyPrefix = (tenantId: string, appName: string) =>
  `user-sessions:{${tenantId}:${appName}:`;

export const userSessionsKey = (tenantId: string, appName: string, username: string) =>
  `${userSessionsKeyPrefix(tenantId, appName)}${username}}`;

// A feature's own keys follow the same rules in its repository (docs/extending.md).
