import { spawn, spawnSync } from 'node:child_process';
import { ROOT } from './root.ts';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time of the whole run, start-up included. */
  ms: number;
}

export interface CommandOptions {
  /** The whole environment of the command (PATH and HOME are added). */
  env: Record<string, string>;
  /** Written to its standard input, which is then closed (a pipe: not a terminal). */
  input?: string;
  /** SIGKILL after this long; default 30 s. */
  timeoutMs?: number;
}

/**
 * Runs a command from the repository root as an operator would (`npm run -s …` or
 * `node --import tsx src/cli/….ts …`), with exactly the given environment; rejects only if it
 * cannot start.
 */
export function runCommand(
  command: string,
  args: string[],
  options: CommandOptions,
): Promise<CommandResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
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
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** `npm run sessions -- <args>`, without npm in between (the same file, the same tsx). */
export const runSessionsCli = (args: string[], options: CommandOptions) =>
  runCommand(process.execPath, ['--import', 'tsx', 'src/cli/sessions.ts', ...args], options);

/**
 * Runs `npm run -s <script> -- <args>` in the repository, as a person or a script would, with
 * `input` on its standard input (a pipe, so not a terminal) and `env` over this environment.
 */
export function runScript(
  script: string,
  args: string[],
  options: { env?: Record<string, string>; input?: string } = {},
): Promise<CommandResult> {
  const inherited = Object.entries(process.env).filter(
    (entry): entry is [string, string] => entry[1] !== undefined,
  );
  return runCommand('npm', ['run', '-s', script, '--', ...args], {
    env: { ...Object.fromEntries(inherited), ...options.env },
    input: options.input,
  });
}

/** util-linux's `script`, which runs a command on a pseudo-terminal (Debian: bsdutils). */
export const hasScriptCommand = () =>
  /util-linux/.test(spawnSync('script', ['--version'], { encoding: 'utf8' }).stdout ?? '');

/**
 * Runs `npm run -s <script> -- <args>` on a pseudo-terminal (through `script`), answering each
 * prompt as it appears: for each [prompt, answer], waits until the output shows `prompt`, then
 * types `answer` and Enter. Resolves with the exit code and everything the terminal showed.
 */
export function runInTerminal(
  script: string,
  args: string[],
  options: { env?: Record<string, string>; answers: [prompt: string, answer: string][] },
): Promise<{ code: number | null; screen: string }> {
  const quoted = ['npm', 'run', '-s', script, '--', ...args]
    .map((a) => `'${a.replace(/'/g, `'\\''`)}'`)
    .join(' ');
  return new Promise((resolve, reject) => {
    // `exec`: the command itself holds the terminal, not a shell that outlives a Ctrl-C.
    const child = spawn('script', ['-qec', `exec ${quoted}`, '/dev/null'], {
      cwd: ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const pending = [...options.answers];
    let screen = '';
    let seen = 0;
    const onOutput = (chunk: string) => {
      screen += chunk;
      // Answer only once the prompt is on screen: typed earlier, the terminal would echo it.
      const next = pending[0];
      if (next && screen.indexOf(next[0], seen) !== -1) {
        seen = screen.indexOf(next[0], seen) + next[0].length;
        pending.shift();
        child.stdin.write(`${next[1]}\r`);
      }
    };
    child.stdout.setEncoding('utf8').on('data', onOutput);
    child.stderr.setEncoding('utf8').on('data', onOutput);
    // A prompt that never comes must not hang the test run.
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ code, screen });
    });
  });
}
