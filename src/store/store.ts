/**
 * The store layer: the few Redis commands the app uses (sessions through connect-redis, the
 * per-user index, login limits, readiness, the example feature). A node-redis client has them; so
 * does the in-process store used when REDIS_URL is unset. Every command either answers or fails
 * with a StoreUnavailableError within the store's timeout. Names and arguments are node-redis's.
 */
export interface Kv {
  get(key: string): Promise<string | null>;
  /** GETEX … EX: reads a string and sets its TTL in one command (Redis >= 6.2). */
  getEx(key: string, options: { type: 'EX'; value: number }): Promise<string | null>;
  set(
    key: string,
    value: string,
    // NX: only if absent (a window's first count); XX: only if present (no write-back after logout).
    options?: { expiration?: { type: 'EX'; value: number }; condition?: 'NX' | 'XX' },
  ): Promise<unknown>;
  /** NX: only without a TTL; GT: only to lengthen one (a key without a TTL counts as endless). */
  expire(key: string, seconds: number, mode?: ExpireMode): Promise<unknown>;
  del(keys: string | string[]): Promise<number>;
  incr(key: string): Promise<number>;
  decr(key: string): Promise<number>;
  ttl(key: string): Promise<number>;
  mGet(keys: string[]): Promise<(string | null)[]>;
  /**
   * GET of keys in any slots (a user's sessions), in order, nil where absent or not a string: one
   * round trip per shard (MGET on one server; on a cluster a pipeline per primary), not atomic.
   */
  getMany(keys: string[]): Promise<(string | null)[]>;
  /** DEL of keys in any slots, likewise: how many each removed (0 or 1), in order. */
  delEach(keys: string[]): Promise<number[]>;
  // Hashes: one key holding fields (the example feature keeps one user's notes in one hash).
  hSet(key: string, field: string, value: string): Promise<number>;
  hGetAll(key: string): Promise<Record<string, string>>;
  hDel(key: string, fields: string | string[]): Promise<number>;
  hLen(key: string): Promise<number>;
  scanIterator(options: { MATCH: string; COUNT?: number }): AsyncIterable<string[]>;
  ping(): Promise<string>;
  /** Adds members or updates their scores; answers how many were new. */
  zAdd(key: string, members: SortedSetMember | SortedSetMember[]): Promise<number>;
  /** Members by rank, lowest score first (0, -1: all of them). */
  zRangeWithScores(key: string, start: number, stop: number): Promise<SortedSetMember[]>;
  zRem(key: string, members: string | string[]): Promise<number>;
  /** Bounds are inclusive scores, or '-inf' / '+inf'. */
  zRemRangeByScore(key: string, min: ScoreBound, max: ScoreBound): Promise<number>;
  /** MULTI … EXEC: the queued commands run as one, with nothing in between. One key's slot only. */
  multi(): KvMulti;
}

export type ExpireMode = 'NX' | 'XX' | 'GT' | 'LT';
export type ScoreBound = number | '-inf' | '+inf';

export interface SortedSetMember {
  value: string;
  score: number;
}

/** The commands a transaction here may queue (node-redis's chainable MULTI). */
export interface KvMulti {
  hSet(key: string, field: string, value: string): KvMulti;
  zAdd(key: string, members: SortedSetMember | SortedSetMember[]): KvMulti;
  zRemRangeByScore(key: string, min: ScoreBound, max: ScoreBound): KvMulti;
  expire(key: string, seconds: number, mode?: ExpireMode): KvMulti;
  /** Runs them; answers their replies in order. */
  exec(): Promise<unknown[]>;
}

/** One `host:port`: a node of REDIS_CLUSTER_NODES or a sentinel of REDIS_SENTINELS. */
export interface HostPort {
  host: string;
  port: number;
}

/** One Redis (REDIS_URL or a tenant's own), a Redis Cluster, Redis through Sentinel, or in process. */
export type StoreKind = 'redis' | 'cluster' | 'sentinel' | 'memory';

/**
 * What /readyz reports for a store: "up" when it serves, "degraded" when a cluster has primaries
 * that do not answer (the keys of their slots get 503; the rest is served), "down" when nothing answers.
 */
export type StoreState = 'up' | 'degraded' | 'down';

/** One store the app holds: its commands, whether it can answer now, and how to let go. */
export interface Store {
  /** Shown by /readyz and in logs: "default", or the tenant file's `urlEnv`. */
  name: string;
  kind: StoreKind;
  kv: Kv;
  /** Resolves when the store answers a PING (a cluster: every primary) within the command timeout; rejects otherwise. */
  ping(): Promise<void>;
  /** Asks the store now; settles within the command timeout and never rejects. */
  state(): Promise<StoreState>;
  /**
   * Sentinel only: resolves once the writes made so far are on a replica (WAIT 1, bounded by
   * REDIS_TIMEOUT_MS), so a login answered before a failover survives it. With no replica
   * connected it resolves at once and logs a warning. Other kinds have no replica to wait for.
   */
  replicate?(): Promise<void>;
  close(): Promise<void>;
}
