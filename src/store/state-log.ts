import type { Logger } from 'pino';

export interface StateLog {
  up(): void;
  down(err: unknown, reason?: string): void;
  /** The last state logged: undefined before the first connection attempt has settled. */
  readonly isUp: boolean | undefined;
}

/** Logs once per change of state, not per failed retry; `redis` must hold no password. */
export function stateLog(logger: Logger, redis: string, store: string): StateLog {
  let up: boolean | undefined;
  return {
    get isUp() {
      return up;
    },
    up() {
      if (up === true) return;
      up = true;
      logger.info({ redis, store }, 'redis ready');
    },
    down(err: unknown, reason?: string) {
      if (up === false) {
        logger.debug({ redis, store, err, reason }, 'redis still unavailable');
        return;
      }
      up = false;
      logger.warn(
        { redis, store, err, reason },
        'redis unavailable: requests that need a session get 503 until it is back',
      );
    },
  };
}

export function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/** Capped exponential backoff with jitter; never gives up, so an idle app never ends with a closed client. */
export function reconnectDelay(retries: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, 50 * 2 ** Math.min(retries, 16));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
