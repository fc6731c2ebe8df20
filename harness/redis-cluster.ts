import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import type { Launched } from './launch.ts';
import { eventually } from './polling.ts';
import { expectThat, infoFields, killRedis, redisCli } from './redis-cli.ts';
import { dataNodeArgs, launchRedis } from './redis-server.ts';

/** One redis-server of the cluster. */
export interface ClusterNode {
  port: number;
  process(): Launched | undefined;
}

/** A real Redis Cluster owned by one test file: three primaries, each with a replica. */
export interface RedisCluster {
  nodes: ClusterNode[];
  /** REDIS_CLUSTER_NODES for the app: every node, `127.0.0.1:port,…`. */
  nodeList: string;
  /** Ports of the nodes that are primaries (and running) now. */
  primaries(): Promise<number[]>;
  /**
   * SIGKILLs the primary that serves `key`'s slot (default: the first primary) and resolves with
   * its port once its replica has taken over and the cluster is whole again.
   */
  killPrimary(options?: { port?: number; waitForFailover?: boolean }): Promise<number>;
  /** Waits until every running node says the cluster is ok and agrees on three primaries. */
  healthy(): Promise<void>;
  /** Starts a killed node again on its port and directory (it comes back as a replica). */
  restart(port: number): Promise<void>;
  stop(): Promise<void>;
}

// Short node timeout so a killed primary is failed over in a few seconds, not fifteen.
const NODE_TIMEOUT_MS = 1000;

/**
 * Six redis-servers on free loopback ports (cluster bus ports chosen free too), joined with
 * `redis-cli --cluster create … --cluster-replicas 1`, ready once every node reports
 * `cluster_state:ok`. Nothing is written to disk but nodes.conf.
 */
export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'tenantry-cluster-'));
  const specs: { port: number; args: string[] }[] = [];
  for (let i = 0; i < 6; i++) {
    const port = await freePort();
    const busPort = await freePort();
    const nodeDir = join(dir, String(port));
    mkdirSync(nodeDir);
    specs.push({
      port,
      args: [
        ...dataNodeArgs(port, nodeDir),
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        '--cluster-port',
        String(busPort),
        '--cluster-node-timeout',
        String(NODE_TIMEOUT_MS),
        // A replica may take over at once, however long it was cut off (tests kill primaries).
        '--cluster-replica-validity-factor',
        '0',
        // The other shards keep serving while one has no primary (the default refuses every key).
        '--cluster-require-full-coverage',
        'no',
      ],
    });
  }
  const children = new Map<number, Launched>();
  try {
    await Promise.all(
      specs.map(async ({ port, args }) => children.set(port, await launchRedis(args))),
    );
    await redisCli(
      specs[0]!.port,
      '--cluster',
      'create',
      ...specs.map((s) => `127.0.0.1:${s.port}`),
      '--cluster-replicas',
      '1',
      '--cluster-yes',
    );
  } catch (err) {
    for (const child of children.values()) await killRedis(child);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  const running = () => specs.filter((s) => children.get(s.port)?.running());
  const role = async (port: number) =>
    infoFields(await redisCli(port, 'info', 'replication')).get('role');

  const cluster: RedisCluster = {
    nodes: specs.map((s) => ({ port: s.port, process: () => children.get(s.port) })),
    nodeList: specs.map((s) => `127.0.0.1:${s.port}`).join(','),
    async primaries() {
      const roles = await Promise.all(running().map(async (s) => [s.port, await role(s.port)]));
      return roles.filter(([, r]) => r === 'master').map(([port]) => port as number);
    },
    async healthy() {
      await eventually(
        async () => {
          for (const { port } of running()) {
            const info = infoFields(await redisCli(port, 'cluster', 'info'));
            expectThat(info.get('cluster_state') === 'ok', `cluster_state ok on ${port}`);
          }
          // Every running node sees three live primaries (no stale view after a failover).
          for (const { port } of running()) {
            const nodes = await redisCli(port, 'cluster', 'nodes');
            const flags = nodes.split('\n').map((line) => line.split(' ')[2] ?? '');
            const live = flags.filter((f) => f.split(',').includes('master') && !/fail/.test(f));
            expectThat(live.length === 3, `three live primaries as ${port} sees it`);
          }
          expectThat((await cluster.primaries()).length === 3, 'three nodes answering as primary');
        },
        { timeoutMs: 30_000, intervalMs: 100 },
      );
    },
    async killPrimary({ port, waitForFailover = true } = {}) {
      const target = port ?? (await cluster.primaries()).sort((a, b) => a - b)[0]!;
      const child = children.get(target);
      if (!child) throw new Error(`no node on ${target}`);
      await killRedis(child);
      if (waitForFailover) await cluster.healthy();
      return target;
    },
    async restart(target) {
      const spec = specs.find((s) => s.port === target);
      if (!spec) throw new Error(`no node on ${target}`);
      children.set(target, await launchRedis(spec.args));
    },
    async stop() {
      await Promise.all([...children.values()].map((child) => killRedis(child)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await cluster.healthy();
  return cluster;
}
