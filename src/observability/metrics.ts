import type { Express, RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { LoginOutcome } from '../auth/login-route.ts';
import type { Stores } from '../store/stores.ts';
import type { Tenant } from '../tenants/tenant.ts';
import { healthGauges } from './health-gauges.ts';
import { requestMetrics } from './request-metrics.ts';
import { tenantLabels } from './tenant-label.ts';

export interface MetricsOptions {
  stores: Stores;
  /** METRICS_TENANT_LABELS: the most tenant ids the `tenant` label takes. */
  tenantLabels: number;
  /** Whether the database answers; without it there is no `database_up` series. */
  databaseUp?: () => Promise<boolean>;
}

/** The app's Prometheus metrics, on a registry of their own (nothing in prom-client's global one). */
export interface Metrics {
  registry: Registry;
  requests: (app: Express) => RequestHandler;
  loginAttempt: (tenant: Tenant, outcome: LoginOutcome) => void;
}

export function createMetrics({ stores, tenantLabels: max, databaseUp }: MetricsOptions): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const tenantLabel = tenantLabels(max);
  const series = {
    tenantLabel,
    requests: new Counter({
      name: 'http_requests_total',
      help: 'Requests answered, by tenant, method, matched route and status.',
      labelNames: ['tenant', 'method', 'route', 'status'] as const,
      registers: [registry],
    }),
    // No tenant label: each label value multiplies a histogram's dozen series.
    duration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from the request to its answer being sent, by matched route and status.',
      labelNames: ['route', 'status'] as const,
      registers: [registry],
    }),
  };
  const logins = new Counter({
    name: 'login_attempts_total',
    help: 'Sign-in attempts by tenant and outcome: success, failure (wrong username or password), locked (too many failures, 429), busy (no turn to check the password, 503).',
    labelNames: ['tenant', 'outcome'] as const,
    registers: [registry],
  });
  healthGauges(registry, stores, databaseUp);
  return {
    registry,
    requests: (app) => requestMetrics(app, series),
    loginAttempt: (tenant, outcome) => logins.inc({ tenant: tenantLabel(tenant.id), outcome }),
  };
}
