/**
 * The Redis key layout, in one place. Every part is a slug checked at load, and every prefix ends
 * with ':', so one tenant's prefix is never the start of another's and SCAN patterns stay literal.
 */
export const sessionKeyPrefix = (tenantId: string, appName: string) =>
  `sessions:${tenantId}:${appName}:`;

export const loginFailureKeyPrefix = (tenantId: string, appName: string) =>
  `login-failures:${tenantId}:${appName}:`;

// A feature's own keys are laid out in its repository, by the same rules (a tenant-scoped prefix
// ending with ':' or a closing hash tag, a TTL on every key): the example's notes are
// `notes:{<tenant>:<app>:<username>}` (src/features/notes/redis-notes-repository.ts).
