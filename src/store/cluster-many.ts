import { ErrorReply } from 'redis';
import type { Many } from './kv-over.ts';
import type { RedisMulti } from './redis-multi.ts';

export interface ClusterClient {
  /** The connection to the primary that serves the key's slot. */
  getNodeClientForKey(key: string): Promise<{ multi(): RedisMulti }>;
  mGet(keys: string[]): Promise<(string | null)[]>;
  del(keys: string | string[]): Promise<number>;
}

type ClusterRun = <T>(command: (c: ClusterClient) => Promise<T>) => Promise<T>;

/**
 * One pipeline per primary, under one bound. A pipeline that meets a slot on the move (MOVED, ASK)
 * is sent again key by key through the cluster client, which follows the redirection.
 */
export function clusterMany(run: ClusterRun): Many {
  function perPrimary<T>(
    keys: string[],
    queue: (m: RedisMulti, key: string) => RedisMulti,
    reply: (r: unknown) => T,
    alone: (c: ClusterClient, key: string) => Promise<T>,
  ): Promise<T[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return run(async (c) => {
      const nodes = await Promise.all(keys.map((key) => c.getNodeClientForKey(key)));
      const groups = new Map<(typeof nodes)[number], number[]>();
      nodes.forEach((node, i) => groups.set(node, [...(groups.get(node) ?? []), i]));
      const out: T[] = new Array<T>(keys.length);
      const sendTo = async (node: (typeof nodes)[number], at: number[]) => {
        try {
          const m = at.reduce((multi, i) => queue(multi, keys[i]!), node.multi());
          return (await m.execAsPipeline()).map(reply);
        } catch (err) {
          if (!(err instanceof ErrorReply && /^(MOVED|ASK) /.test(err.message))) throw err;
          return Promise.all(at.map((i) => alone(c, keys[i]!)));
        }
      };
      await Promise.all(
        [...groups].map(async ([node, at]) => {
          const replies = await sendTo(node, at);
          at.forEach((i, k) => (out[i] = replies[k]!));
        }),
      );
      return out;
    });
  }
  return {
    // MGET of one key: nil for a key that holds no string, as MGET over many answers.
    getMany: (keys) =>
      perPrimary(
        keys,
        (m, key) => m.mGet([key]),
        (r) => (r as (string | null)[])[0] ?? null,
        async (c, key) => (await c.mGet([key]))[0] ?? null,
      ),
    delEach: (keys) =>
      perPrimary(
        keys,
        (m, key) => m.del(key),
        (r) => r as number,
        (c, key) => c.del(key),
      ),
  };
}
