import type { IncomingMessage } from 'node:http';
import { register } from 'node:module';
import type { Request } from 'express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { RedisInstrumentation } from '@opentelemetry/instrumentation-redis';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import {
  register as registerHooks,
  supportsSyncHooks,
} from 'import-in-the-middle/register-hooks.mjs';
import { ConfigError, loadConfig, type TrustProxy } from '../config.ts';
import type { TrustFn } from '../web/request-id.ts';
import { routePattern } from './route-pattern.ts';

export interface TracingOptions {
  /** TRUST_PROXY as set: only a proxy it trusts may continue its trace (`traceparent`). */
  trustProxy: string | undefined;
  /** Where spans go; default: OTLP to OTEL_EXPORTER_OTLP_ENDPOINT, as OpenTelemetry's env says. */
  spanProcessors?: SpanProcessor[];
}

/** Imported as ES modules, so only a loader hook can patch them; CommonJS ones patch on require. */
const IMPORTED = ['pino', 'pg', 'pg-pool'];

/** Headers that would continue a caller's trace, or carry its baggage into ours. */
const TRACE_HEADERS = ['traceparent', 'tracestate', 'baggage'];

/**
 * Must run before http, redis, pg or pino load: it patches them as they load. `tenant.id` comes
 * from the app's own tenant resolution, never a header.
 */
export async function startTracing({ trustProxy, spanProcessors }: TracingOptions) {
  if (supportsSyncHooks()) registerHooks({ include: IMPORTED });
  else register('import-in-the-middle/hook.mjs', import.meta.url, { data: { include: IMPORTED } });
  let trusted: TrustFn = () => false;
  const sdk = new NodeSDK({
    ...(spanProcessors ? { spanProcessors } : {}),
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        // Anyone may send a traceparent; only a proxy we trust gets to join its trace. Everyone
        // else's trace headers are dropped before they are read, so a fresh trace starts.
        startIncomingSpanHook: (request: IncomingMessage) => {
          if (!trusted(request.socket.remoteAddress, 0)) {
            for (const name of TRACE_HEADERS) delete request.headers[name];
          }
          return {};
        },
        applyCustomAttributesOnSpan: (span, request) => {
          // By then Express has made the request its own: req.tenant is what resolveTenant found.
          const req = request as Request;
          if (req.tenant) span.setAttribute('tenant.id', req.tenant.id);
          if (req.route) {
            const route = routePattern(req);
            span.setAttribute('http.route', route).updateName(`${req.method} ${route}`);
          }
        },
      }),
      new RedisInstrumentation(),
      new PgInstrumentation(),
      new PinoInstrumentation({
        disableLogSending: true,
        logKeys: { traceId: 'traceId', spanId: 'spanId', traceFlags: 'traceFlags' },
      }),
    ],
  });
  sdk.start();
  // Loaded after the SDK started, so it is the instrumented express the app uses too.
  const { default: express } = await import('express');
  trusted = express()
    .set('trust proxy', parseTrustProxy(trustProxy))
    .get('trust proxy fn') as TrustFn;
  return sdk;
}

/** TRUST_PROXY as the app reads it; when it is invalid the server refuses to start anyway. */
function parseTrustProxy(raw: string | undefined): TrustProxy {
  try {
    return loadConfig({ TRUST_PROXY: raw }).trustProxy;
  } catch (err) {
    if (err instanceof ConfigError) return false;
    throw err;
  }
}
