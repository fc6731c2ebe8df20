import { startPostgresServer, type PostgresServer } from './postgres-server.ts';
import { prepareDatabase } from './postgres-template.ts';
import { startRedisServer, type RedisServer } from './redis-server.ts';

export interface Backends {
  redis: RedisServer;
  postgres: PostgresServer;
  redisUrl: string;
  /** The server's role on a database as compose's migrate job leaves it: migrated, demo accounts. */
  databaseUrl: string;
  /** Stops both and removes their files. */
  stop(): Promise<void>;
}

/**
 * A redis-server and a PostgreSQL of their own, on free ports, for what runs the real server
 * outside the test suite (the bench, scripts/): what compose runs beside the app replicas.
 */
export async function startBackends(): Promise<Backends> {
  const [redis, postgres] = await Promise.all([startRedisServer(), startPostgresServer()]);
  const databaseUrl = await prepareDatabase(postgres, 'tenantry');
  return {
    redis,
    postgres,
    redisUrl: redis.url,
    databaseUrl,
    stop: async () => void (await Promise.all([redis.stop(), postgres.stop()])),
  };
}
