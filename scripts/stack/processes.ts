import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A child process of the stack whose output goes, line by line and labelled, to one sink. */
export interface Managed {
  name: string;
  child: ChildProcess;
  /** Resolves when it has exited, with its code or signal. */
  exited: Promise<string>;
  running(): boolean;
  /** `signal`, then SIGKILL after `timeoutMs`; resolves once it is gone. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<void>;
}

export type LogSink = (name: string, line: string) => void;

export function launch(
  name: string,
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; log: LogSink },
): Managed {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: Ctrl-C reaches the launcher only, which then stops the stack in order.
    detached: true,
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => options.log(name, line));
  }
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err) => resolve(`failed to start: ${err.message}`));
    child.once('exit', (code, signal) =>
      resolve(signal ? `signal ${signal}` : `exit code ${code}`),
    );
  });
  const running = () =>
    child.exitCode === null && child.signalCode === null && child.pid !== undefined;
  return {
    name,
    child,
    exited,
    running,
    async stop(signal = 'SIGTERM', timeoutMs = 10_000) {
      if (!running()) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * The nginx binary: NGINX_PATH, else `nginx` on PATH, else the sbin directories that a non-root
 * user's PATH often lacks (Debian installs it as /usr/sbin/nginx).
 */
export function nginxBinary(): string {
  if (process.env.NGINX_PATH) return process.env.NGINX_PATH;
  const candidates = [
    'nginx',
    '/usr/sbin/nginx',
    '/usr/local/sbin/nginx',
    '/opt/homebrew/bin/nginx',
  ];
  return candidates.find((c) => commandWorks(c, ['-v'])) ?? 'nginx';
}

/** Whether `command` runs at all (`nginx -v`, `redis-server --version`...). */
export function commandWorks(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return result.error === undefined && result.status === 0;
}

/**
 * Waits until `ready` resolves, failing early (with the reason) when the process exits first and
 * after `timeoutMs` otherwise.
 */
export async function waitUntilReady(
  proc: Managed,
  ready: () => Promise<unknown>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (!proc.running()) {
      throw new Error(`${proc.name} stopped while starting (${await proc.exited})`);
    }
    try {
      await ready();
      return;
    } catch (err) {
      lastError = err;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
  throw new Error(`${proc.name} was not ready within ${timeoutMs} ms: ${String(lastError)}`);
}
