import dotenv from 'dotenv';

/**
 * Whether to trace: OTEL_EXPORTER_OTLP_ENDPOINT set in the environment or in .env, read before the
 * server's own modules load. OpenTelemetry reads its OTEL_* settings from process.env, so those in
 * .env are put there now; like dotenv, this never overrides a variable already set.
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
