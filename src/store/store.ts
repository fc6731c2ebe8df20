/**
 * The few Redis commands the app uses, as node-redis names them, so a node-redis client and the
 * in-process store both fit. Every command answers or fails (StoreUnavailableError) within a bound.
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
  /** GET of keys in any slots, in order: one round trip per shard, not atomic. */
  getMany(keys: string[]): Promise<(string | null)[]>;
  /** DEL of keys in any slots, likewise: how many each removed (0 or 1), in order. */
  delEach(keys: string[]): Promise<number[]>;
  scanIterator(options: { MATCH: string; COUNT?: number }): AsyncIterable<string[]>;
  ping(): Promise<string>;
  zAdd(key: string, members: SortedSetMember | SortedSetMember[]): Promise<number>;
  zRangeWithScores(key: string, start: number, stop: number): Promise<SortedSetMember[]>;
  zRem(key: string, members: string | string[]): Promise<number>;
  zRemRangeByScore(key: string, min: ScoreBound, max: ScoreBound): Promise<number>;
  /** One key's slot only, as a cluster allows. */
  multi(): KvMulti;
}

export type ExpireMode = 'NX' | 'XX' | 'GT' | 'LT';
export type ScoreBound = number | '-inf' | '+inf';

export interface SortedSetMember {
  value: string;
  score: number;
}

export interface KvMulti {
  zAdd(key: string, members: SortedSetMember | SortedSetMember[]): KvMulti;
  zRemRangeByScore(key: string, min: ScoreBound, max: ScoreBound): KvMulti;
  expire(key: string, seconds: number, mode?: ExpireMode): KvMulti;
  exec(): Promise<unknown[]>;
}

export interface HostPort {
  host: string;
  port: number;
}

export type StoreKind = 'redis' | 'cluster' | 'sentinel' | 'memory';

/** "degraded": some of a cluster's primaries do not answer, and only their slots get 503. */
export type StoreState = 'up' | 'degraded' | 'down';

export interface Store {
  /** Shown by /readyz and in logs: "default", or the tenant file's `urlEnv`. */
  name: string;
  kind: StoreKind;
  kv: Kv;
  /** Rejects unless a PING is answered (on a cluster, by every primary) within the bound. */
  ping(): Promise<void>;
  /** Asks the store now; settles within the command timeout and never rejects. */
  state(): Promise<StoreState>;
  /**
   * Sentinel only: WAIT 1, so a login answered before a failover survives it. Without a connected
   * replica it resolves at once, with a warning.
   */
  replicate?(): Promise<void>;
  close(): Promise<void>;
}
