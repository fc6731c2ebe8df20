import { Router } from 'express';
import type { SessionBackend } from '../sessions/kv.ts';

/**
 * Probes for orchestrators, answered on any host and before tenant resolution.
 * /healthz: the process is alive (never touches Redis, so a Redis outage does not restart apps).
 * /readyz: the session store answers within its command timeout.
 */
export function healthRoutes(backend: SessionBackend): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (req, res) => {
    try {
      await backend.ping();
      res.json({ status: 'ready', store: backend.kind });
    } catch (err) {
      req.log.warn({ err }, 'readiness check failed');
      res.status(503).json({ status: 'unavailable', store: backend.kind });
    }
  });
  return router;
}
