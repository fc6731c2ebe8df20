import { spawn, spawnSync } from 'node:child_process';
import { ROOT } from './root.ts';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `npm run -s <script> -- <args>` in the repository, as a person or a script would, with
 * `input` on its standard input (a pipe, so not a terminal) and `env` over this environment.
 */
export function runScript(
  script: string,
  args: string[],
  options: { env?: Record<string, string>; input?: string } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '-s', script, '--', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
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
