import { Agent, type Server } from 'node:http';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInternalApp } from '../../src/internal/internal-app.ts';
import { createMetrics, type Metrics } from '../../src/observability/metrics.ts';
import { plainRequest } from '../../harness/http-client.ts';
import { closeServer, listen } from '../../harness/listen.ts';
import { parseMetrics } from '../../harness/metrics-text.ts';
import { generatedTenantFiles, type GeneratedTenants } from '../../harness/tenant-files.ts';
import { buildApp, createTestApp, type TestApp } from '../../harness/test-app.ts';

const TENANTS = 10_000;
const ROUNDS = 2;
const CONNECTIONS = 16;

let files: GeneratedTenants;
let t: TestApp;
let metrics: Metrics;
let server: Server;
let port: number;

beforeAll(async () => {
  files = await generatedTenantFiles(TENANTS);
  t = await createTestApp({ env: { TENANTS_DIR: files.dir } });
  metrics = createMetrics({ stores: t.stores, tenantLabels: t.config.metricsTenantLabels });
  ({ server, port } = await listen(buildApp({ ...t, metrics })));
}, 120_000);
afterAll(async () => {
  await closeServer(server);
  await t.close();
  await files.remove();
});

describe('the number of series with 10,000 tenants', () => {
  it('when requests are spread over 10,000 tenants by many connections at once, then the tenant label takes METRICS_TENANT_LABELS tenants, "other" and "none", and every request is counted', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    // Every tenant in turn, ROUNDS times over, and an unknown host now and then.
    const hosts = Array.from({ length: TENANTS * ROUNDS }, (_, i) =>
      i % 1000 === 999 ? 'stranger.example' : `${files.ids[i % TENANTS]}.localhost`,
    );
    let next = 0;
    const statuses: Record<number, number> = {};
    const connection = async () => {
      while (next < hosts.length) {
        const host = hosts[next++]!;
        const res = await plainRequest({ port, host, path: '/api/me', agent });
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, connection));
    agent.destroy();
    // Failed sign-ins (no such user) at tenants with a label and without one.
    for (const i of [0, 1, 5000, 9999]) {
      await plainRequest({
        port,
        host: `${files.ids[i]}.localhost`,
        path: '/login',
        form: { username: 'nobody', password: 'wrong-password' },
        timeoutMs: 20_000,
      });
    }

    const unknown = hosts.filter((h) => h === 'stranger.example').length;
    expect(statuses).toEqual({ 401: hosts.length - unknown, 404: unknown });
    const internal = createInternalApp({
      tenants: t.tenants,
      centralHosts: ['localhost'],
      metrics,
    });
    const samples = parseMetrics((await request(internal).get('/metrics').expect(200)).text);
    const labelled = samples.filter((s) => s.labels.tenant !== undefined);
    const tenants = new Set(labelled.map((s) => s.labels.tenant));
    expect(t.config.metricsTenantLabels).toBe(100);
    expect(tenants.size).toBe(t.config.metricsTenantLabels + 2);
    expect(tenants).toContain('other');
    expect(tenants).toContain('none');
    const counted = labelled.filter((s) => s.name === 'http_requests_total');
    // Every read, and the four sign-ins.
    expect(counted.reduce((sum, s) => sum + s.value, 0)).toBe(hosts.length + 4);
    const logins = labelled.filter((s) => s.name === 'login_attempts_total');
    expect(Object.fromEntries(logins.map((s) => [s.labels.tenant, s.value]))).toMatchObject({
      t00000: 1,
      t00001: 1,
      other: 2,
    });
    console.log(
      `${TENANTS} tenants, ${hosts.length} requests: ${labelled.length} series with a tenant label, ` +
        `${tenants.size} tenant values, ${samples.length} series in all`,
    );
  }, 180_000);
});
