// The compose CLI as the compose suite drives it: which command, which project, which port, and
// the few things it asks of it (run a command, wait for health, show the state on failure).
import { spawn } from 'node:child_process';
import { freePort } from '../support/free-port.ts';
import { eventually } from '../support/polling.ts';
import { ROOT } from '../support/root.ts';

export const compose = (process.env.COMPOSE_CMD ?? 'docker compose').split(/\s+/).filter(Boolean);
export const project = process.env.COMPOSE_PROJECT_NAME ?? 'tenantry-check';
export const keep = Boolean(process.env.KEEP) && process.env.KEEP !== '0';
export const port = Number(process.env.PROXY_PORT ?? (await freePort()));
const env = {
  ...process.env,
  COMPOSE_PROJECT_NAME: project,
  PROXY_PORT: String(port),
  // Its own subnet, so it can run beside a `docker compose up` of the same checkout.
  EDGE_SUBNET: process.env.EDGE_SUBNET ?? '10.212.29.0/24',
};

/**
 * Runs a command in the checkout, without blocking the test runner's event loop (builds take
 * minutes). `quiet` captures its output (returned); otherwise it is shown as it comes.
 */
export function run(cmd: string[], { quiet = false } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd[0]!, cmd.slice(1), {
      cwd: ROOT,
      env,
      stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolve(stdout);
      else {
        const output = quiet ? `:\n${stdout}${stderr}` : '';
        reject(new Error(`${cmd.join(' ')} failed (${code ?? signal})${output}`));
      }
    });
  });
}
export const dc = (...rest: string[]) => run([...compose, '-p', project, ...rest], { quiet: true });

/** service -> "running/healthy" for every container of the project. */
async function states(): Promise<Map<string, string>> {
  const ids = (await dc('ps', '-q')).split('\n').filter(Boolean);
  const lines = await run(
    [
      'docker',
      'inspect',
      '-f',
      '{{index .Config.Labels "com.docker.compose.service"}} {{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}',
      ...ids,
    ],
    { quiet: true },
  );
  return new Map(
    lines
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' ') as [string, string]),
  );
}
const SERVICES = ['redis', 'app-1', 'app-2', 'proxy'];
export async function allHealthy(timeoutMs = 120_000) {
  await eventually(
    async () => {
      const now = await states();
      const bad = SERVICES.filter((s) => now.get(s) !== 'running/healthy');
      if (bad.length > 0)
        throw new Error(bad.map((s) => `${s}: ${now.get(s) ?? 'missing'}`).join(', '));
    },
    { timeoutMs, intervalMs: 1000 },
  );
}

/** What a failure needs to be understood: the containers and their last log lines. */
export async function showState() {
  try {
    console.error(await dc('ps'));
    console.error(await dc('logs', '--tail', '40'));
  } catch {
    // nothing more to show
  }
}
