import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { openStores } from '../../src/store/open-stores.ts';
import { loadTenants, TenantLoadError } from '../../src/tenants/load-tenants.ts';
import { DEMO } from '../../harness/demo.ts';
import { timedRequest } from '../../harness/http-client.ts';
import { runLoad } from '../../harness/load.ts';
import { eventually, sleep } from '../../harness/polling.ts';
import { expectThat, redisCli } from '../../harness/redis-cli.ts';
import { startRedisServer } from '../../harness/redis-server.ts';
import { alarmingLines, startServer, type ServerProcess } from '../../harness/server-process.ts';
import { OWN_STORE_ENV, startKind, type KindServers } from '../../harness/store-kinds.ts';
import { signIn, signInEach } from '../../harness/sign-in.ts';
import { BOUND_MS, expectGracefulOutage } from '../reliability/outage-assertions.ts';

const tenantFile = (id: string, redis?: { urlEnv: string }) => ({
  id,
  name: `Tenant ${id}`,
  hosts: [`${id}.example.test`],
  theme: { color: '#123456' },
  ...(redis && { redis }),
});

describe('a tenant file naming its own Redis', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tenantry-tenants-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const problemsWith = async (env: Record<string, string>) => {
    await writeFile(
      join(dir, 'big.json'),
      JSON.stringify(tenantFile('big', { urlEnv: 'BIG_REDIS_URL' })),
    );
    const err = await loadTenants(dir, env).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TenantLoadError);
    return (err as TenantLoadError).problems;
  };

  it('when the variable it names is unset, then the file is refused naming the variable', async () => {
    expect(await problemsWith({})).toEqual([
      'big.json: redis.urlEnv names BIG_REDIS_URL, which is not set',
    ]);
  });

  it('when the variable holds no redis:// URL, then the file is refused naming the variable', async () => {
    expect(await problemsWith({ BIG_REDIS_URL: 'http://cache:6379' })).toEqual([
      'big.json: BIG_REDIS_URL must be a redis:// or rediss:// URL',
    ]);
  });

  it('when the file holds a URL instead of a variable name, then it is refused', async () => {
    await writeFile(
      join(dir, 'big.json'),
      JSON.stringify({ ...tenantFile('big'), redis: { urlEnv: 'redis://cache:6379' } }),
    );
    const err = (await loadTenants(dir, {}).catch((e: unknown) => e)) as TenantLoadError;
    expect(err.problems).toEqual([
      expect.stringMatching(/^big\.json: redis\.urlEnv must be an environment variable name/),
    ]);
  });
});

describe.runIf(inject('redisServerAvailable'))('tenant stores', () => {
  it('when two tenants name the same URL, then they share one client, made on first use, listed by /readyz, and closed with the rest', async () => {
    const redis = await startRedisServer();
    const dir = await mkdtemp(join(tmpdir(), 'tenantry-tenants-'));
    try {
      await writeFile(
        join(dir, 'one.json'),
        JSON.stringify(tenantFile('one', { urlEnv: 'SHARED_URL' })),
      );
      await writeFile(
        join(dir, 'two.json'),
        JSON.stringify(tenantFile('two', { urlEnv: 'SHARED_URL' })),
      );
      await writeFile(join(dir, 'three.json'), JSON.stringify(tenantFile('three')));
      const tenants = await loadTenants(dir, { SHARED_URL: redis.url });
      const logger = pino({ level: 'silent' });
      const stores = openStores(
        loadConfig({ REDIS_URL: inject('redisUrl') }),
        logger,
        () => tenants,
      );
      const clients = async () =>
        (await redisCli(redis.port, 'client', 'list')).split('\n').filter(Boolean).length - 1;
      expect(await clients()).toBe(0); // nothing made before it is needed

      const storeOf = (id: string) => stores.forTenant(tenants.find((t) => t.id === id)!);
      const [one, two, three] = ['one', 'two', 'three'].map(storeOf);
      expect(one).toBe(two);
      expect(three).toBe(stores.default);
      expect(stores.all().map((s) => s.name)).toEqual(['default', 'SHARED_URL']);
      await eventually(() => one!.ping(), { timeoutMs: 5000, intervalMs: 50 });
      expect(await clients()).toBe(1);

      await stores.close();
      await eventually(async () => expectThat((await clients()) === 0, 'its connection is closed'));
    } finally {
      await redis.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.runIf(inject('redisServerAvailable'))(
  'customer-c on a Redis of its own',
  { timeout: 90_000 },
  () => {
    let servers: KindServers;
    let server: ServerProcess;
    const readyz = async () => {
      const res = await timedRequest({ port: server.port, path: '/readyz', host: 'localhost' });
      return { ...res, json: JSON.parse(res.body || '{}') as Record<string, unknown> };
    };

    beforeAll(async () => {
      servers = await startKind('per-tenant');
      server = await startServer({ redisUrl: '', env: servers.env });
      // Ready, and customer-c's own store connected too (it connects on its own time).
      await eventually(async () => {
        const { status, json } = await readyz();
        const stores = (json.stores ?? []) as { state: string }[];
        expectThat(status === 200 && stores.every((s) => s.state === 'up'), 'every store is up');
      });
    }, 60_000);
    afterAll(async () => {
      await server?.stop();
      await servers?.stop();
    });

    it('when /readyz is asked, then it names the default store and customer-c’s by its urlEnv, each up', async () => {
      const res = await readyz();
      expect(res.status).toBe(200);
      expect(res.json).toEqual({
        status: 'ready',
        stores: [
          { name: 'default', kind: 'redis', state: 'up' },
          { name: OWN_STORE_ENV, kind: 'redis', state: 'up' },
          { name: 'database', kind: 'postgres', state: 'up' },
        ],
      });
    });

    it('when /readyz is asked on a tenant’s host, then the status alone: no store, tenant or variable named', async () => {
      for (const host of [DEMO.a.host, DEMO.c.host]) {
        const res = await timedRequest({ port: server.port, path: '/readyz', host });
        expect(res.status).toBe(200);
        expect(JSON.parse(res.body)).toEqual({ status: 'ready' });
        expect(res.body).not.toContain(OWN_STORE_ENV);
      }
      const literal = await timedRequest({
        port: server.port,
        path: '/readyz',
        host: `127.0.0.1:${server.port}`,
      });
      expect(literal.body).toContain(OWN_STORE_ENV);
    });

    it('when customer-c’s Redis is killed under load, then only customer-c gets 503 (within 2 s), the others keep working, /readyz stays 200 naming it down, and customer-c is served again once it is back', async () => {
      const { port } = server;
      const people = [DEMO.a, DEMO.b, DEMO.c, DEMO.a, DEMO.b, DEMO.c];
      const clients = await signInEach(port, people);
      const load = runLoad({ port, clients, durationMs: 9000 });
      await sleep(2000);
      const downAt = performance.now();
      await servers.tenantRedis!.kill();
      await sleep(1000);

      const [ready, loginC, loginA] = await Promise.all([
        readyz(),
        timedRequest({
          port,
          method: 'POST',
          path: '/login',
          host: DEMO.c.host,
          form: { username: DEMO.c.username, password: DEMO.c.password },
        }),
        timedRequest({
          port,
          method: 'POST',
          path: '/login',
          host: DEMO.a.host,
          form: { username: DEMO.a.username, password: DEMO.a.password },
        }),
      ]);
      expect(ready.status).toBe(200);
      expect(ready.json.stores).toEqual([
        { name: 'default', kind: 'redis', state: 'up' },
        { name: OWN_STORE_ENV, kind: 'redis', state: 'down' },
        { name: 'database', kind: 'postgres', state: 'up' },
      ]);
      expect(loginC).toMatchObject({ status: 503, headers: { 'retry-after': '2' } });
      expect(loginA.status).toBe(303);
      expect(ready.ms).toBeLessThan(BOUND_MS);
      expect(loginC.ms).toBeLessThan(BOUND_MS);

      await sleep(1000);
      await servers.tenantRedis!.restart(); // append-only file: its sessions are still there
      const backAt = performance.now();
      const samples = await load;

      const failedClients = new Set(samples.filter((s) => s.status !== 200).map((s) => s.client));
      expect([...failedClients].map((i) => people[i]!.tenant)).toEqual(
        expect.arrayContaining(['customer-c']),
      );
      expect([...failedClients].every((i) => people[i]!.tenant === 'customer-c')).toBe(true);
      expectGracefulOutage('customer-c’s Redis killed', server, samples, { downAt, backAt });
      expect((await readyz()).json.stores).toEqual([
        { name: 'default', kind: 'redis', state: 'up' },
        { name: OWN_STORE_ENV, kind: 'redis', state: 'up' },
        { name: 'database', kind: 'postgres', state: 'up' },
      ]);
    });

    it('when the default Redis is down, then /readyz answers 503 naming it, while customer-c is still served from its own', async () => {
      const cookie = await signIn(server.port, DEMO.c);
      await servers.redis!.kill();
      try {
        const ready = await readyz();
        expect(ready.status).toBe(503);
        expect(ready.json).toEqual({
          status: 'unavailable',
          stores: [
            { name: 'default', kind: 'redis', state: 'down' },
            { name: OWN_STORE_ENV, kind: 'redis', state: 'up' },
            { name: 'database', kind: 'postgres', state: 'up' },
          ],
        });
        const me = await timedRequest({
          port: server.port,
          path: '/api/me',
          host: DEMO.c.host,
          cookie,
        });
        expect(me.status).toBe(200);
      } finally {
        await servers.redis!.restart();
      }
      await eventually(async () => expectThat((await readyz()).status === 200, 'ready again'));
      expect(alarmingLines(server)).toEqual([]);
    });
  },
);
