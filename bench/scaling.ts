/**
 * npm run bench:scaling: the numbers docs/scaling.md quotes, on real servers started here.
 *
 * 1. What WAIT costs a login with Sentinel: logins on the Sentinel store (which waits for a
 *    replica) against logins on the same primary named by REDIS_URL (no wait), alternating.
 * 2. The failover windows: a Redis Cluster primary, and the Sentinel primary, killed (SIGKILL)
 *    under load; for each, how long the clients whose sessions were there got 503s (from the
 *    kill to their first success), and the slowest answer meanwhile. Fresh servers each round.
 *
 *   SCALING_LOGINS=40 SCALING_ROUNDS=3 npm run bench:scaling
 */
import { recoveryWindow } from '../test/support/failover-window.ts';
import { createKindApp, type KindApp } from '../test/support/kind-app.ts';
import { DEMO } from '../test/support/demo.ts';
import { timedRequest } from '../test/support/http-client.ts';
import { runLoad } from '../test/support/load.ts';
import { closeServer, listen } from '../test/support/listen.ts';
import { sleep } from '../test/support/polling.ts';
import { redisCli } from '../test/support/redis-cli.ts';
import { startKind, type KindServers } from '../test/support/store-kinds.ts';
import { signInEach } from '../test/support/sign-in.ts';

const LOGINS = Number(process.env.SCALING_LOGINS ?? 40);
const ROUNDS = Number(process.env.SCALING_ROUNDS ?? 3);
// REDIS_TIMEOUT_MS as in production by default.
const ENV = { REDIS_TIMEOUT_MS: '1000' };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)]!;
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function waitCost() {
  const servers = await startKind('sentinel');
  const primary = await servers.sentinel!.primary();
  const direct: KindServers = {
    ...servers,
    env: {
      ...servers.env,
      REDIS_SENTINELS: '',
      REDIS_SENTINEL_MASTER: '',
      REDIS_URL: `redis://127.0.0.1:${primary}`,
    },
  };
  const apps = [
    await createKindApp(servers, { env: ENV }),
    await createKindApp(direct, { env: ENV }),
  ];
  const listening = await Promise.all(apps.map((t) => listen(t.app)));
  const times: number[][] = [[], []];
  for (let i = 0; i < LOGINS; i++) {
    for (const k of [0, 1]) {
      const res = await timedRequest({
        port: listening[k]!.port,
        method: 'POST',
        path: '/login',
        host: DEMO.a.host,
        form: { username: DEMO.a.username, password: DEMO.a.password },
      });
      if (res.status !== 303) throw new Error(`login answered ${res.status}`);
      times[k]!.push(res.ms);
    }
  }
  // WAIT alone, on a signed-in store's connection: ROLE + WAIT 1, as a login runs them.
  const alone: number[] = [];
  for (let i = 0; i < 200; i++) {
    const started = performance.now();
    await apps[0]!.store.replicate!();
    alone.push(performance.now() - started);
  }
  console.log(`\nWAIT for a replica (Sentinel), ${LOGINS} logins each, alternating:`);
  console.log(`  login with WAIT     median ${ms(median(times[0]!))}, p90 ${ms(p90(times[0]!))}`);
  console.log(`  login without WAIT  median ${ms(median(times[1]!))}, p90 ${ms(p90(times[1]!))}`);
  console.log(
    `  ROLE + WAIT 1 alone median ${ms(median(alone))}, p90 ${ms(p90(alone))} (200 times)`,
  );
  await Promise.all(listening.map((l) => closeServer(l.server)));
  await Promise.all(apps.map((t) => t.close()));
  await servers.stop();
}

async function failover(kind: 'cluster' | 'sentinel') {
  const servers = await startKind(kind);
  const t: KindApp = await createKindApp(servers, { env: ENV });
  const { server, port } = await listen(t.app);
  const people = [DEMO.a, DEMO.b, DEMO.c, DEMO.a, DEMO.b, DEMO.c, DEMO.a, DEMO.b, DEMO.c];
  const clients = await signInEach(port, people);
  let target: number | undefined;
  if (kind === 'cluster') {
    // The primary holding the most of these sessions.
    const held = await Promise.all(
      (await servers.cluster!.primaries()).map(async (p) => ({
        p,
        n: (await redisCli(p, '--scan', '--pattern', `sessions:*:${t.config.appName}:*`))
          .split('\n')
          .filter(Boolean).length,
      })),
    );
    target = held.sort((a, b) => b.n - a.n)[0]!.p;
  }
  const load = runLoad({ port, clients, durationMs: 12_000, thinkMs: 20 });
  await sleep(2000);
  const downAt = performance.now();
  if (kind === 'cluster')
    await servers.cluster!.killPrimary({ port: target, waitForFailover: true });
  else await servers.sentinel!.killPrimary({ waitForFailover: true });
  const promotedMs = performance.now() - downAt;
  const samples = await load;
  const window = recoveryWindow(samples, downAt);
  const during = samples.filter(
    (s) => s.startedAt >= downAt - 100 && s.startedAt < downAt + window.lastRecoveredMs,
  );
  const statuses = [...new Set(samples.filter((s) => s.status !== 200).map((s) => s.status))];
  await closeServer(server);
  await t.close();
  await servers.stop();
  return {
    promotedMs,
    windowMs: window.lastRecoveredMs,
    affected: `${window.affected}/${clients.length}`,
    slowestMs: Math.max(...during.map((s) => s.ms)),
    failures: statuses.join(',') || 'none',
  };
}

await waitCost();
for (const kind of ['cluster', 'sentinel'] as const) {
  console.log(`\n${kind}: primary killed under load (9 signed-in clients), ${ROUNDS} rounds`);
  const windows: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const r = await failover(kind);
    windows.push(r.windowMs);
    console.log(
      `  round ${round + 1}: promoted ${r.promotedMs.toFixed(0)} ms after the kill (as redis-cli sees it); ` +
        `clients with 503s ${r.affected}, all served again ${r.windowMs.toFixed(0)} ms after the kill; ` +
        `slowest answer meanwhile ${r.slowestMs.toFixed(0)} ms; failures answered ${r.failures}`,
    );
  }
  console.log(
    `  median window ${median(windows).toFixed(0)} ms, worst ${Math.max(...windows).toFixed(0)} ms`,
  );
}
process.exit(0);
