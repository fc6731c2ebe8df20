import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { createClient, ErrorReply } from 'redis';
import { queuedMulti, type RedisMulti } from './redis-multi.ts';
import type { Kv, Store } from './store.ts';
import { StoreUnavailableError } from './store-unavailable.ts';

export interface RedisStoreOptions {
  url: string;
  /** Shown by /readyz and in logs; default "default". */
  name?: string;
  /** Bound on every command, on connecting and on the connection handshake. */
  timeoutMs: number;
  logger: Logger;
  /** Longest pause between reconnect attempts; small, so the app comes good soon after Redis does. */
  maxReconnectDelayMs?: number;
}

/** A command that Redis did not answer in time: the cause of a StoreUnavailableError. */
export class RedisTimeoutError extends Error {
  constructor(ms: number) {
    super(`Redis did not answer within ${ms} ms`);
    this.name = 'RedisTimeoutError';
  }
}

/** Capped exponential backoff with jitter; never gives up, so an idle app never ends with a closed client. */
export function reconnectDelay(retries: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, 50 * 2 ** Math.min(retries, 16));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

function newClient(url: string, timeoutMs: number, maxReconnectDelayMs: number) {
  return createClient({
    url,
    // Fail at once while disconnected instead of queueing commands (and requests) forever.
    disableOfflineQueue: true,
    // Bounds commands still waiting to be written; `guarded` bounds the ones already sent.
    commandOptions: { timeout: timeoutMs },
    socket: {
      connectTimeout: timeoutMs,
      reconnectStrategy: (retries) => reconnectDelay(retries, maxReconnectDelayMs),
    },
  });
}

type Client = ReturnType<typeof newClient>;

/**
 * One Redis connection shared by every tenant. Connecting is not awaited: the app starts while
 * Redis is down, answers 503 where it needs a session, and recovers when Redis comes back.
 *
 * node-redis alone does not bound a request's wait: `commandOptions.timeout` stops counting once a
 * command is written to the socket, and its `socketTimeout` is an idle timer that every new write
 * resets (so under load it never fires) and that, idle, makes the default strategy give up for
 * good. So every command here runs under its own timer, and a connection on which nothing at all
 * came back within that time (a paused Redis, a network black hole) is thrown away for a fresh
 * one; no socket timeout is used, and the reconnect strategy never gives up.
 */
export function createRedisStore(options: RedisStoreOptions): Store {
  const { url, name = 'default', timeoutMs, logger, maxReconnectDelayMs = 1000 } = options;
  const state = stateLog(logger, redactUrl(url));
  let closed = false;
  let lastReplyAt = 0;
  let client = open();

  function open(): Client {
    const next = newClient(url, timeoutMs, maxReconnectDelayMs);
    let handshake: NodeJS.Timeout | undefined;
    next.on('connect', () => {
      // connectTimeout ends with the TCP connect; a paused Redis still completes that (the kernel
      // accepts) and then never answers HELLO, which node-redis would wait on forever.
      clearTimeout(handshake);
      handshake = setTimeout(() => {
        if (next === client && !next.isReady) replace(next, 'handshake not answered');
      }, timeoutMs).unref();
    });
    next.on('ready', () => {
      clearTimeout(handshake);
      if (next !== client) return;
      lastReplyAt = performance.now();
      state.up();
    });
    // An 'error' listener must always exist: without one node-redis's errors crash the process.
    next.on('error', (err: unknown) => {
      if (next === client) state.down(err);
    });
    // Rejects only when the client is destroyed while connecting; the listener above has logged.
    next.connect().catch(() => undefined);
    return next;
  }

  function replace(stuck: Client, reason: string): void {
    if (closed || stuck !== client) return;
    client = open();
    state.down(new RedisTimeoutError(timeoutMs), reason);
    stuck.destroy(); // its pending commands fail now instead of at their own timers
  }

  /** Runs one command on the current connection and settles within timeoutMs, whatever Redis does. */
  function guarded<T>(command: (c: Client) => Promise<T>): Promise<T> {
    if (closed) return Promise.reject(new StoreUnavailableError(new Error('The store is closed')));
    const target = client;
    const sentAt = performance.now();
    const noteReply = () => {
      if (target === client) lastReplyAt = performance.now();
    };
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(
        // setImmediate: a reply that arrived while the event loop was busy is read first and wins.
        () =>
          setImmediate(() => {
            if (settled) return;
            settled = true;
            reject(new StoreUnavailableError(new RedisTimeoutError(timeoutMs)));
            // Nothing came back on this connection since this command went out: it is stuck.
            if (target.isReady && lastReplyAt < sentAt) replace(target, 'not answering');
          }),
        timeoutMs,
      );
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      Promise.resolve()
        .then(() => command(target))
        .then(
          (value) => {
            noteReply();
            settle(() => resolve(value));
          },
          (err: unknown) => {
            if (err instanceof ErrorReply) noteReply(); // Redis answered, with an error
            settle(() => reject(asStoreError(err)));
          },
        );
    });
  }

  const kv: Kv = {
    get: (key) => guarded((c) => c.get(key)),
    set: (key, value, setOptions) => guarded((c) => c.set(key, value, setOptions)),
    expire: (key, seconds, mode) => guarded((c) => c.expire(key, seconds, mode)),
    del: (keys) => guarded((c) => c.del(keys)),
    incr: (key) => guarded((c) => c.incr(key)),
    decr: (key) => guarded((c) => c.decr(key)),
    ttl: (key) => guarded((c) => c.ttl(key)),
    mGet: (keys) => guarded((c) => c.mGet(keys)),
    hSet: (key, field, value) => guarded((c) => c.hSet(key, field, value)),
    hGetAll: (key) => guarded((c) => c.hGetAll(key)),
    hDel: (key, fields) => guarded((c) => c.hDel(key, fields)),
    hLen: (key) => guarded((c) => c.hLen(key)),
    async *scanIterator({ MATCH, COUNT }) {
      let cursor = '0';
      do {
        const page = await guarded((c) => c.scan(cursor, { MATCH, ...(COUNT && { COUNT }) }));
        cursor = String(page.cursor);
        yield page.keys;
      } while (cursor !== '0');
    },
    ping: () => guarded((c) => c.ping()),
    zAdd: (key, members) => guarded((c) => c.zAdd(key, members)),
    zRangeWithScores: (key, start, stop) => guarded((c) => c.zRangeWithScores(key, start, stop)),
    zRem: (key, members) => guarded((c) => c.zRem(key, members)),
    zRemRangeByScore: (key, min, max) => guarded((c) => c.zRemRangeByScore(key, min, max)),
    multi: () =>
      queuedMulti((transaction) =>
        guarded((c) => {
          const start: RedisMulti = c.multi();
          return transaction(start);
        }),
      ),
  };

  return {
    name,
    kind: 'redis',
    kv,
    ping: async () => {
      await kv.ping();
    },
    close: async () => {
      closed = true;
      // Let commands in flight finish when Redis answers, but never wait past the command bound.
      if (client.isReady)
        await Promise.race([
          client.close().catch(() => undefined),
          delay(timeoutMs, undefined, { ref: false }), // never what keeps a process alive
        ]);
      client.destroy();
    },
  };
}

/**
 * Redis error replies that mean "not now" (loading its data, a replica after a failover, a cluster
 * re-electing) are an outage like a closed socket: 503 and retry. Any other reply is a bug here.
 */
const TRANSIENT_REPLY = /^(LOADING|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|BUSY|NOREPLICAS)\b/;

function asStoreError(err: unknown): Error {
  if (err instanceof ErrorReply && !TRANSIENT_REPLY.test(err.message)) return err;
  return err instanceof StoreUnavailableError ? err : new StoreUnavailableError(err);
}

/** Logs once per change of state (up, down), not once per failed retry; retries go to debug. */
function stateLog(logger: Logger, redis: string) {
  let up: boolean | undefined;
  return {
    up() {
      if (up === true) return;
      up = true;
      logger.info({ redis }, 'redis ready');
    },
    down(err: unknown, reason?: string) {
      if (up === false) {
        logger.debug({ redis, err, reason }, 'redis still unavailable');
        return;
      }
      up = false;
      logger.warn(
        { redis, err, reason },
        'redis unavailable: requests that need a session get 503 until it is back',
      );
    },
  };
}

/** The URL with any password masked, for logs and messages. */
export function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
