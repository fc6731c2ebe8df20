import type { Config } from '../config.ts';
import type { SessionData } from 'express-session';
import type { Stores } from '../store/stores.ts';
import type { Tenant } from '../tenants/tenant.ts';
import { sessionKeyPrefix, userSessionsKey } from './keys.ts';
import { policyDefaults, sessionPolicy, type SessionPolicy } from './session-policy.ts';
import { endOf } from './tenant-store.ts';

/**
 * How long an entry without its session is left alone: a login writes its session at most 3 s
 * after its entry, and scores come from each replica's clock; 30 s leaves room for clock skew.
 */
export const INDEX_GRACE_MS = 30_000;
/** The index outlives its last session by this much, for replicas whose clocks disagree. */
const INDEX_TTL_MARGIN_SECONDS = 60;

export interface IndexedSession {
  sid: string;
  signedInAt: number;
  data: Partial<SessionData>;
}

export interface UserSessionsOptions {
  stores: Stores;
  appName: string;
  defaults: SessionPolicy;
}

/**
 * Each user's sessions on one tenant, by sign-in time: a superset of the live ones, since index and
 * sessions are in different slots and no command touches both (docs/sessions.md).
 */
export function createUserSessions({ stores, appName, defaults }: UserSessionsOptions) {
  const kvOf = (tenant: Tenant) => stores.forTenant(tenant).kv;
  const indexKey = (tenant: Tenant, username: string) =>
    userSessionsKey(tenant.id, appName, username);
  const sessionKey = (tenant: Tenant, sid: string) => sessionKeyPrefix(tenant.id, appName) + sid;
  const absoluteMs = (tenant: Tenant) => sessionPolicy(tenant, defaults).absoluteSeconds * 1000;

  /** Sessions first, then their entries, so the index stays a superset. */
  async function end(tenant: Tenant, username: string, sids: string[]): Promise<number> {
    if (sids.length === 0) return 0;
    const kv = kvOf(tenant);
    const deleted = await kv.delEach(sids.map((sid) => sessionKey(tenant, sid)));
    await kv.zRem(indexKey(tenant, username), sids);
    return deleted.reduce((sum, n) => sum + n, 0);
  }

  /** The user's sessions that exist and are theirs, earliest sign-in first; prunes the rest. */
  async function list(tenant: Tenant, username: string): Promise<IndexedSession[]> {
    const kv = kvOf(tenant);
    const key = indexKey(tenant, username);
    const now = Date.now();
    await kv.zRemRangeByScore(key, '-inf', now - absoluteMs(tenant));
    const entries = await kv.zRangeWithScores(key, 0, -1);
    // Bounded: about maxPerUser (at most 1000) keys, in one round trip per shard.
    const values = await kv.getMany(entries.map((e) => sessionKey(tenant, e.value)));
    const live: IndexedSession[] = [];
    const gone: string[] = [];
    entries.forEach(({ value: sid, score }, i) => {
      const data = parse(values[i]);
      if (data === undefined) {
        if (now - score > INDEX_GRACE_MS) gone.push(sid);
      } else if (
        data.tenantId === tenant.id &&
        data.user?.username === username &&
        endOf(data, absoluteMs(tenant)) > now
      ) {
        live.push({ sid, signedInAt: score, data });
      }
    });
    if (gone.length > 0) await kv.zRem(key, gone);
    return live;
  }

  return {
    list,
    end,
    policy: (tenant: Tenant) => sessionPolicy(tenant, defaults),

    /**
     * Call it before the session's first write. Drops entries past the absolute lifetime too, so a
     * user who never lists sessions keeps a bounded index.
     */
    async add(tenant: Tenant, username: string, sid: string, signedInAt: number): Promise<void> {
      const key = indexKey(tenant, username);
      const lifetime = absoluteMs(tenant);
      const ttl = Math.ceil(lifetime / 1000) + INDEX_TTL_MARGIN_SECONDS;
      // One MULTI on one key: the entry never exists in an index without a TTL, and the TTL is set
      // on a new index (NX) or lengthened (GT), never shortened under older sessions.
      await kvOf(tenant)
        .multi()
        .zRemRangeByScore(key, '-inf', signedInAt - lifetime)
        .zAdd(key, { value: sid, score: signedInAt })
        .expire(key, ttl, 'NX')
        .expire(key, ttl, 'GT')
        .exec();
    },

    /** Drops entries whose sessions are already gone (after express-session destroyed one). */
    async forget(tenant: Tenant, username: string, sids: string[]): Promise<void> {
      if (sids.length > 0) await kvOf(tenant).zRem(indexKey(tenant, username), sids);
    },

    /**
     * Ends every indexed session of the user but `keep`; answers how many existed. An entry whose
     * session is not written yet (a login in flight) stays, so the index still knows it.
     */
    async endAll(tenant: Tenant, username: string, keep?: string): Promise<number> {
      const kv = kvOf(tenant);
      const key = indexKey(tenant, username);
      const entries = (await kv.zRangeWithScores(key, 0, -1)).filter((e) => e.value !== keep);
      const deleted = await kv.delEach(entries.map((e) => sessionKey(tenant, e.value)));
      const now = Date.now();
      const done = entries.filter((e, i) => deleted[i] === 1 || now - e.score > INDEX_GRACE_MS);
      const forget = done.map((e) => e.value);
      if (forget.length > 0) await kv.zRem(key, forget);
      return deleted.reduce((sum, n) => sum + n, 0);
    },

    /**
     * Past `maxPerUser`, ends the earliest sign-ins. Only those before `keep` in the index's order
     * are candidates, so two sign-ins counting at once never end each other.
     */
    async enforceLimit(tenant: Tenant, username: string, keep: string): Promise<number> {
      const { maxPerUser } = sessionPolicy(tenant, defaults);
      const live = await list(tenant, username);
      const excess = live.length - maxPerUser;
      if (excess <= 0) return 0;
      const position = live.findIndex((s) => s.sid === keep);
      const earlier = position === -1 ? live : live.slice(0, position);
      const oldest = earlier.slice(0, excess).map((s) => s.sid);
      return end(tenant, username, oldest);
    },

    /** One session by id, whoever it belongs to (the operator's CLI). */
    async read(tenant: Tenant, sid: string): Promise<Partial<SessionData> | undefined> {
      return parse(await kvOf(tenant).get(sessionKey(tenant, sid)));
    },
  };
}

export type UserSessions = ReturnType<typeof createUserSessions>;

/** A stored session's JSON (connect-redis's serializer), or undefined when absent or unreadable. */
export function parse(value: string | null | undefined): Partial<SessionData> | undefined {
  if (!value) return undefined;
  try {
    const data: unknown = JSON.parse(value);
    return data && typeof data === 'object' ? data : undefined;
  } catch {
    return undefined;
  }
}

export const userSessionsOf = (config: Config, stores: Stores): UserSessions =>
  createUserSessions({ stores, appName: config.appName, defaults: policyDefaults(config) });
