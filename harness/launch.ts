import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { eventually, GiveUp } from './polling.ts';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** performance.now() when the process ended. */
  at: number;
  /** Set when it never ran (no such binary, say). */
  error?: string;
}

/** A child process whose output goes, line by line and labelled, to one sink. */
export interface Launched {
  name: string;
  child: ChildProcess;
  /** Resolves once it has exited (or failed to start). */
  exited: Promise<Exit>;
  /** Undefined while it runs. */
  exit(): Exit | undefined;
  running(): boolean;
  /** `signal`, then SIGKILL after `timeoutMs`; resolves once it is gone. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exit>;
}

export type LogSink = (name: string, line: string) => void;

export interface LaunchOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Each line of stdout and stderr; default: dropped. */
  log?: LogSink;
  /**
   * 'discard': stdout goes straight to /dev/null, never through a pipe to this process (a server
   * under load logs a line per request: writing it is the server's cost, reading it is not).
   */
  stdout?: 'pipe' | 'discard';
  /**
   * Its own process group, so a Ctrl-C at the terminal reaches the launcher only, which then stops
   * its children in order (the native stack wants this; a test's child does not need it).
   */
  detached?: boolean;
}

export function launch(
  name: string,
  command: string,
  args: string[],
  options: LaunchOptions = {},
): Launched {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', options.stdout === 'discard' ? 'ignore' : 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  const log = options.log ?? (() => {});
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => log(name, line));
  }
  let exit: Exit | undefined;
  const exited = new Promise<Exit>((resolve) => {
    const end = (e: Omit<Exit, 'at'>) => resolve((exit ??= { ...e, at: performance.now() }));
    child.once('error', (err) => end({ code: null, signal: null, error: err.message }));
    child.once('exit', (code, signal) => end({ code, signal }));
  });
  const running = () =>
    child.exitCode === null && child.signalCode === null && child.pid !== undefined && !exit;
  return {
    name,
    child,
    exited,
    exit: () => exit,
    running,
    async stop(signal = 'SIGTERM', timeoutMs = 10_000) {
      if (!running()) return exit ?? exited;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** "exit code 1", "signal SIGKILL", "failed to start: spawn caddy ENOENT". */
export function describeExit(exit: Exit): string {
  if (exit.error) return `failed to start: ${exit.error}`;
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

/**
 * Polls `ready` until it resolves; fails at once, with how it ended, when the process exits first,
 * and after `timeoutMs` otherwise.
 */
export async function untilReady(
  proc: Launched,
  ready: () => Promise<unknown>,
  { timeoutMs = 30_000, intervalMs = 150 } = {},
): Promise<void> {
  try {
    await eventually(
      async () => {
        if (!proc.running()) {
          throw new GiveUp(
            `${proc.name} stopped while starting (${describeExit(await proc.exited)})`,
          );
        }
        await ready();
      },
      { timeoutMs, intervalMs },
    );
  } catch (err) {
    if (err instanceof GiveUp) throw err;
    throw new Error(`${proc.name} was not ready within ${timeoutMs} ms: ${String(err)}`, {
      cause: err,
    });
  }
}

/** Whether `command` runs at all (`caddy version`, `redis-server --version`...). */
export function commandWorks(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return result.error === undefined && result.status === 0;
}
