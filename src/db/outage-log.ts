import type { Logger } from 'pino';

export interface OutageLog {
  up: () => void;
  down: (err: unknown) => void;
}

/** Logs once per change (down, back up), not once per failed request. */
export function outageLog(logger: Logger, database: string): OutageLog {
  let down = false;
  return {
    up: () => {
      if (!down) return;
      down = false;
      logger.info({ database }, 'database answering again');
    },
    down: (err) => {
      if (down) return logger.debug({ database, err }, 'database still unavailable');
      down = true;
      logger.warn(
        { database, err },
        'database unavailable: requests that need it get 503 until it is back',
      );
    },
  };
}
