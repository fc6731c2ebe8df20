import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, createCluster, createSentinel } from 'redis';
import { DEMO_TENANTS_DIR } from './demo.ts';
import { startRedisCluster, type RedisCluster } from './redis-cluster.ts';
import { startRedisSentinel, type RedisSentinelSetup } from './redis-sentinel.ts';
import { startRedisServer, type RedisServer } from './redis-server.ts';

/** The kinds of store the app runs on; tests that should hold on each run once per kind. */
export const STORE_KINDS = ['single', 'cluster', 'sentinel', 'per-tenant'] as const;
export type StoreKindName = (typeof STORE_KINDS)[number];

/** The tenant that has a Redis of its own in the per-tenant kind, and the variable naming it. */
export const OWN_STORE_TENANT = 'customer-c';
export const OWN_STORE_ENV = 'CUSTOMER_C_REDIS_URL';

/** An operator's view of every store of a kind: reads and writes any key, wherever it lives. */
export interface RawRedis {
  get(key: string): Promise<string | null>;
  set(
    key: string,
    value: string,
    options?: { expiration: { type: 'EX'; value: number } },
  ): Promise<unknown>;
  exists(key: string): Promise<number>;
  ttl(key: string): Promise<number>;
  /** Key by key: the keys may live in different slots or stores. */
  mGet(keys: string[]): Promise<(string | null)[]>;
  del(keys: string[]): Promise<number>;
  /** SCAN of every primary of every store. */
  keys(pattern: string): Promise<string[]>;
  close(): Promise<void>;
}

/** GET key by key as MGET answers: nil for a key that holds no string (an index, a hash). */
const orNil = (reply: Promise<string | null>) =>
  reply.catch((err: unknown) => {
    if (err instanceof Error && err.message.startsWith('WRONGTYPE')) return null;
    throw err;
  });

/** Real servers for one kind of store, and what the app needs to use them. */
export interface KindServers {
  kind: StoreKindName;
  /** Environment naming the default store (the others blank, which counts as unset). */
  env: Record<string, string>;
  /** Where tenant files come from (per-tenant: customer-c names its own Redis). */
  tenantsDir: string;
  /** What `urlEnv` names are looked up in. */
  tenantEnv: Record<string, string>;
  /** Set for the kind that has it, for fault tests. */
  redis?: RedisServer;
  cluster?: RedisCluster;
  sentinel?: RedisSentinelSetup;
  /** per-tenant: customer-c's own Redis. */
  tenantRedis?: RedisServer;
  raw(): Promise<RawRedis>;
  stop(): Promise<void>;
}

const UNSET = {
  REDIS_URL: '',
  REDIS_CLUSTER_NODES: '',
  REDIS_SENTINELS: '',
  REDIS_SENTINEL_MASTER: '',
};

/**
 * Starts the servers of one kind from redis-server on loopback ports: a Redis (`single`), a
 * three-primary cluster with a replica each, a primary with a replica and three sentinels, or two
 * Redis servers with customer-c on the second (`per-tenant`). `sharedUrl` serves as the Redis of
 * `single` and the default of `per-tenant` when given (tests that kill it start their own).
 */
export async function startKind(kind: StoreKindName, sharedUrl?: string): Promise<KindServers> {
  const base = { kind, tenantsDir: DEMO_TENANTS_DIR, tenantEnv: {} };
  switch (kind) {
    case 'single': {
      const redis = sharedUrl ? undefined : await startRedisServer();
      const url = sharedUrl ?? redis!.url;
      return {
        ...base,
        redis,
        env: { ...UNSET, REDIS_URL: url },
        raw: async () => singleRaw(url),
        stop: async () => redis?.stop(),
      };
    }
    case 'cluster': {
      const cluster = await startRedisCluster();
      return {
        ...base,
        cluster,
        env: { ...UNSET, REDIS_CLUSTER_NODES: cluster.nodeList },
        raw: () => clusterRaw(cluster.nodeList),
        stop: () => cluster.stop(),
      };
    }
    case 'sentinel': {
      const sentinel = await startRedisSentinel();
      return {
        ...base,
        sentinel,
        env: {
          ...UNSET,
          REDIS_SENTINELS: sentinel.sentinelList,
          REDIS_SENTINEL_MASTER: sentinel.master,
        },
        raw: () => sentinelRaw(sentinel.sentinelList, sentinel.master),
        stop: () => sentinel.stop(),
      };
    }
    case 'per-tenant': {
      const redis = sharedUrl ? undefined : await startRedisServer();
      const tenantRedis = await startRedisServer({ appendonly: true });
      const url = sharedUrl ?? redis!.url;
      const tenantsDir = await ownStoreTenantsDir();
      return {
        ...base,
        redis,
        tenantRedis,
        tenantsDir,
        tenantEnv: { [OWN_STORE_ENV]: tenantRedis.url },
        env: {
          ...UNSET,
          REDIS_URL: url,
          TENANTS_DIR: tenantsDir,
          [OWN_STORE_ENV]: tenantRedis.url,
        },
        raw: async () => routedRaw(await singleRaw(url), await singleRaw(tenantRedis.url)),
        stop: async () => {
          await Promise.all([redis?.stop(), tenantRedis.stop()]);
          await rm(tenantsDir, { recursive: true, force: true });
        },
      };
    }
  }
}

/** The demo tenants, with customer-c on a Redis of its own. */
async function ownStoreTenantsDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tenantry-tenants-'));
  for (const name of await readdir(DEMO_TENANTS_DIR)) {
    if (!name.endsWith('.json') || name.endsWith('.schema.json')) continue;
    const tenant = JSON.parse(await readFile(join(DEMO_TENANTS_DIR, name), 'utf8')) as Record<
      string,
      unknown
    >;
    if (tenant.id === OWN_STORE_TENANT) tenant.redis = { urlEnv: OWN_STORE_ENV };
    delete tenant.$schema;
    await writeFile(join(dir, name), JSON.stringify(tenant, null, 2));
  }
  return dir;
}

async function singleRaw(url: string): Promise<RawRedis> {
  const client = createClient({ url });
  client.on('error', () => undefined); // fault tests kill it; the next command says so
  await client.connect();
  return {
    get: (key) => client.get(key),
    set: (key, value, options) => client.set(key, value, options),
    exists: (key) => client.exists(key),
    ttl: (key) => client.ttl(key),
    mGet: (keys) => Promise.all(keys.map((key) => orNil(client.get(key)))),
    del: async (keys) => (keys.length > 0 ? client.del(keys) : 0),
    keys: async (pattern) => {
      const found: string[] = [];
      for await (const page of client.scanIterator({ MATCH: pattern, COUNT: 1000 }))
        found.push(...page);
      return found.sort();
    },
    close: async () => void client.destroy(),
  };
}

async function clusterRaw(nodeList: string): Promise<RawRedis> {
  const rootNodes = nodeList.split(',').map((address) => {
    const [host, port] = address.split(':');
    return { socket: { host: host!, port: Number(port) } };
  });
  const cluster = createCluster({ rootNodes });
  cluster.on('error', () => undefined);
  await cluster.connect();
  return {
    get: (key) => cluster.get(key),
    set: (key, value, options) => cluster.set(key, value, options),
    exists: (key) => cluster.exists(key),
    ttl: (key) => cluster.ttl(key),
    mGet: (keys) => Promise.all(keys.map((key) => orNil(cluster.get(key)))),
    del: async (keys) =>
      (await Promise.all(keys.map((key) => cluster.del(key)))).reduce((a, b) => a + b, 0),
    keys: async (pattern) => {
      const found: string[] = [];
      for (const master of cluster.masters) {
        const node = await cluster.nodeClient(master);
        for await (const page of node.scanIterator({ MATCH: pattern, COUNT: 1000 }))
          found.push(...page);
      }
      return found.sort();
    },
    close: async () => void cluster.destroy(),
  };
}

async function sentinelRaw(sentinelList: string, master: string): Promise<RawRedis> {
  const sentinelRootNodes = sentinelList.split(',').map((address) => {
    const [host, port] = address.split(':');
    return { host: host!, port: Number(port) };
  });
  const sentinel = createSentinel({ name: master, sentinelRootNodes });
  sentinel.on('error', () => undefined);
  await sentinel.connect();
  return {
    get: (key) => sentinel.get(key),
    set: (key, value, options) => sentinel.set(key, value, options),
    exists: (key) => sentinel.exists(key),
    ttl: (key) => sentinel.ttl(key),
    mGet: (keys) => Promise.all(keys.map((key) => orNil(sentinel.get(key)))),
    del: async (keys) => (keys.length > 0 ? sentinel.del(keys) : 0),
    keys: async (pattern) => {
      const found: string[] = [];
      for await (const page of sentinel.scanIterator({ MATCH: pattern, COUNT: 1000 }))
        found.push(...page);
      return found.sort();
    },
    close: async () => void (await sentinel.destroy()),
  };
}

/** Keys of customer-c (sessions, limiter, tagged indexes) go to its own store, the rest to the default. */
function routedRaw(fallback: RawRedis, own: RawRedis): RawRedis {
  const pick = (key: string) =>
    new RegExp(`^[^:]+:\\{?${OWN_STORE_TENANT}:`).test(key) ? own : fallback;
  return {
    get: (key) => pick(key).get(key),
    set: (key, value, options) => pick(key).set(key, value, options),
    exists: (key) => pick(key).exists(key),
    ttl: (key) => pick(key).ttl(key),
    mGet: (keys) => Promise.all(keys.map((key) => orNil(pick(key).get(key)))),
    del: async (keys) =>
      (await Promise.all(keys.map((key) => pick(key).del([key])))).reduce((a, b) => a + b, 0),
    keys: async (pattern) =>
      [...(await fallback.keys(pattern)), ...(await own.keys(pattern))].sort(),
    close: async () => {
      await Promise.all([fallback.close(), own.close()]);
    },
  };
}
