import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freePort,
  hasRedisServer,
  startRedisServer,
  type RedisServer,
} from '../../test/support/redis-server.ts';
import { plainRequest } from './http.ts';
import {
  commandWorks,
  launch,
  nginxBinary,
  waitUntilReady,
  type LogSink,
  type Managed,
} from './processes.ts';
import { nativeMainConfig, renderProxyConfig } from './proxy-config.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

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
  // The child each name should be running; an exit of any other (stopped on purpose) is expected.
  const current = new Map<string, Managed['child']>();
  const watch = (p: Managed) => {
    void p.exited.then((how) => {
      if (!stopping && p.child === current.get(p.name)) options.onUnexpectedExit?.(p.name, how);
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
    // Loopback only: nothing outside this machine reaches the replicas, only through nginx.
    HOST: '127.0.0.1',
    REDIS_URL: redis.url,
    APP_NAME: 'app',
    SESSION_SECRET: secret,
    // nginx connects from 127.0.0.1: only it may set X-Forwarded-*.
    TRUST_PROXY: 'loopback',
    TENANTS_DIR: options.tenantsDir ?? join(ROOT, 'tenants'),
    REPLICA_NAME: name,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    ...options.appEnv,
  });

  const replicas: Replica[] = [];
  const processes = new Map<string, Managed>();
  const startApp = async (name: string, port: number) => {
    const p = watch(
      launch(name, process.execPath, ['--import', 'tsx', 'src/server.ts'], {
        cwd: ROOT,
        env: appEnv(name, port),
        log,
      }),
    );
    processes.set(name, p);
    current.set(name, p.child);
    await waitUntilReady(p, async () => {
      const res = await plainRequest({ port, path: '/readyz', timeoutMs: 2000 });
      if (res.status !== 200) throw new Error(`/readyz answered ${res.status}`);
    });
  };

  let nginx: Managed | undefined;
  // Last resort when the launcher exits without stop() (a crash, a test runner giving up): the
  // children run in their own process groups, so nothing else would end them.
  const killAll = () => {
    for (const p of [nginx, ...processes.values()]) if (p?.running()) p.child.kill('SIGKILL');
    redis.process().kill('SIGKILL');
  };
  process.once('exit', killAll);
  const stop = async () => {
    stopping = true;
    process.off('exit', killAll);
    // SIGQUIT: nginx's graceful shutdown.
    await nginx?.stop('SIGQUIT', 5000);
    await Promise.all([...processes.values()].map((p) => p.stop('SIGTERM', 12_000)));
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    for (let i = 1; i <= (options.replicas ?? 2); i++) {
      const name = `app-${i}`;
      const port = await freePort();
      const replica: Replica = {
        name,
        port,
        running: () => processes.get(name)?.running() ?? false,
        stop: async () => {
          current.delete(name);
          await processes.get(name)?.stop('SIGTERM', 12_000);
        },
        start: () => startApp(name, port),
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
    writeFileSync(
      siteConf,
      renderProxyConfig({
        listen: `127.0.0.1:${proxyPort}`,
        upstreams: replicas.map((r) => `127.0.0.1:${r.port}`),
        accessLog,
      }),
    );
    const mainConf = join(dir, 'nginx.conf');
    writeFileSync(mainConf, nativeMainConfig(dir, siteConf));
    nginx = watch(
      launch(
        'nginx',
        nginxBinary(),
        ['-p', dir, '-c', mainConf, '-e', 'stderr', '-g', 'daemon off;'],
        {
          log,
        },
      ),
    );
    current.set('nginx', nginx.child);
    await waitUntilReady(nginx, async () => {
      const res = await plainRequest({ port: proxyPort, path: '/healthz', timeoutMs: 2000 });
      if (res.status !== 200) throw new Error(`/healthz through nginx answered ${res.status}`);
    });

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
