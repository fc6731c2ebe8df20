import { oneSlot } from './slots.ts';
import type { Kv, KvMulti } from './store.ts';

/**
 * The part of node-redis's transaction builder used here. Its own type records each queued
 * command's reply in the builder's type, so a builder filled in a loop is typed by this instead.
 */
export interface RedisMulti {
  zAdd(...args: Parameters<Kv['zAdd']>): RedisMulti;
  zRemRangeByScore(...args: Parameters<Kv['zRemRangeByScore']>): RedisMulti;
  expire(...args: Parameters<Kv['expire']>): RedisMulti;
  mGet(keys: string[]): RedisMulti;
  del(keys: string | string[]): RedisMulti;
  exec(): Promise<unknown[]>;
  /** Sends the queued commands as they are, without MULTI: one round trip, not atomic. */
  execAsPipeline(): Promise<unknown[]>;
}

/** Queued here and sent as one MULTI … EXEC through `send`, under one bound like any command. */
export function queuedMulti(
  send: (transaction: (start: RedisMulti) => Promise<unknown[]>) => Promise<unknown[]>,
): KvMulti {
  const queued: ((m: RedisMulti) => RedisMulti)[] = [];
  const keys: string[] = [];
  const queue = (key: string, command: (m: RedisMulti) => RedisMulti): KvMulti => {
    keys.push(key);
    queued.push(command);
    return chain;
  };
  const chain: KvMulti = {
    zAdd: (key, members) => queue(key, (m) => m.zAdd(key, members)),
    zRemRangeByScore: (key, min, max) => queue(key, (m) => m.zRemRangeByScore(key, min, max)),
    expire: (key, seconds, mode) => queue(key, (m) => m.expire(key, seconds, mode)),
    // One slot, as on a cluster, where MULTI over two slots fails with CROSSSLOT.
    exec: () =>
      oneSlot(keys, () => send((start) => queued.reduce((m, command) => command(m), start).exec())),
  };
  return chain;
}
