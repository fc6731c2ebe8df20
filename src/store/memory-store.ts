import { LRUCache } from 'lru-cache';
import { oneSlot } from './slots.ts';
import type { ExpireMode, Kv, KvMulti, ScoreBound, SortedSetMember, Store } from './store.ts';

class SortedSet extends Map<string, number> {}
type Value = string | SortedSet;

/** What Redis answers when a command meets a key of another type: a bug, never an outage. */
const wrongType = () =>
  new Error('WRONGTYPE Operation against a key holding the wrong kind of value');

/**
 * Redis's semantics in process, for development: bounded by an LRU so a busy dev server cannot
 * grow without end. One process only, so production refuses it. Commands run synchronously, so a
 * MULTI is atomic.
 */
export function createMemoryStore(maxKeys = 10_000): Store {
  const cache = new LRUCache<string, Value>({ max: maxKeys });
  /** The key's value if it is of this type, undefined if absent; WRONGTYPE otherwise. */
  const typed = <T extends Value>(key: string, is: (v: Value) => v is T): T | undefined => {
    const value = cache.get(key);
    if (value !== undefined && !is(value)) throw wrongType();
    return value;
  };
  const str = (key: string) => typed(key, (v): v is string => typeof v === 'string');
  const zset = (key: string) => typed(key, (v): v is SortedSet => v instanceof SortedSet);
  /** A sorted set to change in place (so it keeps its TTL, as in Redis), made if absent. */
  const mutable = <T extends SortedSet>(key: string, found: T | undefined, make: () => T) => {
    if (found) return found;
    const made = make();
    cache.set(key, made);
    return made;
  };
  /** Redis drops a sorted set once its last member goes. */
  const dropIfEmpty = (key: string, value: SortedSet) => {
    if (value.size === 0) cache.delete(key);
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
    const set = mutable(key, zset(key), () => new SortedSet());
    let added = 0;
    for (const { value, score } of [members].flat()) {
      if (!set.has(value)) added++;
      set.set(value, score);
    }
    return added;
  };
  const removeWhere = (key: string, drop: (member: string, score: number) => boolean) => {
    const set = zset(key);
    if (set === undefined) return 0;
    let removed = 0;
    for (const [member, score] of set) if (drop(member, score) && set.delete(member)) removed++;
    dropIfEmpty(key, set);
    return removed;
  };
  const zRemRangeByScore = (key: string, min: ScoreBound, max: ScoreBound) =>
    removeWhere(key, (_m, score) => score >= bound(min) && score <= bound(max));

  /** INCR / DECR: the key keeps its TTL; a missing key counts from 0 and has none. */
  const add = (key: string, by: number) => {
    const next = Number(str(key) ?? '0') + by;
    const ttl = remaining(key);
    cache.set(key, String(next), Number.isFinite(ttl) && ttl > 0 ? { ttl } : {});
    return next;
  };

  /** MGET answers nil for a key of another type. */
  const mGetOne = (key: string) => {
    const value = cache.get(key);
    return typeof value === 'string' ? value : null;
  };

  const kv: Kv = {
    get: async (key) => str(key) ?? null,
    getEx: async (key, { value: seconds }) => {
      const value = str(key);
      if (value !== undefined) expire(key, seconds);
      return value ?? null;
    },
    set: async (key, value, options) => {
      if (options?.condition === 'NX' && cache.has(key)) return null;
      if (options?.condition === 'XX' && !cache.has(key)) return null;
      const seconds = options?.expiration?.value;
      cache.delete(key); // SET replaces any value, of any type, and its TTL
      cache.set(key, value, seconds === undefined ? {} : { ttl: seconds * 1000 });
      return 'OK';
    },
    expire: async (key, seconds, mode) => expire(key, seconds, mode),
    del: (keys) =>
      oneSlot([keys].flat(), async () => {
        let removed = 0;
        for (const key of [keys].flat()) if (cache.delete(key)) removed++;
        return removed;
      }),
    incr: async (key) => add(key, 1),
    decr: async (key) => add(key, -1),
    ttl: async (key) => {
      if (!cache.has(key)) return -2;
      const ms = remaining(key);
      // Rounded to the nearest second, as Redis does: never above the TTL just set.
      return Number.isFinite(ms) ? Math.round(ms / 1000) : -1;
    },
    mGet: (keys) => oneSlot(keys, async () => keys.map(mGetOne)),
    getMany: async (keys) => keys.map(mGetOne),
    delEach: async (keys) => keys.map((key) => (cache.delete(key) ? 1 : 0)),
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
      const keys: string[] = [];
      const queue = (key: string, command: () => unknown): KvMulti => {
        keys.push(key);
        queued.push(command);
        return chain;
      };
      const chain: KvMulti = {
        zAdd: (key, members) => queue(key, () => zAdd(key, members)),
        zRemRangeByScore: (key, min, max) => queue(key, () => zRemRangeByScore(key, min, max)),
        expire: (key, seconds, mode) => queue(key, () => expire(key, seconds, mode)),
        exec: () => oneSlot(keys, async () => queued.map((command) => command())),
      };
      return chain;
    },
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

const bound = (b: ScoreBound) => (b === '-inf' ? -Infinity : b === '+inf' ? Infinity : b);
