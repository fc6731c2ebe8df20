import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';
import { hostname } from 'node:os';
import dotenv from 'dotenv';
import { createApp } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createLogger } from './logger.ts';
import { appFeatures } from './features/index.ts';
import { openStores } from './store/open-stores.ts';
import { TenantLoadError } from './tenants/load-tenants.ts';
import { TenantRegistry } from './tenants/registry.ts';
import { beforeHeaders } from './web/before-headers.ts';
import { createInternalApp } from './internal/internal-app.ts';
import { createMetrics } from './observability/metrics.ts';
import { createAppServer } from './web/app-server.ts';
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

// REPLICA_NAME=hostname: each replica names itself (`docker compose up --scale app=N` gives its
// containers no names of their own, but each has its own host name).
if (config.replicaName === 'hostname') config = { ...config, replicaName: hostname() };

// Pretty lines for a person at a development terminal (`npm run dev`); JSON for everything else
// (files, pipes, containers, log collectors). LOG_FORMAT decides when set.
const logger = createLogger(config.logLevel, {
  pretty:
    config.logFormat === 'pretty' ||
    (config.logFormat === undefined &&
      config.env === 'development' &&
      process.stdout.isTTY === true),
});
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
  tenants = await TenantRegistry.open({
    dir: config.tenantsDir,
    env: process.env,
    logger,
    centralHosts: config.centralHosts,
  });
} catch (err) {
  if (!(err instanceof TenantLoadError)) throw err;
  console.error(err.message);
  process.exit(1);
}
tenants.watch();

if (config.usingDevSecret) {
  logger.warn('SESSION_SECRET is unset: signing with the public development secret');
}
const stores = openStores(config, logger, () => tenants.list());
const metrics = config.metrics
  ? createMetrics({ stores, tenantLabels: config.metricsTenantLabels })
  : undefined;
const routes = appFeatures({ config, stores });
const app = createApp({ config, tenants, stores, logger, routes, metrics });
/** Tenant addresses logged at start, one line each. */
const TENANT_URLS_LOGGED = 20;
const onListening = (err?: Error) => {
  if (err) {
    logger.fatal({ err, host: config.host, port: config.port }, 'cannot listen');
    process.exit(1);
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const urls = startUrls({ port, centralHosts: config.centralHosts, tenants: tenants.list() });
  logger.info({ host: config.host, port, url: urls.frontDoor }, `listening on ${urls.frontDoor}`);
  // A few to click on; thousands of lines would bury the rest of the start-up log.
  for (const { id, url } of urls.tenants.slice(0, TENANT_URLS_LOGGED)) {
    logger.info({ tenant: id, url }, `${id}: ${url}`);
  }
  const more = urls.tenants.length - TENANT_URLS_LOGGED;
  if (more > 0) logger.info({ tenants: urls.tenants.length }, `… and ${more} more tenants`);
};
const server: Server = createAppServer(app);
let started = false;
server.on('error', (err) => {
  // Before it listens, an error (EADDRINUSE, say) ends the start-up; after, one (an accept that
  // failed with EMFILE) is logged and the server goes on with the connections it has.
  if (!started) onListening(err);
  else logger.error({ err }, 'server error');
});
const listening = () => {
  started = true;
  onListening();
};
// Without HOST, Node's default: every interface, IPv6 and IPv4 where the machine has both.
if (config.host) server.listen(config.port, config.host, listening);
else server.listen(config.port, listening);

// The proxy's and operators' listener: its routes are never served on the main port.
const internalApp = createInternalApp({ tenants, centralHosts: config.centralHosts, metrics });
const internal = createServer(internalApp).on('error', (err) => {
  logger.fatal({ err, port: config.internalPort }, 'cannot listen on INTERNAL_PORT');
  process.exit(1);
});
internal.listen(config.internalPort, config.host, () => {
  const address = internal.address();
  const port = typeof address === 'object' && address ? address.port : config.internalPort;
  logger.info({ port }, `internal routes (/tls/ask, /metrics) on port ${port}`);
});
// Outlive the proxy's idle upstream connections, so it never reuses one we are closing.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
// Requests Node itself refuses (a malformed header, say) get their X-Request-Id too.
server.on('clientError', (err: NodeJS.ErrnoException, socket) =>
  answerClientError(err, socket, logger),
);

let stopping = false;
// Once shutting down, every response still to be written says `Connection: close` (those already
// in flight included), so a client opens its next connection to another replica instead of racing
// a request onto one we are closing. Decided as each response's headers are written, so no list of
// responses is kept: a Set that every request added to and left kept them alive through minor GCs
// (docs/benchmark.md). Node writes `Connection: close`, and closes after it, when shouldKeepAlive
// is false.
beforeHeaders(app.response, (res) => {
  if (stopping) res.shouldKeepAlive = false;
});
let inFlight = 0;
const answered = () => void inFlight--;
server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
  inFlight++;
  res.on('close', answered); // one shared listener: nothing allocated per request
});

process.on('SIGHUP', () => void tenants.reload({ everyFile: true }));

/**
 * How long idle keep-alive connections stay open after the signal. A request a client had just
 * sent on one is then still answered (with `Connection: close`) instead of being reset unread.
 */
const DRAIN_GRACE_MS = 500;

async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) {
    logger.warn({ signal }, 'second signal: exiting now');
    process.exit(1);
  }
  stopping = true;
  logger.info({ signal }, 'shutting down: no new connections, finishing requests in flight');
  // Whatever hangs below, the process still ends, non-zero so the supervisor notices.
  setTimeout(
    () => {
      logger.error('shutdown did not finish in time; exiting');
      process.exit(1);
    },
    config.shutdownTimeoutMs + 2 * config.redisTimeoutMs + 1000,
  ).unref();

  // Stop accepting now. net.Server's close, not http.Server's: that one also drops every idle
  // keep-alive connection at once, with any request still unread on it.
  const closed = new Promise<void>((resolve) =>
    NetServer.prototype.close.call(server, () => resolve()),
  );
  // Then keep-alive connections go as soon as they are idle; busy ones after their response.
  let idleSweep: NodeJS.Timeout | undefined;
  const grace = setTimeout(
    () => {
      server.closeIdleConnections();
      idleSweep = setInterval(() => server.closeIdleConnections(), 100);
    },
    Math.min(DRAIN_GRACE_MS, config.shutdownTimeoutMs),
  );
  const deadline = new Promise<'timeout'>((resolve) =>
    setTimeout(() => resolve('timeout'), config.shutdownTimeoutMs).unref(),
  );
  if ((await Promise.race([closed, deadline])) === 'timeout') {
    logger.warn(
      { timeoutMs: config.shutdownTimeoutMs, inFlight },
      'requests still in flight; closing them',
    );
    server.closeAllConnections();
  }
  clearTimeout(grace);
  clearInterval(idleSweep);
  internal.close();
  internal.closeAllConnections();
  tenants.close();
  // Bounded: a QUIT only when Redis answers, never longer than REDIS_TIMEOUT_MS.
  await stores.close();
  logger.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', (signal) => void shutdown(signal));
process.on('SIGINT', (signal) => void shutdown(signal));
