import type { Server } from 'node:http';
import { Server as NetServer } from 'node:net';
import type { Logger } from 'pino';

export interface ShutdownOptions {
  /** The listeners to stop: the main one first (its requests in flight are the ones counted). */
  servers: Server[];
  /** SHUTDOWN_TIMEOUT_MS: how long requests in flight may take before their connections close. */
  timeoutMs: number;
  /** Once no request is left: lets go of the app's parts (bounded by their own timeouts). */
  close: () => Promise<void>;
  /** Past this after the signal, the process ends whatever still hangs (non-zero). */
  forceExitMs: number;
  logger: Logger;
  /** process.exit, or a test's stand-in. */
  exit?: (code: number) => void;
  /** How long idle keep-alive connections stay open, so a request just sent on one is answered. */
  drainGraceMs?: number;
}

export interface Shutdown {
  /** True from the first signal on: every response still to be written says `Connection: close`. */
  readonly stopping: boolean;
  /** What SIGTERM and SIGINT do: stop accepting, finish requests, close, exit 0 (1 on a second). */
  onSignal(signal: NodeJS.Signals): Promise<void>;
}

/** Stops the servers gracefully on a signal and ends the process. */
export function gracefulShutdown(options: ShutdownOptions): Shutdown {
  const { servers, timeoutMs, close, forceExitMs, logger, drainGraceMs = 500 } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const main = servers[0]!;
  let stopping = false;
  let inFlight = 0;
  const answered = () => void inFlight--;
  main.prependListener('request', (_req, res) => {
    inFlight++;
    res.on('close', answered); // one shared listener: nothing allocated per request
  });

  async function onSignal(signal: NodeJS.Signals): Promise<void> {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      return exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: no new connections, finishing requests in flight');
    const force = setTimeout(() => {
      logger.error('shutdown did not finish in time; exiting');
      exit(1);
    }, forceExitMs).unref();

    // net.Server's close, not http.Server's: that one also drops every idle keep-alive connection
    // at once, with any request still unread on it.
    const closed = servers.map(
      (server) =>
        new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve())),
    );
    // Then keep-alive connections go as soon as they are idle; busy ones after their response.
    const closeIdle = () => servers.forEach((server) => server.closeIdleConnections());
    let idleSweep: NodeJS.Timeout | undefined;
    const grace = setTimeout(
      () => {
        closeIdle();
        idleSweep = setInterval(closeIdle, 100);
      },
      Math.min(drainGraceMs, timeoutMs),
    );
    let deadline: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      deadline = setTimeout(() => resolve('late'), timeoutMs);
    });
    if ((await Promise.race([Promise.all(closed), late])) === 'late') {
      logger.warn({ timeoutMs, inFlight }, 'requests still in flight; closing them');
      servers.forEach((server) => server.closeAllConnections());
    }
    clearTimeout(deadline);
    clearTimeout(grace);
    clearInterval(idleSweep);
    await close();
    clearTimeout(force);
    logger.info('stopped');
    exit(0);
  }

  return {
    get stopping() {
      return stopping;
    },
    onSignal,
  };
}
