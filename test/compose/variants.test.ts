/**
 * Part of `npm run test:compose`: the same stack on the other stores, through the override files
 * in deploy/compose/ (`docker compose -f docker-compose.yml -f deploy/compose/<name>.yml up`).
 * Each variant comes up once under its own project name and is checked from outside: every
 * service healthy, /readyz naming its kind of store, tenant-isolated sign-ins through the proxy,
 * and the primary killed (its replica takes over) with the sessions still signed in afterwards.
 * Then it is taken down again. Same environment as compose.test.ts (COMPOSE_CMD, PROXY_PORT,
 * EDGE_SUBNET, KEEP); the project is `<COMPOSE_PROJECT_NAME>-<variant>`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO } from '../../harness/demo.ts';
import { plainRequest } from '../../harness/http-client.ts';
import { eventually } from '../../harness/polling.ts';
import { signIn } from '../../harness/sign-in.ts';
import { composeProject, keep, port, project, run } from './compose-cli.ts';

const VARIANTS = [
  {
    name: 'cluster',
    file: 'cluster.yml',
    kind: 'cluster',
    services: {
      app: 2,
      proxy: 1,
      'redis-node-1': 1,
      'redis-node-2': 1,
      'redis-node-3': 1,
      'redis-node-4': 1,
      'redis-node-5': 1,
      'redis-node-6': 1,
    },
  },
  {
    name: 'sentinel',
    file: 'sentinel.yml',
    kind: 'sentinel',
    services: {
      app: 2,
      proxy: 1,
      'redis-primary': 1,
      'redis-replica': 1,
      'sentinel-1': 1,
      'sentinel-2': 1,
      'sentinel-3': 1,
    },
  },
] as const;

const at = <T extends { host: string }>(who: T): T => ({ ...who, host: `${who.host}:${port}` });
const me = (who: { host: string }, cookie: string) =>
  plainRequest({ port, host: at(who).host, path: '/api/me', cookie, accept: 'application/json' });

describe.each(VARIANTS)('docker-compose.yml + deploy/compose/$file', (variant) => {
  const stack = composeProject(`${project}-${variant.name}`, [
    `deploy/compose/${variant.name}.yml`,
  ]);
  const cookies = new Map<string, string>();

  beforeAll(async () => {
    try {
      await stack.up('--build');
      await stack.allHealthy(variant.services);
    } catch (err) {
      await stack.showState();
      throw err;
    }
  }, 20 * 60_000);
  afterAll(async () => {
    if (keep) console.log(`left running: ${stack.name}`);
    else await stack.dc('down', '-v', '--remove-orphans');
  }, 5 * 60_000);
  beforeEach(({ onTestFailed }) => onTestFailed(() => stack.showState()));

  it(`when it is up, then /readyz names the ${variant.kind} as the default store, up`, async () => {
    const res = await plainRequest({ port, host: `localhost:${port}`, path: '/readyz' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({
      status: 'ready',
      stores: [
        { name: 'default', kind: variant.kind, state: 'up' },
        { name: 'database', kind: 'postgres', state: 'up' },
      ],
    });
  });

  it('when each demo user signs in through the proxy, then each is signed in at their own tenant only', async () => {
    for (const who of Object.values(DEMO)) cookies.set(who.tenant, await signIn(port, at(who)));
    for (const who of Object.values(DEMO)) {
      for (const other of Object.values(DEMO)) {
        const res = await me(other, cookies.get(who.tenant)!);
        if (other === who) {
          expect(res.status).toBe(200);
          expect(JSON.parse(res.body)).toMatchObject({ user: { username: who.username } });
        } else {
          expect(res.status, `${who.tenant}'s cookie at ${other.tenant}`).toBe(401);
        }
      }
    }
  });

  it('when the primary that holds a session is killed, then its replica takes over and every user is still signed in', async () => {
    const killed = await primaryHolding(stack, variant.name);
    await run(['docker', 'kill', killed], { quiet: true });
    // Failover takes the node timeout (5 s) and an election; the app follows by itself.
    await eventually(
      async () => {
        for (const who of Object.values(DEMO)) {
          expect((await me(who, cookies.get(who.tenant)!)).status, who.tenant).toBe(200);
        }
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
  });
});

/** The container id of the primary that holds customer-a's session. */
async function primaryHolding(
  stack: ReturnType<typeof composeProject>,
  variant: 'cluster' | 'sentinel',
): Promise<string> {
  if (variant === 'sentinel') return (await stack.dc('ps', '-q', 'redis-primary')).trim();
  for (let n = 1; n <= 6; n++) {
    const service = `redis-node-${n}`;
    const cli = (...args: string[]) => stack.dc('exec', '-T', service, 'redis-cli', ...args);
    const role = (await cli('role')).split('\n')[0]?.trim();
    const keys = await cli('--scan', '--pattern', 'sessions:customer-a:*');
    if (role === 'master' && keys.trim() !== '')
      return (await stack.dc('ps', '-q', service)).trim();
  }
  throw new Error("no primary holds customer-a's session");
}
