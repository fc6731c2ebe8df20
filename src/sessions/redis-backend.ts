import type { Logger } from 'pino';
import { createClient } from 'redis';
import type { Kv, SessionBackend } from './kv.ts';

export interface RedisBackendOptions {
  url: string;
  /** Bound on every command and on connecting; a request never waits longer on Redis. */
  timeoutMs: number;
  logger: Logger;
  /** Longest pause between reconnect attempts; small, so the app comes good soon after Redis does. */
  maxReconnectDelayMs?: number;
}

/** Capped exponential backoff with jitter; never gives up, so an idle app never ends with a closed client. */
export function reconnectDelay(retries: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, 50 * 2 ** Math.min(retries, 16));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * One node-redis client shared by every tenant. Connecting is not awaited: the app starts while
 * Redis is down, answers 503 where it needs a session, and recovers when Redis comes back.
 */
export function createRedisBackend(options: RedisBackendOptions): SessionBackend {
  const { url, timeoutMs, logger, maxReconnectDelayMs = 1000 } = options;
  const client = createClient({
    url,
    // Fail at once while disconnected instead of queueing commands (and requests) forever.
    disableOfflineQueue: true,
    // Covers commands already written to a socket that stopped answering (a paused Redis, a black hole).
    commandOptions: { timeout: timeoutMs },
    socket: {
      connectTimeout: timeoutMs,
      reconnectStrategy: (retries) => reconnectDelay(retries, maxReconnectDelayMs),
    },
  });

  // Log once per change of state, not once per failed retry; an 'error' listener must always exist.
  let up: boolean | undefined;
  const setUp = (next: boolean, detail?: unknown) => {
    if (up === next) return;
    up = next;
    if (next) logger.info({ redis: redactUrl(url) }, 'redis ready');
    else logger.warn({ redis: redactUrl(url), err: detail }, 'redis unavailable');
  };
  client.on('ready', () => setUp(true));
  client.on('error', (err: unknown) => setUp(false, err));
  client.on('end', () => setUp(false));
  client.connect().catch((err: unknown) => setUp(false, err));

  return {
    kind: 'redis',
    kv: client satisfies Kv,
    ping: async () => {
      await client.ping();
    },
    close: async () => {
      // A graceful QUIT only when Redis answers; otherwise drop the socket and stop reconnecting.
      if (client.isReady) await client.close().catch(() => undefined);
      if (client.isOpen) client.destroy();
    },
  };
}

function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
