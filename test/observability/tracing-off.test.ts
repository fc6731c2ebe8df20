import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEMO } from '../../harness/demo.ts';
import { freePort } from '../../harness/free-port.ts';
import { plainRequest } from '../../harness/http-client.ts';
import { startServer } from '../../harness/server-process.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tenantry-loaded-modules-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * Runs the real server with `env`, sends it a signed-out read and asks its internal listener for
 * /metrics, stops it, and answers every module it loaded and the status /metrics answered.
 */
async function serveOnce(name: string, env: Record<string, string>) {
  const file = join(dir, name);
  const app = await startServer({
    redisUrl: inject('redisUrl'),
    env: { ...env, LOADED_MODULES_FILE: file },
    preload: ['./test/observability/record-modules.ts'],
  });
  const read = await plainRequest({ port: app.port, host: DEMO.a.host, path: '/api/me' });
  expect(read.status).toBe(401);
  const metrics = await plainRequest({ port: Number(app.env.INTERNAL_PORT), path: '/metrics' });
  expect((await app.stop()).code).toBe(0);
  return { modules: (await readFile(file, 'utf8')).split('\n'), metricsStatus: metrics.status };
}

/** Modules of OpenTelemetry and its loader hooks, but for its API: a no-op facade prom-client requires. */
const openTelemetry = (modules: string[]) =>
  modules.filter(
    (url) =>
      /@opentelemetry|-in-the-middle/.test(url) &&
      !url.includes('/node_modules/@opentelemetry/api/'),
  );

describe('without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('when the server runs and answers, then no SDK, exporter, instrumentation or loader hook of OpenTelemetry was ever loaded', async () => {
    const { modules } = await serveOnce('untraced', {});
    // The record works: the app's own dependencies are in it.
    expect(modules.some((url) => url.includes('/node_modules/express/'))).toBe(true);
    expect(modules.some((url) => url.includes('/node_modules/redis/'))).toBe(true);
    expect(openTelemetry(modules)).toEqual([]);
  });
});

describe('with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('when it is set, then the same record shows the SDK and the loader hook loaded', async () => {
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const { modules } = await serveOnce('traced', { OTEL_EXPORTER_OTLP_ENDPOINT: nobody });
    const loaded = openTelemetry(modules);
    expect(loaded).toContainEqual(expect.stringContaining('/@opentelemetry/sdk-node/'));
    expect(loaded).toContainEqual(expect.stringContaining('/import-in-the-middle/'));
  });
});

describe('METRICS in the server process', () => {
  it('when METRICS=off, then the internal listener answers /metrics with 404; by default, 200', async () => {
    expect((await serveOnce('metrics-off', { METRICS: 'off' })).metricsStatus).toBe(404);
    expect((await serveOnce('metrics-on', {})).metricsStatus).toBe(200);
  });
});
