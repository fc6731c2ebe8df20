/**
 * The login-flood reproduction of SECURITY.md ("Availability"): a real server in production mode
 * (or the native stack: Caddy in front of one replica), a flood of abandoned `POST /login` with
 * fresh usernames at one tenant, and, while it lasts, bob's sign-in at another tenant and a static
 * file, timed, and the limiter keys the flood left; then a sustained flood, `--parallel` sign-ins
 * at a time that wait for their answers, each a fresh username from a fresh address, with bob's
 * sign-in timed during it against his sign-in alone; then password spraying from one address.
 *
 *   npx tsx scripts/login-flood.ts [--count 80] [--via-proxy] [--hang-up-after 0] [--spray 100]
 *     [--parallel 4] [--samples 8]
 *
 * --hang-up-after N: each flood socket is destroyed N ms after its request is sent (the proxy
 * drops a request whose client is already gone before passing it on; a little later, it has).
 */
import { parseArgs } from 'node:util';
import { DEMO } from '../harness/demo.ts';
import {
  sendAbandonedLogins,
  spray,
  sustainedFlood,
  timedAsset,
  timedLogin,
} from '../harness/login-flood.ts';
import { sleep } from '../harness/polling.ts';
import { redisCli } from '../harness/redis-cli.ts';
import { startBackends } from '../harness/backends.ts';
import { startServer } from '../harness/server-process.ts';
import { startStack } from '../harness/stack/start-stack.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '80' },
    spray: { type: 'string', default: '100' },
    'via-proxy': { type: 'boolean', default: false },
    'hang-up-after': { type: 'string', default: '0' },
    parallel: { type: 'string', default: '4' },
    samples: { type: 'string', default: '8' },
  },
});
const count = Number(values.count);
const sprayCount = Number(values.spray);
const viaProxy = values['via-proxy'];
const hangUpAfterMs = Number(values['hang-up-after']);
const parallel = Number(values.parallel);
const samples = Number(values.samples);

interface Started {
  port: number;
  /** customer-a's limiter keys, when this script started the store (not through the proxy). */
  limiterKeys?: () => Promise<number>;
  stop: () => Promise<unknown>;
}

async function start(): Promise<Started> {
  if (viaProxy) {
    const stack = await startStack({ replicas: 1 });
    return { port: stack.proxyPort, stop: () => stack.stop() };
  }
  const backends = await startBackends();
  // The sustained flood comes from many addresses (X-Forwarded-For), as a botnet's would.
  const server = await startServer({
    redisUrl: backends.redisUrl,
    databaseUrl: backends.databaseUrl,
    env: { TRUST_PROXY: 'loopback' },
  });
  const pattern = `login-failures:${DEMO.a.tenant}:*`;
  return {
    port: server.port,
    limiterKeys: async () =>
      (await redisCli(backends.redis.port, '--scan', '--pattern', pattern))
        .split('\n')
        .filter(Boolean).length,
    stop: async () => {
      await server.stop();
      await backends.stop();
    },
  };
}

const ms = (answer: { ms: number; status: number }) =>
  `${Math.round(answer.ms)} ms (${answer.status || 'no answer'})`;

/** Bob's sign-in at customer-b, `n` times one after the other: each time, in ms. */
async function bobSignIns(n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const answer = await timedLogin(port, DEMO.b);
    if (answer.status !== 303) throw new Error(`bob's sign-in answered ${answer.status}`);
    times.push(answer.ms);
  }
  return times;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const range = (xs: number[]) =>
  `median ${Math.round(median(xs))} ms (${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))})`;

const { port, stop, limiterKeys } = await start();
try {
  const where = viaProxy ? 'through Caddy' : 'straight to the app';
  const idleLogin = await timedLogin(port, DEMO.b);
  const idleAsset = await timedAsset(port, DEMO.b.host);

  const floodStarted = performance.now();
  await sendAbandonedLogins(port, { host: DEMO.a.host, count, hangUpAfterMs });
  const sentIn = performance.now() - floodStarted;
  const [login, asset] = await Promise.all([
    timedLogin(port, DEMO.b),
    timedAsset(port, DEMO.b.host),
  ]);
  console.log(
    `login flood ${where}: ${count} abandoned POST /login at ${DEMO.a.host}, each hung up ${hangUpAfterMs} ms after sending`,
  );
  console.log(`  sent and hung up in ${Math.round(sentIn)} ms`);
  console.log(`  idle:        bob's login ${ms(idleLogin)}, site.css ${ms(idleAsset)}`);
  console.log(`  under flood: bob's login ${ms(login)}, site.css ${ms(asset)}`);
  if (limiterKeys) {
    // Once what the flood started has finished: each attempt hashed, or taken back.
    for (let i = 0; i < 60 && (await timedAsset(port, DEMO.c.host)).ms > 50; i++) await sleep(500);
    await sleep(1000);
    console.log(`  limiter keys left by the flood: ${await limiterKeys()}`);
  }

  if (parallel > 0) {
    const alone = await bobSignIns(samples);
    const stopFlood = new AbortController();
    const flood = sustainedFlood(port, { host: DEMO.a.host, parallel, stop: stopFlood.signal });
    await sleep(1000); // the flood under way
    const during = await bobSignIns(samples);
    stopFlood.abort();
    const statuses = await flood;
    console.log(
      `sustained flood ${where}: ${parallel} sign-ins at a time at ${DEMO.a.host}, fresh usernames from fresh addresses (${JSON.stringify(statuses)})`,
    );
    console.log(`  bob's sign-in at ${DEMO.b.host} alone:  ${range(alone)}`);
    console.log(`  bob's sign-in during the flood: ${range(during)}`);
    console.log(`  during / alone, medians: ${(median(during) / median(alone)).toFixed(2)}x`);
  }

  if (sprayCount > 0) {
    // Let what the flood started finish, so the spraying is measured on its own.
    for (let i = 0; i < 60 && (await timedAsset(port, DEMO.c.host)).ms > 50; i++) {
      await sleep(500);
    }
    const started = performance.now();
    const statuses = await spray(port, { host: DEMO.c.host, count: sprayCount });
    const took = ((performance.now() - started) / 1000).toFixed(1);
    const summary = Object.entries(statuses)
      .map(([status, n]) => `${status} ×${n}`)
      .join(', ');
    console.log(
      `spraying ${where}: ${sprayCount} usernames from one address at ${DEMO.c.host}: ${summary} (${took} s)`,
    );
  }
} finally {
  await stop();
}
