import { createServer, type ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import dotenv from 'dotenv';
import { createApp } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createInternalApp } from './internal/internal-app.ts';
import { createLogger } from './logger.ts';
import { openParts, type Parts } from './parts.ts';
import onHeaders from 'on-headers';
import { gracefulShutdown } from './shutdown.ts';
import { TenantLoadError } from './tenants/load-tenants.ts';
import { createAppServer } from './web/fast-paths.ts';
import { answerClientError } from './web/client-error.ts';
import { startUrls } from './web/front-door.ts';

// libuv sized its thread pool from the environment the process started with (a password was
// hashed while the modules loaded), so a UV_THREADPOOL_SIZE from .env would come too late.
const threadPoolSize = process.env.UV_THREADPOOL_SIZE;
// With the entry point (src/server.ts), the only module that reads process.env. A missing .env is
// fine: the defaults are for development.
dotenv.config({ quiet: true });

let config: Config;
try {
  config = loadConfig({ ...process.env, UV_THREADPOOL_SIZE: threadPoolSize });
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(1);
}
// REPLICA_NAME=hostname: each of `docker compose up --scale app=N` names itself by its container.
if (config.replicaName === 'hostname') config = { ...config, replicaName: hostname() };

// Pretty lines for a person at a development terminal; JSON for files, pipes and containers.
const logger = createLogger(config.logLevel, {
  pretty:
    config.logFormat === 'pretty' ||
    (config.logFormat === undefined &&
      config.env === 'development' &&
      process.stdout.isTTY === true),
});
const fatal = (what: string) => (err: unknown) => {
  logger.fatal({ err }, `${what}; exiting so the supervisor restarts the process`);
  process.exit(1);
};
process.on('uncaughtException', fatal('uncaught exception'));
process.on('unhandledRejection', fatal('unhandled rejection'));

let parts: Parts;
try {
  parts = await openParts({ config, env: process.env, logger });
} catch (err) {
  if (!(err instanceof TenantLoadError)) throw err;
  console.error(err.message);
  process.exit(1);
}
parts.tenants.watch();
process.on('SIGHUP', () => void parts.tenants.reload({ everyFile: true }));

const app = createApp(parts);
const server = createAppServer(app);
// The proxy's and operators' listener: its routes are never served on the main port.
const internal = createServer(
  createInternalApp({
    tenants: parts.tenants,
    centralHosts: config.centralHosts,
    metrics: parts.metrics,
    domains: parts.domains,
  }),
);
// Outlive the proxy's idle upstream connections, so it never reuses one we are closing.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
// Requests Node itself refuses (a malformed header, say) get their X-Request-Id too.
server.on('clientError', (err: NodeJS.ErrnoException, socket) =>
  answerClientError(err, socket, logger),
);

const shutdown = gracefulShutdown({
  servers: [server, internal],
  timeoutMs: config.shutdownTimeoutMs,
  forceExitMs: config.shutdownTimeoutMs + 2 * config.redisTimeoutMs + 1000,
  close: () => parts.close(),
  logger,
});
// While stopping, every response still to be written closes its connection, so the client opens
// its next one to another replica instead of racing a request onto one we are closing.
function closeWhenStopping(this: ServerResponse) {
  if (shutdown.stopping) this.shouldKeepAlive = false;
}
server.prependListener('request', (_req, res) => onHeaders(res, closeWhenStopping));
process.on('SIGTERM', (signal) => void shutdown.onSignal(signal));
process.on('SIGINT', (signal) => void shutdown.onSignal(signal));

await listen(server, config.port, 'PORT');
await listen(internal, config.internalPort, 'INTERNAL_PORT');
const port = portOf(server);
const urls = startUrls({ port, centralHosts: config.centralHosts, tenants: parts.tenants.list() });
logger.info({ host: config.host, port, url: urls.frontDoor }, `listening on ${urls.frontDoor}`);
logger.info({ port: portOf(internal) }, `internal routes on port ${portOf(internal)}`);
/** A few addresses to click on; thousands of lines would bury the rest of the start-up log. */
const TENANT_URLS_LOGGED = 20;
for (const { id, url } of urls.tenants.slice(0, TENANT_URLS_LOGGED)) {
  logger.info({ tenant: id, url }, `${id}: ${url}`);
}
if (urls.tenants.length > TENANT_URLS_LOGGED) {
  const more = urls.tenants.length - TENANT_URLS_LOGGED;
  logger.info({ tenants: urls.tenants.length }, `… and ${more} more tenants`);
}

/**
 * Listens on HOST (unset: every interface). An error before listening (EADDRINUSE) ends the
 * start-up; one after (an accept that failed with EMFILE) is logged and the server goes on.
 */
function listen(target: ReturnType<typeof createServer>, port: number, setting: string) {
  return new Promise<void>((resolve) => {
    const failed = (err: Error) => {
      logger.fatal({ err, host: config.host, port, setting }, 'cannot listen');
      process.exit(1);
    };
    target.once('error', failed);
    target.listen(port, config.host, () => {
      target.off('error', failed).on('error', (err) => logger.error({ err }, 'server error'));
      resolve();
    });
  });
}

function portOf(target: ReturnType<typeof createServer>): number {
  const address = target.address();
  return typeof address === 'object' && address ? address.port : 0;
}
