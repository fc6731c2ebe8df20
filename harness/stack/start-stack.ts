import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_TENANTS_DIR } from '../demo.ts';
import { freePorts } from '../free-port.ts';
import { plainRequest } from '../http-client.ts';
import { describeExit, launch, untilReady, type Launched, type LogSink } from '../launch.ts';
import { missingPostgres, startPostgresServer, type PostgresServer } from '../postgres-server.ts';
import { prepareDatabase } from '../postgres-template.ts';
import { hasRedisServer, startRedisServer, type RedisServer } from '../redis-server.ts';
import { ROOT } from '../root.ts';
import {
  accessLogOf,
  caddyBinary,
  CADDYFILE,
  localRootOf,
  missingCaddy,
  nativeCaddyEnv,
} from './caddy.ts';

export interface StackOptions {
  /** Caddy's HTTP and HTTPS ports on 127.0.0.1; default: free ports. */
  proxyPort?: number;
  tlsPort?: number;
  /** An ACME server for hosts outside .localhost (pebble), and the PEM file of its HTTPS root. */
  acme?: { directory: string; root: string };
  /** App processes behind the proxy; default 2. */
  replicas?: number;
  /** Default: the repository's tenants/. */
  tenantsDir?: string;
  /** Every line the processes print, labelled; default: dropped. */
  log?: LogSink;
  /** Called when a process of the stack exits while nobody asked it to. */
  onUnexpectedExit?: (name: string, how: string) => void;
  /** Extra environment for the app processes. */
  appEnv?: Record<string, string>;
}

export interface Replica {
  name: string;
  port: number;
  /** Its INTERNAL_PORT (/tls/ask). */
  internalPort: number;
  running(): boolean;
  /** SIGTERM (graceful shutdown), resolves once it has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port; resolves once /readyz answers. */
  start(): Promise<void>;
  restart(): Promise<void>;
}

export interface Stack {
  proxyPort: number;
  tlsPort: number;
  /** Caddy's access log (a JSON line per request, its X-Request-Id among the response headers). */
  accessLog: string;
  /** The root of Caddy's local CA (PEM), which signs the .localhost certificates. */
  localRoot: string;
  redis: RedisServer;
  /** The replicas' database (halt() and start() for an outage). */
  postgres: PostgresServer;
  replicas: Replica[];
  /** Renders `http://<host>:<proxyPort>` for a tenant host. */
  url(host: string): string;
  /** Renders `https://<host>:<tlsPort>`. */
  httpsUrl(host: string): string;
  /** Stops Caddy, the replicas, Redis and PostgreSQL, in that order, and removes the work directory. */
  stop(): Promise<void>;
}

/** What the native stack needs on PATH, each with how to get it. */
export function missingStackCommands(): string[] {
  const redis = 'redis-server (Debian/Ubuntu: apt-get install redis-server)';
  return [...(hasRedisServer() ? [] : [redis]), ...missingPostgres(), ...missingCaddy()];
}

/** Polls `path` on a loopback port until it answers 200, as `localhost` (Caddy's plain HTTP). */
const answers200 = (port: number, path: string) => async () => {
  const res = await plainRequest({ port, path, host: 'localhost', timeoutMs: 2000 });
  if (res.status !== 200) throw new Error(`${path} on :${port} answered ${res.status}`);
};

/**
 * The compose topology as plain processes on loopback: a redis-server, N app processes (from
 * source, through tsx) and Debian's caddy with deploy/caddy/Caddyfile, all on free or given ports,
 * so it runs beside anything else. Used by `npm run stack`, the browser and the edge tests.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const missing = missingStackCommands();
  if (missing.length > 0) throw new Error(`The native stack needs: ${missing.join('; ')}`);
  const log: LogSink = options.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'tenantry-stack-'));
  let stopping = false;
  // The process each name should be running; an exit of any other (stopped on purpose) is expected.
  const current = new Map<string, Launched>();
  const start = (name: string, command: string, args: string[], env?: NodeJS.ProcessEnv) => {
    // Detached: Ctrl-C reaches the launcher only, which then stops the stack in order.
    const p = launch(name, command, args, { cwd: ROOT, env, log, detached: true });
    current.set(name, p);
    void p.exited.then((exit) => {
      if (!stopping && current.get(name) === p)
        options.onUnexpectedExit?.(name, describeExit(exit));
    });
    return p;
  };

  const redis = await startRedisServer();
  const postgres = await startPostgresServer();
  const databaseUrl = await prepareDatabase(postgres, 'tenantry');
  // One secret for every replica (a session signed by one verifies on the others), new each run.
  const secret = randomBytes(48).toString('base64');
  const appEnv = (name: string, port: number, internalPort: number): NodeJS.ProcessEnv => ({
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(port),
    // Internal routes (/tls/ask, /metrics): only Caddy asks them.
    INTERNAL_PORT: String(internalPort),
    // Loopback only: nothing outside this machine reaches the replicas, only through Caddy.
    HOST: '127.0.0.1',
    REDIS_URL: redis.url,
    DATABASE_URL: databaseUrl,
    APP_NAME: 'app',
    SESSION_SECRET: secret,
    // Caddy connects from 127.0.0.1: only it may set X-Forwarded-* and X-Request-Id.
    TRUST_PROXY: 'loopback',
    TENANTS_DIR: options.tenantsDir ?? DEMO_TENANTS_DIR,
    REPLICA_NAME: name,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    ...options.appEnv,
  });

  const launched = () => [...current.values()];
  // Last resort when the launcher exits without stop() (a crash, a test runner giving up): the
  // children run in their own process groups, so nothing else would end them.
  const killAll = () => {
    for (const p of launched()) if (p.running()) p.child.kill('SIGKILL');
    redis.process().kill('SIGKILL');
    void postgres.stop(); // pg_ctl runs synchronously: done before the process exits
  };
  process.once('exit', killAll);
  const stop = async () => {
    stopping = true;
    process.off('exit', killAll);
    await current.get('caddy')?.stop('SIGTERM', 5000);
    const apps = launched().filter((p) => p.name !== 'caddy');
    await Promise.all(apps.map((p) => p.stop('SIGTERM', 12_000)));
    await Promise.all([redis.stop(), postgres.stop()]);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const count = options.replicas ?? 2;
    // Two ports a replica and Caddy's two, all distinct, none of those the caller chose.
    const chosen = [options.proxyPort, options.tlsPort];
    const ports = (await freePorts(2 * count + 4)).filter((p) => !chosen.includes(p));
    const replicas: Replica[] = [];
    for (let i = 1; i <= count; i++) {
      const name = `app-${i}`;
      const [port, internalPort] = [ports.pop()!, ports.pop()!];
      const args = ['--import', 'tsx', 'src/server.ts'];
      const replica: Replica = {
        name,
        port,
        internalPort,
        running: () => current.get(name)?.running() ?? false,
        stop: async () => {
          const p = current.get(name);
          current.delete(name);
          await p?.stop('SIGTERM', 12_000);
        },
        start: async () => {
          const p = start(name, process.execPath, args, appEnv(name, port, internalPort));
          await untilReady(p, answers200(port, '/readyz'));
        },
        restart: async () => {
          await replica.stop();
          await replica.start();
        },
      };
      replicas.push(replica);
    }
    await Promise.all(replicas.map((r) => r.start()));

    const proxyPort = options.proxyPort ?? ports.pop()!;
    const tlsPort = options.tlsPort ?? ports.pop()!;
    const env = nativeCaddyEnv({
      httpPort: proxyPort,
      tlsPort,
      upstreams: replicas.map((r) => `127.0.0.1:${r.port}`),
      // One replica answers `ask`: each answers the same, from the same tenant files.
      internal: `127.0.0.1:${replicas[0]!.internalPort}`,
      dir,
      acme: options.acme,
    });
    const caddyArgs = ['run', '--config', CADDYFILE, '--adapter', 'caddyfile'];
    const caddy = start('caddy', caddyBinary(), caddyArgs, env);
    await untilReady(caddy, answers200(proxyPort, '/healthz'));

    return {
      proxyPort,
      tlsPort,
      accessLog: accessLogOf(dir),
      localRoot: localRootOf(dir),
      redis,
      postgres,
      replicas,
      url: (host) => `http://${host}:${proxyPort}`,
      httpsUrl: (host) => `https://${host}:${tlsPort}`,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
