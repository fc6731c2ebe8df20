import type { Logger } from 'pino';
import { createSentinel } from 'redis';
import { createGuard } from './guard.ts';
import { oneServer, type Run } from './kv-over.ts';
import { replaceableClient, type Replaceable } from './replaceable-client.ts';
import { reconnectDelay, stateLog } from './state-log.ts';
import type { HostPort, Store } from './store.ts';
import { StoreUnavailableError } from './store-unavailable.ts';

export interface SentinelStoreOptions {
  /** REDIS_SENTINELS: any of the sentinels; the others are learnt from them. */
  sentinels: HostPort[];
  /** REDIS_SENTINEL_MASTER: the name the sentinels monitor the primary by. */
  master: string;
  name?: string;
  /** Bound on every command, on connecting, and on WAIT for a replica. */
  timeoutMs: number;
  logger: Logger;
  maxReconnectDelayMs?: number;
}

/** Room past WAIT's own timeout for its answer to arrive, before the command counts as lost. */
const WAIT_MARGIN_MS = 300;

function newSentinel(options: SentinelStoreOptions, maxReconnectDelayMs: number) {
  const { sentinels, master, timeoutMs } = options;
  return createSentinel({
    name: master,
    sentinelRootNodes: sentinels,
    nodeClientOptions: {
      // Fail at once while the primary is away (no offline queue); reconnect forever.
      disableOfflineQueue: true,
      socket: {
        connectTimeout: timeoutMs,
        reconnectStrategy: (retries: number) => reconnectDelay(retries, maxReconnectDelayMs),
      },
    },
    sentinelClientOptions: { socket: { connectTimeout: timeoutMs } },
    // No per-command timer of node-redis's own: the guard bounds every command (guard.ts).
    commandOptions: { timeout: 0 },
    // One connection to the primary (node-redis's default, said here because it matters): every
    // command goes over it, so WAIT after a login's write runs on the connection that made it.
    masterPoolSize: 1,
    // node-redis reports a lost primary connection only this way (as 'error', tagged "Master Client").
    passthroughClientErrorEvents: true,
  });
}

type Sentinel = ReturnType<typeof newSentinel>;

/** node-redis's sentinel client follows a failover by itself; meanwhile commands get 503. */
export function createSentinelStore(options: SentinelStoreOptions): Store {
  const { name = 'default', timeoutMs, logger, maxReconnectDelayMs = 1000 } = options;
  const label = `sentinel ${options.master}@${options.sentinels.map((n) => `${n.host}:${n.port}`).join(',')}`;
  const state = stateLog(logger, label, name);
  let closed = false;
  const guard = createGuard<Sentinel>({
    timeoutMs,
    current: () => connection.current(),
    closed: () => closed,
    // A primary that stops answering is the sentinels' to fail over; the client follows them
    // (switch-master) and drops the stuck connection. Building a fresh client meanwhile would only
    // reach the same primary, which the sentinels still name until they have promoted another.
    onTimeout: () => undefined,
  });
  const connection: Replaceable<Sentinel> = replaceableClient({
    timeoutMs,
    maxReconnectDelayMs,
    state,
    create: () => {
      const sentinel = newSentinel(options, maxReconnectDelayMs);
      const mine = () => sentinel === connection.current();
      // An 'error' listener must always exist: without one node-redis's errors crash the process.
      sentinel.on('error', (err: unknown) => {
        if (mine() && err instanceof Error && err.message.startsWith('Master Client')) {
          state.down(err, 'primary');
        } else {
          logger.debug({ err, store: name }, 'sentinel client');
        }
      });
      sentinel.on('topology-change', (event: { type: string; node?: HostPort }) => {
        if (mine() && event.type === 'MASTER_CHANGE') {
          logger.info({ store: name, primary: event.node }, 'redis primary is now this node');
        }
      });
      sentinel.on('ready', () => {
        if (mine()) state.up();
      });
      return sentinel;
    },
  });

  /**
   * While the primary is away node-redis holds each command until it finds one, so every request
   * would wait out its bound: instead one command probes and the others get 503 at once.
   */
  let probing = false;
  function through<T>(command: () => Promise<T>): Promise<T> {
    const away = state.isUp === false;
    if (away && probing) {
      return Promise.reject(new StoreUnavailableError(new Error('The Redis primary is away')));
    }
    probing ||= away;
    return command()
      .then((value) => {
        state.up();
        return value;
      })
      .finally(() => {
        if (away) probing = false;
      });
  }
  const run: Run = (command) => through(() => guard.run(command));
  return {
    name,
    kind: 'sentinel',
    ...oneServer(run),
    async replicate() {
      const role = await through(() => guard.run((c) => c.role()));
      if (role?.role === 'master' && (role.replicas?.length ?? 0) === 0) {
        // WAIT would hold the one connection for its whole timeout, stalling every request.
        logger.warn(
          { store: name },
          'no replica is connected: a login is kept on the primary only until one is',
        );
        return;
      }
      const acknowledged = await through(() =>
        guard.run((c) => c.wait(1, timeoutMs), timeoutMs + WAIT_MARGIN_MS),
      );
      if (acknowledged < 1) {
        logger.warn(
          { store: name, timeoutMs },
          'no replica acknowledged a login within REDIS_TIMEOUT_MS; it is on the primary only',
        );
      }
    },
    close: async () => {
      closed = true;
      await connection.close();
    },
  };
}
