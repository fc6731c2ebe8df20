import dotenv from 'dotenv';

/**
 * Read before the server's modules load. OpenTelemetry reads OTEL_* from process.env, so those in
 * .env are put there now, never overriding a variable already set.
 */
export function tracingFromEnv(
  env: NodeJS.ProcessEnv,
): { trustProxy: string | undefined } | undefined {
  const file = dotenv.config({ quiet: true, processEnv: {} }).parsed ?? {};
  for (const [name, value] of Object.entries(file)) {
    if (name.startsWith('OTEL_')) env[name] ??= value;
  }
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  return { trustProxy: env.TRUST_PROXY ?? file.TRUST_PROXY };
}
