import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { createClient } from 'redis';
import { createGuard, RedisTimeoutError } from './guard.ts';
import { oneServer } from './kv-over.ts';
import { reconnectDelay, redactUrl, stateLog } from './state-log.ts';
import type { Store } from './store.ts';

export { RedisTimeoutError } from './guard.ts';
export { reconnectDelay } from './state-log.ts';

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

function newClient(url: string, timeoutMs: number, maxReconnectDelayMs: number) {
  return createClient({
    url,
    // Fail at once while disconnected instead of queueing commands (and requests) forever.
    disableOfflineQueue: true,
    // No per-command timer of node-redis's own (by default an AbortSignal per command): the
    // guard bounds every command, with one sweeping timer per store.
    commandOptions: { timeout: 0 },
    socket: {
      connectTimeout: timeoutMs,
      reconnectStrategy: (retries) => reconnectDelay(retries, maxReconnectDelayMs),
    },
  });
}

type Client = ReturnType<typeof newClient>;

/**
 * One Redis at a URL: REDIS_URL, or a tenant's own. Connecting is not awaited: the app starts while
 * Redis is down, answers 503 where it needs a session, and recovers when Redis comes back. Every
 * command runs under the guard's timer (guard.ts); a connection on which nothing at all came back
 * within that time (a paused Redis, a network black hole) is thrown away for a fresh one; no socket
 * timeout is used, and the reconnect strategy never gives up.
 */
export function createRedisStore(options: RedisStoreOptions): Store {
  const { url, name = 'default', timeoutMs, logger, maxReconnectDelayMs = 1000 } = options;
  const state = stateLog(logger, redactUrl(url), name);
  let closed = false;
  const guard = createGuard<Client>({
    timeoutMs,
    current: () => client,
    closed: () => closed,
    onTimeout: (stuck, silent) => {
      if (silent && stuck.isReady) replace(stuck, 'not answering');
    },
  });
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
      guard.alive(next);
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

  return {
    name,
    kind: 'redis',
    ...oneServer(guard.run),
    close: async () => {
      closed = true;
      // Let commands in flight finish when Redis answers, but never wait past the command bound.
      if (client.isReady)
        await Promise.race([client.close().catch(() => undefined), delay(timeoutMs)]);
      client.destroy();
    },
  };
}
