import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../harness/demo.ts';
import { eventually } from '../../harness/polling.ts';
import {
  missingPostgres,
  startPostgresServer,
  type PostgresServer,
} from '../../harness/postgres-server.ts';
import { prepareDatabase } from '../../harness/postgres-template.ts';
import { prerequisitesTest } from '../../harness/prerequisites.ts';
import { signIn } from '../../harness/sign-in.ts';
import { createTestApp, type TestApp } from '../../harness/test-app.ts';

const missing = missingPostgres();
prerequisitesTest('test/db/app-outage.test.ts', missing);

/**
 * The app with its database paused or stopped: what needs the database answers 503 within 2 s
 * (never hangs, never a 500, no SQL error text), what does not keeps working, and all comes back
 * by itself.
 */
describe.skipIf(missing.length > 0)('the app while its database is away', () => {
  // Its own server: stopping the suite's would fail every other test file.
  let server: PostgresServer;
  let t: TestApp;
  let alice: string;

  beforeAll(async () => {
    server = await startPostgresServer();
    const url = await prepareDatabase(server, 'tenantry');
    t = await createTestApp({ env: { DATABASE_URL: url } });
    alice = await signIn(t.app, DEMO.a);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await server?.stop();
  });

  const timed = async (req: request.Test) => {
    const started = performance.now();
    const res = await req;
    return { res, ms: performance.now() - started };
  };
  const notes = () =>
    timed(request(t.app).get('/api/notes').set('Host', DEMO.a.host).set('Cookie', alice));
  const me = () => request(t.app).get('/api/me').set('Host', DEMO.a.host).set('Cookie', alice);
  const readyz = () => request(t.app).get('/readyz').set('Host', 'localhost');
  const login = () =>
    timed(
      request(t.app)
        .post('/login')
        .set('Host', DEMO.b.host)
        .type('form')
        .send({ username: DEMO.b.username, password: DEMO.b.password }),
    );

  it.each([
    ['paused (SIGSTOP)', (s: PostgresServer) => s.pause(), (s: PostgresServer) => s.resume()],
    ['stopped', (s: PostgresServer) => s.halt(), (s: PostgresServer) => s.start()],
  ] as const)(
    'when the database is %s, then its routes answer 503 within 2 s, the signed-in read still works, /readyz names it, and it recovers',
    async (_how, away, back) => {
      expect((await notes()).res.status).toBe(200);
      await away(server);
      try {
        for (const answer of [await notes(), await login()]) {
          expect(answer.res.status).toBe(503);
          expect(answer.ms).toBeLessThan(2000);
          expect(answer.res.headers['retry-after']).toBeDefined();
          expect(answer.res.text).not.toMatch(/postgres|sql|relation|ECONN/i);
        }
        // No database query on a signed-in read: it never noticed.
        expect((await me()).status).toBe(200);
        const ready = await readyz();
        expect(ready.status).toBe(503);
        expect(ready.body.stores).toContainEqual({
          name: 'database',
          kind: 'postgres',
          state: 'down',
        });
      } finally {
        await back(server);
      }
      await eventually(async () => expect((await notes()).res.status).toBe(200), {
        timeoutMs: 10_000,
        intervalMs: 200,
      });
      expect((await login()).res.status).toBe(303);
      expect((await readyz()).status).toBe(200);
    },
  );
});
