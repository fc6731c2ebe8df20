/**
 * `npm run test:compose`: brings up docker-compose.yml as it is (its own project name, free proxy
 * ports) and checks it from outside, like a person with curl would: every service healthy, the
 * tenant hosts served through the proxy (over HTTPS too), an unknown host refused, one session
 * spread over both replicas and surviving a restart of a replica and of Redis, and `--scale app=4`
 * served by four replicas with no proxy edit. Then takes it down again. Not part of `npm test`
 * (see vitest.config.ts beside this file); image builds make it slow on a cold box.
 *
 * Environment:
 *   COMPOSE_CMD           the compose command, split on spaces (default `docker compose`;
 *                         e.g. COMPOSE_CMD=docker-compose). Where base images must be stood in
 *                         (no registry), the caller does that first; this suite only builds and runs.
 *   COMPOSE_PROJECT_NAME  default tenantry-check, so it runs beside a `docker compose up`
 *   PROXY_PORT            default: a free port; PROXY_TLS_PORT too
 *   EDGE_SUBNET           default 10.212.29.0/24 (its own network, beside the default 10.212.19.0/24)
 *   KEEP=1                leaves the stack running (take it down with `$COMPOSE_CMD -p <project> down -v`)
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cookiesOf, sessionIdOf } from '../../harness/cookies.ts';
import { plainRequest } from '../../harness/http-client.ts';
import { eventually } from '../../harness/polling.ts';
import { signIn } from '../../harness/sign-in.ts';
import {
  allHealthy,
  compose,
  dc,
  keep,
  port,
  project,
  run,
  showState,
  tlsPort,
} from './compose-cli.ts';

/** Where the caddy image keeps the root of its local CA (XDG_DATA_HOME=/data). */
const LOCAL_ROOT = '/data/caddy/pki/authorities/local/root.crt';

/** The app's containers now; each one's host name (what it sends as X-Served-By) is its id's start. */
const appContainers = async () => (await dc('ps', '-q', 'app')).split('\n').filter(Boolean);
const hostnameOf = (id: string) => id.slice(0, 12);

const A = { host: `customer-a.localhost:${port}`, name: 'Customer A' };
const hosts = [
  A,
  { host: `customer-b.localhost:${port}`, name: 'Customer B' },
  { host: `customer-c.localhost:${port}`, name: 'Customer C' },
];
const alice = { host: A.host, username: 'alice', password: 'alice-password' };

/** n requests to /api/me with the cookie: every answer must be alice; returns the replicas seen. */
async function aliceEverywhere(cookie: string, n = 6): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const res = await plainRequest({
      port,
      host: A.host,
      path: '/api/me',
      cookie,
      accept: 'application/json',
    });
    const from = String(res.headers['x-served-by']);
    expect(res.status, `/api/me answered ${res.status} ${res.body} (from ${from})`).toBe(200);
    expect((JSON.parse(res.body) as { user: { username: string } }).user.username).toBe('alice');
    seen.add(from);
  }
  return seen;
}

describe(`docker-compose.yml, project ${project}, proxy on port ${port}`, () => {
  beforeAll(async () => {
    console.log(`test:compose: project ${project}, proxy on port ${port}, ${compose.join(' ')}`);
    try {
      await run([...compose, '-p', project, 'up', '-d', '--build']);
    } catch (err) {
      await showState();
      throw err;
    }
  }, 20 * 60_000);

  afterAll(async () => {
    if (keep) console.log(`left running: ${compose.join(' ')} -p ${project} down -v`);
    else await dc('down', '-v', '--remove-orphans');
  }, 5 * 60_000);

  beforeEach(({ onTestFailed }) => onTestFailed(showState));

  it('every service is running and healthy (redis, two app replicas, proxy)', () => allHealthy());

  it('the proxy serves each tenant host, anonymous visitors get no cookie', async () => {
    for (const t of hosts) {
      const res = await plainRequest({ port, host: t.host, accept: 'text/html' });
      expect(res.status, t.host).toBe(200);
      expect(res.body, t.host).toContain(t.name);
      expect(cookiesOf(res), `${t.host} set a cookie`).toEqual([]);
    }
  });

  it('the proxy serves a tenant host over HTTPS with a chain to its local CA, and HTTP is not redirected', async () => {
    const root = await dc('exec', '-T', 'proxy', 'cat', LOCAL_ROOT);
    expect(root).toMatch(/^-----BEGIN CERTIFICATE-----/);
    // Trusting that root alone: the handshake fails unless the chain ends there.
    const host = `customer-a.localhost:${tlsPort}`;
    const secure = await plainRequest({ port: tlsPort, host, ca: root, accept: 'text/html' });
    expect(secure.status).toBe(200);
    expect(secure.body).toContain(A.name);
    expect(secure.headers['strict-transport-security']).toBeUndefined();
    const plain = await plainRequest({ port, host: A.host, accept: 'text/html' });
    expect(plain.status).toBe(200);
    expect(plain.body).toContain(A.name);
  });

  it('an unknown host is refused with 404 and no cookie', async () => {
    const res = await plainRequest({ port, host: `unknown.localhost:${port}` });
    expect(res.status).toBe(404);
    expect(cookiesOf(res)).toEqual([]);
  });

  let cookie = '';
  it('alice signs in at A; her session is one key sessions:customer-a:app:<sid> in Redis', async () => {
    cookie = await signIn(port, alice);
    expect(cookie).toMatch(/^sid=/);
    const sid = sessionIdOf(cookie);
    const keys = await dc(
      'exec',
      '-T',
      'redis',
      'redis-cli',
      '--scan',
      '--pattern',
      'sessions:customer-a:app:*',
    );
    expect(keys.split('\n')).toContain(`sessions:customer-a:app:${sid}`);
  });

  it('her requests are spread over both replicas, each names itself and finds the session', async () => {
    const seen = await aliceEverywhere(cookie);
    expect([...seen].sort()).toEqual((await appContainers()).map(hostnameOf).sort());
  });

  it("A's cookie means nothing at B, and a forged X-Forwarded-Host changes no tenant", async () => {
    const atB = await plainRequest({
      port,
      host: hosts[1]!.host,
      path: '/api/me',
      cookie,
      accept: 'application/json',
    });
    expect(atB.status).toBe(401);
    const forged = await plainRequest({
      port,
      host: A.host,
      headers: { 'X-Forwarded-Host': 'customer-b.localhost' },
      accept: 'text/html',
    });
    expect(forged.body).toContain('Customer A');
    expect(forged.body).not.toContain('Customer B');
  });

  it('the session survives a restart of one replica, and that replica serves again', async () => {
    const [first] = await appContainers();
    await run(['docker', 'restart', first!], { quiet: true });
    await allHealthy();
    await eventually(
      async () => {
        const seen = await aliceEverywhere(cookie);
        expect([...seen], 'served by').toContain(hostnameOf(first!));
      },
      { timeoutMs: 30_000, intervalMs: 1000 },
    );
  });

  it('`--scale app=4` is served by four replicas with no proxy edit, and back to two without a failed request', async () => {
    await dc('up', '-d', '--no-recreate', '--scale', 'app=4');
    await allHealthy({ app: 4 });
    const four = (await appContainers()).map(hostnameOf).sort();
    expect(four).toHaveLength(4);
    // The proxy asks Docker's DNS again within 5 s (refresh 5s): then every replica gets requests.
    await eventually(
      async () => expect([...(await aliceEverywhere(cookie, 24))].sort()).toEqual(four),
      { timeoutMs: 30_000, intervalMs: 1000 },
    );
    await dc('up', '-d', '--no-recreate', '--scale', 'app=2');
    // While the proxy still knows the removed addresses, it retries the next one: every answer is alice's.
    await aliceEverywhere(cookie, 24);
    await allHealthy();
  });

  it('the session survives `restart redis` (append-only file on the volume)', async () => {
    const aof = await dc('exec', '-T', 'redis', 'redis-cli', 'config', 'get', 'appendonly');
    expect(aof.split('\n')[1]?.trim(), `appendonly: ${aof}`).toBe('yes');
    await dc('restart', 'redis');
    await allHealthy();
    // The replicas reconnect with backoff; until then they answer 503, never a wrong user.
    await eventually(
      async () => {
        const seen = await aliceEverywhere(cookie, 12);
        expect(seen.size, `served by ${[...seen].join(', ')} only`).toBe(2);
      },
      { timeoutMs: 30_000, intervalMs: 1000 },
    );
  });
});
