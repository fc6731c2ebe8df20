import { LRUCache } from 'lru-cache';
import type { ExpireMode, Kv, KvMulti, ScoreBound, SortedSetMember, Store } from './store.ts';

type Value = string | Map<string, number>;

/**
 * The in-process store used when REDIS_URL is unset outside production: the same commands and
 * the same key layout as Redis (strings and sorted sets, TTLs, WRONGTYPE), bounded by an LRU so a
 * busy dev server cannot grow without end. It serves one process only, which is why production
 * refuses to start without REDIS_URL. Each command runs synchronously inside, so a MULTI is atomic.
 */
export function createMemoryStore(maxKeys = 10_000): Store {
  const cache = new LRUCache<string, Value>({ max: maxKeys });
  const wrongType = () =>
    new Error('WRONGTYPE Operation against a key holding the wrong kind of value');
  const str = (key: string) => {
    const value = cache.get(key);
    if (value !== undefined && typeof value !== 'string') throw wrongType();
    return value;
  };
  const zset = (key: string) => {
    const value = cache.get(key);
    if (typeof value === 'string') throw wrongType();
    return value;
  };
  /** Remaining ms, Infinity without a TTL (lru-cache's own convention). */
  const remaining = (key: string) => cache.getRemainingTTL(key);

  const expire = (key: string, seconds: number, mode?: ExpireMode) => {
    const value = cache.get(key);
    if (value === undefined) return 0;
    const now = remaining(key);
    const next = seconds * 1000;
    const allowed =
      mode === 'NX'
        ? now === Infinity
        : mode === 'XX'
          ? now !== Infinity
          : mode === 'GT'
            ? now !== Infinity && next > now
            : mode === 'LT'
              ? next < now
              : true;
    if (!allowed) return 0;
    if (seconds <= 0) cache.delete(key);
    else cache.set(key, value, { ttl: next });
    return 1;
  };
  const zAdd = (key: string, members: SortedSetMember | SortedSetMember[]) => {
    let set = zset(key);
    if (set === undefined) {
      set = new Map();
      cache.set(key, set);
    }
    let added = 0;
    for (const { value, score } of [members].flat()) {
      if (!set.has(value)) added++;
      set.set(value, score);
    }
    return added;
  };
  /** Redis drops a sorted set once its last member goes. */
  const removeWhere = (key: string, drop: (member: string, score: number) => boolean) => {
    const set = zset(key);
    if (set === undefined) return 0;
    let removed = 0;
    for (const [member, score] of set) if (drop(member, score) && set.delete(member)) removed++;
    if (set.size === 0) cache.delete(key);
    return removed;
  };
  const zRemRangeByScore = (key: string, min: ScoreBound, max: ScoreBound) =>
    removeWhere(key, (_m, score) => score >= bound(min) && score <= bound(max));

  const kv: Kv = {
    get: async (key) => str(key) ?? null,
    set: async (key, value, options) => {
      if (options?.condition === 'NX' && cache.has(key)) return null;
      if (options?.condition === 'XX' && !cache.has(key)) return null;
      const seconds = options?.expiration?.value;
      cache.delete(key); // SET replaces any value, of any type, and its TTL
      cache.set(key, value, seconds === undefined ? {} : { ttl: seconds * 1000 });
      return 'OK';
    },
    expire: async (key, seconds, mode) => expire(key, seconds, mode),
    del: async (keys) => {
      let removed = 0;
      for (const key of [keys].flat()) if (cache.delete(key)) removed++;
      return removed;
    },
    incr: async (key) => {
      const next = Number(str(key) ?? '0') + 1;
      const ttl = remaining(key);
      cache.set(key, String(next), Number.isFinite(ttl) && ttl > 0 ? { ttl } : {});
      return next;
    },
    ttl: async (key) => {
      if (!cache.has(key)) return -2;
      const ms = remaining(key);
      return Number.isFinite(ms) ? Math.ceil(ms / 1000) : -1;
    },
    mGet: async (keys) =>
      keys.map((key) => {
        const value = cache.get(key);
        return typeof value === 'string' ? value : null;
      }),
    async *scanIterator({ MATCH }) {
      const prefix = MATCH.endsWith('*') ? MATCH.slice(0, -1) : MATCH;
      yield [...cache.keys()].filter((key) => key.startsWith(prefix));
    },
    ping: async () => 'PONG',
    zAdd: async (key, members) => zAdd(key, members),
    zRangeWithScores: async (key, start, stop) => {
      const sorted = [...(zset(key) ?? [])]
        .map(([value, score]) => ({ value, score }))
        .sort((x, y) => x.score - y.score || (x.value < y.value ? -1 : x.value > y.value ? 1 : 0));
      const from = start < 0 ? Math.max(0, sorted.length + start) : start;
      const to = stop < 0 ? sorted.length + stop : stop;
      return sorted.slice(from, to + 1);
    },
    zRem: async (key, members) => {
      const gone = new Set([members].flat());
      return removeWhere(key, (member) => gone.has(member));
    },
    zRemRangeByScore: async (key, min, max) => zRemRangeByScore(key, min, max),
    multi: () => {
      const queued: (() => unknown)[] = [];
      const queue = (command: () => unknown): KvMulti => {
        queued.push(command);
        return chain;
      };
      const chain: KvMulti = {
        zAdd: (key, members) => queue(() => zAdd(key, members)),
        zRemRangeByScore: (key, min, max) => queue(() => zRemRangeByScore(key, min, max)),
        expire: (key, seconds, mode) => queue(() => expire(key, seconds, mode)),
        exec: async () => queued.map((command) => command()),
      };
      return chain;
    },
  };
  return {
    name: 'default',
    kind: 'memory',
    kv,
    ping: async () => {},
    close: async () => cache.clear(),
  };
}

const bound = (b: ScoreBound) => (b === '-inf' ? -Infinity : b === '+inf' ? Infinity : b);
