import type { Logger } from 'pino';
import { createClient } from 'redis';
import { createGuard } from './guard.ts';
import { oneServer } from './kv-over.ts';
import { replaceableClient, type Replaceable } from './replaceable-client.ts';
import { reconnectDelay, redactUrl, stateLog } from './state-log.ts';
import type { Store } from './store.ts';

export { RedisTimeoutError } from './guard.ts';
export { reconnectDelay } from './state-log.ts';

export interface RedisStoreOptions {
  url: string;
  /** Shown by /readyz and in logs; default "default". */
  name?: string;
  /** Bound on every command and on connecting. */
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
    // No per-command timer of node-redis's own: the guard bounds every command (guard.ts).
    commandOptions: { timeout: 0 },
    socket: {
      connectTimeout: timeoutMs,
      reconnectStrategy: (retries) => reconnectDelay(retries, maxReconnectDelayMs),
    },
  });
}

type Client = ReturnType<typeof newClient>;

/** A connection on which nothing came back within the bound (a paused Redis) is replaced. */
export function createRedisStore(options: RedisStoreOptions): Store {
  const { url, name = 'default', timeoutMs, logger, maxReconnectDelayMs = 1000 } = options;
  const state = stateLog(logger, redactUrl(url), name);
  let closed = false;
  const guard = createGuard<Client>({
    timeoutMs,
    current: () => connection.current(),
    closed: () => closed,
    onTimeout: (stuck, silent) => {
      if (silent && stuck === connection.current()) {
        connection.replace('not answering', { now: true });
      }
    },
  });
  const connection: Replaceable<Client> = replaceableClient({
    timeoutMs,
    // One connection to open: a handshake unanswered within the command bound is given up.
    connectBoundMs: timeoutMs,
    maxReconnectDelayMs,
    state,
    create: () => {
      const client = newClient(url, timeoutMs, maxReconnectDelayMs);
      const mine = () => client === connection.current();
      // An 'error' listener must always exist: without one node-redis's errors crash the process.
      client.on('error', (err: unknown) => {
        if (mine()) state.down(err);
      });
      client.on('ready', () => {
        if (!mine()) return;
        guard.alive(client);
        state.up();
      });
      return client;
    },
  });

  return {
    name,
    kind: 'redis',
    ...oneServer(guard.run),
    close: async () => {
      closed = true;
      await connection.close();
    },
  };
}
