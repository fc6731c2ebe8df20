import { ErrorReply } from 'redis';
import { StoreUnavailableError } from './store-unavailable.ts';

/** A command that Redis did not answer in time: the cause of a StoreUnavailableError. */
export class RedisTimeoutError extends Error {
  constructor(ms: number) {
    super(`Redis did not answer within ${ms} ms`);
    this.name = 'RedisTimeoutError';
  }
}

export interface GuardOptions<C extends object> {
  timeoutMs: number;
  /** The client to send on now; undefined while none is connected (the command fails at once). */
  current: () => C | undefined;
  closed: () => boolean;
  /**
   * A command on `client` timed out; `silent` when nothing at all came back on that client since
   * the command went out (a paused Redis, a network black hole): then it is stuck, not just slow.
   */
  onTimeout: (client: C, silent: boolean) => void;
}

export interface Guard<C extends object> {
  /** Runs one command on the current client and settles within `boundMs`, whatever Redis does. */
  run: <T>(command: (c: C) => Promise<T>, boundMs?: number) => Promise<T>;
  /** Something came back on `client` (a reply, a finished handshake): it is not stuck. */
  alive: (client: C) => void;
}

/**
 * The per-command bound of every store. node-redis has none that holds: `commandOptions.timeout`
 * stops counting once the command is written, and `socketTimeout` is reset by every write, so never
 * fires under load. One sweeping timer per store, running only while commands are out, is cheaper
 * than a timer per command.
 */
export function createGuard<C extends object>(options: GuardOptions<C>): Guard<C> {
  const { timeoutMs, current, closed, onTimeout } = options;
  const lastReplyAt = new WeakMap<C, number>();
  const alive = (client: C) => void lastReplyAt.set(client, performance.now());
  // A command fails at most this long after its bound: a tenth of it, between 5 and 100 ms.
  const sweepMs = Math.min(100, Math.max(5, Math.floor(timeoutMs / 10)));
  const out = new Set<Outstanding>();
  let sweeper: NodeJS.Timeout | undefined;

  const sweep = () => {
    const now = performance.now();
    const late: Outstanding[] = [];
    for (const command of out) if (command.deadline <= now) late.push(command);
    if (late.length > 0) {
      // setImmediate: a reply that arrived while the event loop was busy is read first and wins.
      setImmediate(() => {
        for (const command of late) if (out.delete(command)) command.expire();
      });
    }
    if (out.size === late.length) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  };

  function run<T>(command: (c: C) => Promise<T>, boundMs = timeoutMs): Promise<T> {
    if (closed())
      return Promise.reject(new StoreUnavailableError(new Error('The store is closed')));
    const target = current();
    if (!target) {
      return Promise.reject(new StoreUnavailableError(new Error('Not connected to Redis yet')));
    }
    return new Promise<T>((resolve, reject) => {
      const sentAt = performance.now();
      const outstanding: Outstanding = {
        deadline: sentAt + boundMs,
        expire: () => {
          reject(new StoreUnavailableError(new RedisTimeoutError(boundMs)));
          onTimeout(target, (lastReplyAt.get(target) ?? 0) < sentAt);
        },
      };
      out.add(outstanding);
      sweeper ??= setInterval(sweep, sweepMs).unref();
      let sent: Promise<T>;
      try {
        sent = command(target);
      } catch (err) {
        sent = Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
      sent.then(
        (value) => {
          alive(target);
          if (out.delete(outstanding)) resolve(value);
        },
        (err: unknown) => {
          if (err instanceof ErrorReply) alive(target); // Redis answered, with an error
          if (out.delete(outstanding)) reject(asStoreError(err));
        },
      );
    });
  }

  return { run, alive };
}

interface Outstanding {
  deadline: number;
  expire: () => void;
}

/**
 * Replies that mean "not now" are an outage like a closed socket (503); any other, CROSSSLOT above
 * all, is a bug here and stays a 500.
 */
const TRANSIENT_REPLY = /^(LOADING|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|BUSY|NOREPLICAS)\b/;

export function asStoreError(err: unknown): Error {
  if (err instanceof ErrorReply && !TRANSIENT_REPLY.test(err.message)) return err;
  return err instanceof StoreUnavailableError ? err : new StoreUnavailableError(err);
}
