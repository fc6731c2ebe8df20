import { setTimeout as delay } from 'node:timers/promises';
import { RedisTimeoutError } from './guard.ts';
import { reconnectDelay, type StateLog } from './state-log.ts';

/** What node-redis's single, Cluster and Sentinel clients share. */
export interface Connectable {
  connect(): Promise<unknown>;
  close(): Promise<unknown>;
  destroy(): unknown;
}

export interface ReplaceableOptions<C extends Connectable> {
  /** A fresh client with its listeners attached, not yet connected. */
  create: () => C;
  timeoutMs: number;
  /** Bound on one connection attempt; default 3 × timeoutMs (Cluster and Sentinel open several). */
  connectBoundMs?: number;
  maxReconnectDelayMs: number;
  state: StateLog;
}

export interface Replaceable<C extends Connectable> {
  /** The connected client; undefined until the first connection succeeds. */
  current(): C | undefined;
  /**
   * Swaps in a fresh client once it connects. `now`: the current one is stuck, so it goes at once
   * and commands fail fast meanwhile instead of each waiting out its bound.
   */
  replace(reason: string, options?: { now?: boolean }): void;
  close(): Promise<void>;
}

/**
 * A node-redis client never given up on: `connect()` may reject for good (Sentinel gives up) or
 * wait forever on a paused Redis, so each attempt is bounded and retried with a fresh client.
 */
export function replaceableClient<C extends Connectable>(
  options: ReplaceableOptions<C>,
): Replaceable<C> {
  const { create, timeoutMs, maxReconnectDelayMs, state } = options;
  const { connectBoundMs = 3 * timeoutMs } = options;
  let client: C | undefined;
  let attempt: C | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  function connect(retries: number): void {
    if (closed || attempt) return;
    const next = create();
    attempt = next;
    let bound: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_resolve, reject) => {
      bound = setTimeout(() => reject(new RedisTimeoutError(connectBoundMs)), connectBoundMs);
    });
    Promise.race([next.connect(), late])
      .then(
        () => {
          if (closed) return discard(next);
          const old = client;
          client = next;
          state.up();
          if (old) void retire(old);
        },
        (err: unknown) => {
          discard(next);
          if (closed) return;
          state.down(err, client ? 'a fresh connection failed too' : 'cannot connect');
          // Until a first client connects, keep trying; a failed replacement waits for the next cause.
          if (!client) {
            retry = setTimeout(
              () => connect(retries + 1),
              reconnectDelay(retries, maxReconnectDelayMs),
            );
          }
        },
      )
      .finally(() => {
        clearTimeout(bound);
        if (attempt === next) attempt = undefined;
      });
  }

  /** Lets commands in flight on a replaced client finish, but never waits past the command bound. */
  async function retire(old: C): Promise<void> {
    await Promise.race([old.close().catch(() => undefined), delay(timeoutMs)]);
    discard(old);
  }

  connect(0);
  return {
    current: () => client,
    replace(reason, { now = false } = {}) {
      if (closed) return;
      if (now && client) {
        discard(client); // its pending commands fail now
        client = undefined;
      }
      if (attempt) return;
      state.down(new RedisTimeoutError(timeoutMs), reason);
      connect(0);
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      if (attempt) discard(attempt);
      if (client) await retire(client);
    },
  };
}

/** Drops a client now; its pending commands fail. (Sentinel's destroy is async and may reject.) */
function discard(client: Connectable): void {
  try {
    void Promise.resolve(client.destroy()).catch(() => undefined);
  } catch {
    // already torn down
  }
}
