import type { TestProject } from 'vitest/node';
import { prepareTemplateDatabase } from './postgres-template.ts';
import type { PostgresAddress } from './postgres-admin.ts';
import { missingPostgres, startPostgresServer, type PostgresServer } from './postgres-server.ts';
import { hasRedisServer, startRedisServer, type RedisServer } from './redis-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The suite's shared Redis. */
    redisUrl: string;
    /** True when the suite started redis-server itself (tests may then start more of their own). */
    redisServerAvailable: boolean;
    /** The suite's PostgreSQL (harness/postgres-databases.ts hands out databases); null without its binaries. */
    postgres: PostgresAddress | null;
  }
}

let server: RedisServer | undefined;
let postgres: PostgresServer | undefined;

/**
 * `npm test` brings its own Redis: a redis-server on a free port, stopped at the end. Without the
 * binary it uses REDIS_URL; with neither it says what to do.
 * It brings its own PostgreSQL too, with a migrated and seeded template database; without the
 * binaries, the database tests report what to install (and fail in CI).
 */
export async function setup(project: TestProject): Promise<void> {
  await Promise.all([setupRedis(project), setupPostgres(project)]);
}

async function setupPostgres(project: TestProject): Promise<void> {
  if (missingPostgres().length > 0) {
    console.warn(`The database tests are skipped: they need ${missingPostgres().join('')}.`);
    project.provide('postgres', null);
    return;
  }
  postgres = await startPostgresServer();
  const { port, superuser, owner, runtime } = postgres;
  await prepareTemplateDatabase(postgres);
  project.provide('postgres', { port, superuser, owner, runtime });
}

async function setupRedis(project: TestProject): Promise<void> {
  if (hasRedisServer()) {
    server = await startRedisServer();
    project.provide('redisUrl', server.url);
    project.provide('redisServerAvailable', true);
    return;
  }
  const url = process.env.REDIS_URL;
  if (!url) {
    throw new Error(
      'The tests need a real Redis. Install redis-server (Debian/Ubuntu: apt-get install redis-server; ' +
        'macOS: brew install redis) so the suite can start its own, or set REDIS_URL to a Redis ' +
        'whose keys the tests may write.',
    );
  }
  project.provide('redisUrl', url);
  project.provide('redisServerAvailable', false);
}

export async function teardown(): Promise<void> {
  await Promise.all([server?.stop(), postgres?.stop()]);
}
