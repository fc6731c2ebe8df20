import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEMO } from '../../harness/demo.ts';
import { plainRequest } from '../../harness/http-client.ts';
import { eventually } from '../../harness/polling.ts';
import { startServer, type ServerProcess } from '../../harness/server-process.ts';

/** A span as the OTLP/JSON export carries it, its attributes flattened. */
interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP's SpanKind: 2 server, 3 client. */
  kind: number;
  scope: string;
  attributes: Record<string, unknown>;
}

interface OtlpAttribute {
  key: string;
  value: Record<string, unknown>;
}
interface OtlpTraces {
  resourceSpans?: {
    scopeSpans?: {
      scope?: { name?: string };
      spans?: (Omit<ExportedSpan, 'scope' | 'attributes'> & { attributes?: OtlpAttribute[] })[];
    }[];
  }[];
}

/**
 * A collector of our own: an HTTP server that takes OTLP/HTTP trace exports in the JSON encoding
 * (OTEL_EXPORTER_OTLP_PROTOCOL=http/json, so no protobuf decoding is needed here) and keeps their
 * spans.
 */
async function otlpReceiver(): Promise<{ url: string; spans: ExportedSpan[]; server: Server }> {
  const spans: ExportedSpan[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      if (req.url !== '/v1/traces' || !req.headers['content-type']?.includes('json')) {
        res.writeHead(415).end();
        return;
      }
      const traces = JSON.parse(body) as OtlpTraces;
      for (const { scopeSpans = [] } of traces.resourceSpans ?? []) {
        for (const { scope, spans: exported = [] } of scopeSpans) {
          for (const { attributes = [], ...span } of exported) {
            const flat = attributes.map(({ key, value }) => [key, Object.values(value)[0]]);
            spans.push({ ...span, scope: scope?.name ?? '', attributes: Object.fromEntries(flat) });
          }
        }
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, spans, server };
}

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

describe('the server process with OTEL_EXPORTER_OTLP_ENDPOINT set', () => {
  let receiver: Awaited<ReturnType<typeof otlpReceiver>>;
  let app: ServerProcess;
  beforeAll(async () => {
    receiver = await otlpReceiver();
    app = await startServer({
      redisUrl: inject('redisUrl'),
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        // Export within a tenth of a second, not the default five.
        OTEL_BSP_SCHEDULE_DELAY: '100',
        OTEL_SERVICE_NAME: 'tenantry-test',
        TRUST_PROXY: 'loopback',
        LOG_LEVEL: 'info',
      },
    });
  });
  afterAll(async () => {
    await app?.stop();
    receiver?.server.close();
  });

  it('when a request comes through the trusted proxy with a traceparent, then its spans reach the collector in that trace: the server span with tenant.id, Redis commands as its children', async () => {
    const res = await plainRequest({
      port: app.port,
      host: DEMO.b.host,
      path: '/login',
      form: { username: 'bob', password: 'wrong-password' },
      headers: { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` },
    });
    expect(res.status).toBe(401);
    const { server, redis } = await eventually(async () => {
      const trace = receiver.spans.filter((s) => s.traceId === CALLER_TRACE);
      const server = trace.find((s) => s.kind === 2);
      const redis = trace.filter((s) => s.scope.includes('redis'));
      expect(server).toBeDefined();
      expect(redis.length).toBeGreaterThan(0);
      return { server: server!, redis };
    });
    expect(server.parentSpanId).toBe(CALLER_SPAN);
    expect(server.attributes['tenant.id']).toBe('customer-b');
    expect(server.name).toBe('POST /login');
    for (const span of redis) expect(span.parentSpanId).toBe(server.spanId);
  });

  it('when a request is logged, then its log line carries the trace id beside the request id', async () => {
    const res = await plainRequest({ port: app.port, host: DEMO.a.host, path: '/api/me' });
    const reqId = res.headers['x-request-id'];
    const line = await eventually(async () => {
      const found = app
        .logs()
        .map((l) => JSON.parse(l.raw) as { reqId?: string; traceId?: string; msg?: string })
        .find((l) => l.reqId === reqId && l.msg === 'request completed');
      expect(found).toBeDefined();
      return found!;
    });
    expect(line.traceId).toMatch(/^[0-9a-f]{32}$/);
    await eventually(async () => {
      const server = receiver.spans.find((s) => s.traceId === line.traceId && s.kind === 2);
      expect(server?.attributes['tenant.id']).toBe('customer-a');
    });
  });
});
