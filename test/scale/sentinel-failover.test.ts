import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEMO } from '../../harness/demo.ts';
import { timedRequest } from '../../harness/http-client.ts';
import { runLoad } from '../../harness/load.ts';
import { eventually, sleep } from '../../harness/polling.ts';
import { commandCalls, expectThat, infoFields, redisCli } from '../../harness/redis-cli.ts';
import { startRedisSentinel, type RedisSentinelSetup } from '../../harness/redis-sentinel.ts';
import { startServer, type ServerProcess } from '../../harness/server-process.ts';
import { signIn, signInEach } from '../../harness/sign-in.ts';
import { expectGracefulOutage } from '../reliability/outage-assertions.ts';
import { logRecoveryWindow } from '../../harness/failover-window.ts';

const PEOPLE = [DEMO.a, DEMO.b, DEMO.c, DEMO.a, DEMO.b, DEMO.c];

let sentinel: RedisSentinelSetup;
let server: ServerProcess;
const available = inject('redisServerAvailable');

beforeAll(async () => {
  if (!available) return;
  sentinel = await startRedisSentinel();
  server = await startServer({
    redisUrl: '',
    env: {
      REDIS_URL: '',
      REDIS_SENTINELS: sentinel.sentinelList,
      REDIS_SENTINEL_MASTER: sentinel.master,
    },
  });
  await eventually(async () => {
    const res = await timedRequest({ port: server.port, path: '/readyz', host: 'localhost' });
    expectThat(res.status === 200, 'the app is ready');
  });
}, 60_000);
afterAll(async () => {
  if (!available) return;
  await server?.stop();
  await sentinel?.stop();
});

const me = (cookie: string, host: string = DEMO.a.host) =>
  timedRequest({ port: server.port, path: '/api/me', host, cookie, accept: 'application/json' });

// One file, in order: the failover turns the replica into the primary, and the last test kills
// the replica that the restarted old primary has become.
describe.runIf(available)('Redis behind Sentinel', { timeout: 90_000 }, () => {
  it('when a user signs in, then the primary is asked to WAIT for a replica before the answer', async () => {
    const primary = await sentinel.primary();
    const waits = async () =>
      commandCalls(await redisCli(primary, 'info', 'commandstats')).wait ?? 0;
    const before = await waits();
    await signIn(server.port, DEMO.c);
    expect(await waits()).toBe(before + 1);
  });

  it('when the primary is killed under load, then answers come within 2 s, failures are 503, the app follows the promoted replica by itself, and a login answered just before the kill is still signed in', async () => {
    const { port } = server;
    const clients = await signInEach(port, PEOPLE);

    const load = runLoad({ port, clients, durationMs: 12_000 });
    await sleep(2000);
    const lastLogin = await signIn(port, DEMO.b); // answered 303: WAIT saw it on the replica
    const downAt = performance.now();
    const killed = await sentinel.killPrimary({ waitForFailover: true });
    const backAt = performance.now();
    const samples = await load;

    logRecoveryWindow('sentinel primary killed: replica promoted', samples, {
      downAt,
      backAt,
      clients: clients.length,
    });
    // node-redis's sentinel client asks the sentinels again once a second while the primary is
    // away (switch-master does not cut that short), so service returns up to about a second after
    // the sentinels have all switched, plus what a loaded box adds: 3 s, not 2, from then.
    expectGracefulOutage('sentinel primary killed', server, samples, {
      downAt,
      backAt,
      recoveryMs: 3000,
    });
    const after = await me(lastLogin, DEMO.b.host);
    expect(after.status).toBe(200);
    expect(JSON.parse(after.body)).toMatchObject({ user: { username: DEMO.b.username } });

    // The old primary returns; the sentinels make it the new primary's replica.
    await sentinel.restart(killed);
    await sentinel.healthy();
  });

  it('when no replica is connected, then a login still succeeds and a warning says it is on the primary only', async () => {
    const primary = await sentinel.primary();
    const replica = sentinel.dataPorts.find((p) => p !== primary)!;
    await redisCli(replica, 'shutdown', 'nosave').catch(() => undefined);
    await eventually(async () => {
      const info = infoFields(await redisCli(primary, 'info', 'replication'));
      expectThat(info.get('connected_slaves') === '0', 'the primary has no replica');
    });
    const cookie = await signIn(server.port, DEMO.a);
    expect((await me(cookie)).status).toBe(200);
    // The server's output reaches this process through a pipe, a moment after the answer.
    await eventually(
      async () => {
        const warned = server.logs().filter((l) => l.msg?.startsWith('no replica is connected'));
        expect(warned).toHaveLength(1);
      },
      { timeoutMs: 2000, intervalMs: 50 },
    );
  });
});
