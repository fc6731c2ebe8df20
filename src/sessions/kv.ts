/**
 * The few Redis commands the app uses (sessions through connect-redis, login limits, readiness).
 * A node-redis client has them; so does the in-process store used when REDIS_URL is unset.
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
  ttl(key: string): Promise<number>;
  mGet(keys: string[]): Promise<(string | null)[]>;
  scanIterator(options: { MATCH: string; COUNT?: number }): AsyncIterable<string[]>;
  ping(): Promise<string>;
}

/** What the app holds: the commands, whether they can answer now, and how to let go. */
export interface SessionBackend {
  kind: 'redis' | 'memory';
  kv: Kv;
  /** Resolves when the store answers a PING within the command timeout; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
