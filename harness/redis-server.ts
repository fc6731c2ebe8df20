import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { commandWorks, launch, untilReady, type Launched } from './launch.ts';

/** A real redis-server owned by one test run (or one test), on a free loopback port. */
export interface RedisServer {
  url: string;
  port: number;
  /** Working directory (AOF files live here when appendonly is on). */
  dir: string;
  /** The running process; replaced by restart(). */
  process(): ChildProcess;
  /** SIGKILL: the server vanishes without a goodbye, like a crash. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: connections stay open but nothing answers (a hung server, a black hole). */
  pause(): void;
  resume(): void;
  /** Starts it again on the same port and directory. */
  restart(): Promise<void>;
  /** Stops it for good and removes its directory. */
  stop(): Promise<void>;
}

export function hasRedisServer(): boolean {
  return commandWorks('redis-server', ['--version']);
}

export async function startRedisServer(
  options: { appendonly?: boolean } = {},
): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tenantry-redis-'));
  const argsFor = (port: number) => [
    ...dataNodeArgs(port, dir, { appendonly: options.appendonly }),
    '--appendfsync',
    'always',
    '--protected-mode',
    'yes',
  ];
  // A free port can be taken by another test worker between finding it and binding it: then again.
  const started = async (attempt = 1): Promise<{ port: number; launched: Launched }> => {
    const port = await freePort();
    try {
      return { port, launched: await launchRedis(argsFor(port)) };
    } catch (err) {
      if (attempt >= 5 || !/Address already in use/.test((err as Error).message)) throw err;
      return started(attempt + 1);
    }
  };
  const { port, launched } = await started();
  const args = argsFor(port);
  let server = launched;
  // SIGCONT first: a paused server would not act on SIGTERM until resumed.
  const stop = async (signal: NodeJS.Signals) => {
    server.child.kill('SIGCONT');
    await server.stop(signal);
  };

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    process: () => server.child,
    kill: () => stop('SIGKILL'),
    pause: () => void server.child.kill('SIGSTOP'),
    resume: () => void server.child.kill('SIGCONT'),
    async restart() {
      await stop('SIGTERM');
      server = await launchRedis(args);
    },
    async stop() {
      await stop('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The arguments every redis-server of the tests starts with: `port` on loopback, its files in
 * `dir`, no RDB snapshots, and an append-only file only when asked for. The cluster and Sentinel
 * setups add their own after these.
 */
export function dataNodeArgs(
  port: number,
  dir: string,
  { appendonly = false }: { appendonly?: boolean } = {},
): string[] {
  return [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    appendonly ? 'yes' : 'no',
  ];
}

/**
 * Starts redis-server with `args` (with `--sentinel`, a sentinel) and resolves once it prints
 * `readyLine`; rejects with its output otherwise. The cluster and Sentinel setups start theirs here.
 */
export async function launchRedis(
  args: string[],
  readyLine = 'Ready to accept connections',
): Promise<Launched> {
  const output: string[] = [];
  const server = launch('redis-server', 'redis-server', args, {
    log: (_name, line) => output.push(line),
  });
  try {
    // A short interval: the fault tests time the outage from restart() to ready.
    await untilReady(
      server,
      async () => {
        if (!output.some((line) => line.includes(readyLine))) {
          throw new Error('not ready yet');
        }
      },
      { timeoutMs: 10_000, intervalMs: 10 },
    );
  } catch (err) {
    server.child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}:\n${output.join('\n')}`, { cause: err });
  }
  return server;
}
