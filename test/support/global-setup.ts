import type { TestProject } from 'vitest/node';
import { hasRedisServer, startRedisServer, type RedisServer } from './redis-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The suite's shared Redis. */
    redisUrl: string;
    /** True when the suite started redis-server itself (tests may then start more of their own). */
    redisServerAvailable: boolean;
  }
}

let server: RedisServer | undefined;

/**
 * `npm test` brings its own Redis: a redis-server on a free port, stopped at the end. Without the
 * binary it uses REDIS_URL (e.g. `docker compose run --rm test`); with neither it says what to do.
 */
export async function setup(project: TestProject): Promise<void> {
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
        'whose keys the tests may write (or run: docker compose run --rm test).',
    );
  }
  project.provide('redisUrl', url);
  project.provide('redisServerAvailable', false);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
