import { pino } from 'pino';
import request from 'supertest';
import { beforeAll, describe, it } from 'vitest';
import { createInternalApp } from '../../src/internal/internal-app.ts';
import { TenantRegistry } from '../../src/tenants/registry.ts';
import { DEMO_TENANTS_DIR } from '../../harness/demo.ts';

describe('GET /tls/ask on the internal listener', () => {
  let app: ReturnType<typeof createInternalApp>;
  beforeAll(async () => {
    const tenants = await TenantRegistry.open({
      dir: DEMO_TENANTS_DIR,
      env: {},
      logger: pino({ level: 'silent' }),
      centralHosts: ['localhost'],
    });
    app = createInternalApp({ tenants, centralHosts: ['localhost'] });
  });

  it.each(['customer-a.localhost', 'Customer-B.localhost', 'customer-c.localhost.'])(
    'when the domain is a tenant file’s host (%s), then 200',
    async (domain) => {
      await request(app).get('/tls/ask').query({ domain }).expect(200);
    },
  );

  it.each(['localhost', 'stranger.example', 'customer-a.localhost.evil.example'])(
    'when the domain is central or belongs to no tenant (%s), then 404',
    async (domain) => {
      await request(app).get('/tls/ask').query({ domain }).expect(404);
    },
  );

  it.each([['customer-a.localhost:443'], ['bad host'], [''], ['a..b']])(
    'when the domain is malformed (%j), then 400',
    async (domain) => {
      await request(app).get('/tls/ask').query({ domain }).expect(400);
    },
  );

  it('when no domain or two are given, then 400', async () => {
    await request(app).get('/tls/ask').expect(400);
    await request(app).get('/tls/ask?domain=a.example&domain=b.example').expect(400);
  });

  it('when any other path is asked, then 404', async () => {
    await request(app).get('/').expect(404);
  });
});

describe('the internal routes on the main port', () => {
  it.each(['localhost', 'customer-a.localhost'])(
    'when /tls/ask or /metrics is asked on the main port (Host %s), then 404',
    async (host) => {
      const { createTestApp } = await import('../../harness/test-app.ts');
      const t = await createTestApp();
      try {
        await request(t.app)
          .get('/tls/ask?domain=customer-a.localhost')
          .set('Host', host)
          .expect(404);
        await request(t.app).get('/metrics').set('Host', host).expect(404);
      } finally {
        await t.close();
      }
    },
  );
});
