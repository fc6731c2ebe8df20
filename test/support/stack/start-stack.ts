import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_TENANTS_DIR } from '../demo.ts';
import { freePort } from '../free-port.ts';
import { plainRequest } from '../http-client.ts';
import {
  commandWorks,
  describeExit,
  launch,
  untilReady,
  type Launched,
  type LogSink,
} from '../launch.ts';
import { hasRedisServer, startRedisServer, type RedisServer } from '../redis-server.ts';
import { ROOT } from '../root.ts';
import { nginxBinary } from './nginx.ts';
import { nativeMainConfig, renderProxyConfig } from './proxy-config.ts';

export interface StackOptions {
  /** Where nginx listens on 127.0.0.1; default: a free port. */
  proxyPort?: number;
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
  running(): boolean;
  /** SIGTERM (graceful shutdown), resolves once it has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port; resolves once /readyz answers. */
  start(): Promise<void>;
  restart(): Promise<void>;
}

export interface Stack {
  proxyPort: number;
  /** nginx's access log (one line per request, with its request_id); gone after stop(). */
  accessLog: string;
  redis: RedisServer;
  replicas: Replica[];
  /** Renders `http://<host>:<proxyPort>` for a tenant host. */
  url(host: string): string;
  /** Stops the proxy, the replicas and Redis, in that order, and removes the work directory. */
  stop(): Promise<void>;
}

/** What the native stack needs on PATH, each with how to get it. */
export function missingStackCommands(): string[] {
  const missing: string[] = [];
  if (!hasRedisServer()) missing.push('redis-server (Debian/Ubuntu: apt-get install redis-server)');
  if (!commandWorks(nginxBinary(), ['-v'])) {
    missing.push('nginx (Debian/Ubuntu: apt-get install nginx; or set NGINX_PATH)');
  }
  return missing;
}

/** Polls `path` on a loopback port until it answers 200. */
const answers200 = (port: number, path: string) => async () => {
  const res = await plainRequest({ port, path, timeoutMs: 2000 });
  if (res.status !== 200) throw new Error(`${path} on :${port} answered ${res.status}`);
};

/**
 * The compose topology as plain processes on loopback: a redis-server, N app processes (from
 * source, through tsx) and nginx with deploy/nginx/tenantry.conf.template, all on free or given
 * ports, so it runs beside anything else. Used by `npm run stack` and the browser test.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const missing = missingStackCommands();
  if (missing.length > 0) throw new Error(`The native stack needs: ${missing.join('; ')}`);
  const log: LogSink = options.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'tenantry-stack-'));
  // nginx's workers (nobody, when started as root) create their temporary files in here.
  chmodSync(dir, 0o755);
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
  // One secret for every replica (a session signed by one verifies on the others), new each run.
  const secret = randomBytes(48).toString('base64');
  const appEnv = (name: string, port: number): NodeJS.ProcessEnv => ({
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(port),
    // Internal routes (/tls/ask, /metrics) on a port the system picks: only the proxy asks them.
    INTERNAL_PORT: '0',
    // Loopback only: nothing outside this machine reaches the replicas, only through nginx.
    HOST: '127.0.0.1',
    REDIS_URL: redis.url,
    APP_NAME: 'app',
    SESSION_SECRET: secret,
    // nginx connects from 127.0.0.1: only it may set X-Forwarded-*.
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
  };
  process.once('exit', killAll);
  const stop = async () => {
    stopping = true;
    process.off('exit', killAll);
    // SIGQUIT: nginx's graceful shutdown.
    await current.get('nginx')?.stop('SIGQUIT', 5000);
    const apps = launched().filter((p) => p.name !== 'nginx');
    await Promise.all(apps.map((p) => p.stop('SIGTERM', 12_000)));
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const replicas: Replica[] = [];
    for (let i = 1; i <= (options.replicas ?? 2); i++) {
      const name = `app-${i}`;
      const port = await freePort();
      const args = ['--import', 'tsx', 'src/server.ts'];
      const replica: Replica = {
        name,
        port,
        running: () => current.get(name)?.running() ?? false,
        stop: async () => {
          const p = current.get(name);
          current.delete(name);
          await p?.stop('SIGTERM', 12_000);
        },
        start: async () => {
          const p = start(name, process.execPath, args, appEnv(name, port));
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

    const proxyPort = options.proxyPort ?? (await freePort());
    const siteConf = join(dir, 'tenantry.conf');
    const accessLog = join(dir, 'access.log');
    const upstreams = replicas.map((r) => `127.0.0.1:${r.port}`);
    writeFileSync(
      siteConf,
      renderProxyConfig({ listen: `127.0.0.1:${proxyPort}`, upstreams, accessLog }),
    );
    const mainConf = join(dir, 'nginx.conf');
    writeFileSync(mainConf, nativeMainConfig(dir, siteConf));
    const nginxArgs = ['-p', dir, '-c', mainConf, '-e', 'stderr', '-g', 'daemon off;'];
    const nginx = start('nginx', nginxBinary(), nginxArgs);
    await untilReady(nginx, answers200(proxyPort, '/healthz'));

    return {
      proxyPort,
      accessLog,
      redis,
      replicas,
      url: (host) => `http://${host}:${proxyPort}`,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
