import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import type { Launched } from './launch.ts';
import { eventually } from './polling.ts';
import { expectThat, infoFields, killRedis, redisCli } from './redis-cli.ts';
import { dataNodeArgs, launchRedis } from './redis-server.ts';

/** A real primary, its replica and three sentinels, owned by one test file. */
export interface RedisSentinelSetup {
  /** REDIS_SENTINEL_MASTER */
  master: string;
  /** REDIS_SENTINELS for the app: `127.0.0.1:port,…` */
  sentinelList: string;
  /** Ports of the two data nodes (the first started as primary). */
  dataPorts: number[];
  /** The port the sentinels name as primary now. */
  primary(): Promise<number>;
  /**
   * SIGKILLs the primary; with `waitForFailover` (default), resolves once every sentinel names the
   * replica as the new primary and it has taken the role. Resolves with the killed port.
   */
  killPrimary(options?: { waitForFailover?: boolean }): Promise<number>;
  /** Starts a killed data node again on its port (the sentinels make it a replica). */
  restart(port: number): Promise<void>;
  /** Waits until a primary with a connected replica is watched by three sentinels that agree. */
  healthy(): Promise<void>;
  stop(): Promise<void>;
}

// A primary unanswered this long is down for a sentinel; two sentinels (the quorum) then fail over.
const DOWN_AFTER_MS = 1000;
const FAILOVER_TIMEOUT_MS = 5000;

/**
 * Two redis-servers (a primary and a replica of it) and three sentinels (`redis-server --sentinel`,
 * each with its own config file, which sentinels rewrite) on free loopback ports. Failover takes a
 * few seconds: DOWN_AFTER_MS to notice, then an election and the promotion.
 */
export async function startRedisSentinel(master = 'tenantry'): Promise<RedisSentinelSetup> {
  const dir = mkdtempSync(join(tmpdir(), 'tenantry-sentinel-'));
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const dataArgs = (port: number, replicaOf?: number) => {
    const nodeDir = join(dir, String(port));
    mkdirSync(nodeDir, { recursive: true });
    return [
      ...dataNodeArgs(port, nodeDir),
      ...(replicaOf ? ['--replicaof', '127.0.0.1', String(replicaOf)] : []),
    ];
  };
  const args = new Map([
    [primaryPort, dataArgs(primaryPort)],
    [replicaPort, dataArgs(replicaPort, primaryPort)],
  ]);
  const children = new Map<number, Launched>();
  const sentinelPorts = [await freePort(), await freePort(), await freePort()];
  try {
    for (const [port, a] of args) children.set(port, await launchRedis(a));
    await Promise.all(
      sentinelPorts.map(async (port) => {
        const file = join(dir, `sentinel-${port}.conf`);
        writeFileSync(
          file,
          [
            `port ${port}`,
            'bind 127.0.0.1',
            `dir ${dir}`,
            `sentinel monitor ${master} 127.0.0.1 ${primaryPort} 2`,
            `sentinel down-after-milliseconds ${master} ${DOWN_AFTER_MS}`,
            `sentinel failover-timeout ${master} ${FAILOVER_TIMEOUT_MS}`,
            `sentinel parallel-syncs ${master} 1`,
            '',
          ].join('\n'),
        );
        children.set(port, await launchRedis([file, '--sentinel'], '+monitor master'));
      }),
    );
  } catch (err) {
    for (const child of children.values()) await killRedis(child);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  const alive = (port: number) => children.get(port)?.running() === true;
  const askSentinels = async (...command: string[]) => {
    const port = sentinelPorts.find(alive)!;
    return redisCli(port, 'sentinel', ...command);
  };
  const primary = async () => {
    const reply = (await askSentinels('get-master-addr-by-name', master)).trim().split('\n');
    return Number(reply[1]);
  };

  const setup: RedisSentinelSetup = {
    master,
    sentinelList: sentinelPorts.map((port) => `127.0.0.1:${port}`).join(','),
    dataPorts: [primaryPort, replicaPort],
    primary,
    async healthy() {
      await eventually(
        async () => {
          const ports = await Promise.all(
            sentinelPorts.map(async (port) => {
              const reply = await redisCli(port, 'sentinel', 'get-master-addr-by-name', master);
              return Number(reply.trim().split('\n')[1]);
            }),
          );
          const now = ports[0]!;
          expectThat(ports.every((p) => p === now) && alive(now), 'sentinels agree on a primary');
          const info = infoFields(await redisCli(now, 'info', 'replication'));
          // Online: the replica has the primary's data and takes its stream (not still syncing).
          expectThat(
            info.get('role') === 'master' && info.get('slave0')?.includes('state=online') === true,
            'the primary has an online replica',
          );
          const fields = (await redisCli(sentinelPorts[0]!, 'sentinel', 'master', master)).split(
            '\n',
          );
          const value = (name: string) => fields[fields.indexOf(name) + 1]?.trim();
          expectThat(
            value('num-other-sentinels') === '2' && value('flags') === 'master',
            'three sentinels watch it',
          );
        },
        { timeoutMs: 30_000, intervalMs: 100 },
      );
    },
    async killPrimary({ waitForFailover = true } = {}) {
      const port = await primary();
      await killRedis(children.get(port)!);
      if (waitForFailover) {
        // Done when every sentinel names the same new primary (the others learn it from the leader
        // within a couple of seconds, and a client may ask any of them) and it has taken the role.
        await eventually(
          async () => {
            const named = await Promise.all(
              sentinelPorts.filter(alive).map(async (p) => {
                const reply = await redisCli(p, 'sentinel', 'get-master-addr-by-name', master);
                return Number(reply.trim().split('\n')[1]);
              }),
            );
            const now = named[0]!;
            expectThat(
              now !== port && alive(now) && named.every((n) => n === now),
              'every sentinel names the same new primary',
            );
            const role = infoFields(await redisCli(now, 'info', 'replication')).get('role');
            expectThat(role === 'master', 'the replica has become the primary');
          },
          { timeoutMs: 30_000, intervalMs: 100 },
        );
      }
      return port;
    },
    async restart(port) {
      children.set(port, await launchRedis(args.get(port)!));
    },
    async stop() {
      await Promise.all([...children.values()].map((child) => killRedis(child)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await setup.healthy();
  return setup;
}
