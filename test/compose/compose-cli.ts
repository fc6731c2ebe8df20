// The compose CLI as the compose suites drive it: which command, which project, which port, and
// the few things they ask of it (run a command, wait for health, show the state on failure).
import { spawn } from 'node:child_process';
import { freePorts } from '../../harness/free-port.ts';
import { eventually } from '../../harness/polling.ts';
import { ROOT } from '../../harness/root.ts';

export const compose = (process.env.COMPOSE_CMD ?? 'docker compose').split(/\s+/).filter(Boolean);
export const project = process.env.COMPOSE_PROJECT_NAME ?? 'tenantry-check';
export const keep = Boolean(process.env.KEEP) && process.env.KEEP !== '0';
const [freeHttp, freeHttps] = await freePorts(2);
/** The proxy's HTTP and HTTPS ports on this machine (PROXY_PORT, PROXY_TLS_PORT). */
export const port = Number(process.env.PROXY_PORT ?? freeHttp);
export const tlsPort = Number(process.env.PROXY_TLS_PORT ?? freeHttps);
const env = {
  ...process.env,
  COMPOSE_PROJECT_NAME: project,
  PROXY_PORT: String(port),
  PROXY_TLS_PORT: String(tlsPort),
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

/** One compose project: docker-compose.yml plus override files (deploy/compose/*.yml). */
export function composeProject(name: string, overrides: string[] = []) {
  const files = ['docker-compose.yml', ...overrides].flatMap((f) => ['-f', f]);
  const dc = (...rest: string[]) =>
    run([...compose, '-p', name, ...files, ...rest], { quiet: true });

  /** Every container of the project: its service and "running/healthy" (or "exited/0"). */
  async function states(): Promise<[service: string, state: string][]> {
    const ids = (await dc('ps', '-a', '-q')).split('\n').filter(Boolean);
    if (ids.length === 0) return [];
    const lines = await run(
      [
        'docker',
        'inspect',
        '-f',
        '{{index .Config.Labels "com.docker.compose.service"}} {{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.ExitCode}}{{end}}',
        ...ids,
      ],
      { quiet: true },
    );
    return lines
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' ') as [string, string]);
  }

  return {
    name,
    dc,
    up: (...rest: string[]) => run([...compose, '-p', name, ...files, 'up', '-d', ...rest]),
    states,
    /**
     * Waits until each of `services` has `count` (default 1) containers, every container of the
     * project is running and healthy, and one-shot ones (no health check) ended with 0.
     */
    async allHealthy(services: Record<string, number>, timeoutMs = 180_000) {
      await eventually(
        async () => {
          const now = await states();
          const bad = now.filter(([, s]) => s !== 'running/healthy' && s !== 'exited/0');
          const missing = Object.entries(services).filter(
            ([service, count]) =>
              now.filter(([s, state]) => s === service && state === 'running/healthy').length !==
              count,
          );
          if (bad.length > 0 || missing.length > 0) {
            throw new Error(
              [
                ...bad.map(([s, state]) => `${s}: ${state}`),
                ...missing.map(([s]) => `${s}: count`),
              ].join(', '),
            );
          }
        },
        { timeoutMs, intervalMs: 1000 },
      );
    },
    /** What a failure needs to be understood: the containers and their last log lines. */
    async showState() {
      try {
        console.error(await dc('ps'));
        console.error(await dc('logs', '--tail', '40'));
      } catch {
        // nothing more to show
      }
    },
  };
}

// The base stack, as `docker compose up` runs it.
const base = composeProject(project);
export const { dc } = base;
export const showState = () => base.showState();
/** The base stack's services, each running and healthy (two app replicas by default). */
export const allHealthy = (counts: Record<string, number> = {}, timeoutMs?: number) =>
  base.allHealthy({ redis: 1, app: 2, proxy: 1, ...counts }, timeoutMs);
