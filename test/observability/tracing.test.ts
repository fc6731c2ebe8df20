import { request as httpRequest, type Server } from 'node:http';
import { SpanKind } from '@opentelemetry/api';
import type { NodeSDK } from '@opentelemetry/sdk-node';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../harness/demo.ts';
import { eventually } from '../../harness/polling.ts';
import type { TestApp } from '../../harness/test-app.ts';

/** The only proxy the app and the tracing trust; 127.0.0.1 is then an ordinary client. */
const PROXY = '127.0.0.2';
const CALLER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';
const TRACEPARENT = `00-${CALLER_TRACE}-${CALLER_SPAN}-01`;

const exporter = new InMemorySpanExporter();
let sdk: NodeSDK;
let t: TestApp;
let server: Server;
let port: number;

beforeAll(async () => {
  // Tracing first, the app's modules (express, redis, pino) after: it patches them as they load.
  const { startTracing } = await import('../../src/observability/tracing.ts');
  sdk = await startTracing({
    trustProxy: PROXY,
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const { createTestApp } = await import('../../harness/test-app.ts');
  const { listen } = await import('../../harness/listen.ts');
  t = await createTestApp({ env: { TRUST_PROXY: PROXY } });
  ({ server, port } = await listen(t.app));
});
afterAll(async () => {
  const { closeServer } = await import('../../harness/listen.ts');
  await closeServer(server);
  await t.close();
  await sdk.shutdown();
});

/** One request from `from` (a loopback address), resolved with its status once answered. */
function send(options: {
  from: string;
  host: string;
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        localAddress: options.from,
        method: options.method ?? 'GET',
        path: options.path,
        headers: { Host: options.host, ...options.headers },
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The server span of the request just sent, and every span of its trace, once it has ended. */
async function traced(): Promise<{ server: ReadableSpan; trace: ReadableSpan[] }> {
  return eventually(
    async () => {
      const spans = exporter.getFinishedSpans();
      const servers = spans.filter((s) => s.kind === SpanKind.SERVER);
      expect(servers).toHaveLength(1);
      const traceId = servers[0]!.spanContext().traceId;
      return {
        server: servers[0]!,
        trace: spans.filter((s) => s.spanContext().traceId === traceId),
      };
    },
    { timeoutMs: 5000 },
  );
}

describe('tracing with OpenTelemetry (the SDK’s in-memory exporter)', () => {
  it('when a sign-in is traced, then its server span carries tenant.id and the route, and each Redis command is a child span', async () => {
    exporter.reset();
    const status = await send({
      from: '127.0.0.1',
      host: DEMO.a.host,
      path: '/login',
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'username=alice&password=wrong-password',
    });
    expect(status).toBe(401);
    const { server, trace } = await traced();
    expect(server.attributes['tenant.id']).toBe('customer-a');
    expect(server.attributes['http.route']).toBe('/login');
    expect(server.name).toBe('POST /login');
    const redis = trace.filter((s) => s.instrumentationScope.name.includes('redis'));
    expect(redis.length).toBeGreaterThan(0);
    for (const span of redis) {
      expect(span.kind).toBe(SpanKind.CLIENT);
      expect(span.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    }
  });

  it('when a client names another tenant in headers, then tenant.id is still the tenant its Host resolved to', async () => {
    exporter.reset();
    await send({
      from: '127.0.0.1',
      host: DEMO.b.host,
      path: '/api/me',
      headers: { 'X-Forwarded-Host': DEMO.c.host, 'X-Tenant-Id': 'customer-c' },
    });
    expect((await traced()).server.attributes['tenant.id']).toBe('customer-b');
  });

  it('when the host is no tenant’s, then the server span has no tenant.id', async () => {
    exporter.reset();
    expect(await send({ from: '127.0.0.1', host: 'stranger.example', path: '/' })).toBe(404);
    expect((await traced()).server.attributes).not.toHaveProperty('tenant.id');
  });

  it('when the trusted proxy sends a traceparent, then the request joins that trace', async () => {
    exporter.reset();
    await send({
      from: PROXY,
      host: DEMO.a.host,
      path: '/api/me',
      headers: { traceparent: TRACEPARENT },
    });
    const { server } = await traced();
    expect(server.spanContext().traceId).toBe(CALLER_TRACE);
    expect(server.parentSpanContext?.spanId).toBe(CALLER_SPAN);
  });

  it('when anyone else sends a traceparent, then a fresh trace starts', async () => {
    exporter.reset();
    await send({
      from: '127.0.0.1',
      host: DEMO.a.host,
      path: '/api/me',
      headers: { traceparent: TRACEPARENT },
    });
    const { server } = await traced();
    expect(server.spanContext().traceId).not.toBe(CALLER_TRACE);
    expect(server.parentSpanContext).toBeUndefined();
  });
});
