import type { RequestHandler } from 'express';
import type { Registry } from 'prom-client';

/** GET /metrics: every series of `registry` in Prometheus's text format, gauges asked just now. */
export function metricsRoute(registry: Registry): RequestHandler {
  return async (_req, res) => {
    const text = await registry.metrics();
    res.setHeader('Cache-Control', 'no-store');
    res.type(registry.contentType).send(text);
  };
}
