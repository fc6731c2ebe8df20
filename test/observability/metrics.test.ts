import type { Express } from 'express';
import { register as globalRegistry } from 'prom-client';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createInternalApp } from '../../src/internal/internal-app.ts';
import { createMetrics, type MetricsOptions } from '../../src/observability/metrics.ts';
import { DEMO } from '../../harness/demo.ts';
import { parseMetrics, valueOf } from '../../harness/metrics-text.ts';
import { eventually } from '../../harness/polling.ts';
import { startRedisServer } from '../../harness/redis-server.ts';
import { signIn } from '../../harness/sign-in.ts';
import { buildApp, createTestApp, type TestAppOptions } from '../../harness/test-app.ts';

/** The app with metrics, and its internal listener's GET /metrics, parsed. */
async function metricsApp(options: TestAppOptions & Partial<Omit<MetricsOptions, 'stores'>> = {}) {
  const t = await createTestApp(options);
  const metrics = createMetrics({
    stores: t.stores,
    tenantLabels: options.tenantLabels ?? t.config.metricsTenantLabels,
    databaseUp: options.databaseUp,
  });
  const app = buildApp({ ...t, metrics });
  const internal = createInternalApp({ tenants: t.tenants, centralHosts: ['localhost'], metrics });
  const scrape = async () => {
    const res = await request(internal).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseMetrics(res.text);
  };
  return { t, app, scrape };
}

const get = (app: Express, host: string, path: string) => request(app).get(path).set('Host', host);

describe('GET /metrics on the internal listener', () => {
  let m: Awaited<ReturnType<typeof metricsApp>>;
  beforeAll(async () => {
    m = await metricsApp();
  });
  afterAll(async () => {
    await m.t.close();
  });

  it('when requests are answered, then http_requests_total counts each by tenant, method, route pattern and status, never by raw path', async () => {
    await get(m.app, DEMO.a.host, '/api/me').expect(401);
    await get(m.app, DEMO.a.host, '/api/me').expect(401);
    const cookie = await signIn(m.app, DEMO.b);
    // A well-formed handle of no session: the route throws its 404, the error handler answers.
    await request(m.app)
      .delete('/api/sessions/AAAAAAAAAAAAAAAAAAAAAA')
      .set('Host', DEMO.b.host)
      .set('Cookie', cookie)
      .expect(404);
    await get(m.app, DEMO.c.host, '/no/such/page-7f3a').expect(404);
    await get(m.app, 'stranger.example', '/').expect(404);

    const samples = await m.scrape();
    const requests = (labels: Record<string, string>) =>
      valueOf(samples, 'http_requests_total', labels);
    expect(requests({ tenant: 'customer-a', method: 'GET', route: '/api/me', status: '401' })).toBe(
      2,
    );
    expect(requests({ tenant: 'customer-b', method: 'POST', route: '/login', status: '303' })).toBe(
      1,
    );
    expect(
      requests({
        tenant: 'customer-b',
        method: 'DELETE',
        route: '/api/sessions/:handle',
        status: '404',
      }),
    ).toBe(1);
    expect(requests({ tenant: 'customer-c', route: 'unmatched', status: '404' })).toBe(1);
    expect(requests({ tenant: 'none', route: 'unmatched', status: '404' })).toBe(1);
    const labelValues = samples.flatMap((s) => Object.values(s.labels)).join(' ');
    expect(labelValues).not.toContain('page-7f3a');
    expect(labelValues).not.toContain('AAAAAAAAAAAAAAAAAAAAAA');
  });

  it('when requests are timed, then the latency histogram is labelled by route and status, with no tenant', async () => {
    await get(m.app, DEMO.a.host, '/healthz').expect(200);
    const samples = await m.scrape();
    const histogram = samples.filter((s) => s.name.startsWith('http_request_duration_seconds'));
    expect(histogram.length).toBeGreaterThan(0);
    expect(histogram.every((s) => !('tenant' in s.labels))).toBe(true);
    expect(
      valueOf(samples, 'http_request_duration_seconds_count', { route: '/healthz', status: '200' }),
    ).toBe(1);
    expect(
      valueOf(samples, 'http_request_duration_seconds_bucket', {
        route: '/healthz',
        status: '200',
        le: '+Inf',
      }),
    ).toBe(1);
  });

  it('when scraped, then Node’s process metrics are there, and nothing went into prom-client’s global registry', async () => {
    const names = new Set((await m.scrape()).map((s) => s.name));
    expect(names).toContain('process_cpu_user_seconds_total');
    expect(names).toContain('nodejs_eventloop_lag_seconds');
    expect(names).toContain('store_up');
    expect(await globalRegistry.getMetricsAsJSON()).toEqual([]);
  });
});

describe('the tenant label', () => {
  it('when more tenants are seen than METRICS_TENANT_LABELS, then the first keep their own label and the rest count as "other", in every metric', async () => {
    const m = await metricsApp({ tenantLabels: 2 });
    try {
      for (const host of [DEMO.a.host, DEMO.b.host, DEMO.c.host, DEMO.a.host]) {
        await get(m.app, host, '/api/me').expect(401);
      }
      await request(m.app)
        .post('/login')
        .set('Host', DEMO.c.host)
        .type('form')
        .send({ username: 'carol', password: 'wrong-password' })
        .expect(401);
      const samples = await m.scrape();
      const meRequests = (tenant: string) =>
        valueOf(samples, 'http_requests_total', { tenant, route: '/api/me' });
      expect([meRequests('customer-a'), meRequests('customer-b'), meRequests('other')]).toEqual([
        2, 1, 1,
      ]);
      expect(valueOf(samples, 'login_attempts_total', { tenant: 'other' })).toBe(1);
      const tenants = new Set(samples.map((s) => s.labels.tenant).filter(Boolean));
      expect([...tenants].sort()).toEqual(['customer-a', 'customer-b', 'other']);
    } finally {
      await m.t.close();
    }
  });
});

describe('login_attempts_total', () => {
  it('when a sign-in succeeds, fails, and is then refused by the limiter, then each outcome is counted for its tenant', async () => {
    const m = await metricsApp({ env: { LOGIN_MAX_FAILURES: '1' } });
    try {
      await signIn(m.app, DEMO.a);
      const wrong = () =>
        request(m.app)
          .post('/login')
          .set('Host', DEMO.a.host)
          .type('form')
          .send({ username: DEMO.a.username, password: 'not-the-password' });
      await wrong().expect(401);
      await wrong().expect(429);
      const samples = await m.scrape();
      const attempts = (outcome: string) =>
        valueOf(samples, 'login_attempts_total', { tenant: 'customer-a', outcome });
      expect([attempts('success'), attempts('failure'), attempts('locked')]).toEqual([1, 1, 1]);
      expect(valueOf(samples, 'login_attempts_total', { tenant: 'customer-b' })).toBeUndefined();
    } finally {
      await m.t.close();
    }
  });
});

describe('login_attempts_total when the hash queue is full', () => {
  it('when more sign-ins arrive at once than the tenant may queue, then each 503 counts as busy and each checked one as failure', async () => {
    const m = await metricsApp({ env: { LOGIN_MAX_FAILURES_PER_ADDRESS: '1000' } });
    try {
      const answers = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          request(m.app)
            .post('/login')
            .set('Host', DEMO.c.host)
            .type('form')
            .send({ username: `nobody-${i}`, password: 'wrong-password' })
            .then((res) => res.status),
        ),
      );
      const count = (status: number) => answers.filter((s) => s === status).length;
      expect(count(503)).toBeGreaterThan(0);
      expect(count(401) + count(503)).toBe(60);
      const samples = await m.scrape();
      const attempts = (outcome: string) =>
        valueOf(samples, 'login_attempts_total', { tenant: 'customer-c', outcome });
      expect([attempts('busy'), attempts('failure')]).toEqual([count(503), count(401)]);
    } finally {
      await m.t.close();
    }
  }, 60_000);
});

describe('the store and database gauges', () => {
  it.runIf(inject('redisServerAvailable'))(
    'when Redis stops answering, then the next scrape reports store_up 0, and 1 again once it answers',
    async () => {
      const redis = await startRedisServer();
      const m = await metricsApp({ redisUrl: redis.url });
      try {
        const storeUp = async () =>
          valueOf(await m.scrape(), 'store_up', { store: m.t.stores.default.name });
        expect(await storeUp()).toBe(1);
        redis.pause();
        expect(await storeUp()).toBe(0);
        redis.resume();
        // The client reconnects by itself, with a backoff.
        await eventually(async () => expect(await storeUp()).toBe(1), { timeoutMs: 10_000 });
      } finally {
        redis.resume();
        await m.t.close();
        await redis.stop();
      }
    },
  );

  it('when no database probe is given, then there is no database_up series; with one, it is asked at each scrape', async () => {
    const without = await metricsApp();
    let answers = true;
    const withProbe = await metricsApp({ databaseUp: async () => answers });
    try {
      expect(valueOf(await without.scrape(), 'database_up')).toBeUndefined();
      expect(valueOf(await withProbe.scrape(), 'database_up')).toBe(1);
      answers = false;
      expect(valueOf(await withProbe.scrape(), 'database_up')).toBe(0);
    } finally {
      await without.t.close();
      await withProbe.t.close();
    }
  });
});

describe('the metrics settings', () => {
  it('when METRICS and METRICS_TENANT_LABELS are unset, then metrics are on with 100 tenant labels; off and a count are taken; anything else is refused by name', () => {
    expect(loadConfig({})).toMatchObject({ metrics: true, metricsTenantLabels: 100 });
    expect(loadConfig({ METRICS: 'off', METRICS_TENANT_LABELS: '0' })).toMatchObject({
      metrics: false,
      metricsTenantLabels: 0,
    });
    expect(() => loadConfig({ METRICS: 'maybe', METRICS_TENANT_LABELS: '-1' })).toThrow(
      /METRICS [\s\S]*METRICS_TENANT_LABELS /,
    );
  });
});
