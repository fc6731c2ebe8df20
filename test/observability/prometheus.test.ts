import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEMO } from '../../harness/demo.ts';
import { plainRequest } from '../../harness/http-client.ts';
import { eventually } from '../../harness/polling.ts';
import { missingPrometheus, prerequisitesTest } from '../../harness/prerequisites.ts';
import { startPrometheus, type Prometheus } from '../../harness/prometheus.ts';
import { startServer, type ServerProcess } from '../../harness/server-process.ts';

const missing = missingPrometheus();

prerequisitesTest('test/observability/prometheus.test.ts', missing);

describe.skipIf(missing.length > 0)('a real Prometheus scraping two replicas', () => {
  let replicas: ServerProcess[] = [];
  let prometheus: Prometheus;

  beforeAll(async () => {
    // Two replicas of the real server on one Redis, each with its own internal listener.
    replicas = await Promise.all([0, 1].map(() => startServer({ redisUrl: inject('redisUrl') })));
    const targets = replicas.map((r) => `127.0.0.1:${r.env.INTERNAL_PORT}`);
    prometheus = await startPrometheus('tenantry', targets);
  }, 60_000);
  afterAll(async () => {
    await prometheus?.stop();
    await Promise.all(replicas.map((r) => r.stop()));
  });

  it('when known numbers of requests reach each tenant through both replicas, then the PromQL sum by tenant gives exactly those numbers', async () => {
    const sent: [replica: number, host: string, times: number][] = [
      [0, DEMO.a.host, 3],
      [0, DEMO.b.host, 2],
      [1, DEMO.a.host, 4],
      [1, DEMO.c.host, 5],
      [1, 'stranger.example', 1],
    ];
    for (const [replica, host, times] of sent) {
      for (let i = 0; i < times; i++) {
        await plainRequest({ port: replicas[replica]!.port, host, path: '/api/me' });
      }
    }
    const perTenant = await eventually(
      async () => {
        const result = await prometheus.query(
          'sum by (tenant) (http_requests_total{job="tenantry", route="/api/me"})',
        );
        const byTenant = Object.fromEntries(result.map((r) => [r.metric.tenant, r.value]));
        expect(byTenant).toEqual({ 'customer-a': 7, 'customer-b': 2, 'customer-c': 5 });
        return result;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(perTenant).toHaveLength(3);
    const unknown = await prometheus.query(
      'sum(http_requests_total{job="tenantry", tenant="none", route="unmatched", status="404"})',
    );
    expect(unknown.map((r) => r.value)).toEqual([1]);
    const up = await prometheus.query('up{job="tenantry"}');
    expect(up.map((r) => r.value)).toEqual([1, 1]);
  }, 60_000);
});
