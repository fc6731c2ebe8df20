/**
 * The login-flood reproduction of SECURITY.md ("Availability"): a real server in production mode
 * (or the native stack: Caddy in front of one replica), a flood of abandoned `POST /login` with
 * fresh usernames at one tenant, and, while it lasts, bob's sign-in at another tenant and a static
 * file, timed; then password spraying from one address.
 *
 *   npx tsx scripts/login-flood.ts [--count 80] [--via-proxy] [--hang-up-after 0] [--spray 100]
 *
 * --hang-up-after N: each flood socket is destroyed N ms after its request is sent (the proxy
 * drops a request whose client is already gone before passing it on; a little later, it has).
 */
import { parseArgs } from 'node:util';
import { DEMO } from '../test/support/demo.ts';
import { sendAbandonedLogins, spray, timedAsset, timedLogin } from '../test/support/login-flood.ts';
import { sleep } from '../test/support/polling.ts';
import { startRedisServer } from '../test/support/redis-server.ts';
import { startServer } from '../test/support/server-process.ts';
import { startStack } from '../test/support/stack/start-stack.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '80' },
    spray: { type: 'string', default: '100' },
    'via-proxy': { type: 'boolean', default: false },
    'hang-up-after': { type: 'string', default: '0' },
  },
});
const count = Number(values.count);
const sprayCount = Number(values.spray);
const viaProxy = values['via-proxy'];
const hangUpAfterMs = Number(values['hang-up-after']);

async function start(): Promise<{ port: number; stop: () => Promise<unknown> }> {
  if (viaProxy) {
    const stack = await startStack({ replicas: 1 });
    return { port: stack.proxyPort, stop: () => stack.stop() };
  }
  const redis = await startRedisServer();
  const server = await startServer({ redisUrl: redis.url });
  return {
    port: server.port,
    stop: async () => {
      await server.stop();
      await redis.stop();
    },
  };
}

const ms = (answer: { ms: number; status: number }) =>
  `${Math.round(answer.ms)} ms (${answer.status || 'no answer'})`;

const { port, stop } = await start();
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
