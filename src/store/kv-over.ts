import type { createClient } from 'redis';
import { queuedMulti, type RedisMulti } from './redis-multi.ts';
import { oneSlot } from './slots.ts';
import type { Kv, Store } from './store.ts';

/** Single, Cluster and Sentinel clients all have these, with these signatures. */
export type KvClient = Pick<
  ReturnType<typeof createClient>,
  | 'get'
  | 'getEx'
  | 'set'
  | 'expire'
  | 'del'
  | 'incr'
  | 'decr'
  | 'ttl'
  | 'mGet'
  | 'ping'
  | 'scan'
  | 'zAdd'
  | 'zRangeWithScores'
  | 'zRem'
  | 'zRemRangeByScore'
> & {
  /** MULTI … EXEC; on a cluster, routed by the first key queued (one slot only: see oneSlot). */
  multi(): RedisMulti;
};

/** Runs one command on the store's current client, within the store's bound (see guard.ts). */
export type Run = <T>(command: (c: KvClient) => Promise<T>) => Promise<T>;

type ScanOptions = Parameters<Kv['scanIterator']>[0];

/** Keys asked of Redis per SCAN page: small pages keep each command short. */
export const SCAN_COUNT = 100;

/**
 * The Kv over any node-redis client: each kind of store passes its own `run` and scan, so a command
 * added to Kv is one line here (and one in memory-store.ts).
 */
export function kvOver(
  run: Run,
  scanIterator: (options: ScanOptions) => AsyncIterable<string[]>,
  many: Many = oneServerMany(run),
) {
  const kv: Kv = {
    ...many,
    get: (key) => run((c) => c.get(key)),
    getEx: (key, options) => run((c) => c.getEx(key, options)),
    set: (key, value, options) => run((c) => c.set(key, value, options)),
    expire: (key, seconds, mode) => run((c) => c.expire(key, seconds, mode)),
    del: (keys) => oneSlot([keys].flat(), () => run((c) => c.del(keys))),
    incr: (key) => run((c) => c.incr(key)),
    decr: (key) => run((c) => c.decr(key)),
    ttl: (key) => run((c) => c.ttl(key)),
    mGet: (keys) => oneSlot(keys, () => run((c) => c.mGet(keys))),
    scanIterator,
    ping: () => run((c) => c.ping()),
    zAdd: (key, members) => run((c) => c.zAdd(key, members)),
    zRangeWithScores: (key, start, stop) => run((c) => c.zRangeWithScores(key, start, stop)),
    zRem: (key, members) => run((c) => c.zRem(key, members)),
    zRemRangeByScore: (key, min, max) => run((c) => c.zRemRangeByScore(key, min, max)),
    multi: () => queuedMulti((transaction) => run((c) => transaction(c.multi()))),
  };
  return kv;
}

/** The commands over keys in any slots: each kind of store sends them its own way. */
export type Many = Pick<Kv, 'getMany' | 'delEach'>;

/** On one server: one MGET, and the DELs in one pipeline (each key's own count). */
function oneServerMany(run: Run): Many {
  return {
    getMany: async (keys) => (keys.length === 0 ? [] : run((c) => c.mGet(keys))),
    delEach: async (keys) =>
      keys.length === 0
        ? []
        : ((await run((c) =>
            keys.reduce((m, key) => m.del(key), c.multi()).execAsPipeline(),
          )) as number[]),
  };
}

/** A single Redis, or the primary Sentinel names; a cluster has its own. */
export function oneServer(run: Run): Pick<Store, 'kv' | 'ping' | 'state'> {
  const kv = kvOver(run, (options) =>
    scanServer((cursor, page) => run((c) => c.scan(cursor, page)), options),
  );
  return {
    kv,
    ping: async () => {
      await kv.ping();
    },
    state: () =>
      kv.ping().then(
        () => 'up' as const,
        () => 'down' as const,
      ),
  };
}

/** SCAN over one server, page by page; each page is one bounded command. */
export async function* scanServer(
  scan: (
    cursor: string,
    options: { MATCH: string; COUNT: number },
  ) => Promise<{
    cursor: string | number;
    keys: string[];
  }>,
  { MATCH, COUNT = SCAN_COUNT }: ScanOptions,
): AsyncIterable<string[]> {
  let cursor = '0';
  do {
    const page = await scan(cursor, { MATCH, COUNT });
    cursor = String(page.cursor);
    yield page.keys;
  } while (cursor !== '0');
}
