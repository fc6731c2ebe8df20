/**
 * The store layer: the few Redis commands the app uses (sessions through connect-redis, the
 * per-user index, login limits, readiness, the example feature). A node-redis client has them; so
 * does the in-process store used when REDIS_URL is unset. Every command either answers or fails
 * with a StoreUnavailableError within the store's timeout.
 */
export interface Kv {
  get(key: string): Promise<string | null>;
  set(
    key: string,
    value: string,
    // NX: only if absent (a window's first count); XX: only if present (no write-back after logout).
    options?: { expiration?: { type: 'EX'; value: number }; condition?: 'NX' | 'XX' },
  ): Promise<unknown>;
  expire(key: string, seconds: number): Promise<unknown>;
  del(keys: string | string[]): Promise<number>;
  incr(key: string): Promise<number>;
  decr(key: string): Promise<number>;
  ttl(key: string): Promise<number>;
  mGet(keys: string[]): Promise<(string | null)[]>;
  scanIterator(options: { MATCH: string; COUNT?: number }): AsyncIterable<string[]>;
  ping(): Promise<string>;
}

/** One store the app holds: its commands, whether it can answer now, and how to let go. */
export interface Store {
  /** Shown by /readyz and in logs: "default", or the tenant file's `urlEnv`. */
  name: string;
  kind: 'redis' | 'memory';
  kv: Kv;
  /** Resolves when the store answers a PING within the command timeout; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
