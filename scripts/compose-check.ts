// `npm run test:compose`: brings up docker-compose.yml as it is (its own project name, a free
// PROXY_PORT) and checks it from outside, like a person with curl would: every service healthy,
// the tenant hosts served through the proxy, an unknown host refused, one session spread over both
// replicas and surviving a restart of a replica and of Redis. Then takes it down again.
//
//   npm run test:compose [-- --suite] [-- --keep]
//     --suite  also runs `docker compose run --rm test` (the test suite on the compose Redis)
//     --keep   leaves the stack running (take it down with: docker compose -p tenantry-check down -v)
//
// Where no registry is reachable, it uses compose-offline (COMPOSE_OFFLINE=path, or on PATH) to
// stand in the base images; otherwise `docker compose` (or docker-compose) builds and pulls.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/support/redis-server.ts';
import { cookiesOf, eventually, plainRequest } from './stack/http.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = new Set(process.argv.slice(2));
const project = process.env.COMPOSE_PROJECT_NAME ?? 'tenantry-check';
const port = Number(process.env.PROXY_PORT ?? (await freePort()));
const env = {
  ...process.env,
  COMPOSE_PROJECT_NAME: project,
  PROXY_PORT: String(port),
  // Its own subnet, so it can run beside a `docker compose up` of the same checkout.
  EDGE_SUBNET: process.env.EDGE_SUBNET ?? '10.212.29.0/24',
};

function findOffline(): string | undefined {
  if (process.env.COMPOSE_OFFLINE) return resolve(process.env.COMPOSE_OFFLINE);
  const onPath = spawnSync('sh', ['-c', 'command -v compose-offline'], { encoding: 'utf8' });
  if (onPath.status === 0) return onPath.stdout.trim();
  // This project's offline workplace keeps it beside the checkout.
  const beside = join(ROOT, '..', 'shared', 'tools', 'compose-offline');
  return existsSync(beside) ? beside : undefined;
}
const offline = findOffline();
const works = (cmd: string, cmdArgs: string[]) =>
  spawnSync(cmd, cmdArgs, { stdio: 'ignore' }).status === 0;
// compose-offline drives Debian's docker-compose 1.29; elsewhere prefer the Compose v2 plugin.
const compose: string[] =
  !offline && works('docker', ['compose', 'version']) ? ['docker', 'compose'] : ['docker-compose'];

/** Runs a command in the checkout; `quiet` captures its output (returned), otherwise it is shown. */
function run(cmd: string[], options: { quiet?: boolean } = {}): string {
  const result = spawnSync(cmd[0]!, cmd.slice(1), {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    stdio: options.quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    const output = options.quiet ? `:\n${result.stdout}${result.stderr}` : '';
    throw new Error(`${cmd.join(' ')} failed (${result.status ?? result.signal})${output}`);
  }
  return result.stdout ?? '';
}
const dc = (...rest: string[]) => run([...compose, ...rest], { quiet: true });

let failures = 0;
async function check(name: string, body: () => Promise<void> | void): Promise<void> {
  const started = Date.now();
  try {
    await body();
    console.log(`ok   ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (err) {
    failures++;
    console.log(`FAIL ${name}\n     ${String((err as Error).message).replace(/\n/g, '\n     ')}`);
  }
}
const assert = (ok: unknown, message: string) => {
  if (!ok) throw new Error(message);
};

/** service -> "running/healthy" for every container of the project. */
function states(): Map<string, string> {
  const ids = dc('ps', '-q').split('\n').filter(Boolean);
  const lines = run(
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
async function allHealthy(timeoutMs = 120_000) {
  await eventually(
    async () => {
      const now = states();
      const bad = SERVICES.filter((s) => now.get(s) !== 'running/healthy');
      if (bad.length > 0)
        throw new Error(bad.map((s) => `${s}: ${now.get(s) ?? 'missing'}`).join(', '));
    },
    { timeoutMs, intervalMs: 1000 },
  );
}

const A = { host: `customer-a.localhost:${port}`, name: 'Customer A' };
const hosts = [
  A,
  { host: `customer-b.localhost:${port}`, name: 'Customer B' },
  {
    host: `customer-c.localhost:${port}`,
    name: 'Customer C',
  },
];
/** n requests to /api/me with the cookie: every answer must be alice; returns the replicas seen. */
async function aliceEverywhere(cookie: string, n = 6): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const res = await plainRequest({
      port,
      host: A.host,
      path: '/api/me',
      headers: { Cookie: cookie, Accept: 'application/json' },
    });
    assert(
      res.status === 200,
      `/api/me answered ${res.status} ${res.body} (from ${String(res.headers['x-served-by'])})`,
    );
    assert(
      (JSON.parse(res.body) as { user: { username: string } }).user.username === 'alice',
      res.body,
    );
    seen.add(String(res.headers['x-served-by']));
  }
  return seen;
}

console.log(
  `test:compose: project ${project}, proxy on port ${port}, ${offline ? `compose-offline (${offline})` : compose.join(' ')}`,
);
const started = Date.now();
try {
  if (offline) run([offline, 'up', ROOT]);
  else run([...compose, 'up', '-d', '--build']);

  await check('every service is running and healthy (redis, app-1, app-2, proxy)', () =>
    allHealthy(),
  );

  await check('the proxy serves each tenant host, anonymous visitors get no cookie', async () => {
    for (const t of hosts) {
      const res = await plainRequest({ port, host: t.host, headers: { Accept: 'text/html' } });
      assert(res.status === 200 && res.body.includes(t.name), `${t.host}: ${res.status}`);
      assert(cookiesOf(res).length === 0, `${t.host} set a cookie`);
    }
  });

  await check('an unknown host is refused with 404 and no cookie', async () => {
    const res = await plainRequest({ port, host: `unknown.localhost:${port}` });
    assert(res.status === 404, `answered ${res.status}`);
    assert(cookiesOf(res).length === 0, 'set a cookie');
  });

  let cookie = '';
  await check(
    'alice signs in at A; her session is one key sessions:customer-a:app:<sid> in Redis',
    async () => {
      const res = await plainRequest({
        port,
        host: A.host,
        path: '/login',
        form: { username: 'alice', password: 'alice-password' },
      });
      assert(res.status === 303, `POST /login answered ${res.status}`);
      cookie = cookiesOf(res).find((c) => c.startsWith('sid=')) ?? '';
      assert(cookie, 'no sid cookie');
      const sid = decodeURIComponent(cookie.slice(4))
        .replace(/^s:/, '')
        .replace(/\.[^.]*$/, '');
      const keys = dc(
        'exec',
        '-T',
        'redis',
        'redis-cli',
        '--scan',
        '--pattern',
        'sessions:customer-a:app:*',
      );
      assert(keys.split('\n').includes(`sessions:customer-a:app:${sid}`), `keys: ${keys}`);
    },
  );

  await check('her requests are spread over app-1 and app-2, each finds the session', async () => {
    const seen = await aliceEverywhere(cookie);
    assert(seen.has('app-1') && seen.has('app-2'), `served by ${[...seen].join(', ')}`);
  });

  await check(
    "A's cookie means nothing at B, and a forged X-Forwarded-Host changes no tenant",
    async () => {
      const atB = await plainRequest({
        port,
        host: hosts[1]!.host,
        path: '/api/me',
        headers: { Cookie: cookie, Accept: 'application/json' },
      });
      assert(atB.status === 401, `B answered ${atB.status}`);
      const forged = await plainRequest({
        port,
        host: A.host,
        headers: { 'X-Forwarded-Host': 'customer-b.localhost', Accept: 'text/html' },
      });
      assert(
        forged.body.includes('Customer A') && !forged.body.includes('Customer B'),
        'tenant switched',
      );
    },
  );

  await check('the session survives `restart app-1`, and app-1 serves again', async () => {
    dc('restart', 'app-1');
    await allHealthy();
    await eventually(
      async () => {
        const seen = await aliceEverywhere(cookie);
        assert(seen.has('app-1'), `served by ${[...seen].join(', ')} only`);
      },
      { timeoutMs: 30_000, intervalMs: 1000 },
    );
  });

  await check('the session survives `restart redis` (append-only file on the volume)', async () => {
    const aof = dc('exec', '-T', 'redis', 'redis-cli', 'config', 'get', 'appendonly');
    assert(aof.split('\n')[1]?.trim() === 'yes', `appendonly: ${aof}`);
    dc('restart', 'redis');
    await allHealthy();
    // The replicas reconnect with backoff; until then they answer 503, never a wrong user.
    await eventually(
      async () => {
        const seen = await aliceEverywhere(cookie);
        assert(seen.size === 2, `served by ${[...seen].join(', ')} only`);
      },
      { timeoutMs: 30_000, intervalMs: 1000 },
    );
  });

  if (args.has('--suite')) {
    await check('`docker compose run --rm test` passes against the compose Redis', () => {
      run([...compose, 'run', '--rm', 'test']);
    });
  }
} catch (err) {
  failures++;
  console.error(`test:compose: ${(err as Error).message}`);
  try {
    console.error(dc('ps'));
    console.error(dc('logs', '--tail', '40'));
  } catch {
    // nothing more to show
  }
} finally {
  if (args.has('--keep')) {
    console.log(`left running: ${compose.join(' ')} -p ${project} down -v`);
  } else if (offline) {
    run([offline, 'down', ROOT, '--remove-orphans'], { quiet: true });
  } else {
    dc('down', '-v', '--remove-orphans');
  }
}
console.log(
  `test:compose: ${failures === 0 ? 'passed' : `${failures} failed`} in ${Math.round((Date.now() - started) / 1000)} s`,
);
process.exit(failures === 0 ? 0 : 1);
