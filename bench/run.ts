/**
 * npm run bench: what tenancy costs, measured against a baseline in the same run.
 *
 * 1. Throughput: signed-in GET /api/me through tenantry (host -> tenant -> that tenant's session
 *    in Redis) against the plain single-tenant recipe (one express-session + connect-redis),
 *    both on the same real redis-server, over loopback HTTP with keep-alive, in alternating rounds.
 * 2. Memory: heap growth per tenant once 1,000 loaded tenants have each served a request (their
 *    session middlewares are built lazily, on that first request, and cached).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisStore } from 'connect-redis';
import express, { type Express } from 'express';
import session from 'express-session';
import { pino } from 'pino';
import { pinoHttp } from 'pino-http';
import { createClient } from 'redis';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { appFeatures } from '../src/features/index.ts';
import { createRedisStore } from '../src/store/redis-store.ts';
import { singleStore } from '../src/store/stores.ts';
import { TenantRegistry } from '../src/tenants/registry.ts';
import { securityHeaders } from '../src/web/security-headers.ts';
import { DEMO_TENANTS_DIR } from '../test/support/demo.ts';
import { plainRequest } from '../test/support/http-client.ts';
import { closeServer, listen } from '../test/support/listen.ts';
import { eventually } from '../test/support/polling.ts';
import { startRedisServer } from '../test/support/redis-server.ts';
import { signIn } from '../test/support/sign-in.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const CONCURRENCY = 8;
const logger = pino({ level: 'silent' });

interface Target {
  port: number;
  host: string;
  cookie: string;
}

async function serve(
  app: Express,
  host: string,
  username: string,
  password: string,
): Promise<Target & { close(): Promise<void> }> {
  const { server, port } = await listen(app);
  const cookie = await signIn(port, { host, username, password });
  return { port, host, cookie, close: () => closeServer(server) };
}

async function throughput(t: Target): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let left = REQUESTS;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (left-- > 0) {
        const { status } = await plainRequest({
          port: t.port,
          host: t.host,
          agent,
          path: '/api/me',
          cookie: t.cookie,
        });
        if (status !== 200) throw new Error(`GET /api/me answered ${status}`);
      }
    }),
  );
  agent.destroy();
  return REQUESTS / ((performance.now() - started) / 1000);
}

/**
 * The plain recipe: one express-session with one connect-redis store, no tenants, behind the same
 * security headers and request logger as tenantry, so the ratio is what tenancy itself costs.
 */
function baselineApp(client: unknown): Express {
  const app = express();
  app.use(pinoHttp({ logger, autoLogging: false }));
  app.use(securityHeaders());
  app.use(
    session({
      store: new RedisStore({ client, prefix: 'bench:plain:' }),
      secret: 'x'.repeat(32),
      resave: false,
      saveUninitialized: false,
    }),
  );
  app.post('/login', express.urlencoded({ extended: false }), (req, res) => {
    req.session.regenerate(() => {
      req.session.user = { username: 'alice', displayName: 'Alice' };
      req.session.save(() => res.redirect(303, '/'));
    });
  });
  app.get('/api/me', (req, res) => {
    if (!req.session.user) res.status(401).json({ error: 'Not signed in' });
    else res.json({ user: req.session.user });
  });
  return app;
}

/** A full collection (twice: weak references and finalizers need a second pass). */
const collect = () => {
  global.gc?.();
  global.gc?.();
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function tenantryApp(redisUrl: string, tenantsDir: string) {
  const config = loadConfig({
    NODE_ENV: 'test',
    REDIS_URL: redisUrl,
    TENANTS_DIR: tenantsDir,
    APP_NAME: 'bench',
  });
  const backend = createRedisStore({ url: redisUrl, timeoutMs: 1000, logger });
  const stores = singleStore(backend);
  const tenants = await TenantRegistry.open({ dir: tenantsDir, env: {}, logger });
  await eventually(() => backend.ping(), { timeoutMs: 5000, intervalMs: 50 });
  const routes = appFeatures({ config, stores });
  return { app: createApp({ config, tenants, stores, logger, routes }), backend, tenants };
}

/** Heap per tenant: loaded (registry only, the baseline), then grown by serving each one once. */
async function heapPerTenant(
  redisUrl: string,
  count: number,
): Promise<{ loaded: number; served: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'tenantry-bench-'));
  try {
    for (let i = 0; i < count; i++) {
      await writeFile(
        join(dir, `t${i}.json`),
        JSON.stringify({
          id: `t${i}`,
          name: `Tenant ${i}`,
          hosts: [`t${i}.localhost`],
          theme: { color: '#123456' },
          users: [],
        }),
      );
    }
    collect();
    const start = process.memoryUsage().heapUsed;
    const { app, backend } = await tenantryApp(redisUrl, dir);
    const { server, port } = await listen(app);
    const agent = new Agent({ keepAlive: true });
    collect();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < count; i++) {
      const { status } = await plainRequest({ port, host: `t${i}.localhost`, agent, path: '/' });
      if (status !== 200) throw new Error(`t${i}: ${status}`);
    }
    collect();
    const grown = process.memoryUsage().heapUsed - before;
    agent.destroy();
    await closeServer(server);
    await backend.close();
    return { loaded: (before - start) / count, served: grown / count };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const redis = await startRedisServer();
try {
  // Memory first, on a fresh heap, so nothing from the throughput rounds is still being freed.
  const heap = await heapPerTenant(redis.url, 1000);
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  console.log(
    'memory, 1000 tenants, heap per tenant' +
      (global.gc ? '' : ' (run with --expose-gc for steadier numbers)'),
  );
  console.log(`  loaded (tenant file parsed, the baseline): ${kib(heap.loaded)}`);
  console.log(`  added by serving it once (its session middlewares built): ${kib(heap.served)}`);
  console.log(`  ratio served/loaded: ${(heap.served / heap.loaded).toFixed(2)}`);
  const { app, backend } = await tenantryApp(redis.url, DEMO_TENANTS_DIR);
  const tenantry = await serve(app, 'customer-a.localhost', 'alice', 'alice-password');
  const client = createClient({ url: redis.url });
  await client.connect();
  const plain = await serve(baselineApp(client), 'localhost', 'alice', 'x');

  await throughput(tenantry);
  await throughput(plain); // warm-up
  const a: number[] = [];
  const b: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    a.push(await throughput(tenantry));
    b.push(await throughput(plain));
  }
  const ratios = a.map((x, i) => x / b[i]!);
  console.log(
    `throughput, signed-in GET /api/me, ${REQUESTS} requests x ${ROUNDS} rounds, ${CONCURRENCY} concurrent`,
  );
  console.log(`  tenantry          median ${median(a).toFixed(0)} req/s`);
  console.log(`  plain recipe      median ${median(b).toFixed(0)} req/s`);
  console.log(
    `  ratio tenantry/plain: median ${median(ratios).toFixed(2)} (min ${Math.min(...ratios).toFixed(2)}, max ${Math.max(...ratios).toFixed(2)})`,
  );
  await tenantry.close();
  await plain.close();
  await client.close();
  await backend.close();
} finally {
  await redis.stop();
}
