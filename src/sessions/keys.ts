/**
 * The Redis key layout, in one place. Every part is a slug checked at load (tenant id, APP_NAME,
 * username: no ':', '{', '}', '*', '?', '[' or spaces), and every prefix ends with ':', so one
 * tenant's prefix is never the start of another's and SCAN patterns stay literal.
 *
 * Slots, for Redis Cluster: a key's slot is the CRC16 of its hash tag (the part between the first
 * '{' and the next '}') or, without one, of the whole key.
 * - Session keys carry no tag, so one tenant's sessions spread over every shard, and each session
 *   key is its own slot: a session is read and written with single-key commands only.
 * - A user's session index carries the tag `{<tenant>:<app>:<username>}`: the whole index is one
 *   key in one slot, so the commands that change it (ZADD with its EXPIRE, in one MULTI) never
 *   cross slots. It never shares a command with the session keys it lists: those are in other
 *   slots, so the index and a session are written by separate commands (see user-sessions.ts for
 *   the order, and why the index may lag behind a session's end but never its start).
 */
export const sessionKeyPrefix = (tenantId: string, appName: string) =>
  `sessions:${tenantId}:${appName}:`;

/** Failed sign-ins per username and client address: `<prefix><hmac>`. */
export const loginFailureKeyPrefix = (tenantId: string, appName: string) =>
  `login-failures:${tenantId}:${appName}:`;

/** Failed sign-ins per client address, across usernames (spraying, floods). */
export const loginAddressKeyPrefix = (tenantId: string, appName: string) =>
  `${loginFailureKeyPrefix(tenantId, appName)}address:`;

/** Successful sign-ins per username and address (under the limiter's prefix, as ACLs name it). */
export const loginSuccessKeyPrefix = (tenantId: string, appName: string) =>
  `${loginFailureKeyPrefix(tenantId, appName)}success:`;

/** Failed sign-ins per device cookie (a browser that has signed in as that user before). */
export const loginDeviceKeyPrefix = (tenantId: string, appName: string) =>
  `${loginFailureKeyPrefix(tenantId, appName)}device:`;

/** Password-reset requests per address and per username (under the limiter's prefix, as ACLs name it). */
export const resetRequestKeyPrefix = (tenantId: string, appName: string) =>
  `${loginFailureKeyPrefix(tenantId, appName)}reset:`;

/** Every index of one tenant starts with this (the CLI's purge scans it). */
export const userSessionsKeyPrefix = (tenantId: string, appName: string) =>
  `user-sessions:{${tenantId}:${appName}:`;

/** One user's live sessions: a sorted set of session ids, scored by sign-in time (epoch ms). */
export const userSessionsKey = (tenantId: string, appName: string, username: string) =>
  `${userSessionsKeyPrefix(tenantId, appName)}${username}}`;

// A feature's own keys are laid out in its repository, by the same rules (a tenant-scoped prefix
// ending with ':' or a closing hash tag, a TTL on every key): the example's notes are
// `notes:{<tenant>:<app>:<username>}` (src/features/notes/redis-notes-repository.ts).
