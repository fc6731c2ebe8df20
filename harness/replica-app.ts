import { pino } from 'pino';
import { createApp } from '../src/app.ts';
import type { Config } from '../src/config.ts';
import { createInternalApp } from '../src/internal/internal-app.ts';
import { openParts } from '../src/parts.ts';
import type { TestApp } from './test-app.ts';

/**
 * Another replica of a test app: its own parts opened from the same configuration (the same
 * database, Redis and APP_NAME), as a second process of a deployment would, with `config`
 * changed where given. `internal` is its INTERNAL_PORT's app (/tls/ask).
 */
export async function openReplica(t: TestApp, config: Partial<Config> = {}) {
  const parts = await openParts({
    config: { ...t.config, ...config },
    env: {},
    logger: pino({ level: 'silent' }),
  });
  return {
    ...parts,
    app: createApp(parts),
    internal: createInternalApp({
      tenants: parts.tenants,
      centralHosts: parts.config.centralHosts,
      domains: parts.domains,
    }),
  };
}

export type Replica = Awaited<ReturnType<typeof openReplica>>;
