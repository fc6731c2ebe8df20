import type { Logger } from 'pino';
import { createCluster } from 'redis';
import { clusterMany } from './cluster-many.ts';
import { createGuard } from './guard.ts';
import { kvOver, scanServer } from './kv-over.ts';
import { replaceableClient, type Replaceable } from './replaceable-client.ts';
import { reconnectDelay, stateLog } from './state-log.ts';
import type { HostPort, Kv, Store, StoreState } from './store.ts';
import { StoreUnavailableError } from './store-unavailable.ts';

export interface ClusterStoreOptions {
  /** Any nodes of the cluster: the rest (and which primary holds which slots) is asked of them. */
  nodes: HostPort[];
  name?: string;
  /** Bound on every command, on connecting and on the slot-map refresh. */
  timeoutMs: number;
  logger: Logger;
  maxReconnectDelayMs?: number;
}

function newCluster(nodes: HostPort[], timeoutMs: number, maxReconnectDelayMs: number) {
  return createCluster({
    rootNodes: nodes.map(({ host, port }) => ({ socket: { host, port } })),
    // Every connection to a node: fail at once while it is down (no offline queue), reconnect forever.
    defaults: {
      disableOfflineQueue: true,
      socket: {
        connectTimeout: timeoutMs,
        reconnectStrategy: (retries: number) => reconnectDelay(retries, maxReconnectDelayMs),
      },
    },
    // No per-command timer of node-redis's own: the guard bounds every command (guard.ts).
    commandOptions: { timeout: 0 },
    // Connect to each primary when it is first needed, so connecting needs one answering node,
    // not all of them: the app starts, and serves the other slots, while a primary is down.
    minimizeConnections: true,
    // Ask a live node for the slot map this soon after a primary stops answering (node-redis's
    // default waits 5 s), so the app finds the promoted replica about a second after the failover.
    topologyRefreshOnReconnectionAttemptStrategy: 500,
  });
}

type Cluster = ReturnType<typeof newCluster>;

/** Fewest milliseconds between two fresh clients built because commands time out. */
const REFRESH_AFTER_TIMEOUT_MS = 2000;

/** The same commands as one Redis, each routed by its key's slot; scans visit every primary. */
export function createClusterStore(options: ClusterStoreOptions): Store {
  const { nodes, name = 'default', timeoutMs, logger, maxReconnectDelayMs = 1000 } = options;
  const label = `cluster ${nodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
  const state = stateLog(logger, label, name);
  let closed = false;
  let lastReplacedAt = -Infinity;
  const guard = createGuard<Cluster>({
    timeoutMs,
    current: () => connection.current(),
    closed: () => closed,
    // A primary that hangs without dying keeps its connection open, so node-redis never refreshes
    // the slot map away from it, even once the cluster has promoted its replica. So a timeout
    // builds a fresh client (with a fresh slot map), at most every REFRESH_AFTER_TIMEOUT_MS.
    onTimeout: (client, silent) => {
      if (client !== connection.current()) return;
      if (!silent && performance.now() - lastReplacedAt < REFRESH_AFTER_TIMEOUT_MS) return;
      lastReplacedAt = performance.now();
      connection.replace(silent ? 'not answering' : 'a primary not answering');
    },
  });
  // Primaries (host:port) whose connection failed; the store is "up" again once none is left.
  const failing = new Set<string>();
  const connection: Replaceable<Cluster> = replaceableClient({
    timeoutMs,
    maxReconnectDelayMs,
    state,
    create: () => {
      const cluster = newCluster(nodes, timeoutMs, maxReconnectDelayMs);
      const mine = () => cluster === connection.current();
      const settle = () => {
        const primaries = new Set(cluster.masters.map((m) => m.address));
        for (const address of failing) if (!primaries.has(address)) failing.delete(address);
        if (failing.size === 0) state.up();
      };
      // An 'error' listener must always exist: without one node-redis's errors crash the process.
      cluster.on('error', (err: unknown) => {
        if (mine()) state.down(err, 'slot map refresh failed');
      });
      cluster.on('node-error', (err: unknown, node: HostPort) => {
        if (!mine()) return;
        failing.add(`${node.host}:${node.port}`);
        state.down(err, `node ${node.host}:${node.port}`);
      });
      cluster.on('node-ready', (node: HostPort) => {
        if (!mine()) return;
        failing.delete(`${node.host}:${node.port}`);
        settle();
      });
      return cluster;
    },
  });

  /** SCAN on each primary in turn (a cluster's SCAN only ever covers the node it is sent to). */
  async function* scanPrimaries(scan: Parameters<Kv['scanIterator']>[0]) {
    const cluster = connection.current();
    if (!cluster) throw new StoreUnavailableError(new Error('Not connected to Redis yet'));
    for (const { address } of cluster.masters) {
      yield* scanServer(
        (cursor, page) =>
          guard.run(async (c) => {
            const primary = c.masters.find((m) => m.address === address);
            // A failover during the scan: its cursor means nothing elsewhere, so ask again later.
            if (!primary) throw new Error(`primary ${address} left the cluster during a scan`);
            return (await c.nodeClient(primary)).scan(cursor, page);
          }),
        scan,
      );
    }
  }

  async function probe(): Promise<StoreState> {
    const cluster = connection.current();
    if (!cluster || cluster.masters.length === 0) return 'down';
    const answers = await Promise.all(
      cluster.masters.map((primary) =>
        guard
          .run(async (c) => (await c.nodeClient(primary)).ping())
          .then(
            () => true,
            () => false,
          ),
      ),
    );
    const answering = answers.filter(Boolean).length;
    if (answering === answers.length) return 'up';
    return answering > 0 ? 'degraded' : 'down';
  }

  return {
    name,
    kind: 'cluster',
    kv: kvOver(guard.run, scanPrimaries, clusterMany(guard.run)),
    state: probe,
    ping: async () => {
      const now = await probe();
      if (now !== 'up') throw new StoreUnavailableError(new Error(`the cluster is ${now}`));
    },
    close: async () => {
      closed = true;
      await connection.close();
    },
  };
}
