import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { freePort } from './redis-server.ts';
import { request } from './load.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** performance.now() when the process ended. */
  at: number;
}

/** One pino line of the server's output, or the raw text when a line is not JSON. */
export interface LogLine {
  level?: number;
  msg?: string;
  raw: string;
}

export interface ServerOptions {
  /** What REDIS_URL points at; nothing need be listening there. */
  redisUrl: string;
  /** Extra environment (PORT, APP_NAME and SESSION_SECRET default to fresh values). */
  env?: Record<string, string>;
  /** Modules loaded with --import before the server (test fixtures). */
  preload?: string[];
}

export interface ServerProcess {
  port: number;
  env: Record<string, string>;
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  logs(): LogLine[];
  /** Null while it runs. */
  exit(): Exit | undefined;
  exited: Promise<Exit>;
  /** Sends the signal (SIGTERM by default) and waits for the exit; SIGKILL after 15 s. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

/**
 * The real server (src/server.ts, as `npm run dev` runs it) as a child process, configured as in
 * production, on a free port. Resolves once /healthz answers; rejects with its output if it ends.
 */
export async function startServer(options: ServerOptions): Promise<ServerProcess> {
  const port = await freePort();
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    REDIS_URL: options.redisUrl,
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    APP_NAME: `r-${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  return launch(env, options.preload ?? []);
}

/** Starts the server again with the same environment (port, secret, APP_NAME). */
export function restartServer(previous: ServerProcess): Promise<ServerProcess> {
  return launch(previous.env, []);
}

async function launch(env: Record<string, string>, preload: string[]): Promise<ServerProcess> {
  const args = ['--import', 'tsx', ...preload.flatMap((p) => ['--import', p]), 'src/server.ts'];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  child.stdout.setEncoding('utf8').on('data', (c: string) => chunks.push(c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => chunks.push(c));
  let exit: Exit | undefined;
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = { code, signal, at: performance.now() };
      resolve(exit);
    }),
  );
  const output = () => chunks.join('');
  const server: ServerProcess = {
    port: Number(env.PORT),
    env,
    child,
    output,
    logs: () => output().split('\n').filter(Boolean).map(parseLine),
    exit: () => exit,
    exited,
    async stop(signal = 'SIGTERM') {
      if (exit) return exit;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  const deadline = performance.now() + 30_000;
  for (;;) {
    if (exit) throw new Error(`the server exited (${exit.code ?? exit.signal}):\n${output()}`);
    const res = await request(server.port, {
      path: '/healthz',
      host: 'localhost',
      timeoutMs: 1000,
    });
    if (res.status === 200) return server;
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server did not answer /healthz within 30 s:\n${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
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
