import { spawn } from 'node:child_process';
import { ROOT } from './root.ts';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time of the whole run, start-up included. */
  ms: number;
}

export interface CliOptions {
  /** The whole environment of the command (PATH and HOME are added). */
  env: Record<string, string>;
  /** Written to its standard input, which is then closed (a pipe: not a terminal). */
  input?: string;
  timeoutMs?: number;
}

/**
 * Runs a command from the repository root as an operator would (`npm run -s …` or
 * `node --import tsx src/cli/….ts …`), with exactly the given environment; never rejects.
 */
export function runCommand(
  command: string,
  args: string[],
  options: CliOptions,
): Promise<CliResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** `npm run sessions -- <args>`, without npm in between (the same file, the same tsx). */
export const runSessionsCli = (args: string[], options: CliOptions) =>
  runCommand(process.execPath, ['--import', 'tsx', 'src/cli/sessions.ts', ...args], options);
