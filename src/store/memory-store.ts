import { LRUCache } from 'lru-cache';
import { oneSlot } from './kv-over.ts';
import type { Kv, Store } from './store.ts';

type Value = string | Map<string, string>;

/** What Redis answers when a command meets a key of the other type: a bug, never an outage. */
const wrongType = () =>
  new Error('WRONGTYPE Operation against a key holding the wrong kind of value');

/**
 * The in-process store used when REDIS_URL is unset outside production: the same commands and
 * the same key layout as Redis, bounded by an LRU so a busy dev server cannot grow without end.
 * It serves one process only, which is why production refuses to start without REDIS_URL.
 */
export function createMemoryStore(maxKeys = 10_000): Store {
  const cache = new LRUCache<string, Value>({ max: maxKeys });
  const text = (key: string): string | undefined => {
    const value = cache.get(key);
    if (value instanceof Map) throw wrongType();
    return value;
  };
  const hash = (key: string): Map<string, string> | undefined => {
    const value = cache.get(key);
    if (typeof value === 'string') throw wrongType();
    return value;
  };
  const kv: Kv = {
    get: async (key) => text(key) ?? null,
    set: async (key, value, options) => {
      if (options?.condition === 'NX' && cache.has(key)) return null;
      if (options?.condition === 'XX' && !cache.has(key)) return null;
      const seconds = options?.expiration?.value;
      cache.set(key, value, seconds === undefined ? {} : { ttl: seconds * 1000 });
      return 'OK';
    },
    expire: async (key, seconds) => {
      const value = cache.get(key);
      if (value === undefined) return 0;
      cache.set(key, value, { ttl: seconds * 1000 });
      return 1;
    },
    del: (keys) =>
      oneSlot([keys].flat(), async () => {
        let removed = 0;
        for (const key of [keys].flat()) if (cache.delete(key)) removed++;
        return removed;
      }),
    incr: async (key) => {
      const next = Number(text(key) ?? '0') + 1;
      const ttl = cache.getRemainingTTL(key);
      cache.set(key, String(next), Number.isFinite(ttl) && ttl > 0 ? { ttl } : {});
      return next;
    },
    ttl: async (key) => {
      if (!cache.has(key)) return -2;
      const ms = cache.getRemainingTTL(key);
      return Number.isFinite(ms) ? Math.ceil(ms / 1000) : -1;
    },
    mGet: (keys) =>
      oneSlot(keys, async () =>
        keys.map((key) => {
          const value = cache.get(key);
          return typeof value === 'string' ? value : null; // MGET answers nil for other types
        }),
      ),
    // A hash is changed in place, so it keeps its TTL, as HSET and HDEL do in Redis.
    hSet: async (key, field, value) => {
      const fields = hash(key) ?? new Map<string, string>();
      if (!cache.has(key)) cache.set(key, fields);
      const added = fields.has(field) ? 0 : 1;
      fields.set(field, value);
      return added;
    },
    hGetAll: async (key) => Object.fromEntries(hash(key) ?? []),
    hDel: async (key, fields) => {
      const map = hash(key);
      if (!map) return 0;
      let removed = 0;
      for (const field of [fields].flat()) if (map.delete(field)) removed++;
      if (map.size === 0) cache.delete(key); // Redis drops an empty hash
      return removed;
    },
    hLen: async (key) => hash(key)?.size ?? 0,
    async *scanIterator({ MATCH }) {
      const prefix = MATCH.endsWith('*') ? MATCH.slice(0, -1) : MATCH;
      yield [...cache.keys()].filter((key) => key.startsWith(prefix));
    },
    ping: async () => 'PONG',
  };
  return {
    name: 'default',
    kind: 'memory',
    kv,
    ping: async () => {},
    state: async () => 'up',
    close: async () => cache.clear(),
  };
}
