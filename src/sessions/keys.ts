/**
 * The Redis key layout, in one place. Every part is a slug checked at load, and every prefix ends
 * with ':', so one tenant's prefix is never the start of another's and SCAN patterns stay literal.
 */
export const sessionKeyPrefix = (tenantId: string, appName: string) =>
  `sessions:${tenantId}:${appName}:`;

/** Failed sign-ins per username and client address: `<prefix><hmac>`. */
export const loginFailureKeyPrefix = (tenantId: string, appName: string) =>
  `login-failures:${tenantId}:${appName}:`;

/** Failed sign-ins per client address, across usernames (spraying, floods). */
export const loginAddressKeyPrefix = (tenantId: string, appName: string) =>
  `${loginFailureKeyPrefix(tenantId, appName)}address:`;

/** Failed sign-ins per device cookie (a browser that has signed in as that user before). */
export const loginDeviceKeyPrefix = (tenantId: string, appName: string) =>
  `${loginFailureKeyPrefix(tenantId, appName)}device:`;
