/**
 * The entry point (`node dist/server.js`). OpenTelemetry must patch http, the Redis and PostgreSQL
 * clients and pino before anything loads them, so when OTEL_EXPORTER_OTLP_ENDPOINT is set tracing
 * starts first and the server (src/serve.ts) is imported after it. Unset, none of OpenTelemetry
 * is loaded.
 */
import { tracingFromEnv } from './observability/tracing-env.ts';

const tracing = tracingFromEnv(process.env);
if (tracing) {
  const { startTracing } = await import('./observability/tracing.ts');
  await startTracing(tracing);
}
await import('./serve.ts');
