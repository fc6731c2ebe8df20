import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { freePorts } from './free-port.ts';
import { plainRequest } from './http-client.ts';
import { launch, untilReady, type Exit } from './launch.ts';
import { ROOT } from './root.ts';

/** One pino line of the server's output, or the raw text when a line is not JSON. */
export interface LogLine {
  level?: number;
  msg?: string;
  raw: string;
}

export interface ServerOptions {
  /** What REDIS_URL points at; nothing need be listening there. */
  redisUrl: string;
  /**
   * DATABASE_URL; default: a fresh copy of the suite's template database (inside vitest only);
   * null: none (a server that needs no database, the bench's baselines).
   */
  databaseUrl?: string | null;
  /** Extra environment (PORT, APP_NAME and SESSION_SECRET default to fresh values). */
  env?: Record<string, string>;
  /** Modules loaded with --import before the server (test fixtures). */
  preload?: string[];
  /** Node flags before everything else (`--cpu-prof`, say). */
  nodeArgs?: string[];
  /** A command that runs node, with its own arguments first (`valgrind --tool=callgrind`, say). */
  wrapper?: string[];
  /** The entry point, from the repository root; default src/server.ts (dist/server.js: built). */
  entry?: string;
  /** Resolves once the server is ready to be used; default: GET /healthz answers 200. */
  ready?: (port: number) => Promise<void>;
  /** Polling interval of `ready`; default 100 ms. */
  readyIntervalMs?: number;
  /** How long `ready` may take to first resolve; default 30 s. */
  readyTimeoutMs?: number;
  /** 'discard': its stdout (the logs) goes to /dev/null and output() holds stderr only. */
  stdout?: 'pipe' | 'discard';
}

export interface ServerProcess {
  port: number;
  env: Record<string, string>;
  child: ChildProcess;
  /** From spawning the process until `ready` first resolved. */
  startMs: number;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  logs(): LogLine[];
  /** Undefined while it runs. */
  exit(): Exit | undefined;
  exited: Promise<Exit>;
  /** Sends the signal (SIGTERM by default) and waits for the exit; SIGKILL after 15 s. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

/**
 * The real server (src/server.ts, as `npm run dev` runs it; or another `entry`) as a child process,
 * configured as in production, on a free port. Resolves once `ready` does (default: /healthz
 * answers); rejects with its output if it ends first.
 */
export async function startServer(options: ServerOptions): Promise<ServerProcess> {
  const [port, internalPort] = await freePorts(2);
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    PORT: String(port),
    INTERNAL_PORT: String(internalPort),
    HOST: '127.0.0.1',
    REDIS_URL: options.redisUrl,
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    APP_NAME: `r-${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  // Asked here, not imported: it asks vitest for the suite's PostgreSQL, and the bench runs outside.
  if (options.databaseUrl === undefined && env.DATABASE_URL === undefined) {
    env.DATABASE_URL = (await (await import('./postgres-databases.ts')).freshDatabase()).url;
  } else if (options.databaseUrl) {
    env.DATABASE_URL = options.databaseUrl;
  }
  return start(env, options);
}

/** Starts the server again with the same environment (port, secret, APP_NAME). */
export function restartServer(previous: ServerProcess): Promise<ServerProcess> {
  return start(previous.env, {});
}

async function healthz(port: number): Promise<void> {
  const res = await plainRequest({ port, path: '/healthz', host: 'localhost', timeoutMs: 1000 });
  if (res.status !== 200) throw new Error(`/healthz answered ${res.status}`);
}

async function start(
  env: Record<string, string>,
  options: Omit<ServerOptions, 'redisUrl' | 'env'>,
): Promise<ServerProcess> {
  const { preload = [], nodeArgs = [], wrapper = [], entry = 'src/server.ts' } = options;
  const ready = options.ready ?? healthz;
  // TypeScript runs through tsx, as `npm run dev` does; built JavaScript (dist/) as `npm start` does.
  const loader = entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const args = [...nodeArgs, ...loader, ...preload.flatMap((p) => ['--import', p]), entry];
  const lines: string[] = [];
  const spawnedAt = performance.now();
  // node itself, or under the wrapper's command (`valgrind … node …`).
  const [command, ...commandArgs] = [...wrapper, process.execPath, ...args];
  const proc = launch('server', command!, commandArgs, {
    cwd: ROOT,
    // Only what the server needs: nothing from the test runner's own environment leaks in.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    log: (_name, line) => lines.push(line),
    stdout: options.stdout,
  });
  const output = () => lines.join('\n');
  const server: ServerProcess = {
    port: Number(env.PORT),
    env,
    child: proc.child,
    startMs: 0,
    output,
    logs: () => lines.filter(Boolean).map(parseLine),
    exit: () => proc.exit(),
    exited: proc.exited,
    stop: (signal = 'SIGTERM') => proc.stop(signal, 15_000),
  };
  try {
    await untilReady(proc, () => ready(server.port), {
      timeoutMs: options.readyTimeoutMs ?? 30_000,
      intervalMs: options.readyIntervalMs ?? 100,
    });
    server.startMs = performance.now() - spawnedAt;
  } catch (err) {
    proc.child.kill('SIGKILL');
    throw new Error(`the server did not start: ${(err as Error).message}\n${output()}`, {
      cause: err,
    });
  }
  return server;
}

function parseLine(raw: string): LogLine {
  try {
    const parsed = JSON.parse(raw) as { level?: number; msg?: string };
    return { level: parsed.level, msg: parsed.msg, raw };
  } catch {
    return { raw };
  }
}

/** Lines that must never appear: crashes, unhandled errors, fatal logs. */
export function alarmingLines(server: ServerProcess): string[] {
  return server
    .logs()
    .filter((line) => (line.level ?? 0) >= 60 || /uncaught|unhandled/i.test(line.raw))
    .map((line) => line.raw);
}
