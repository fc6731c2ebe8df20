import { afterEach, describe, expect, inject, it } from 'vitest';
import { DEMO } from '../../harness/demo.ts';
import { runLoad } from '../../harness/load.ts';
import { sleep } from '../../harness/polling.ts';
import { redisCli } from '../../harness/redis-cli.ts';
import { startRedisCluster, type RedisCluster } from '../../harness/redis-cluster.ts';
import { startServer, type ServerProcess } from '../../harness/server-process.ts';
import { signInEach } from '../../harness/sign-in.ts';
import { expectGracefulOutage } from '../reliability/outage-assertions.ts';
import { logRecoveryWindow } from '../../harness/failover-window.ts';

// Enough sessions that every primary holds some (sessions carry no hash tag: they spread).
const PEOPLE = [DEMO.a, DEMO.b, DEMO.c, DEMO.a, DEMO.b, DEMO.c, DEMO.a, DEMO.b, DEMO.c];

let cluster: RedisCluster | undefined;
let server: ServerProcess | undefined;
afterEach(async () => {
  await server?.stop();
  await cluster?.stop();
  server = cluster = undefined;
});

describe.runIf(inject('redisServerAvailable'))(
  'when a Redis Cluster primary dies',
  { timeout: 90_000 },
  () => {
    it('when a primary is killed under load, then answers come within 2 s, its sessions get 503 until its replica is promoted, and then they are served again without a restart', async () => {
      cluster = await startRedisCluster();
      server = await startServer({
        redisUrl: '',
        env: { REDIS_URL: '', REDIS_CLUSTER_NODES: cluster.nodeList },
      });
      const { port } = server;
      const clients = await signInEach(port, PEOPLE);
      // The primary that holds the most of these sessions.
      const app = server.env.APP_NAME!;
      const held = await Promise.all(
        (await cluster.primaries()).map(async (primary) => {
          const keys = await redisCli(primary, '--scan', '--pattern', `sessions:*:${app}:*`);
          return { primary, count: keys.split('\n').filter(Boolean).length };
        }),
      );
      const target = held.sort((a, b) => b.count - a.count)[0]!;
      expect(target.count).toBeGreaterThan(0);

      const load = runLoad({ port, clients, durationMs: 12_000 });
      await sleep(2000);
      const downAt = performance.now();
      await cluster.killPrimary({ port: target.primary, waitForFailover: false });
      await cluster.healthy(); // its replica has taken over, as every node sees it
      const backAt = performance.now();
      const samples = await load;

      const window = logRecoveryWindow('cluster primary killed: failover done', samples, {
        downAt,
        backAt,
        clients: clients.length,
      });
      // Only the sessions on the killed primary failed: the other shards kept serving.
      expect(window.affected).toBeGreaterThan(0);
      expect(window.affected).toBeLessThan(clients.length);
      expectGracefulOutage('cluster primary killed', server, samples, { downAt, backAt });
      expect((await server.stop()).code).toBe(0);
    });
  },
);
