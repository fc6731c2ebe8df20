import type { Server } from 'node:http';
import dotenv from 'dotenv';
import { createApp } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createLogger } from './logger.ts';
import type { SessionBackend } from './sessions/kv.ts';
import { createMemoryBackend } from './sessions/memory-kv.ts';
import { createRedisBackend } from './sessions/redis-backend.ts';
import { TenantLoadError } from './tenants/load-tenants.ts';
import { TenantRegistry } from './tenants/registry.ts';

// The only module that reads process.env. A missing .env is fine: the defaults are for development.
dotenv.config({ quiet: true });

let config: Config;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(1);
}

const logger = createLogger(config.logLevel);
process.on('uncaughtException', (err) => {
  logger.fatal({ err }, 'uncaught exception; exiting so the supervisor restarts the process');
  process.exit(1);
});
process.on('unhandledRejection', (reason) => {
  logger.fatal(
    { err: reason },
    'unhandled rejection; exiting so the supervisor restarts the process',
  );
  process.exit(1);
});

let tenants: TenantRegistry;
try {
  tenants = await TenantRegistry.open({ dir: config.tenantsDir, env: process.env, logger });
} catch (err) {
  if (!(err instanceof TenantLoadError)) throw err;
  console.error(err.message);
  process.exit(1);
}
tenants.watch();

if (config.usingDevSecret) {
  logger.warn('SESSION_SECRET is unset: signing with the public development secret');
}
let backend: SessionBackend;
if (config.redisUrl) {
  backend = createRedisBackend({ url: config.redisUrl, timeoutMs: config.redisTimeoutMs, logger });
} else {
  logger.warn(
    'REDIS_URL is unset: sessions are kept in this process only (lost on restart, not shared between replicas)',
  );
  backend = createMemoryBackend();
}

const app = createApp({ config, tenants, backend, logger });
const server: Server = app.listen(config.port, () => {
  logger.info({ port: config.port, tenants: tenants.list().flatMap((t) => t.hosts) }, 'listening');
});
// Outlive the proxy's idle upstream connections, so it never reuses one we are closing.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

process.on('SIGHUP', () => void tenants.reload());

let stopping = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) {
    logger.warn({ signal }, 'second signal: exiting now');
    process.exit(1);
  }
  stopping = true;
  logger.info({ signal }, 'shutting down: no new connections, finishing requests in flight');
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Keep-alive connections go as soon as they are idle; busy ones after their response.
  const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
  server.closeIdleConnections();
  const deadline = new Promise<'timeout'>((resolve) =>
    setTimeout(() => resolve('timeout'), config.shutdownTimeoutMs).unref(),
  );
  if ((await Promise.race([closed, deadline])) === 'timeout') {
    logger.warn({ timeoutMs: config.shutdownTimeoutMs }, 'requests still in flight; closing them');
    server.closeAllConnections();
  }
  clearInterval(idleSweep);
  tenants.close();
  await backend.close();
  logger.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', (signal) => void shutdown(signal));
process.on('SIGINT', (signal) => void shutdown(signal));
