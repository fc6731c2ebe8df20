import type { SessionData } from 'express-session';
import { describeDevice } from '../../auth/device.ts';
import { sessionKeyPrefix, userSessionsKeyPrefix } from '../../sessions/keys.ts';
import { endOf } from '../../sessions/tenant-store.ts';
import { parse } from '../../sessions/user-sessions.ts';
import type { Kv } from '../../store/store.ts';
import type { Tenant } from '../../tenants/tenant.ts';
import { CliError } from './cli-error.ts';
import type { CliContext } from './context.ts';

/**
 * SCAN's COUNT: keys Redis looks at per call. Bounded, so one call never blocks Redis for long
 * on a big keyspace; only `list` without --user, `purge` and `stats` scan. Never KEYS.
 */
export const SCAN_COUNT = 500;

/** A session as `list --json` prints it. */
export interface SessionRow {
  /** The bare session id, as in the key (not the cookie value). */
  sid: string;
  user: string | null;
  createdAt: string | null;
  lastSeenAt: string | null;
  ip: string | null;
  userAgent: string | null;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

function row(sid: string, data: Partial<SessionData>): SessionRow {
  return {
    sid,
    user: data.user?.username ?? null,
    createdAt: iso(data.createdAt),
    lastSeenAt: iso(data.lastSeenAt ?? data.createdAt),
    ip: data.ip || null,
    userAgent: data.userAgent ?? null,
  };
}

/** Every key under a prefix, a bounded SCAN page at a time. */
async function* scan(kv: Kv, prefix: string): AsyncIterable<string[]> {
  for await (const keys of kv.scanIterator({ MATCH: `${prefix}*`, COUNT: SCAN_COUNT })) {
    if (keys.length > 0) yield keys;
  }
}

/** One tenant's sessions, newest sign-in first: with a user, from that user's index (no scan). */
export async function list(ctx: CliContext, tenantId: string, user?: string) {
  const tenant = ctx.tenant(tenantId);
  const kv = await ctx.storeOf(tenant);
  if (user !== undefined) {
    return (await ctx.userSessions.list(tenant, user)).map((s) => row(s.sid, s.data)).reverse();
  }
  const prefix = sessionKeyPrefix(tenant.id, ctx.config.appName);
  const rows = new Map<string, SessionRow>(); // SCAN may return a key twice
  for await (const keys of scan(kv, prefix)) {
    const values = await kv.getMany(keys); // one round trip per shard
    keys.forEach((key, i) => {
      const data = parse(values[i]);
      if (data) rows.set(key, row(key.slice(prefix.length), data));
    });
  }
  return [...rows.values()].sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
}

async function find(ctx: CliContext, tenant: Tenant, sid: string) {
  const data = await ctx.userSessions.read(tenant, sid);
  if (!data) throw new CliError(`unknown session "${sid}" at tenant ${tenant.id}`);
  return data;
}

/** One session in full, with whether the server would still honour it, and why not. */
export async function show(ctx: CliContext, tenantId: string, sid: string) {
  const tenant = ctx.tenant(tenantId);
  const kv = await ctx.storeOf(tenant);
  const data = await find(ctx, tenant, sid);
  const ttl = await kv.ttl(sessionKeyPrefix(tenant.id, ctx.config.appName) + sid);
  return {
    ...row(sid, data),
    tenant: tenant.id,
    handle: ctx.handleOf(tenant.id, sid),
    device: describeDevice(data.userAgent),
    endsAt: iso(data.endsAt),
    expiresInSeconds: ttl >= 0 ? ttl : null,
    status: status(ctx, tenant, data),
  };
}

function status(ctx: CliContext, tenant: Tenant, data: Partial<SessionData>): string {
  if (data.tenantId !== tenant.id) return 'refused: it names another tenant';
  if (endOf(data, ctx.userSessions.policy(tenant).absoluteSeconds * 1000) <= Date.now()) {
    return 'ended: past its absolute lifetime';
  }
  return data.user ? 'signed in' : 'anonymous';
}

/** Ends one session now: its key, then its entry in its user's index. */
export async function revoke(ctx: CliContext, tenantId: string, sid: string) {
  const tenant = ctx.tenant(tenantId);
  const kv = await ctx.storeOf(tenant);
  const data = await find(ctx, tenant, sid);
  const user = data.user?.username ?? null;
  if (user) await ctx.userSessions.end(tenant, user, [sid]);
  else await kv.del(sessionKeyPrefix(tenant.id, ctx.config.appName) + sid);
  return { tenant: tenant.id, sid, user, revoked: 1 };
}

/** Ends every session of one user, found through the user's index: no SCAN, no KEYS. */
export async function revokeUser(ctx: CliContext, tenantId: string, username: string) {
  const tenant = ctx.tenant(tenantId);
  await ctx.storeOf(tenant);
  const revoked = await ctx.userSessions.endAll(tenant, username);
  return { tenant: tenant.id, user: username, revoked };
}

/**
 * Deletes every session and every user index of one tenant: the one command that must scan
 * (sessions of no user are in no index). A page of keys at a time, one round trip per shard.
 */
export async function purge(ctx: CliContext, tenantId: string) {
  const tenant = ctx.tenant(tenantId);
  const kv = await ctx.storeOf(tenant);
  const deleteAll = async (prefix: string) => {
    let deleted = 0;
    for await (const keys of scan(kv, prefix)) {
      for (const n of await kv.delEach(keys)) deleted += n;
    }
    return deleted;
  };
  const sessions = await deleteAll(sessionKeyPrefix(tenant.id, ctx.config.appName));
  const indexes = await deleteAll(userSessionsKeyPrefix(tenant.id, ctx.config.appName));
  return { tenant: tenant.id, sessions, indexes };
}

/** Live sessions per tenant: session keys present, counted by SCAN (no values read). */
export async function stats(ctx: CliContext): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const tenant of [...ctx.tenants.list()].sort((a, b) => a.id.localeCompare(b.id))) {
    const kv = await ctx.storeOf(tenant);
    const seen = new Set<string>();
    for await (const keys of scan(kv, sessionKeyPrefix(tenant.id, ctx.config.appName))) {
      for (const key of keys) seen.add(key);
    }
    counts[tenant.id] = seen.size;
  }
  return counts;
}
